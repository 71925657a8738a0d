"""The tf.data pipeline of attribute editing (data.dataset_mode "attributes"): (image, attributes).

Official StarGAN data_loader.py (CelebA): RandomHorizontalFlip (training only), CenterCrop(178),
Resize(image_size) (bilinear), ToTensor, Normalize(0.5, 0.5); batches shuffled in training, in
stored order for testing; Fader Networks flips with --h_flip. Here a stored image is centre-cropped
to a square of its short side (178 for CelebA's 218x178) and resized to data.crop_size, then
cached; training shuffles, flips (the image only: every attribute is mirror-symmetric), repeats
and drops the last partial batch; evaluation keeps the stored order. Procedural faces render at
crop_size directly and know the true edit of each image (`attribute_test_arrays`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import transforms
from tfgan_repro.data.attribute_sources import (
  ATTRIBUTE_SOURCES,
  AttributeImages,
  selected_attributes,
)
from tfgan_repro.data.config import (
  EVAL_BATCH,
  SPLITS,
  NoGroundTruthError,
  check_batch_size,
  resolve_data_config,
)
from tfgan_repro.data.epochs import shuffled_epochs


def _config(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
) -> ml_collections.ConfigDict:
  """The resolved config; its source must have attributes (any dataset_mode: the unpaired
  "faces" source names its attribute too)."""
  cfg = resolve_data_config(data_config)
  if cfg.source not in ATTRIBUTE_SOURCES:
    raise ValueError(
      f"data_config.source {cfg.source!r} has no attributes; valid: "
      f"{', '.join(ATTRIBUTE_SOURCES.names())}"
    )
  return cfg


def _load(cfg: ml_collections.ConfigDict, split: str) -> AttributeImages:
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  d = ATTRIBUTE_SOURCES.get(cfg.source)(cfg, split, selected_attributes(cfg), cfg.crop_size)
  if d.count < 1:
    raise ValueError(f"source {cfg.source!r} has no images in split {split!r}")
  return d


def _prepared(d: AttributeImages, cfg: ml_collections.ConfigDict) -> tf.data.Dataset:
  """(uint8 [crop, crop, 3], float32 [A]) examples, squared and resized, cached."""
  return transforms.squared_examples(d.examples, d.size, cfg.crop_size, cfg.cache)


def attribute_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
  skip_batches: int = 0,
) -> tf.data.Dataset:
  """(images float32 [B, crop, crop, 3] in [-1, 1], attributes float32 [B, A] in {0, 1}) batches,
  A = `attribute_names(data_config)` in order.

  training=True: endless, shuffled with `seed`, each image flipped left-right with p = 0.5
  (data.flip; official RandomHorizontalFlip), drop_remainder=True, each epoch's order a function
  of (seed, epoch) (epochs.shuffled_epochs), starting after `skip_batches` batches (a resumed
  run's position). training=False: the split in stored order, the last batch possibly smaller.
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
      image, attributes = example
      key = tf.stack([tf.constant(flip_seed, tf.int64), index])  # stateless seed [2]
      image = transforms.random_crop_flip(image, None, cfg.flip, key)
      return transforms.to_float(image), attributes

    ds = ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(global_batch_size, drop_remainder=True)
  else:
    ds = ds.map(lambda x, a: (transforms.to_float(x), a), num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(global_batch_size)
  return ds.prefetch(tf.data.AUTOTUNE)


def attribute_names(data_config: ml_collections.ConfigDict | Mapping[str, Any]) -> tuple[str, ...]:
  """The A attribute names of the attribute vectors, in data.attributes order ("" = all of the
  source's)."""
  return selected_attributes(_config(data_config))


def attribute_count(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], split: str = "train"
) -> int:
  """Images in `split`."""
  return _load(_config(data_config), split).count


def attribute_test_arrays(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], num: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """(images [N, crop, crop, 3], attributes [N, A], edits [N, A, crop, crop, 3]) float32 of the
  first `num` (default all) test images: images and edits in [-1, 1], attributes in {0, 1};
  edits[n, i] is the true render of image n with attribute i flipped. Raises
  NoGroundTruthError for sources without true edits (CelebA)."""
  cfg = _config(data_config)
  d = _load(cfg, "test")
  if d.edits is None:
    raise NoGroundTruthError(
      f"data_config.source {cfg.source!r} has no true attribute edits (no ground truth); "
      "use the procedural source 'faces'"
    )
  if num is None:
    num = d.count
  if not isinstance(num, int | np.integer) or not 1 <= num <= d.count:
    raise ValueError(f"num must be an int in [1, {d.count}] (or None for all), got {num!r}")
  batches = list(_prepared(d, cfg).take(num).batch(EVAL_BATCH).as_numpy_iterator())
  images = np.concatenate([x for x, _ in batches])  # uint8 [N, S, S, 3]
  attributes = np.concatenate([a for _, a in batches])  # [N, A]
  edits = d.edits()[:num]  # uint8 [N, A, S, S, 3]
  to_float = transforms.to_float
  return to_float(images).numpy(), attributes.astype(np.float32), to_float(edits).numpy()
