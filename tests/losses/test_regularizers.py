import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses


def _quadratic_critic(a):
  """D(x) = a * sum(x^2) per example: grad_x D = 2 a x, ||grad||^2 = 4 a^2 sum(x^2)."""
  return lambda x: a * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])


def test_r1_and_r2_on_a_quadratic_critic():
  # sum(x^2) = 4 and 1: gamma / 2 * 4 * sum(x^2) = 5 * 16 = 80 and 5 * 4 = 20.
  x = tf.constant(np.stack([np.ones([2, 2, 1]), np.full([2, 2, 1], 0.5)]), tf.float32)
  np.testing.assert_allclose(losses.r1_penalty(_quadratic_critic(1.0), x), [80.0, 20.0], rtol=1e-6)
  np.testing.assert_allclose(losses.r2_penalty(_quadratic_critic(1.0), x, gamma=1.0), [8.0, 2.0])


def test_r1_is_differentiable_in_the_critic_weights():
  # R1 = gamma / 2 * 4 a^2 sum(x^2) = 20 a^2 * 4: dR1/da = 160 a = 160 at a = 1.
  a = tf.Variable(1.0)
  x = tf.ones([1, 2, 2, 1])
  with tf.GradientTape() as tape:
    r1 = losses.r1_penalty(_quadratic_critic(a), x)
  np.testing.assert_allclose(r1, [80.0])
  np.testing.assert_allclose(tape.gradient(r1, a), 160.0)


def test_r1_sums_multiscale_outputs():
  def critic(x):
    return [tf.reduce_sum(x, axis=[1, 2, 3]), tf.reduce_sum(x, axis=[1, 2, 3])]

  # grad = 2 at each of 4 pixels: ||grad||^2 = 16, gamma / 2 = 5.
  np.testing.assert_allclose(losses.r1_penalty(critic, tf.zeros([1, 2, 2, 1])), [80.0])


def test_orthogonal_regularization_of_dense_and_conv_kernels():
  # Keras kernel [[1, 2], [3, 4]] (in, out): rows per output (1, 3), (2, 4); W W^T =
  # [[10, 14], [14, 20]]; off-diagonal squared: 2 * 14^2 = 392; beta 1e-4: 0.0392.
  dense = keras.layers.Dense(2)
  dense.build((None, 2))
  dense.kernel.assign([[1.0, 2.0], [3.0, 4.0]])
  dense.bias.assign([5.0, 6.0])  # rank 1: skipped
  np.testing.assert_allclose(losses.orthogonal_regularization(dense.weights), 0.0392, rtol=1e-6)
  # A 1x1 conv with the same matrix, and an orthogonal one (0), at beta 1.
  conv = tf.constant([[1.0, 2.0], [3.0, 4.0]], shape=[1, 1, 2, 2])
  np.testing.assert_allclose(losses.orthogonal_regularization([conv], beta=1.0), 392.0)
  rotation = tf.constant([[0.6, -0.8], [0.8, 0.6]], shape=[1, 1, 2, 2])
  np.testing.assert_allclose(
    losses.orthogonal_regularization([rotation], beta=1.0), 0.0, atol=1e-10
  )


def test_orthogonal_regularization_rows_are_the_output_units():
  # Kernel (in 1, out 2) = [[1, 1]]: rows (1), (1); W W^T = [[1, 1], [1, 1]]: off-diagonal 2.
  np.testing.assert_allclose(
    losses.orthogonal_regularization([tf.constant([[1.0, 1.0]])], beta=1.0), 2.0
  )


def test_clip_weights_assigns_and_returns():
  w = tf.Variable([-0.5, 0.005, 0.2])
  (clipped,) = losses.clip_weights([w])
  np.testing.assert_allclose(w.numpy(), [-0.01, 0.005, 0.01])
  np.testing.assert_allclose(clipped, [-0.01, 0.005, 0.01])
  with pytest.raises(ValueError, match="c must be > 0"):
    losses.clip_weights([w], c=0.0)


def test_instance_noise_decays_linearly_to_zero():
  stds = [float(losses.instance_noise_std(s, 0.1, 100)) for s in (0, 50, 100, 150)]
  np.testing.assert_allclose(stds, [0.1, 0.05, 0.0, 0.0], atol=1e-8)
  x, seed = tf.ones([2, 4, 4, 3]), tf.constant([1, 2])
  np.testing.assert_array_equal(losses.add_instance_noise(x, 0.0, seed), x)
  np.testing.assert_array_equal(
    losses.add_instance_noise(x, 0.1, seed), losses.add_instance_noise(x, 0.1, seed)
  )
  noise = losses.add_instance_noise(tf.zeros([64, 8, 8, 3]), 0.5, seed).numpy()
  assert abs(noise.std() - 0.5) < 0.02
  with pytest.raises(ValueError, match="decay_steps"):
    losses.instance_noise_std(0, 0.1, 0)
