"""Registry of attribute sources: images with binary attributes (dataset_mode "attributes").

Each source loads one split in a fixed order as (image uint8 [H, W, 3], attributes float32 [A])
with the attributes named by data.attributes (comma-separated; "" = every attribute of the
source), and, where it knows them, the true edits (procedural faces).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import celeba, folders
from tfgan_repro.data.procedural import faces
from tfgan_repro.util.paths import user_path
from tfgan_repro.util.registry import Registry


@dataclasses.dataclass(frozen=True)
class AttributeImages:
  """The images of one split with their attributes."""

  examples: tf.data.Dataset  # (uint8 [H, W, 3], float32 [A] in {0, 1}) per element, fixed order
  count: int
  size: int | None  # every image is already size x size (rendered at that size); None: as stored
  # () -> uint8 [count, A, size, size, 3]: image n with attribute i flipped; None: unknown.
  edits: Callable[[], np.ndarray] | None


# source(data_config, split, attribute names, size) -> AttributeImages; `size` is the side a
# procedural source renders at (data.crop_size); file sources return the images as stored.
AttributeLoader = Callable[[ml_collections.ConfigDict, str, tuple[str, ...], int], AttributeImages]
ATTRIBUTE_SOURCES: Registry[AttributeLoader] = Registry("attribute data source")
# Sources whose attribute names are known without reading files: name -> every attribute, in order.
KNOWN_ATTRIBUTES: dict[str, tuple[str, ...]] = {
  "faces": faces.ATTRIBUTES,
  "celeb_a": celeba.ATTRIBUTES,
}
# Sources whose attribute names their files state: name -> (data config -> every attribute, in
# order); "celeba_folder" reads list_attr_celeba.txt's header, "tfrecords" its tfrecords.json.
FILE_ATTRIBUTES: dict[str, Callable[[ml_collections.ConfigDict], tuple[str, ...]]] = {}


def parse_attributes(spec: str, valid: tuple[str, ...], where: str) -> tuple[str, ...]:
  """The names of the comma-separated `spec` ("" = all of `valid`), checked against `valid`."""
  if not spec.strip():
    return valid
  names = tuple(n.strip() for n in spec.split(","))
  unknown = [n for n in names if n not in valid]
  if unknown:
    raise ValueError(
      f"data_config.attributes names unknown attribute(s) {unknown} of {where}; "
      f"valid: {', '.join(valid)}"
    )
  if len(set(names)) != len(names):
    raise ValueError(f"data_config.attributes repeats a name: {spec!r}")
  return names


def selected_attributes(cfg: ml_collections.ConfigDict) -> tuple[str, ...]:
  """The attribute names data.attributes selects, in its order (reads the folder's attribute
  file header for source "celeba_folder", the written names for "tfrecords")."""
  if cfg.source in KNOWN_ATTRIBUTES:
    valid = KNOWN_ATTRIBUTES[cfg.source]
  elif cfg.source in FILE_ATTRIBUTES:
    valid = FILE_ATTRIBUTES[cfg.source](cfg)
  else:
    valid = celeba.read_attribute_names(_root(cfg))
  return parse_attributes(cfg.attributes, valid, f"source {cfg.source!r}")


def _root(cfg: ml_collections.ConfigDict) -> str:
  if not cfg.path:
    raise ValueError(
      f"data_config.path must name the dataset root for source {cfg.source!r}, got ''"
    )
  return user_path(cfg.path)


@ATTRIBUTE_SOURCES.register("faces")
def _faces(
  cfg: ml_collections.ConfigDict, split: str, names: tuple[str, ...], size: int
) -> AttributeImages:
  """Procedural faces (data/procedural/faces.py) rendered at `size`, with their true edits."""
  columns = [faces.ATTRIBUTES.index(n) for n in names]
  num = cfg.num_train if split == "train" else cfg.num_test
  args = dict(
    split=split,
    size=size,
    num_examples=num,
    seed=cfg.procedural_seed,
    balanced=cfg.balanced,
    cache_dir=user_path(cfg.cache_dir) if cfg.cache_dir else None,
  )
  images, attributes = faces.faces_arrays(**args)
  examples = tf.data.Dataset.from_tensor_slices(
    (images, attributes[:, columns].astype(np.float32))  # [N, S, S, 3], [N, A]
  )
  return AttributeImages(examples, num, size, lambda: faces.edit_arrays(**args)[:, columns])


@ATTRIBUTE_SOURCES.register("celeb_a")
def _celeb_a(
  cfg: ml_collections.ConfigDict, split: str, names: tuple[str, ...], size: int
) -> AttributeImages:
  del size  # stored images
  data_dir = user_path(cfg.data_dir) if cfg.data_dir else ""
  examples, count = celeba.load_tfds(split, names, data_dir)
  return AttributeImages(examples, count, None, None)


@ATTRIBUTE_SOURCES.register("celeba_folder")
def _celeba_folder(
  cfg: ml_collections.ConfigDict, split: str, names: tuple[str, ...], size: int
) -> AttributeImages:
  del size  # stored images
  listing = celeba.list_folder(_root(cfg), split, names)
  examples = tf.data.Dataset.from_tensor_slices(
    (tf.constant(listing.paths, tf.string), listing.attributes.astype(np.float32))
  ).map(lambda p, a: (folders.read_image(p), a), num_parallel_calls=tf.data.AUTOTUNE)
  return AttributeImages(examples, len(listing.paths), None, None)
