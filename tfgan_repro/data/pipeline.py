"""The tf.data pipeline of unpaired translation (official CycleGAN data/unaligned_dataset.py).

Training: each domain is resized to load_size, cached, shuffled, repeated, randomly cropped to
crop_size and flipped, then A and B are zipped with independent shuffles, so every pair is random
(official: A in a shuffled order, B drawn at random). Evaluation follows the official test
options (test_options.py sets load_size = crop_size and --no_flip): resize to crop_size, no crop,
no flip, stored order; A[i mod |A|] is zipped with B[i mod |B|] for i < max(|A|, |B|) (official
serial_batches). Procedural sources render directly at the size the transform would resize to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import transforms
from tfgan_repro.data.sources import SOURCES, DomainImages

SPLITS = ("train", "test")  # official: --phase train | test (folders trainA, testA, ...)
PREPROCESS = ("resize_and_crop", "crop", "none")  # official: --preprocess (scale_width* left out)
_EVAL_BATCH = 64  # images per step when materialising arrays; any value gives the same arrays


class NoGroundTruthError(ValueError):
  """The data source has no paired test split, so translations cannot be scored against truth."""


def default_data_config() -> ml_collections.ConfigDict:
  """The data block of a config; `resolve_data_config` fills missing keys from here."""
  return ml_collections.ConfigDict(
    dict(
      # DESIGN.md: the procedural datasets stand in for downloads ("seasons" | "tfds" | "folder").
      source="seasons",
      name="cycle_gan/horse2zebra",  # official: download_cyclegan_dataset.sh horse2zebra (tfds name)
      path="",  # official: --dataroot (folder with trainA, trainB, testA, testB)
      data_dir="",  # tfds data_dir; "" = the tfds default (~/tensorflow_datasets)
      load_size=286,  # official: --load_size 286
      crop_size=256,  # official: --crop_size 256
      preprocess="resize_and_crop",  # official: --preprocess resize_and_crop
      flip=True,  # official: flip unless --no_flip
      # Procedural scenes per domain; horse2zebra has 1067 / 1334 train and 120 / 140 test images.
      num_train=1000,
      num_test=100,
      procedural_seed=0,  # fixed scenes, like a real dataset: the run's seed only shuffles
      skip_corrupt=False,  # a corrupt file is an error naming it; True skips and counts them
      # Not in official (PyTorch shuffles the whole set): a full shuffle when >= the domain size.
      shuffle_buffer=1000,
      cache=True,  # keep decoded, resized images in memory (procedural images always are)
      cache_dir="",  # procedural renders saved as .npz here; "" = memory only
    )
  )


def resolve_data_config(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
) -> ml_collections.ConfigDict:
  """`default_data_config()` overridden by `data_config`; unknown keys and bad values raise."""
  cfg = default_data_config()
  given = data_config.to_dict() if hasattr(data_config, "to_dict") else dict(data_config)
  for key, value in given.items():
    if key not in cfg:
      raise ValueError(f"data_config has unknown key {key!r}; valid: {', '.join(sorted(cfg))}")
    try:
      cfg[key] = value
    except TypeError as e:
      raise ValueError(f"data_config.{key} = {value!r} has the wrong type: {e}") from e
  SOURCES.get(cfg.source)  # raises listing the valid sources
  if cfg.preprocess not in PREPROCESS:
    raise ValueError(f"data_config.preprocess must be one of {PREPROCESS}, got {cfg.preprocess!r}")
  for key in ("load_size", "crop_size", "num_train", "num_test", "shuffle_buffer"):
    if cfg[key] < 1:
      raise ValueError(f"data_config.{key} must be >= 1, got {cfg[key]!r}")
  if cfg.preprocess == "resize_and_crop" and cfg.crop_size > cfg.load_size:
    raise ValueError(
      f"data_config.crop_size ({cfg.crop_size}) must be <= load_size ({cfg.load_size}) for "
      "preprocess 'resize_and_crop'"
    )
  return cfg


def _load(cfg: ml_collections.ConfigDict, split: str, domain: str, training: bool) -> DomainImages:
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  if domain not in ("A", "B"):
    raise ValueError(f"domain must be 'A' or 'B', got {domain!r}")
  eval_resize = not training and cfg.preprocess == "resize_and_crop"
  size = cfg.crop_size if eval_resize else cfg.load_size  # procedural render size
  d = SOURCES.get(cfg.source)(cfg, split, domain, size)
  if d.count < 1:
    raise ValueError(f"source {cfg.source!r} has no images in split {split}{domain}")
  return d


def _train_images(
  d: DomainImages, cfg: ml_collections.ConfigDict, shuffle_seed: int, augment_seed: int
) -> tf.data.Dataset:
  """Endless float32 [crop, crop, 3] images in [-1, 1] of one domain, shuffled each epoch."""
  ds = d.images
  if cfg.preprocess == "resize_and_crop" and d.size != cfg.load_size:
    ds = ds.map(
      lambda im: transforms.resize_bicubic(im, cfg.load_size, cfg.load_size),
      num_parallel_calls=tf.data.AUTOTUNE,
    )
  elif cfg.preprocess == "none":
    ds = ds.map(transforms.make_power_2, num_parallel_calls=tf.data.AUTOTUNE)
  if cfg.cache and d.size is None:  # rendered images are in memory already
    ds = ds.cache()
  ds = ds.shuffle(
    min(cfg.shuffle_buffer, d.count), seed=shuffle_seed, reshuffle_each_iteration=True
  )
  crop = None if cfg.preprocess == "none" else cfg.crop_size

  def augment(index: tf.Tensor, image: tf.Tensor) -> tf.Tensor:
    seed = tf.stack([tf.constant(augment_seed, tf.int64), index])  # stateless seed [2]
    return transforms.to_float(transforms.random_crop_flip(image, crop, cfg.flip, seed))

  return ds.repeat().enumerate().map(augment, num_parallel_calls=tf.data.AUTOTUNE)


def _eval_images(d: DomainImages, cfg: ml_collections.ConfigDict) -> tf.data.Dataset:
  """float32 images in [-1, 1] of one domain in stored order (official test transform)."""
  size = cfg.crop_size

  def transform(image: tf.Tensor) -> tf.Tensor:
    if cfg.preprocess == "resize_and_crop":  # official test: load_size = crop_size, a plain resize
      image = image if d.size == size else transforms.resize_bicubic(image, size, size)
    elif cfg.preprocess == "crop":  # official test crops at random; the centre is deterministic
      image = transforms.center_crop(image, size)
    else:
      image = transforms.make_power_2(image)
    return transforms.to_float(image)

  return d.images.map(transform, num_parallel_calls=tf.data.AUTOTUNE)


def unpaired_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
) -> tf.data.Dataset:
  """(a, b) float32 batches [global_batch_size, crop, crop, 3] in [-1, 1] (NHWC).

  With preprocess "none" the sides are the stored ones rounded to multiples of 4 instead, and
  batching needs images of one size (official --preprocess none runs at batch size 1).

  training=True: endless, shuffled, cropped and flipped with `seed`, drop_remainder=True.
  training=False: max(|A|, |B|) pairs in stored order, the last batch possibly smaller; for
  a procedural source's test split a[i] and b[i] are the same scene (the true translation).
  """
  cfg = resolve_data_config(data_config)
  if not isinstance(global_batch_size, int | np.integer) or global_batch_size < 1:
    raise ValueError(f"global_batch_size must be a positive int, got {global_batch_size!r}")
  a = _load(cfg, split, "A", training)
  b = _load(cfg, split, "B", training)
  if training:
    # Four independent streams: shuffle A, shuffle B, augment A, augment B.
    s = [int(v) for v in np.random.SeedSequence(seed).generate_state(4)]
    ds = tf.data.Dataset.zip(_train_images(a, cfg, s[0], s[2]), _train_images(b, cfg, s[1], s[3]))
    ds = ds.batch(global_batch_size, drop_remainder=True)
  else:
    n = max(a.count, b.count)  # official: UnalignedDataset.__len__
    ds = tf.data.Dataset.zip(
      _eval_images(a, cfg).repeat().take(n), _eval_images(b, cfg).repeat().take(n)
    ).batch(global_batch_size)
  return ds.prefetch(tf.data.AUTOTUNE)


def epoch_size(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], split: str = "train"
) -> int:
  """Pairs per epoch: max(|A|, |B|) (official: UnalignedDataset.__len__)."""
  cfg = resolve_data_config(data_config)
  training = split == "train"  # load at the size that split is used at (cached for later)
  return max(_load(cfg, split, d, training).count for d in ("A", "B"))


def _eval_array(d: DomainImages, cfg: ml_collections.ConfigDict, num: int | None) -> np.ndarray:
  if num is None:
    num = d.count
  if not isinstance(num, int | np.integer) or not 1 <= num <= d.count:
    raise ValueError(f"num must be an int in [1, {d.count}] (or None for all), got {num!r}")
  batches = _eval_images(d, cfg).take(num).batch(_EVAL_BATCH).as_numpy_iterator()
  return np.concatenate(list(batches))  # [num, H, W, 3]


def domain_images(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  domain: str,
  num: int | None = None,
) -> np.ndarray:
  """The first `num` (default all) images of one domain: float32 [num, crop, crop, 3] in [-1, 1],
  eval transform, stored order."""
  cfg = resolve_data_config(data_config)
  return _eval_array(_load(cfg, split, domain, False), cfg, num)


def paired_test_arrays(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], num: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
  """(a, b_true) float32 [num, crop, crop, 3] in [-1, 1]: b_true[i] is the true translation of
  a[i] (the test split of a procedural source)."""
  cfg = resolve_data_config(data_config)
  a = _load(cfg, "test", "A", False)
  b = _load(cfg, "test", "B", False)
  if not (a.paired and b.paired):
    raise NoGroundTruthError(
      f"data_config.source {cfg.source!r} has no paired test split (no ground truth); "
      "use a procedural source such as 'seasons'"
    )
  return _eval_array(a, cfg, num), _eval_array(b, cfg, num)
