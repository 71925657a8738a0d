"""The data block of a config: its keys and defaults, their validation, and the names every
pipeline shares (splits, modes, label formats)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ml_collections
import numpy as np

from tfgan_repro.data.attribute_sources import (
  ATTRIBUTE_SOURCES,
  KNOWN_ATTRIBUTES,
  parse_attributes,
)
from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS
from tfgan_repro.data.image_sources import IMAGE_SOURCES
from tfgan_repro.data.procedural import city, mixtures
from tfgan_repro.data.sources import SOURCES

SPLITS = ("train", "test")  # official: --phase train | test (folders trainA, testA, ...)
PREPROCESS = ("resize_and_crop", "crop", "none")  # official: --preprocess (scale_width* left out)
# official: --dataset_mode (single, colorization left out); "attributes": images with binary
# attributes (StarGAN's and Fader Networks' CelebA loaders), data/attributes.py; "images" and
# "labelled_images": images (with class labels) for noise -> image synthesis, data/images.py;
# "points": 2-D points of a Gaussian mixture (data/points.py; the MLP GANs of configs/dcgan.py).
DATASET_MODES = ("unaligned", "aligned", "attributes", "images", "labelled_images", "points")
# The sources of dataset_mode "points": the mixtures of data/procedural/mixtures.py.
POINT_SOURCES = tuple(mixtures.MIXTURES)
DIRECTIONS = ("AtoB", "BtoA")  # official: --direction
# onehot_instance: one-hot channels + one channel of Cityscapes-style instance ids (pix2pixHD).
LABEL_FORMATS = ("onehot", "color", "onehot_instance")
# The id channel holds id / 2^16: exact in float32 (ids < 2^16) and within [-1, 1], the range
# of exported images (export.inputs.as_inputs).
INSTANCE_ID_SCALE = 2.0**16
EVAL_BATCH = 64  # images per step when materialising arrays; any value gives the same arrays


class NoGroundTruthError(ValueError):
  """The data source has no paired test split, so translations cannot be scored against truth."""


def default_data_config() -> ml_collections.ConfigDict:
  """The data block of a config; `resolve_data_config` fills missing keys from here."""
  return ml_collections.ConfigDict(
    dict(
      # docs/design.md: the procedural datasets stand in for downloads. sources.SOURCES: unpaired
      # "seasons" | "faces" | "tfds" | "folder"; paired "city" | "aligned_folder" | "tfds_paired";
      # attribute_sources.ATTRIBUTE_SOURCES: "faces" | "celeb_a" | "celeba_folder".
      # image_sources.IMAGE_SOURCES: "faces" | "stacked_shapes" | "folder" | "tfds".
      source="seasons",
      # official --dataset_mode: unaligned (CycleGAN's default) | aligned (pix2pix: pairs);
      # "attributes": (image, attribute vector) batches (StarGAN, Fader Networks).
      # "images": image batches, "labelled_images": (images, labels) (noise -> image synthesis).
      dataset_mode="unaligned",
      direction="AtoB",  # official --direction AtoB: the source's A is the input
      # Label sources: one-hot channels (pix2pixHD --label_nc); 0 = the source's class count.
      num_classes=0,
      # Attribute sources: comma-separated names, in the order of the attribute vector; "" = every
      # attribute of the source (official StarGAN --selected_attrs Black_Hair Blond_Hair
      # Brown_Hair Male Young; Fader Networks --attr "Smiling,Male"). The unpaired "faces" source
      # translates without -> with the first one (CycleCGAN's single attribute).
      attributes="",
      # Procedural faces: True draws every attribute independently with p = 0.5; False the
      # CelebA-like unbalanced frequencies of procedural/faces.py (P_GLASSES, ...).
      balanced=False,
      # Label maps as "onehot" channels (pix2pixHD) or "color" palette images (official pix2pix
      # cityscapes dataset: colour label maps as A).
      label_format="onehot",
      aspect_ratio=1,  # procedural city: width / height, 1 or 2 (Cityscapes' 2048x1024 is 2)
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
      # Images of more pixels (width x height, from the header) are never decoded: an error naming
      # the file, or skipped with skip_corrupt (docs/pitfalls.md, "Decompression bombs").
      max_pixels=DEFAULT_MAX_PIXELS,
      # Not in official (PyTorch shuffles the whole set): a full shuffle when >= the domain size.
      shuffle_buffer=1000,
      cache=True,  # keep decoded, resized images in memory (procedural images always are)
      cache_dir="",  # procedural renders saved as .npz here; "" = memory only
      # dataset_mode "images" / "labelled_images": each training image cropped to its object's bounding box
      # grown by bbox_margin of its height and width per side, squared, resized to crop_size
      # (transforms.bbox_crop; the Stanford Dogs crop of the 2019 "Generative Dog Images" Kaggle
      # notebooks); sources with boxes: tfds datasets with objects/bbox, class_shapes. Off.
      bbox_crop=False,
      bbox_margin=0.0,  # 0: the box itself
      # Semi-supervised training (Triple-GAN, Li et al. 2017, Sec. 5: n labels, balanced): only
      # this many training examples keep their labels, num_labelled / K per class, the others get
      # -1 (data/semi_supervised.py); 0 = every example keeps its label.
      num_labelled=0,
      labelled_seed=1,  # official triple-gan -ssl_seed 1: the permutation that picks them
      # Rows of each training batch drawn from the labelled examples, the rest from the whole
      # training set with labels hidden (official triple-gan: separate labelled and unlabelled
      # batches, x_unlabelled = every training image); 0 = the batch as the shuffle gives it.
      labelled_per_batch=0,
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
  for key, valid in (
    ("preprocess", PREPROCESS),
    ("dataset_mode", DATASET_MODES),
    ("direction", DIRECTIONS),
    ("label_format", LABEL_FORMATS),
    ("aspect_ratio", city.ASPECTS),
  ):
    if cfg[key] not in valid:
      raise ValueError(f"data_config.{key} must be one of {valid}, got {cfg[key]!r}")
  _check_source(cfg)
  for key in ("load_size", "crop_size", "num_train", "num_test", "shuffle_buffer"):
    if cfg[key] < 1:
      raise ValueError(f"data_config.{key} must be >= 1, got {cfg[key]!r}")
  if cfg.max_pixels < 1:
    raise ValueError(f"data_config.max_pixels must be >= 1, got {cfg.max_pixels!r}")
  if cfg.bbox_margin < 0:
    raise ValueError(f"data_config.bbox_margin must be >= 0, got {cfg.bbox_margin!r}")
  if cfg.bbox_crop and cfg.dataset_mode not in ("images", "labelled_images"):
    raise ValueError(
      "data_config.bbox_crop applies to the dataset_modes 'images' and 'labelled_images', got "
      f"{cfg.dataset_mode!r}"
    )
  for key in ("num_labelled", "labelled_per_batch"):
    if cfg[key] < 0:
      raise ValueError(f"data_config.{key} must be >= 0, got {cfg[key]!r}")
  if cfg.num_labelled and cfg.dataset_mode != "labelled_images":
    raise ValueError(
      f"data_config.num_labelled {cfg.num_labelled} hides labels of dataset_mode "
      f"'labelled_images', got dataset_mode {cfg.dataset_mode!r}"
    )
  if cfg.labelled_per_batch and not cfg.num_labelled:
    raise ValueError(
      f"data_config.labelled_per_batch {cfg.labelled_per_batch} needs data.num_labelled > 0"
    )
  if cfg.num_classes < 0:
    raise ValueError(f"data_config.num_classes must be >= 0, got {cfg.num_classes!r}")
  if cfg.preprocess == "resize_and_crop" and cfg.crop_size > cfg.load_size:
    raise ValueError(
      f"data_config.crop_size ({cfg.crop_size}) must be <= load_size ({cfg.load_size}) for "
      "preprocess 'resize_and_crop'"
    )
  return cfg


def _check_source(cfg: ml_collections.ConfigDict) -> None:
  """The source exists, serves dataset_mode, and (where known) has the named attributes."""
  if cfg.dataset_mode == "points" or cfg.source in POINT_SOURCES:
    if cfg.dataset_mode != "points" or cfg.source not in POINT_SOURCES:
      raise ValueError(
        f"dataset_mode 'points' takes the sources {', '.join(POINT_SOURCES)} and they serve no "
        f"other mode; got source {cfg.source!r} with dataset_mode {cfg.dataset_mode!r}"
      )
    return
  attribute_mode = cfg.dataset_mode == "attributes"
  registry = ATTRIBUTE_SOURCES if attribute_mode else SOURCES
  if cfg.dataset_mode in ("images", "labelled_images"):
    registry = IMAGE_SOURCES
  if cfg.source not in registry:
    everything = sorted(
      set(SOURCES.names()) | set(ATTRIBUTE_SOURCES.names()) | set(IMAGE_SOURCES.names())
    )
    if cfg.source not in everything:
      raise ValueError(f"unknown data source {cfg.source!r}; valid: {', '.join(everything)}")
    raise ValueError(
      f"data_config.source {cfg.source!r} does not serve dataset_mode {cfg.dataset_mode!r}; "
      f"valid: {', '.join(registry.names())}"
    )
  if cfg.source in KNOWN_ATTRIBUTES:
    parse_attributes(cfg.attributes, KNOWN_ATTRIBUTES[cfg.source], f"source {cfg.source!r}")


def check_batch_size(global_batch_size: int) -> None:
  if not isinstance(global_batch_size, int | np.integer) or global_batch_size < 1:
    raise ValueError(f"global_batch_size must be a positive int, got {global_batch_size!r}")
