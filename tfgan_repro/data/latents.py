"""Latent vectors z of noise -> image generators, drawn with TF's stateless RNG.

One function draws the latents of the sample sheet, of evaluation, of bin.generate and of an
exported SavedModel's `generate` signature, so a seed gives the same z everywhere (and the same
images from a run, its SavedModel and its TFLite file).

- normal: z ~ N(0, 1); uniform: z ~ U[-1, 1] (what the trainer draws, training/trainer.py);
- truncation T > 0: the truncation trick (BigGAN, Brock et al. 2019, Sec. 3.1: "values which fall
  outside a range are resampled to fall inside that range"): every entry with |z| > T is redrawn,
  round r from the stateless seed (seed, r), until all lie in [-T, T]; entries still outside
  after MAX_ROUNDS rounds are clipped to [-T, T]. T <= 0 or None: no truncation.

Entry k of the flattened [count, z_dim] draw depends on (seed, k) alone (Philox counters), so the
first n rows of a draw of count > n are the draw of count n.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

LATENT_KEY = "latents"  # serving key of z (export.inputs.LATENT_KEY)
CLASS_KEY = "class_ids"  # serving key of a class-conditional generator's class ids
LATENT_KIND = "latents"  # the input contract kind of z (export.contract)
DISTRIBUTIONS = ("normal", "uniform")  # models/contract.py LATENT_DISTRIBUTIONS
# Redraw rounds of the truncation trick: at T = 0.04 (BigGAN Fig. 2's smallest) an entry is kept
# with p = 0.032 per round, so 1000 rounds leave one with p ~ 1e-14.
MAX_ROUNDS = 1000


@dataclasses.dataclass(frozen=True)
class LatentSpec:
  """What a generator's latents are: z [N, z_dim] of `distribution`; class-conditional
  generators (num_classes > 0) also take class ids int32 [N] in [0, num_classes)."""

  z_dim: int
  distribution: str = "normal"
  num_classes: int = 0

  def __post_init__(self):
    if isinstance(self.z_dim, bool) or not isinstance(self.z_dim, int) or self.z_dim < 1:
      raise ValueError(f"z_dim must be a positive int, got {self.z_dim!r}")
    if self.distribution not in DISTRIBUTIONS:
      raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {self.distribution!r}")
    if not isinstance(self.num_classes, int) or self.num_classes < 0:
      raise ValueError(f"num_classes must be an int >= 0, got {self.num_classes!r}")

  def to_json(self) -> dict:
    return dataclasses.asdict(self)

  def contract(self) -> dict[str, dict]:
    """The input contract (export.contract) of a generator of these latents: "latents" (and
    "class_ids", served as float32 [N, 1], for a class-conditional one)."""
    contract = {LATENT_KEY: {"kind": LATENT_KIND, "size": self.z_dim, **self.to_json()}}
    if self.num_classes:
      contract[CLASS_KEY] = {"kind": "class_ids", "size": 1, "num_classes": self.num_classes}
    return contract

  @classmethod
  def from_contract(cls, contract: Mapping[str, Mapping[str, Any]] | None) -> LatentSpec | None:
    """The spec recorded in an input contract; None for a generator of other inputs."""
    entry = (contract or {}).get(LATENT_KEY)
    if not entry or entry.get("kind") != LATENT_KIND:
      return None
    return cls(int(entry["z_dim"]), entry["distribution"], int(entry["num_classes"]))


def _draw(shape: tf.Tensor, seed: tf.Tensor, round_: tf.Tensor, distribution: str) -> tf.Tensor:
  key = tf.stack([seed, tf.cast(round_, tf.int64)])  # stateless seed [2]
  if distribution == "uniform":
    return tf.random.stateless_uniform(shape, key, minval=-1.0, maxval=1.0)
  return tf.random.stateless_normal(shape, key)


def sample_latents(
  seed: int | tf.Tensor,
  count: int | tf.Tensor,
  z_dim: int,
  distribution: str = "normal",
  truncation: float | tf.Tensor | None = None,
) -> tf.Tensor:
  """float32 [count, z_dim] latents of `seed` (module docstring); traceable (seed, count and
  truncation may be tensors: int64, int32, float32)."""
  if distribution not in DISTRIBUTIONS:
    raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
  if isinstance(z_dim, bool) or not isinstance(z_dim, int) or z_dim < 1:
    raise ValueError(f"z_dim must be a positive int, got {z_dim!r}")
  if isinstance(count, int) and count < 0:
    raise ValueError(f"count must be >= 0, got {count!r}")
  if isinstance(truncation, float | int) and truncation != truncation:  # NaN
    raise ValueError(f"truncation must be a number (<= 0: off), got {truncation!r}")
  seed = tf.cast(seed, tf.int64)
  shape = tf.stack([tf.cast(count, tf.int32), z_dim])
  z = _draw(shape, seed, 0, distribution)  # [count, z_dim]
  if truncation is None:
    return z
  t = tf.cast(truncation, tf.float32)

  def outside(z: tf.Tensor) -> tf.Tensor:
    return tf.logical_and(t > 0.0, tf.abs(z) > t)

  def cond(r: tf.Tensor, z: tf.Tensor) -> tf.Tensor:
    return tf.logical_and(r < MAX_ROUNDS, tf.reduce_any(outside(z)))

  def body(r: tf.Tensor, z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    return r + 1, tf.where(outside(z), _draw(shape, seed, r, distribution), z)

  _, z = tf.while_loop(cond, body, (tf.constant(1, tf.int32), z))
  return tf.where(t > 0.0, tf.clip_by_value(z, -tf.abs(t), tf.abs(t)), z)


def class_ids(
  count: int | tf.Tensor, num_classes: int, classes: Sequence[int] | tf.Tensor | None = None
) -> tf.Tensor:
  """int32 [count]: sample i gets classes[i % len(classes)] (default: every class in turn,
  i % num_classes). ValueError for a class outside [0, num_classes) given as a list."""
  if num_classes < 1:
    raise ValueError(f"num_classes must be >= 1 for class ids, got {num_classes!r}")
  if classes is None:
    classes = list(range(num_classes))
  if not isinstance(classes, tf.Tensor):
    classes = list(classes)
    if not classes or any(not 0 <= int(c) < num_classes for c in classes):
      raise ValueError(
        f"classes must be a non-empty list of ids in [0, {num_classes}), got {classes}"
      )
  classes = tf.cast(classes, tf.int32)
  index = tf.range(tf.cast(count, tf.int32)) % tf.size(classes)
  return tf.gather(classes, index)
