"""The tf.data pipeline of dataset_mode "points": 2-D points of a Gaussian mixture
(data/procedural/mixtures.py: data.source "ring8" | "grid25"), for the MLP GANs of the mixture
benchmarks (Metz et al. 2017, Sec. 3.1; VEEGAN, Srivastava et al. 2017, Sec. 5.1).

Training draws fresh points for every batch, as those benchmarks sample the mixture at each step:
batch i is a function of (seed, i) alone, so a resumed run sees the batches the uninterrupted one
would have. An "epoch" is data.num_train points (what the schedule counts). Evaluation reads the
fixed test split (data.num_test points of data.procedural_seed) in stored order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data.config import SPLITS, check_batch_size, resolve_data_config
from tfgan_repro.data.procedural import mixtures

_ENDLESS = 2**62  # batches: more than any run takes


def _config(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
) -> ml_collections.ConfigDict:
  cfg = resolve_data_config(data_config)
  if cfg.dataset_mode != "points":
    raise ValueError(f"data_config.dataset_mode must be 'points', got {cfg.dataset_mode!r}")
  return cfg


def draw(m: mixtures.Mixture, num: int | tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
  """(points float32 [num, 2], mode ids int32 [num]): a mode uniformly, then its Gaussian, from
  the stateless int32 [2] `seed`."""
  seeds = tf.random.experimental.stateless_split(seed, num=2)
  modes = tf.random.stateless_uniform([num], seeds[0], 0, m.num_modes, dtype=tf.int32)
  means = tf.gather(tf.constant(m.means, tf.float32), modes)  # [num, 2]
  return means + m.std * tf.random.stateless_normal([num, 2], seeds[1]), modes


def points_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
  skip_batches: int = 0,
) -> tf.data.Dataset:
  """Batches of points float32 [B, 2]. training=True: endless fresh draws, batch i seeded by
  (seed, i), from batch `skip_batches` on; training=False: the split in stored order, the last
  batch possibly smaller."""
  cfg = _config(data_config)
  check_batch_size(global_batch_size)
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  m = mixtures.mixture(cfg.source)
  if not training:
    num = cfg.num_train if split == "train" else cfg.num_test
    points, _ = mixtures.sample(m, num, cfg.procedural_seed, split)
    return tf.data.Dataset.from_tensor_slices(points).batch(global_batch_size)
  base = int(np.random.SeedSequence(seed).generate_state(1)[0] % 2**31)

  def batch(i: tf.Tensor) -> tf.Tensor:
    key = tf.cast(tf.stack([tf.constant(base, tf.int64), i]), tf.int32)
    return draw(m, global_batch_size, key)[0]

  ds = tf.data.Dataset.range(skip_batches, _ENDLESS).map(batch)
  return ds.prefetch(tf.data.AUTOTUNE)


def point_count(data_config: ml_collections.ConfigDict | Mapping[str, Any], split: str) -> int:
  """Points of an epoch of `split`: data.num_train or data.num_test."""
  cfg = _config(data_config)
  return cfg.num_train if split == "train" else cfg.num_test


def point_arrays(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], split: str = "test"
) -> tuple[np.ndarray, np.ndarray]:
  """(points float32 [N, 2], mode ids int32 [N]) of the fixed `split` (N = num_train / num_test)."""
  cfg = _config(data_config)
  return mixtures.sample(
    mixtures.mixture(cfg.source), point_count(cfg, split), cfg.procedural_seed, split
  )
