"""Registry of image sources for noise -> image synthesis (dataset_mode "images" and
"labelled_images"): each loads one split in a fixed order as (image uint8 [H, W, 3], label int32),
the label -1 where the source has no classes.

  faces           procedural faces (data/procedural/faces.py) as one image distribution
  stacked_shapes  procedural stacked shapes, labelled by mode id (1000 modes)
  class_shapes    procedural class shapes, labelled by class (12: shape x colour)
  folder          every image under data.path, recursively (root/train, root/test when present)
  tfds            tfds data.name: mnist, cifar10, celeb_a, lsun/bedroom, ... (labelled by "label")
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import folders, tfds_source
from tfgan_repro.data.procedural import class_shapes, faces, stacked_shapes
from tfgan_repro.util.paths import user_path
from tfgan_repro.util.registry import Registry


@dataclasses.dataclass(frozen=True)
class LabelledImages:
  """The images of one split with their class labels."""

  examples: tf.data.Dataset  # (uint8 [H, W, 3], int32 label; -1 = none) per element, fixed order
  count: int
  size: int | None  # every image is already size x size (rendered at that size); None: as stored
  num_classes: int  # 0: the source has no classes
  # float32 [4] per element in the same order, normalised [ymin, xmin, ymax, xmax]: the object's
  # bounding box, given where data.bbox_crop asks for it; None: not asked, or the source has none
  boxes: tf.data.Dataset | None = None


# source(data_config, split, size) -> LabelledImages; `size` is the side a procedural source
# renders at (data.crop_size); file sources return the images as stored.
ImageLoader = Callable[[ml_collections.ConfigDict, str, int], LabelledImages]
IMAGE_SOURCES: Registry[ImageLoader] = Registry("image data source")


def _cache_dir(cfg: ml_collections.ConfigDict) -> str | None:
  return user_path(cfg.cache_dir) if cfg.cache_dir else None


def _num_examples(cfg: ml_collections.ConfigDict, split: str) -> int:
  return cfg.num_train if split == "train" else cfg.num_test


def _arrays(images: np.ndarray, labels: np.ndarray, size: int, num_classes: int) -> LabelledImages:
  examples = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
  return LabelledImages(examples, len(images), size, num_classes)


@IMAGE_SOURCES.register("faces")
def _faces(cfg: ml_collections.ConfigDict, split: str, size: int) -> LabelledImages:
  """Every procedural face of the split, whatever its attributes (data.balanced draws them)."""
  num = _num_examples(cfg, split)
  images, _ = faces.faces_arrays(
    split, size, num, cfg.procedural_seed, cfg.balanced, cache_dir=_cache_dir(cfg)
  )
  return _arrays(images, np.full(num, -1), size, 0)


def _labelled_arrays(
  cfg: ml_collections.ConfigDict,
  split: str,
  size: int,
  make: Callable[..., tuple[np.ndarray, np.ndarray]],
  num_classes: int,
) -> LabelledImages:
  """The (images, labels) `make`(split, size, num, procedural_seed, cache_dir=...) returns."""
  images, labels = make(
    split, size, _num_examples(cfg, split), cfg.procedural_seed, cache_dir=_cache_dir(cfg)
  )
  return _arrays(images, labels, size, num_classes)


@IMAGE_SOURCES.register("stacked_shapes")
def _stacked_shapes(cfg: ml_collections.ConfigDict, split: str, size: int) -> LabelledImages:
  return _labelled_arrays(
    cfg, split, size, stacked_shapes.stacked_shapes_arrays, stacked_shapes.NUM_MODES
  )


@IMAGE_SOURCES.register("class_shapes")
def _class_shapes(cfg: ml_collections.ConfigDict, split: str, size: int) -> LabelledImages:
  d = _labelled_arrays(cfg, split, size, class_shapes.class_shapes_arrays, class_shapes.NUM_CLASSES)
  if not cfg.bbox_crop:
    return d
  boxes = class_shapes.class_shapes_boxes(split, size, d.count, cfg.procedural_seed)
  return dataclasses.replace(d, boxes=tf.data.Dataset.from_tensor_slices(boxes))


@IMAGE_SOURCES.register("folder")
def _folder(cfg: ml_collections.ConfigDict, split: str, size: int) -> LabelledImages:
  del size  # stored images
  if not cfg.path:
    raise ValueError("data_config.path must name the image folder for source 'folder', got ''")
  listing = folders.list_images(
    user_path(cfg.path), split, skip_corrupt=cfg.skip_corrupt, max_pixels=cfg.max_pixels
  )
  examples = tf.data.Dataset.from_tensor_slices(list(listing.paths)).map(
    lambda p: (folders.read_image(p), tf.constant(-1, tf.int32)),
    num_parallel_calls=tf.data.AUTOTUNE,
  )
  return LabelledImages(examples, len(listing.paths), None, 0)


@IMAGE_SOURCES.register("tfds")
def _tfds(cfg: ml_collections.ConfigDict, split: str, size: int) -> LabelledImages:
  del size  # stored images
  data_dir = user_path(cfg.data_dir) if cfg.data_dir else ""
  examples, count, num_classes = tfds_source.load_images(cfg.name, split, data_dir)
  boxes = tfds_source.load_boxes(cfg.name, split, data_dir) if cfg.bbox_crop else None
  return LabelledImages(examples, count, None, num_classes, boxes)
