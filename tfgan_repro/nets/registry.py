"""Network registry: name -> NetworkSpec. Registering a net enrols it in the conformance tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import keras

from tfgan_repro.util.registry import Registry

ROLES = ("generator", "discriminator", "encoder")  # encoder: pix2pixHD's feature encoder E


@dataclasses.dataclass(frozen=True)
class NetworkSpec:
  """What the conformance tests need to know about a registered network.

  name: registry name. builder: keyword-only function -> keras.Model. role: generator |
  discriminator. official_name: the option that selects it in the official code.
  paper_kwargs: builder kwargs of the official / paper configuration. official_params: trainable
  parameter count of that configuration, counted by building the official code (None if unknown).
  tiny_kwargs / tiny_input_shape: a narrow, deterministic (no dropout, no batch statistics) variant
  and an (H, W, C) input it accepts, for fast round-trip tests. tiny_condition_size: 0 for nets
  of one image input; K for nets of two inputs [image, condition [N, K]] (attribute editing).
  """

  name: str
  builder: Callable[..., keras.Model]
  role: str
  official_name: str
  paper_kwargs: dict[str, Any]
  official_params: int | None
  tiny_kwargs: dict[str, Any]
  tiny_input_shape: tuple[int, int, int]
  tiny_condition_size: int = 0

  def build(self, **kwargs: Any) -> keras.Model:
    return self.builder(**kwargs)


NETWORKS: Registry[NetworkSpec] = Registry("network")


def register_network(
  name: str,
  *,
  role: str,
  official_name: str,
  paper_kwargs: dict[str, Any],
  official_params: int | None,
  tiny_kwargs: dict[str, Any],
  tiny_input_shape: tuple[int, int, int],
  tiny_condition_size: int = 0,
) -> Callable[[Callable[..., keras.Model]], Callable[..., keras.Model]]:
  """Decorator: registers `builder` under `name` as a NetworkSpec and returns it unchanged."""
  if role not in ROLES:
    raise ValueError(f"unknown role {role!r}; valid: {', '.join(ROLES)}")

  def decorator(builder: Callable[..., keras.Model]) -> Callable[..., keras.Model]:
    spec = NetworkSpec(
      name=name,
      builder=builder,
      role=role,
      official_name=official_name,
      paper_kwargs=dict(paper_kwargs),
      official_params=official_params,
      tiny_kwargs=dict(tiny_kwargs),
      tiny_input_shape=tuple(tiny_input_shape),
      tiny_condition_size=tiny_condition_size,
    )
    NETWORKS.add(name, spec)
    return builder

  return decorator


def build(name: str, **kwargs: Any) -> keras.Model:
  """Builds the registered network `name` (unknown names raise listing the valid ones)."""
  return NETWORKS.get(name).build(**kwargs)
