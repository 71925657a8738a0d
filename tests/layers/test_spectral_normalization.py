import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import SpectralNormalization

# Symmetric, eigenvalues (5 +- sqrt(5)) / 2: sigma = 3.618034.
W = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)


def _dense(kernel=W):
  layer = SpectralNormalization(keras.layers.Dense(kernel.shape[1], use_bias=False))
  layer.build((None, kernel.shape[0]))
  layer.layer.kernel.assign(kernel)
  return layer


def test_sigma_converges_to_the_largest_singular_value():
  layer = _dense()
  for _ in range(20):
    layer(tf.ones([1, 2]), training=True)
  np.testing.assert_allclose(W / layer.normalized_kernel().numpy(), 3.618034, rtol=1e-5)


def test_one_power_iteration_per_training_call_and_none_in_inference():
  # u0 = (1, 0): W u0 = (2, 1) -> v = (2, 1) / sqrt(5); W^T v = (5, 5) / sqrt(5) -> u = (1, 1) /
  # sqrt(2); sigma = v^T W u = (2, 1) . (3, 4) / sqrt(10) = sqrt(10) = 3.162278.
  layer = _dense()
  layer.u.assign([1.0, 0.0])
  y = layer(tf.constant([[1.0, 0.0]]), training=True)
  np.testing.assert_allclose(layer.u.numpy(), [0.707107, 0.707107], rtol=1e-5)
  np.testing.assert_allclose(layer.v.numpy(), [0.894427, 0.447214], rtol=1e-5)
  np.testing.assert_allclose(y, [[2.0 / 3.162278, 1.0 / 3.162278]], rtol=1e-5)
  # Inference: the same sigma from the stored u, v, and no update.
  np.testing.assert_allclose(layer(tf.constant([[1.0, 0.0]]), training=False), y, rtol=1e-6)
  np.testing.assert_allclose(layer.u.numpy(), [0.707107, 0.707107], rtol=1e-5)
  # The trainable kernel itself is never overwritten.
  np.testing.assert_array_equal(layer.layer.kernel.numpy(), W)


def test_u_and_v_are_tracked_and_checkpointed(tmp_path):
  layer = _dense()
  for _ in range(3):
    layer(tf.ones([1, 2]), training=True)
  assert [w.name for w in layer.non_trainable_weights] == ["u", "v"]
  assert len(layer.trainable_weights) == 1
  path = tf.train.Checkpoint(layer=layer).write(str(tmp_path / "ckpt"))
  other = _dense(np.zeros_like(W))
  tf.train.Checkpoint(layer=other).read(path).assert_consumed()
  np.testing.assert_array_equal(other.u.numpy(), layer.u.numpy())
  np.testing.assert_array_equal(other.v.numpy(), layer.v.numpy())
  np.testing.assert_array_equal(other.normalized_kernel(), layer.normalized_kernel())


def test_gradient_flows_through_sigma():
  # Eq. 12: u, v constants, d sigma / dW = v u^T, so d(sum(W) / sigma) / dW =
  # 1 / sigma - sum(W) / sigma^2 v u^T (a fixed divisor would give 1 / sigma alone).
  layer = _dense()
  for _ in range(20):
    layer(tf.ones([1, 2]), training=True)
  with tf.GradientTape() as tape:
    y = tf.reduce_sum(layer(tf.eye(2), training=False))
  grad = tape.gradient(y, layer.layer.kernel).numpy()
  # sigma = 3.618034, sum(W) = 7, u = v = top eigenvector (0.525731, 0.850651):
  # grad = 1 / sigma - 7 / sigma^2 * v u^T.
  top = np.array([0.525731, 0.850651])
  expected = 1.0 / 3.618034 - 7.0 / 3.618034**2 * np.outer(top, top)
  np.testing.assert_allclose(grad, expected, rtol=1e-4)


def test_conv_kernel_and_config_round_trip():
  layer = SpectralNormalization(keras.layers.Conv2D(4, 3), power_iterations=2, epsilon=1e-8)
  y = layer(tf.ones([1, 5, 5, 2]), training=True)
  assert y.shape == (1, 3, 3, 4)
  assert (layer.u.shape, layer.v.shape) == ((4,), (18,))
  clone = SpectralNormalization.from_config(layer.get_config())
  assert (clone.power_iterations, clone.epsilon, clone.layer.filters) == (2, 1e-8, 4)
  with pytest.raises(ValueError, match="power_iterations"):
    SpectralNormalization(keras.layers.Dense(2), power_iterations=0)


def test_keras_spectral_normalization_overwrites_the_kernel():
  # Why this layer exists: Keras' wrapper assigns W / sigma to the trainable kernel.
  layer = keras.layers.SpectralNormalization(keras.layers.Dense(2, use_bias=False))
  layer.build((None, 2))
  layer.layer.kernel.assign(W)
  layer(tf.ones([1, 2]), training=True)
  assert np.abs(layer.layer.kernel.numpy() - W).max() > 1.0


def test_two_replicas_update_u_as_one_device(two_replicas):
  with two_replicas.scope():
    layer = _dense()
    layer.u.assign([1.0, 0.0])

  @tf.function
  def step():
    return two_replicas.run(lambda: layer(tf.constant([[1.0, 0.0]]), training=True))

  y = two_replicas.experimental_local_results(step())
  np.testing.assert_allclose(layer.u.numpy(), [0.707107, 0.707107], rtol=1e-5)
  for per_replica in y:
    np.testing.assert_allclose(per_replica, [[2.0 / 3.162278, 1.0 / 3.162278]], rtol=1e-5)
