"""Registry of image sources: each loads the images of one split and domain in a fixed order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import ml_collections
import tensorflow as tf

from tfgan_repro.data import folders, tfds_source
from tfgan_repro.data.procedural import seasons
from tfgan_repro.paths import user_path
from tfgan_repro.registry import Registry


@dataclasses.dataclass(frozen=True)
class DomainImages:
  """The images of one split and domain."""

  images: tf.data.Dataset  # uint8 [H, W, 3] per element, in a fixed order
  count: int
  size: int | None  # every image is already size x size (rendered at that size); None: as stored
  paired: bool  # element i shows the same scene in domain A and in domain B (a ground truth)


# source(data_config, split, domain, size) -> DomainImages; `size` is the side a procedural source
# renders at (the pipeline's load or crop size); file sources return the images as stored.
Loader = Callable[[ml_collections.ConfigDict, str, str, int], DomainImages]
SOURCES: Registry[Loader] = Registry("data source")


@SOURCES.register("seasons")
def _seasons(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  num = cfg.num_train if split == "train" else cfg.num_test
  cache_dir = user_path(cfg.cache_dir) if cfg.cache_dir else None
  a, b = seasons.seasons_arrays(split, size, num, seed=cfg.procedural_seed, cache_dir=cache_dir)
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
  listing = folders.list_domain(user_path(cfg.path), split, domain, skip_corrupt=cfg.skip_corrupt)
  images = tf.data.Dataset.from_tensor_slices(list(listing.paths)).map(
    folders.read_image, num_parallel_calls=tf.data.AUTOTUNE
  )
  return DomainImages(images, len(listing.paths), None, False)
