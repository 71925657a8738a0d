"""MeanOnlyWeightNorm: weight normalization with mean-only batch norm against its formula (Salimans
& Kingma 2016, Sec. 2.1), in training and inference calls, and its errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_repro.layers import MeanOnlyWeightNorm


def _layer(momentum: float = 0.9) -> MeanOnlyWeightNorm:
  layer = MeanOnlyWeightNorm(keras.layers.Dense(2, use_bias=False), momentum)
  layer.build((None, 3))
  layer.layer.kernel.assign(
    np.array([[3.0, 0.0], [0.0, 1.0], [4.0, 0.0]], np.float32)
  )  # norms 5, 1
  layer.g.assign([2.0, 0.5])
  layer.b.assign([1.0, -1.0])
  return layer


def test_training_call_subtracts_the_batch_mean_and_moves_the_average():
  layer = _layer()
  x = np.array([[1.0, 2.0, 0.0], [0.0, 4.0, 1.0]], np.float32)
  # (V x) g / ||V||: unit 0 (3, 4) * 2 / 5 = (1.2, 1.6); unit 1 (2, 4) * 0.5 = (1, 2)
  y = np.array([[1.2, 1.0], [1.6, 2.0]])
  mean = y.mean(0)  # (1.4, 1.5)
  np.testing.assert_allclose(layer(x, training=True), y - mean + [1.0, -1.0], rtol=1e-6)
  np.testing.assert_allclose(layer.moving_mean, 0.1 * mean, rtol=1e-6)
  # Inference: the moving mean, not the batch's.
  np.testing.assert_allclose(layer(x, training=False), y - 0.1 * mean + [1.0, -1.0], rtol=1e-6)


def test_output_does_not_depend_on_the_kernel_scale():
  layer = _layer()
  x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
  before = np.asarray(layer(x, training=True))
  layer.layer.kernel.assign(layer.layer.kernel * 7.0)
  np.testing.assert_allclose(layer(x, training=True), before, rtol=1e-5, atol=1e-6)
  assert sorted(w.name for w in layer.trainable_weights) == ["b", "g", "kernel"]


def test_bad_arguments_raise():
  with pytest.raises(ValueError, match="use_bias=False"):
    MeanOnlyWeightNorm(keras.layers.Dense(2))
  with pytest.raises(ValueError, match="momentum must be in .0, 1., got 1.5"):
    MeanOnlyWeightNorm(keras.layers.Dense(2, use_bias=False), 1.5)
