"""Model registry: name -> how to build the GANModel from a config, and where its configs live."""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import keras
import ml_collections

from tfgan_repro import nets
from tfgan_repro.models.contract import Optimizer
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.util.registry import Registry


@dataclasses.dataclass(frozen=True)
class ModelSpec:
  """builder: config -> GANModel. config_module: the configs module with `get_config(variant)`;
  its "tiny" variant enrols the model in the conformance tests.

  paper_counts: trainable parameters of each network (keys: the roles of `GANModel.networks`) of
  the model built from `paper_config()`, as the official code counts them
  (docs/official_counts.md); None for a model with no official code. paper_variant: the config
  variant those counts are of. paper_overrides: dotted config keys set on it for the data the
  official counts were taken with (the official label / attribute count where the procedural
  data has another).
  """

  builder: Callable[[ml_collections.ConfigDict], GANModel]
  config_module: str
  paper_counts: Mapping[str, int] | None = None
  paper_variant: str = "paper"
  paper_overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)

  def config(self, variant: str) -> ml_collections.ConfigDict:
    """`get_config(variant)` of the model's config module."""
    return importlib.import_module(self.config_module).get_config(variant)

  def variants(self) -> tuple[str, ...]:
    """The config module's variant names."""
    return tuple(importlib.import_module(self.config_module).VARIANTS)

  def paper_config(self) -> ml_collections.ConfigDict:
    """The config `paper_counts` are of: `paper_variant` with `paper_overrides`."""
    config = self.config(self.paper_variant)
    config.update_from_flattened_dict(dict(self.paper_overrides))
    return config


MODELS: Registry[ModelSpec] = Registry("model")


def register_model(
  name: str,
  *,
  config_module: str,
  paper_counts: Mapping[str, int] | None,
  paper_variant: str = "paper",
  paper_overrides: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., GANModel]], Callable[..., GANModel]]:
  """Decorator registering a config -> GANModel builder under `name` (ModelSpec's fields).

  Every model declares `paper_counts`, its official parameter counts (None: no official code);
  the conformance tests build `paper_config()` and compare.
  """
  if paper_counts is not None and not all(c > 0 for c in paper_counts.values()):
    raise ValueError(f"model {name!r}: paper_counts must be positive, got {paper_counts!r}")

  def decorator(builder: Callable[..., GANModel]) -> Callable[..., GANModel]:
    spec = ModelSpec(
      builder=builder,
      config_module=config_module,
      paper_counts=None if paper_counts is None else dict(paper_counts),
      paper_variant=paper_variant,
      paper_overrides=dict(paper_overrides or {}),
    )
    MODELS.add(name, spec)
    return builder

  return decorator


def build_model(config: ml_collections.ConfigDict) -> GANModel:
  """Builds `config.model` (call inside `strategy.scope()`)."""
  return MODELS.get(config.model).builder(config)


def network_from_config(net_config: ml_collections.ConfigDict, **fixed) -> keras.Model:
  """Builds the registered network `net_config.name` with the config keys its builder accepts.

  A config block lists the options of every network of its role (e.g. `num_d` only matters for
  `multiscale`); keys the chosen builder does not take are not passed. A key that no registered
  network of that role takes is a typo: ValueError naming it, the block and the closest option.
  """
  spec = nets.NETWORKS.get(net_config.name)
  role_options = set()
  for other in nets.NETWORKS:
    if nets.NETWORKS.get(other).role == spec.role:
      role_options.update(inspect.signature(nets.NETWORKS.get(other).builder).parameters)
  unknown = sorted(k for k in net_config.keys() if k not in role_options)
  if unknown:
    close = difflib.get_close_matches(unknown[0], sorted(role_options), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(sorted(role_options))}"
    built_as = f", built as {fixed['name']!r}" if "name" in fixed else ""
    raise ValueError(
      f"unknown key {unknown[0]!r} in the config block of {spec.role} {net_config.name!r}"
      f"{built_as}: no registered {spec.role} takes it; {hint}"
    )
  params = inspect.signature(spec.builder).parameters
  kwargs = {k: v for k, v in net_config.items() if k != "name" and k in params}
  return spec.build(**kwargs, **fixed)


def optimizer_from_config(config: ml_collections.ConfigDict, **overrides) -> Optimizer:
  """A player's optimizer settings from config.optimizer (lr, beta1, beta2; the official linear
  policy: n_epochs at lr, then n_epochs_decay of linear decay to 0; optimizer.name if set, else
  Adam) and `overrides`."""
  opt = config.optimizer
  settings = dict(
    name=opt.get("name", "adam"),
    lr=opt.lr,
    beta_1=opt.beta1,
    beta_2=opt.beta2,
    constant_epochs=opt.n_epochs,
    decay_epochs=opt.n_epochs_decay,
  )
  return Optimizer(**{**settings, **overrides})
