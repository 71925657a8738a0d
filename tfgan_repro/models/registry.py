"""Model registry: name -> how to build the GANModel from a config, and where its configs live."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable

import keras
import ml_collections

from tfgan_repro import nets
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.util.registry import Registry


@dataclasses.dataclass(frozen=True)
class ModelSpec:
  """builder: config -> GANModel. config_module: the configs module with `get_config(variant)`;
  its "tiny" variant enrols the model in the conformance tests."""

  builder: Callable[[ml_collections.ConfigDict], GANModel]
  config_module: str


MODELS: Registry[ModelSpec] = Registry("model")


def register_model(name: str, *, config_module: str):
  """Decorator registering a config -> GANModel builder under `name`."""

  def decorator(builder):
    MODELS.add(name, ModelSpec(builder, config_module))
    return builder

  return decorator


def build_model(config: ml_collections.ConfigDict) -> GANModel:
  """Builds `config.model` (call inside `strategy.scope()`)."""
  return MODELS.get(config.model).builder(config)


def network_from_config(net_config: ml_collections.ConfigDict, **fixed) -> keras.Model:
  """Builds the registered network `net_config.name` with the config keys its builder accepts.

  A config block lists the options of every network of its role (e.g. `num_d` only matters for
  `multiscale`); keys the chosen builder does not take are not passed.
  """
  spec = nets.NETWORKS.get(net_config.name)
  params = inspect.signature(spec.builder).parameters
  kwargs = {k: v for k, v in net_config.items() if k != "name" and k in params}
  return spec.build(**kwargs, **fixed)
