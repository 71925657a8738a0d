"""Every registered model's training step compiles with XLA (config.train.jit_compile, what
TPUStrategy needs: XLA-compatible ops, compile-time constant shapes) and runs one finite step on
the CPU, at its tiny config on a random batch of 2 shaped as its pipeline's."""

from __future__ import annotations

import importlib
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import data, models
from tfgan_repro.training import run

# A config module's "tiny" variant enrols its model (models/registry.py), as in test_conformance.
TRAINABLE = [
  name
  for name in models.MODELS.names()
  if "tiny" in importlib.import_module(models.MODELS.get(name).config_module).VARIANTS
]


def _batch(config) -> tuple[np.ndarray, ...]:
  """A batch of 2 as the model's pipeline yields it (tests/test_conformance.py, _random_batch)."""
  rng = np.random.default_rng(0)
  size = config.data.crop_size
  mode = config.data.dataset_mode
  if mode == "images":
    return (rng.uniform(-1, 1, (2, size, size, 3)).astype(np.float32),)
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


@pytest.mark.parametrize("name", TRAINABLE)
def test_train_step_compiles_with_xla_and_is_finite(name):
  config = importlib.import_module(models.MODELS.get(name).config_module).get_config("tiny")
  config.batch_size = 2
  config.train.jit_compile = True
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  assert trainer.jit_compile is True
  before = [v.numpy() for v in trainer.model.trainable_variables]
  history = trainer.fit(
    tf.data.Dataset.from_tensors(_batch(config)),
    epochs=1,
    steps_per_epoch=1,
    shuffle=False,
    verbose=0,
  )
  logs = {key: values[-1] for key, values in history.history.items()}
  assert logs and all(math.isfinite(value) for value in logs.values()), logs
  after = [v.numpy() for v in trainer.model.trainable_variables]
  assert all(np.all(np.isfinite(w)) for w in after)
  assert int(trainer.step.numpy()) == 1
  assert any(not np.array_equal(a, b) for a, b in zip(after, before, strict=True))
