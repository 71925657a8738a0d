"""Registry of image sources: each loads the images of one split and domain in a fixed order.

Domain A of a label source (`label_spec` is not None) holds integer label maps [H, W, 2] (class
id, instance id; 0 = no instance) instead of images; the pipeline resizes them with nearest
neighbours and turns them into one-hot channels or palette colours.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import folders, tfds_source
from tfgan_repro.data.attribute_sources import selected_attributes
from tfgan_repro.data.labels import CITYSCAPES, INSTANCE_ID_BASE, LabelSpec
from tfgan_repro.data.procedural import city, faces, seasons
from tfgan_repro.util.paths import user_path
from tfgan_repro.util.registry import Registry


@dataclasses.dataclass(frozen=True)
class DomainImages:
  """The images of one split and domain."""

  images: tf.data.Dataset  # uint8 [H, W, 3] (label maps: int [H, W, 2]) per element, fixed order
  count: int
  size: int | None  # every image is already size x size (rendered at that size); None: as stored
  paired: bool  # element i shows the same scene in domain A and in domain B (a ground truth)


# source(data_config, split, domain, size) -> DomainImages; `size` is the side a procedural source
# renders at (the pipeline's load or crop size); file sources return the images as stored.
Loader = Callable[[ml_collections.ConfigDict, str, str, int], DomainImages]
SOURCES: Registry[Loader] = Registry("data source")
# Sources whose domain A is a label map: source name -> (data config -> its label set).
LABEL_SOURCES: dict[str, Callable[[ml_collections.ConfigDict], LabelSpec]] = {}


def label_spec(cfg: ml_collections.ConfigDict) -> LabelSpec | None:
  """The label set of the source's domain A, None when domain A holds images."""
  spec = LABEL_SOURCES.get(cfg.source)
  return spec(cfg) if spec else None


@SOURCES.register("seasons")
def _seasons(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  num = cfg.num_train if split == "train" else cfg.num_test
  cache_dir = user_path(cfg.cache_dir) if cfg.cache_dir else None
  a, b = seasons.seasons_arrays(split, size, num, seed=cfg.procedural_seed, cache_dir=cache_dir)
  images = a if domain == "A" else b  # [N, size, size, 3]
  return DomainImages(tf.data.Dataset.from_tensor_slices(images), num, size, split == "test")


@SOURCES.register("faces")
def _faces(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  """Procedural faces (data/procedural/faces.py) for one-attribute translation (CycleCGAN): A
  without the first of data.attributes, B with it; the test split's B holds A's true edits."""
  num = cfg.num_train if split == "train" else cfg.num_test
  cache_dir = user_path(cfg.cache_dir) if cfg.cache_dir else None
  attribute = selected_attributes(cfg)[0]
  a, b = faces.domain_arrays(
    split, size, num, attribute, cfg.procedural_seed, cfg.balanced, cache_dir=cache_dir
  )
  images = a if domain == "A" else b  # [N, size, size, 3]
  return DomainImages(tf.data.Dataset.from_tensor_slices(images), num, size, split == "test")


@SOURCES.register("tfds")
def _tfds(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  del size  # stored images
  data_dir = user_path(cfg.data_dir) if cfg.data_dir else ""
  images, count = tfds_source.load_domain(cfg.name, split, domain, data_dir)
  return DomainImages(images, count, None, False)


@SOURCES.register("folder")
def _folder(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  del size  # stored images
  if not cfg.path:
    raise ValueError("data_config.path must name the dataset root for source 'folder', got ''")
  listing = folders.list_domain(
    user_path(cfg.path), split, domain, skip_corrupt=cfg.skip_corrupt, max_pixels=cfg.max_pixels
  )
  images = tf.data.Dataset.from_tensor_slices(list(listing.paths)).map(
    folders.read_image, num_parallel_calls=tf.data.AUTOTUNE
  )
  return DomainImages(images, len(listing.paths), None, False)


@SOURCES.register("city")
def _city(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  """Procedural street scenes (data/procedural/city.py): A label maps, B photos; `size` is the
  render height, the width is data.aspect_ratio times it (then not square: size None)."""
  num = cfg.num_train if split == "train" else cfg.num_test
  cache_dir = user_path(cfg.cache_dir) if cfg.cache_dir else None
  arrays = city.city_arrays(
    split, size, num, aspect=cfg.aspect_ratio, seed=cfg.procedural_seed, cache_dir=cache_dir
  )
  if domain == "A":
    images = np.stack([arrays.labels, arrays.instances], axis=-1)  # uint8 [N, H, W, 2]
  else:
    images = arrays.photos  # [N, H, W, 3]
  square = size if cfg.aspect_ratio == 1 else None
  return DomainImages(tf.data.Dataset.from_tensor_slices(images), num, square, True)


LABEL_SOURCES["city"] = lambda cfg: LabelSpec(city.CLASSES, city.PALETTE)


@SOURCES.register("aligned_folder")
def _aligned_folder(
  cfg: ml_collections.ConfigDict, split: str, domain: str, size: int
) -> DomainImages:
  """The official pix2pix layout: path/train/*.jpg, path/test/*.jpg, each A|B side by side."""
  del size  # stored images
  if not cfg.path:
    raise ValueError(
      "data_config.path must name the dataset root for source 'aligned_folder', got ''"
    )
  listing = folders.list_aligned(
    user_path(cfg.path), split, skip_corrupt=cfg.skip_corrupt, max_pixels=cfg.max_pixels
  )
  half = 0 if domain == "A" else 1
  images = tf.data.Dataset.from_tensor_slices(list(listing.paths)).map(
    lambda p: folders.read_aligned_half(p, half), num_parallel_calls=tf.data.AUTOTUNE
  )
  return DomainImages(images, len(listing.paths), None, True)


@SOURCES.register("pix2pixhd_folder")
def _pix2pixhd_folder(
  cfg: ml_collections.ConfigDict, split: str, domain: str, size: int
) -> DomainImages:
  """The official pix2pixHD layout (datasets/cityscapes): path/{split}_label/ (label ids),
  {split}_inst/ (instance ids: Cityscapes gtFine_instanceIds, class * 1000 + k for things) and
  {split}_img/ (photos). A: int32 [H, W, 2] (class from the label map, instance k + 1 where the
  instance id is >= 1000, else 0: the pipeline's encoding, whose ids then read class * 1000 +
  k + 1, the same instances); B: the photos."""
  del size  # stored images
  if not cfg.path:
    raise ValueError(
      "data_config.path must name the dataset root for source 'pix2pixhd_folder', got ''"
    )
  listings = folders.list_pix2pixhd(
    user_path(cfg.path), split, skip_corrupt=cfg.skip_corrupt, max_pixels=cfg.max_pixels
  )
  count = len(listings["img"].paths)
  if domain == "B":
    paths = tf.data.Dataset.from_tensor_slices(list(listings["img"].paths))
    return DomainImages(paths.map(folders.read_image), count, None, True)

  def label_map(label_path: tf.Tensor, inst_path: tf.Tensor) -> tf.Tensor:
    labels, ids = folders.read_ids(label_path), folders.read_ids(inst_path)
    instances = tf.where(ids >= INSTANCE_ID_BASE, ids % INSTANCE_ID_BASE + 1, 0)
    return tf.concat([labels, instances], axis=-1)  # [H, W, 2]

  pairs = tf.data.Dataset.from_tensor_slices(
    (list(listings["label"].paths), list(listings["inst"].paths))
  )
  return DomainImages(pairs.map(label_map), count, None, True)


LABEL_SOURCES["pix2pixhd_folder"] = lambda cfg: CITYSCAPES


@SOURCES.register("tfds_paired")
def _tfds_paired(
  cfg: ml_collections.ConfigDict, split: str, domain: str, size: int
) -> DomainImages:
  del size  # stored images
  data_dir = user_path(cfg.data_dir) if cfg.data_dir else ""
  images, count = tfds_source.load_paired(cfg.name, split, domain, data_dir)
  return DomainImages(images, count, None, True)


LABEL_SOURCES["tfds_paired"] = lambda cfg: tfds_source.paired_builder(cfg.name).labels
