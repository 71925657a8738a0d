"""FusedAdam against Adam in float64 and keras.optimizers.Adam (two replicas: test_conformance)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.training.fused_adam import FusedAdam

SETTINGS = dict(learning_rate=1e-2, beta_1=0.5, beta_2=0.999, epsilon=1e-7)
STEPS = 5


def _gradients(shape: tuple[int, ...]) -> list[np.ndarray]:
  rng = np.random.default_rng(0)
  return [rng.normal(size=shape).astype(np.float32) for _ in range(STEPS)]


def _train(optimizer_class, w0: np.ndarray, grads, sparse: bool = False) -> list:
  """Weights, m and v after STEPS updates of `optimizer_class`."""
  w = keras.Variable(w0)
  optimizer = optimizer_class(**SETTINGS)
  optimizer.build([w])

  @tf.function
  def step(g):
    if sparse:  # rows 0 and 2 only, as an embedding lookup's gradient
      g = tf.IndexedSlices(tf.gather(g, [0, 2]), tf.constant([0, 2]), tf.shape(g))
    optimizer.apply_gradients([(g, w)])

  for g in grads:
    step(tf.constant(g))
  return [np.asarray(v) for v in (w, *optimizer.variables[2:])]  # after iterations and lr: m, v


def _float64_adam(w0: np.ndarray, grads, beta_2: float) -> list[np.ndarray]:
  """Algorithm 1 of Kingma & Ba in float64, epsilon added to sqrt(v) before the bias correction of
  v (Keras' epsilon-hat form): w, m, v after the updates."""
  w, m, v = w0.astype(np.float64), 0.0, 0.0
  lr, beta_1, eps = SETTINGS["learning_rate"], SETTINGS["beta_1"], SETTINGS["epsilon"]
  for t, g in enumerate(grads, start=1):
    m = m + (g - m) * (1 - beta_1)
    v = v + (g * g - v) * (1 - beta_2)
    w = w - lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (np.sqrt(v) + eps)
  return [w, m, v]


def test_fused_adam_is_adam_with_the_float32_beta_2_and_keras_is_within_its_rounding():
  w0 = np.random.default_rng(1).normal(size=(64, 33)).astype(np.float32)
  grads = _gradients(w0.shape)
  fused, keras_adam = _train(FusedAdam, w0, grads), _train(keras.optimizers.Adam, w0, grads)
  reference = _float64_adam(w0, grads, beta_2=float(np.float32(SETTINGS["beta_2"])))
  moved = np.abs(reference[0] - w0).max()
  assert moved > 1e-2  # lr 1e-2, five steps
  np.testing.assert_allclose(fused[0], reference[0], rtol=0, atol=1e-5 * moved)
  np.testing.assert_allclose(fused[2], reference[2], rtol=1e-5)  # v
  # Keras 3 takes 1 - beta_2 from the float64 0.999: v 1.3e-5 apart, the steps a few 1e-6
  np.testing.assert_allclose(keras_adam[2], fused[2], rtol=3e-5)
  assert np.abs(keras_adam[2] / fused[2] - 1).max() > 5e-6
  np.testing.assert_allclose(keras_adam[0] - w0, fused[0] - w0, rtol=0, atol=3e-5 * moved)


def test_fused_adam_sparse_gradients_take_keras_path():
  w0 = np.ones((4, 3), np.float32)
  grads = _gradients(w0.shape)
  fused = _train(FusedAdam, w0, grads, sparse=True)
  np.testing.assert_array_equal(fused[0], _train(keras.optimizers.Adam, w0, grads, sparse=True)[0])
  np.testing.assert_array_equal(fused[0][[1, 3]], 1.0)  # rows without gradient stay
