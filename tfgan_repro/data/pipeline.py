"""The tf.data pipeline of translation: unpaired (official data/unaligned_dataset.py, CycleGAN)
and paired (official data/aligned_dataset.py, pix2pix); `make_dataset` picks by data.dataset_mode.

Unpaired training: each domain is resized to load_size, cached, shuffled, repeated, randomly
cropped to crop_size and flipped, then A and B are zipped with independent shuffles, so every pair
is random (official: A in a shuffled order, B drawn at random). Paired training: the pairs are
shuffled together and each pair gets ONE crop and flip (official AlignedDataset: one
get_params(...) for both A and B), applied to A and B stacked on channels. Evaluation follows the
official test options (test_options.py sets load_size = crop_size and --no_flip): resize to
crop_size, no crop, no flip, stored order; unpaired: A[i mod |A|] is zipped with B[i mod |B|] for
i < max(|A|, |B|) (official serial_batches). Procedural sources render directly at the size the
transform would resize to. `direction` BtoA swaps the source's domains (official --direction).

Label maps (domain A of a label source, data/sources.py) are resized with nearest neighbours and
end as `num_classes` one-hot channels in {0, 1} (pix2pixHD's generator input) or, with
label_format "color", as palette colours in [-1, 1] like an image (official pix2pix cityscapes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import attributes, images, points, transforms
from tfgan_repro.data.config import (
  EVAL_BATCH,
  INSTANCE_ID_SCALE,
  SPLITS,
  NoGroundTruthError,
  check_batch_size,
  resolve_data_config,
)
from tfgan_repro.data.epochs import shuffled_epochs
from tfgan_repro.data.labels import INSTANCE_ID_BASE, LabelSpec
from tfgan_repro.data.sources import SOURCES, DomainImages, label_spec


def _source_domain(cfg: ml_collections.ConfigDict, domain: str) -> str:
  """The source's domain that serves as `domain` (official --direction BtoA swaps A and B)."""
  if domain not in ("A", "B"):
    raise ValueError(f"domain must be 'A' or 'B', got {domain!r}")
  return domain if cfg.direction == "AtoB" else {"A": "B", "B": "A"}[domain]


def _labels(cfg: ml_collections.ConfigDict, domain: str) -> LabelSpec | None:
  """The label set when `domain` (after direction) holds label maps, else None."""
  return label_spec(cfg) if _source_domain(cfg, domain) == "A" else None


def _num_classes(cfg: ml_collections.ConfigDict, spec: LabelSpec) -> int:
  num = cfg.num_classes or len(spec.classes)
  spec.padded_palette(num)  # raises when fewer than the source's classes
  return num


def _load(cfg: ml_collections.ConfigDict, split: str, domain: str, training: bool) -> DomainImages:
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  source_domain = _source_domain(cfg, domain)
  eval_resize = not training and cfg.preprocess == "resize_and_crop"
  size = cfg.crop_size if eval_resize else cfg.load_size  # procedural render size
  d = SOURCES.get(cfg.source)(cfg, split, source_domain, size)
  if d.count < 1:
    raise ValueError(f"source {cfg.source!r} has no images in split {split}{source_domain}")
  return d


def _finish(x: tf.Tensor, cfg: ml_collections.ConfigDict, spec: LabelSpec | None) -> tf.Tensor:
  """uint8 image -> float32 in [-1, 1]; label map -> one-hot {0, 1} or palette colours."""
  if spec is None:
    return transforms.to_float(x)
  num = _num_classes(cfg, spec)
  if cfg.label_format == "onehot":
    return transforms.one_hot(x, num)
  if cfg.label_format == "onehot_instance":
    return tf.concat([transforms.one_hot(x, num), instance_ids(x)], axis=-1)
  return transforms.colorize(x, spec.padded_palette(num))


def instance_ids(labels: tf.Tensor) -> tf.Tensor:
  """int [..., H, W, 2] (class, instance; 0 = none) -> float32 [..., H, W, 1] instance ids as
  Cityscapes' gtFine_instanceIds (pix2pixHD's --instance input): class * 1000 + k for an
  instance k, the class id for stuff; divided by INSTANCE_ID_SCALE."""
  cls, inst = labels[..., :1], labels[..., 1:2]
  ids = tf.where(inst > 0, cls * INSTANCE_ID_BASE + inst, cls)
  return tf.cast(ids, tf.float32) / INSTANCE_ID_SCALE


def _prepared(
  d: DomainImages, cfg: ml_collections.ConfigDict, spec: LabelSpec | None
) -> tf.data.Dataset:
  """The official transform before the crop: resize to load_size (or round to multiples of 4);
  label maps as int32 [H, W, 2] with nearest resizing. Cached."""
  labels = spec is not None
  ds = d.images.map(lambda x: tf.cast(x, tf.int32)) if labels else d.images
  if cfg.preprocess == "resize_and_crop" and d.size != cfg.load_size:
    ds = ds.map(
      lambda im: transforms.resize(im, cfg.load_size, cfg.load_size, labels),
      num_parallel_calls=tf.data.AUTOTUNE,
    )
  elif cfg.preprocess == "none":
    ds = ds.map(lambda im: transforms.make_power_2(im, labels), num_parallel_calls=tf.data.AUTOTUNE)
  if cfg.cache and d.size is None:  # rendered images are in memory already
    ds = ds.cache()
  return ds


def _train_images(
  d: DomainImages,
  cfg: ml_collections.ConfigDict,
  spec: LabelSpec | None,
  shuffle_seed: int,
  augment_seed: int,
  start: int = 0,
) -> tf.data.Dataset:
  """Endless float32 [crop, crop, C] examples of one domain, each epoch shuffled by (seed,
  epoch), from example number `start` on."""
  ds = shuffled_epochs(_prepared(d, cfg, spec), d.count, cfg.shuffle_buffer, shuffle_seed, start)
  crop = None if cfg.preprocess == "none" else cfg.crop_size

  def augment(index: tf.Tensor, image: tf.Tensor) -> tf.Tensor:
    seed = tf.stack([tf.constant(augment_seed, tf.int64), index])  # stateless seed [2]
    return _finish(transforms.random_crop_flip(image, crop, cfg.flip, seed), cfg, spec)

  return ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)


def _eval_images(
  d: DomainImages, cfg: ml_collections.ConfigDict, spec: LabelSpec | None, finish: bool = True
) -> tf.data.Dataset:
  """float32 examples of one domain in stored order (official test transform); finish=False
  leaves label maps as int32 [H, W, 2]."""
  size = cfg.crop_size
  labels = spec is not None

  def transform(image: tf.Tensor) -> tf.Tensor:
    image = tf.cast(image, tf.int32) if labels else image
    if cfg.preprocess == "resize_and_crop":  # official test: load_size = crop_size, a plain resize
      image = image if d.size == size else transforms.resize(image, size, size, labels)
    elif cfg.preprocess == "crop":  # official test crops at random; the centre is deterministic
      image = transforms.center_crop(image, size)
    else:
      image = transforms.make_power_2(image, labels)
    return _finish(image, cfg, spec) if finish else image

  return d.images.map(transform, num_parallel_calls=tf.data.AUTOTUNE)


def unpaired_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
  skip_batches: int = 0,
) -> tf.data.Dataset:
  """(a, b) float32 batches [global_batch_size, crop, crop, 3] in [-1, 1] (NHWC).

  With preprocess "none" the sides are the stored ones rounded to multiples of 4 instead, and
  batching needs images of one size (official --preprocess none runs at batch size 1).

  training=True: endless, shuffled, cropped and flipped with `seed`, drop_remainder=True; each
  epoch's order is a function of (seed, epoch) and the stream starts after `skip_batches` batches
  (a resumed run's position).
  training=False: max(|A|, |B|) pairs in stored order, the last batch possibly smaller; for
  a procedural source's test split a[i] and b[i] are the same scene (the true translation).
  """
  cfg = resolve_data_config(data_config)
  check_batch_size(global_batch_size)
  a, b = _load(cfg, split, "A", training), _load(cfg, split, "B", training)
  spec_a, spec_b = _labels(cfg, "A"), _labels(cfg, "B")
  if training:
    # Four independent streams: shuffle A, shuffle B, augment A, augment B.
    s = [int(v) for v in np.random.SeedSequence(seed).generate_state(4)]
    start = skip_batches * global_batch_size
    ds = tf.data.Dataset.zip(
      _train_images(a, cfg, spec_a, s[0], s[2], start),
      _train_images(b, cfg, spec_b, s[1], s[3], start),
    )
    ds = ds.batch(global_batch_size, drop_remainder=True)
  else:
    n = max(a.count, b.count)  # official: UnalignedDataset.__len__
    ds = tf.data.Dataset.zip(
      _eval_images(a, cfg, spec_a).repeat().take(n), _eval_images(b, cfg, spec_b).repeat().take(n)
    ).batch(global_batch_size)
  return ds.prefetch(tf.data.AUTOTUNE)


def _load_pairs(
  cfg: ml_collections.ConfigDict, split: str, training: bool
) -> tuple[DomainImages, DomainImages]:
  a, b = _load(cfg, split, "A", training), _load(cfg, split, "B", training)
  if not (a.paired and b.paired) or a.count != b.count:
    raise ValueError(
      f"dataset_mode 'aligned' needs pairs, but split {split!r} of source {cfg.source!r} is "
      f"unpaired ({a.count} A, {b.count} B images); use a paired source such as 'city' or "
      "'aligned_folder', or dataset_mode 'unaligned'"
    )
  return a, b


def _paired_train(
  a: DomainImages,
  b: DomainImages,
  cfg: ml_collections.ConfigDict,
  seed: int,
  instances: bool,
  start: int = 0,
) -> tf.data.Dataset:
  """Endless (a, b[, instance]) examples from example number `start` on: pairs shuffled
  together (each epoch by (seed, epoch)), one crop and flip per pair."""
  spec_a, spec_b = _labels(cfg, "A"), _labels(cfg, "B")
  shuffle_seed, augment_seed = (int(v) for v in np.random.SeedSequence(seed).generate_state(2))
  pairs = tf.data.Dataset.zip(_prepared(a, cfg, spec_a), _prepared(b, cfg, spec_b))
  ds = shuffled_epochs(pairs, a.count, cfg.shuffle_buffer, shuffle_seed, start)
  crop = None if cfg.preprocess == "none" else cfg.crop_size

  def augment(index: tf.Tensor, pair: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, ...]:
    x, y = (tf.cast(v, tf.int32) for v in pair)
    split = x.shape[-1]
    stacked = tf.concat([x, y], axis=-1)  # [H, W, Ca + Cb]: one crop and flip for both
    seed = tf.stack([tf.constant(augment_seed, tf.int64), index])  # stateless seed [2]
    stacked = transforms.random_crop_flip(stacked, crop, cfg.flip, seed)
    x, y = stacked[..., :split], stacked[..., split:]
    x, y = (v if spec else tf.cast(v, tf.uint8) for v, spec in ((x, spec_a), (y, spec_b)))
    out = (_finish(x, cfg, spec_a), _finish(y, cfg, spec_b))
    return (*out, x[..., 1:2]) if instances else out

  return ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)


def paired_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
  instances: bool = False,
  skip_batches: int = 0,
) -> tf.data.Dataset:
  """(a, b) float32 batches [global_batch_size, crop, crop, C] of PAIRS (official AlignedDataset).

  a: images in [-1, 1] (3 channels) or, from a label source, one-hot label maps (num_classes
  channels in {0, 1}) or palette colours; b likewise (a label map only with label_format "color").
  instances=True adds the instance ids of A's label map, int32 [global_batch_size, crop, crop, 1],
  cropped and flipped with the pair. training=True: endless, pairs shuffled with `seed`, one crop
  and flip per pair, drop_remainder=True, each epoch's order a function of (seed, epoch), starting
  after `skip_batches` batches; training=False: the pairs in stored order.
  """
  cfg = resolve_data_config(data_config)
  check_batch_size(global_batch_size)
  a, b = _load_pairs(cfg, split, training)
  if instances and _labels(cfg, "A") is None:
    raise ValueError(f"instances=True needs label maps as domain A; source {cfg.source!r} has none")
  if training:
    ds = _paired_train(a, b, cfg, seed, instances, skip_batches * global_batch_size)
    ds = ds.batch(global_batch_size, drop_remainder=True)
  else:
    spec_a = _labels(cfg, "A")
    parts = [_eval_images(a, cfg, spec_a), _eval_images(b, cfg, _labels(cfg, "B"))]
    if instances:
      parts.append(_eval_images(a, cfg, spec_a, finish=False).map(lambda x: x[..., 1:2]))
    ds = tf.data.Dataset.zip(tuple(parts)).batch(global_batch_size)
  return ds.prefetch(tf.data.AUTOTUNE)


def make_dataset(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  global_batch_size: int,
  *,
  training: bool,
  seed: int,
  skip_batches: int = 0,
) -> tf.data.Dataset:
  """`paired_dataset` for dataset_mode "aligned", `attributes.attribute_dataset` ((images,
  attributes) batches) for "attributes", `images.image_dataset` (image batches, or (images,
  labels) for "labelled_images") for "images" and "labelled_images", `points.points_dataset`
  ([B, 2] batches) for "points", else `unpaired_dataset`: (a, b) batches. Training streams
  start after `skip_batches` batches (a resumed run's step)."""
  cfg = resolve_data_config(data_config)
  if cfg.dataset_mode == "attributes":
    build = attributes.attribute_dataset
  elif cfg.dataset_mode in images.IMAGE_MODES:
    build = images.image_dataset
  elif cfg.dataset_mode == "points":
    build = points.points_dataset
  else:
    build = paired_dataset if cfg.dataset_mode == "aligned" else unpaired_dataset
  skip = {"skip_batches": skip_batches} if training else {}
  return build(cfg, split, global_batch_size, training=training, seed=seed, **skip)


def domain_channels(data_config: ml_collections.ConfigDict | Mapping[str, Any]) -> tuple[int, int]:
  """Channels of A and B as the pipeline yields them: num_classes for one-hot label maps (+ 1
  for onehot_instance), else 3."""
  cfg = resolve_data_config(data_config)

  def channels(domain: str) -> int:
    spec = _labels(cfg, domain)
    if not spec or cfg.label_format == "color":
      return 3
    return _num_classes(cfg, spec) + (cfg.label_format == "onehot_instance")

  return channels("A"), channels("B")


def label_palette(data_config: ml_collections.ConfigDict | Mapping[str, Any]) -> np.ndarray | None:
  """float32 [num_classes, 3] in [-1, 1]: the colours that show A's one-hot label maps (its first
  num_classes channels) as images; None when A is not one-hot (images, or label_format "color")."""
  cfg = resolve_data_config(data_config)
  spec = _labels(cfg, "A")
  if spec is None or cfg.label_format == "color":
    return None
  return spec.padded_palette(_num_classes(cfg, spec)).astype(np.float32) / 127.5 - 1.0


def label_classes(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], domain: str
) -> int | None:
  """The class count of `domain`'s label maps ("A" | "B", after direction), None when the domain
  holds images."""
  cfg = resolve_data_config(data_config)
  spec = _labels(cfg, domain)
  return None if spec is None else _num_classes(cfg, spec)


def epoch_size(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], split: str = "train"
) -> int:
  """Pairs per epoch: max(|A|, |B|) (official: UnalignedDataset.__len__); images of the split
  for dataset_modes "attributes", "images" and "labelled_images"; num_train / num_test points
  for "points"."""
  cfg = resolve_data_config(data_config)
  if cfg.dataset_mode == "attributes":
    return attributes.attribute_count(cfg, split)
  if cfg.dataset_mode in images.IMAGE_MODES:
    return images.image_count(cfg, split)
  if cfg.dataset_mode == "points":
    return points.point_count(cfg, split)
  training = split == "train"  # load at the size that split is used at (cached for later)
  return max(_load(cfg, split, d, training).count for d in ("A", "B"))


def _eval_array(
  d: DomainImages, cfg: ml_collections.ConfigDict, spec: LabelSpec | None, num: int | None
) -> np.ndarray:
  if num is None:
    num = d.count
  if not isinstance(num, int | np.integer) or not 1 <= num <= d.count:
    raise ValueError(f"num must be an int in [1, {d.count}] (or None for all), got {num!r}")
  batches = _eval_images(d, cfg, spec).take(num).batch(EVAL_BATCH).as_numpy_iterator()
  return np.concatenate(list(batches))  # [num, H, W, C]


def domain_images(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  split: str,
  domain: str,
  num: int | None = None,
) -> np.ndarray:
  """The first `num` (default all) examples of one domain: float32 [num, crop, crop, C] (images
  in [-1, 1], label maps one-hot or coloured), eval transform, stored order."""
  cfg = resolve_data_config(data_config)
  return _eval_array(_load(cfg, split, domain, False), cfg, _labels(cfg, domain), num)


def paired_test_arrays(
  data_config: ml_collections.ConfigDict | Mapping[str, Any], num: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
  """(a, b_true) float32 [num, crop, crop, C]: b_true[i] is the true translation of a[i] (the
  test split of a procedural or paired source)."""
  cfg = resolve_data_config(data_config)
  a = _load(cfg, "test", "A", False)
  b = _load(cfg, "test", "B", False)
  if not (a.paired and b.paired):
    raise NoGroundTruthError(
      f"data_config.source {cfg.source!r} has no paired test split (no ground truth); "
      "use a procedural source such as 'seasons'"
    )
  return _eval_array(a, cfg, _labels(cfg, "A"), num), _eval_array(b, cfg, _labels(cfg, "B"), num)
