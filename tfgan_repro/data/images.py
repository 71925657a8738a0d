"""The tf.data pipeline of noise -> image synthesis: dataset_mode "images" (batches of images) and
"labelled_images" ((images, labels) batches, for class-conditional models).

Each stored image is centre-cropped to a square of its short side and resized (bilinear,
antialiased) to data.crop_size, then cached, as the attribute pipeline (data/attributes.py) does;
procedural sources render at crop_size directly. With data.bbox_crop the training split's square is
instead the one about each image's object box (grown by data.bbox_margin; transforms.bbox_crop),
for the sources that give boxes (class_shapes; tfds with objects/bbox, e.g. stanford_dogs); the
held-out images stay whole: G is judged against the data as it is. Grayscale
sources (mnist) come as 3 equal channels. Training shuffles, flips left-right with p = 0.5 when data.flip (leave it off for
digits), repeats and drops the last partial batch; evaluation keeps the stored order.

Semi-supervised training (data.num_labelled > 0, "labelled_images"): only the balanced subset of
data/semi_supervised.py keeps its training labels, the other rows carry -1; with
data.labelled_per_batch L > 0 each training batch is L rows of the labelled subset (its own
shuffle) followed by global_batch_size - L rows of the whole training set with labels hidden
(official triple-gan: labelled and unlabelled batches drawn apart). The test split keeps every
label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import semi_supervised, transforms
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
  if cfg.bbox_crop and d.boxes is None:
    raise ValueError(
      f"data.bbox_crop needs bounding boxes, but source {cfg.source!r} "
      f"({cfg.name if cfg.source == 'tfds' else cfg.path or cfg.source}) has none; sources "
      "with boxes: class_shapes, tfds datasets with an objects/bbox feature (stanford_dogs)"
    )
  return d


def _prepared(d: LabelledImages, cfg: ml_collections.ConfigDict, split: str) -> tf.data.Dataset:
  """(uint8 [crop, crop, 3], int32 label) examples, squared and resized (training split with
  data.bbox_crop: the square about each object's box, transforms.bbox_crop), cached."""
  if not (cfg.bbox_crop and split == "train"):
    return transforms.squared_examples(d.examples, d.size, cfg.crop_size, cfg.cache)

  def crop(example: tuple[tf.Tensor, tf.Tensor], box: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    image, label = example
    return transforms.bbox_crop(image, box, cfg.bbox_margin, cfg.crop_size), label

  ds = tf.data.Dataset.zip(d.examples, d.boxes).map(crop, num_parallel_calls=tf.data.AUTOTUNE)
  return ds.cache() if cfg.cache else ds


def _labels_of(d: LabelledImages) -> np.ndarray:
  """int32 [count]: the labels of `d` in stored order."""
  labels = d.examples.map(lambda x, y: y, num_parallel_calls=tf.data.AUTOTUNE)
  return np.fromiter(labels.as_numpy_iterator(), np.int32, count=d.count)


def _with_labels(ds: tf.data.Dataset, labels: np.ndarray) -> tf.data.Dataset:
  """(image, labels[i]) for the i-th (image, label) of `ds`."""
  pairs = tf.data.Dataset.zip(ds, tf.data.Dataset.from_tensor_slices(labels))
  return pairs.map(lambda example, y: (example[0], y))


def _train_stream(
  ds: tf.data.Dataset, count: int, cfg: ml_collections.ConfigDict, seed: int, start: int
) -> tf.data.Dataset:
  """Endless (image float32 in [-1, 1], label) of `ds` (`count` examples), each epoch shuffled
  by (seed, epoch), flipped when data.flip, from example number `start` on."""
  shuffle_seed, flip_seed = (int(v) for v in np.random.SeedSequence(seed).generate_state(2))
  ds = shuffled_epochs(ds, count, cfg.shuffle_buffer, shuffle_seed, start)

  def augment(index: tf.Tensor, example: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, ...]:
    image, label = example
    key = tf.stack([tf.constant(flip_seed, tf.int64), index])  # stateless seed [2]
    return transforms.to_float(transforms.random_crop_flip(image, None, cfg.flip, key)), label

  return ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)


def _semi_supervised_batches(
  d: LabelledImages,
  ds: tf.data.Dataset,
  cfg: ml_collections.ConfigDict,
  global_batch_size: int,
  seed: int,
  skip_batches: int,
) -> tf.data.Dataset:
  """Training batches of `ds` with only data.num_labelled labels kept (module docstring)."""
  labels = semi_supervised.semi_supervised_labels(
    _labels_of(d), cfg.num_labelled, d.num_classes, cfg.labelled_seed
  )
  rows = cfg.labelled_per_batch
  if not rows:
    stream = _train_stream(
      _with_labels(ds, labels), d.count, cfg, seed, skip_batches * global_batch_size
    )
    return stream.batch(global_batch_size, drop_remainder=True)
  if rows > global_batch_size:
    raise ValueError(
      f"data.labelled_per_batch must be <= the global batch size {global_batch_size}, got {rows}"
    )
  hidden = np.full(d.count, semi_supervised.UNLABELLED, np.int32)
  labelled = _with_labels(ds, labels).filter(lambda x, y: y >= 0)
  # Two streams of their own seeds: the labelled rows and every image with its label hidden.
  labelled_seed, unlabelled_seed = (int(v) for v in np.random.SeedSequence(seed).generate_state(2))
  first = _train_stream(labelled, cfg.num_labelled, cfg, labelled_seed, skip_batches * rows)
  first = first.batch(rows, drop_remainder=True)
  if rows == global_batch_size:
    return first
  rest = _train_stream(
    _with_labels(ds, hidden),
    d.count,
    cfg,
    unlabelled_seed,
    skip_batches * (global_batch_size - rows),
  ).batch(global_batch_size - rows, drop_remainder=True)
  return tf.data.Dataset.zip(first, rest).map(
    lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0))
  )


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
  ds = _prepared(d, cfg, split)
  if training and cfg.num_labelled and cfg.dataset_mode == "labelled_images":
    batches = _semi_supervised_batches(d, ds, cfg, global_batch_size, seed, skip_batches)
    return batches.prefetch(tf.data.AUTOTUNE)
  if training:
    ds = _train_stream(ds, d.count, cfg, seed, skip_batches * global_batch_size)
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
  batches = list(_prepared(d, cfg, split).take(num).batch(EVAL_BATCH).as_numpy_iterator())
  images = np.concatenate([x for x, _ in batches])  # uint8 [N, S, S, 3]
  labels = np.concatenate([y for _, y in batches])  # [N]
  return transforms.to_float(images).numpy(), labels.astype(np.int32)
