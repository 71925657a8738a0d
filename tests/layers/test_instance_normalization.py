import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import InstanceNormalization


def _reference(x, eps=1e-5):
  mean = x.mean(axis=(1, 2), keepdims=True)
  var = x.var(axis=(1, 2), keepdims=True)  # biased, as PyTorch
  return (x - mean) / np.sqrt(var + eps)


def test_matches_numpy_and_standardizes_each_example_and_channel():
  rng = np.random.default_rng(0)
  x = (rng.normal(size=(2, 5, 7, 3)) * [1.0, 3.0, 0.5] + [0.0, 10.0, -4.0]).astype("float32")
  y = np.asarray(InstanceNormalization()(x))
  np.testing.assert_allclose(y, _reference(x), atol=1e-5)
  np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
  # var / (var + eps) with var >= 0.25 * 0.5: within 1e-3 of 1.
  np.testing.assert_allclose(y.var(axis=(1, 2)), 1.0, atol=1e-3)


def test_defaults_are_pytorch_instancenorm2d_without_weights():
  layer = InstanceNormalization()
  layer.build((None, None, None, 4))
  assert (layer.epsilon, layer.affine, layer.weights) == (1e-5, False, [])


def test_affine_scales_and_shifts_per_channel():
  x = np.random.default_rng(1).normal(size=(1, 4, 4, 2)).astype("float32")
  layer = InstanceNormalization(affine=True)
  layer.build(x.shape)
  assert [w.shape for w in layer.trainable_weights] == [(2,), (2,)]
  layer.set_weights([np.array([2.0, -1.0], "float32"), np.array([0.5, 3.0], "float32")])
  expected = _reference(x) * [2.0, -1.0] + [0.5, 3.0]
  np.testing.assert_allclose(np.asarray(layer(x)), expected, atol=1e-5)


def test_computes_in_float32_under_mixed_precision():
  # Deviations of ~600: squared they exceed float16's max (65504), so a float16 variance is inf.
  x = np.random.default_rng(2).normal(scale=300.0, size=(1, 8, 8, 2)).astype("float16")
  layer = InstanceNormalization(affine=True, dtype="mixed_float16")
  y = layer(tf.constant(x))
  assert y.dtype == tf.float16
  assert layer.gamma.dtype == "float32"
  np.testing.assert_allclose(np.asarray(y, "float32"), _reference(x.astype("float32")), atol=4e-3)


def test_config_round_trip_and_invalid_epsilon():
  layer = InstanceNormalization(epsilon=1e-3, affine=True, name="n")
  clone = InstanceNormalization.from_config(layer.get_config())
  assert (clone.epsilon, clone.affine, clone.name) == (1e-3, True, "n")
  with pytest.raises(ValueError, match="epsilon must be > 0, got 0"):
    InstanceNormalization(epsilon=0)


def test_serializes_inside_a_functional_model():
  inputs = keras.Input((None, None, 3))
  model = keras.Model(inputs, InstanceNormalization(affine=True)(inputs))
  clone = keras.Model.from_config(model.get_config())
  assert type(clone.layers[1]).__name__ == "InstanceNormalization"
  assert clone.layers[1].affine is True


def _autodiff_reference(x, eps=1e-5):
  """The same normalization left to TF's autodiff (no custom gradient)."""
  mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)
  var = tf.reduce_mean(tf.square(x - mean), axis=[1, 2], keepdims=True)
  return (x - mean) / tf.sqrt(var + eps)


def test_closed_form_gradient_matches_autodiff_to_second_order():
  # First order: d sum(w * y) / dx. Second order, as WGAN-GP differentiates it: the gradient of
  # ||d sum(w * y) / dx||^2 with respect to x.
  rng = np.random.default_rng(3)
  x = tf.constant((rng.normal(size=(2, 5, 4, 3)) * 2.0 + 1.0).astype("float32"))
  w = tf.constant(rng.normal(size=(2, 5, 4, 3)).astype("float32"))
  layer = InstanceNormalization()
  results = []
  for f in (layer, _autodiff_reference):
    with tf.GradientTape() as outer:
      outer.watch(x)
      with tf.GradientTape() as inner:
        inner.watch(x)
        y = tf.reduce_sum(w * f(x))
      g = inner.gradient(y, x)
      penalty = tf.reduce_sum(tf.square(g))
    results.append((g.numpy(), outer.gradient(penalty, x).numpy()))
  (g, gg), (g_ref, gg_ref) = results
  assert np.abs(g_ref).max() > 0.1 and np.abs(gg_ref).max() > 0.01  # not a trivial zero
  np.testing.assert_allclose(g, g_ref, atol=2e-5)
  np.testing.assert_allclose(gg, gg_ref, atol=2e-4)
