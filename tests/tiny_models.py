"""The registered models that train, their tiny configs and a random batch shaped as their
pipelines', shared by the tests that step every family."""

from __future__ import annotations

import keras
import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro import data, models
from tfgan_repro.training import distributed, run

# A config module's "tiny" variant enrols its model (models/registry.py); imported-only models
# (official weights, nothing to train) have none.
TRAINABLE = [name for name in models.MODELS.names() if "tiny" in models.MODELS.get(name).variants()]


def tiny_config(name: str, batch_size: int = 2) -> ml_collections.ConfigDict:
  """Model `name`'s tiny config at `batch_size`."""
  config = models.MODELS.get(name).config("tiny")
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


def conformance_config(name: str) -> ml_collections.ConfigDict:
  """Model `name`'s tiny config for the N replicas == 1 device tests: batch 2, nets of width 16,
  no randomness that differs between runs by design, SGD at lr 0.1."""
  config = tiny_config(name)
  config.train.pool_size = 4  # filling: the pool returns its input, so both runs see the same fakes
  if "dropout" in config.generator:  # random masks differ between the runs by design
    config.generator.dropout = 0.0
  # Measured on the tiny CycleGAN: at ngf = ndf = 4 the step is ill-conditioned (a 1e-6 relative
  # nudge of the batch moved the weights after one SGD step by 2e-2, more than the mis-scaled step
  # these tests exist to catch); at 16 the same nudge moved them by 6e-6.
  config.generator.ngf = config.discriminator.ndf = 16
  # SGD, not Adam: Adam's first step is lr * sign(g), which turns float noise on gradients that
  # are 0 in exact arithmetic (conv biases before instance norm) into full-size differences.
  config.optimizer.name, config.optimizer.lr, config.optimizer.n_epochs_decay = "sgd", 0.1, 0
  return config


def seed_weights(config: ml_collections.ConfigDict) -> list[np.ndarray]:
  """The trainable weights of `config`'s model built after seeding with 0."""
  keras.utils.set_random_seed(0)
  return [v.numpy() for v in models.build_model(config).trainable_variables]


def one_step(
  config: ml_collections.ConfigDict,
  strategy: tf.distribute.Strategy,
  weights: list[np.ndarray],
  batch: tuple[np.ndarray, ...],
) -> list[np.ndarray]:
  """The trainable weights after one training step of `config` under `strategy` from `weights`
  on the global `batch`, fed as training feeds it (distributed.distribute_batches)."""
  trainer = run.build_trainer(config, strategy, steps_per_epoch=1)
  model = trainer.model
  for var, value in zip(model.trainable_variables, weights, strict=True):
    var.assign(value)
  dataset = tf.data.Dataset.from_tensors(batch).repeat()
  trainer.fit(
    distributed.distribute_batches(strategy, dataset, config.batch_size),
    epochs=1,
    steps_per_epoch=1,
    shuffle=False,
    verbose=0,
  )
  return [v.numpy() for v in model.trainable_variables]
