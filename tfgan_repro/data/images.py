"""The tf.data pipeline of noise -> image synthesis: dataset_mode "images" (batches of images) and
"labelled_images" ((images, labels) batches, for class-conditional models).

Each stored image is centre-cropped to a square of its short side and resized (bilinear,
antialiased) to data.crop_size, then cached, as the attribute pipeline (data/attributes.py) does;
procedural sources render at crop_size directly. Grayscale sources (mnist) come as 3 equal
channels. Training shuffles, flips left-right with p = 0.5 when data.flip (leave it off for
digits), repeats and drops the last partial batch; evaluation keeps the stored order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import transforms
from tfgan_repro.data.config import EVAL_BATCH, SPLITS, check_batch_size, resolve_data_config
from tfgan_repro.data.epochs import shuffled_epochs
from tfgan_repro.data.image_sources import IMAGE_SOURCES, LabelledImages

IMAGE_MODES = ("images", "labelled_images")


def _config(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
) -> ml_collections.ConfigDict:
  cfg = resolve_data_config(data_config)
  if cfg.dataset_mode not in IMAGE_MODES:
    raise ValueError(
      f"data_config.dataset_mode must be one of {IMAGE_MODES}, got {cfg.dataset_mode!r}"
    )
  return cfg


def _load(cfg: ml_collections.ConfigDict, split: str) -> LabelledImages:
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  d = IMAGE_SOURCES.get(cfg.source)(cfg, split, cfg.crop_size)
  if d.count < 1:
    raise ValueError(f"source {cfg.source!r} has no images in split {split!r}")
  if cfg.dataset_mode == "labelled_images" and d.num_classes < 1:
    raise ValueError(
      f"dataset_mode 'labelled_images' needs class labels, but source {cfg.source!r} "
      f"({cfg.name if cfg.source == 'tfds' else cfg.path or cfg.source}) has none; use "
      "dataset_mode 'images'"
    )
  return d


def _prepared(d: LabelledImages, cfg: ml_collections.ConfigDict) -> tf.data.Dataset:
  """(uint8 [crop, crop, 3], int32 label) examples, squared and resized, cached."""
  return transforms.squared_examples(d.examples, d.size, cfg.crop_size, cfg.cache)


def image_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
  skip_batches: int = 0,
) -> tf.data.Dataset:
  """Batches of images float32 [B, crop, crop, 3] in [-1, 1] (dataset_mode "images"), or
  (images, labels int32 [B]) (dataset_mode "labelled_images"; stacked_shapes: mode ids).

  training=True: endless, shuffled with `seed`, flipped when data.flip, drop_remainder=True, each
  epoch's order a function of (seed, epoch) (epochs.shuffled_epochs), starting after
  `skip_batches` batches (a resumed run's position).
  training=False: the split in stored order, the last batch possibly smaller.
  """
  cfg = _config(data_config)
  check_batch_size(global_batch_size)
  d = _load(cfg, split)
  ds = _prepared(d, cfg)
  if training:
    shuffle_seed, flip_seed = (int(v) for v in np.random.SeedSequence(seed).generate_state(2))
    start = skip_batches * global_batch_size
    ds = shuffled_epochs(ds, d.count, cfg.shuffle_buffer, shuffle_seed, start)

    def augment(index: tf.Tensor, example: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, ...]:
      image, label = example
      key = tf.stack([tf.constant(flip_seed, tf.int64), index])  # stateless seed [2]
      return transforms.to_float(transforms.random_crop_flip(image, None, cfg.flip, key)), label

    ds = ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
  else:
    ds = ds.map(lambda x, y: (transforms.to_float(x), y), num_parallel_calls=tf.data.AUTOTUNE)
  if cfg.dataset_mode == "images":
    ds = ds.map(lambda x, y: x)
  return ds.batch(global_batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)


def image_count(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], split: str = "train"
) -> int:
  """Images in `split`."""
  return _load(_config(data_config), split).count


def num_image_classes(data_config: ml_collections.ConfigDict | Mapping[str, Any]) -> int:
  """Classes of the source's labels (stacked_shapes: 1000 modes; mnist, cifar10: 10); 0 = none."""
  return _load(_config(data_config), "train").num_classes


def image_arrays(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str = "test",
  num: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
  """(images float32 [N, crop, crop, 3] in [-1, 1], labels int32 [N]; -1 = none) of the first
  `num` (default all) images of `split`, in stored order."""
  cfg = _config(data_config)
  d = _load(cfg, split)
  if num is None:
    num = d.count
  if not isinstance(num, int | np.integer) or not 1 <= num <= d.count:
    raise ValueError(f"num must be an int in [1, {d.count}] (or None for all), got {num!r}")
  batches = list(_prepared(d, cfg).take(num).batch(EVAL_BATCH).as_numpy_iterator())
  images = np.concatenate([x for x, _ in batches])  # uint8 [N, S, S, 3]
  labels = np.concatenate([y for _, y in batches])  # [N]
  return transforms.to_float(images).numpy(), labels.astype(np.int32)
