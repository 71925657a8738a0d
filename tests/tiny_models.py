"""The registered models that train, their tiny configs and a random batch shaped as their
pipelines', shared by the tests that step every family."""

from __future__ import annotations

import importlib

import ml_collections
import numpy as np

from tfgan_repro import data, models

# A config module's "tiny" variant enrols its model (models/registry.py); imported-only models
# (official weights, nothing to train) have none.
TRAINABLE = [
  name
  for name in models.MODELS.names()
  if "tiny" in importlib.import_module(models.MODELS.get(name).config_module).VARIANTS
]


def tiny_config(name: str, batch_size: int = 2) -> ml_collections.ConfigDict:
  """Model `name`'s tiny config at `batch_size`."""
  config = importlib.import_module(models.MODELS.get(name).config_module).get_config("tiny")
  config.batch_size = batch_size
  return config


def random_batch(config: ml_collections.ConfigDict) -> tuple[np.ndarray, ...]:
  """A batch of 2 as the model's pipeline yields it: (a, b) images / label maps, (images,
  attributes in {0, 1}) for dataset_mode "attributes", (images,) for "images", (images, class
  ids) for "labelled_images", (points [2, 2],) for "points"."""
  rng = np.random.default_rng(0)
  size, mode = config.data.crop_size, config.data.dataset_mode
  if mode == "images":
    return (rng.uniform(-1, 1, (2, size, size, 3)).astype(np.float32),)
  if mode == "labelled_images":  # class ids 0 and 1: valid for any class-conditional model
    return rng.uniform(-1, 1, (2, size, size, 3)).astype(np.float32), np.array([0, 1], np.int32)
  if mode == "points":
    return (rng.normal(0, 2, (2, 2)).astype(np.float32),)
  if mode == "attributes":
    images = rng.uniform(-1, 1, (2, size, size, 3)).astype(np.float32)
    num = len(data.attribute_names(config.data))
    return images, rng.integers(0, 2, (2, num)).astype(np.float32)
  return tuple(
    rng.uniform(-1, 1, (2, size, size, c)).astype(np.float32)
    for c in data.domain_channels(config.data)
  )
