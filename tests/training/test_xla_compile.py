"""Every registered model's training step compiles with XLA (config.train.jit_compile, what
TPUStrategy needs: XLA-compatible ops, compile-time constant shapes) and runs one finite step on
the CPU, at its tiny config on a random batch of 2 shaped as its pipeline's."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.tiny_models import TRAINABLE, random_batch, tiny_config
from tfgan_repro.training import run


@pytest.mark.parametrize("name", TRAINABLE)
def test_train_step_compiles_with_xla_and_is_finite(name):
  config = tiny_config(name)
  config.train.jit_compile = True
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  assert trainer.jit_compile is True
  before = [v.numpy() for v in trainer.model.trainable_variables]
  history = trainer.fit(
    tf.data.Dataset.from_tensors(random_batch(config)),
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
