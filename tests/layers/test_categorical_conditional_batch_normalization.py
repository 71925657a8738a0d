"""CategoricalConditionalBatchNormalization: gamma[y] * BN(x) + beta[y] by hand, parameters, config
round trip, the running statistics of inference."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers.categorical_conditional_batch_normalization import (
  CategoricalConditionalBatchNormalization,
)


def _layer() -> tuple[CategoricalConditionalBatchNormalization, np.ndarray]:
  layer = CategoricalConditionalBatchNormalization(3, epsilon=1e-5)
  x = np.random.default_rng(0).normal(2.0, 3.0, (4, 2, 2, 2)).astype(np.float32)
  layer.build([x.shape, (4,)])
  layer.gammas.assign([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
  layer.betas.assign([[0.0, -1.0], [1.0, 0.5], [2.0, 0.0]])
  return layer, x


def test_training_call_normalises_then_applies_the_class_affine():
  layer, x = _layer()
  y = np.array([2, 0, 1, 2], np.int32)
  got = layer([tf.constant(x), tf.constant(y)], training=True).numpy()
  mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
  normed = (x - mean) / np.sqrt(var + 1e-5)
  gammas, betas = layer.gammas.numpy(), layer.betas.numpy()
  want = gammas[y][:, None, None, :] * normed + betas[y][:, None, None, :]
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
  # running statistics move as PyTorch / chainer's: momentum 0.9 toward the unbiased variance
  n = 16
  np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
  np.testing.assert_allclose(
    layer.moving_variance.numpy(), 0.9 + 0.1 * var * n / (n - 1), rtol=1e-5
  )


def test_parameters_config_and_inference():
  layer, x = _layer()
  assert sum(int(np.prod(w.shape)) for w in layer.trainable_weights) == 2 * 3 * 2  # 2 K C
  clone = CategoricalConditionalBatchNormalization.from_config(layer.get_config())
  assert (clone.num_classes, clone.epsilon, clone.momentum) == (3, 1e-5, 0.9)
  assert not clone.center and not clone.scale
  y = np.array([1, 1, 0, 0], np.int32)
  got = layer([tf.constant(x), tf.constant(y)], training=False).numpy()
  want = layer.gammas.numpy()[y][:, None, None, :] * x / np.sqrt(1.0 + 1e-5)  # running 0, 1
  np.testing.assert_allclose(got, want + layer.betas.numpy()[y][:, None, None, :], rtol=1e-5)
  with pytest.raises(ValueError, match="num_classes must be >= 1, got 0"):
    CategoricalConditionalBatchNormalization(0)


def test_defaults_are_the_official_decay_and_eps():
  layer = CategoricalConditionalBatchNormalization(2)
  assert (layer.momentum, layer.epsilon, layer.synchronized) == (0.9, 2e-5, False)
  inputs = [keras.Input((2, 2, 3)), keras.Input((), dtype="int32")]
  out = layer(inputs)
  assert tuple(out.shape) == (None, 2, 2, 3)
