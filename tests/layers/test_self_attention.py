import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import SelfAttention


def _x(c=64):
  return tf.constant(np.random.default_rng(0).normal(size=[2, 8, 8, c]), tf.float32)


def test_identity_at_initialisation():
  x = _x()
  layer = SelfAttention()
  np.testing.assert_array_equal(layer(x, training=False), x)
  np.testing.assert_array_equal(layer(x, training=True), x)


def test_parameter_count_for_64_channels():
  # theta, phi: 64 * 8 = 512 each; g, o: 64 * 32 = 2048 each; gamma 1: 5121 trainable.
  # Spectral norm u + v: theta, phi 8 + 64; g 32 + 64; o 64 + 32: 336 non-trainable.
  layer = SelfAttention()
  layer.build((None, 8, 8, 64))
  trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
  frozen = sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)
  assert (trainable, frozen) == (5121, 336)
  plain = SelfAttention(spectral_norm=False)
  plain.build((None, 8, 8, 64))
  assert (plain.count_params(), len(plain.non_trainable_weights)) == (5121, 0)


def test_nonzero_gamma_attends_and_config_round_trips():
  x = _x(16)
  layer = SelfAttention(spectral_norm=False)
  layer(x)
  layer.gamma.assign(1.0)
  y = layer(x)
  assert y.shape == x.shape and np.abs(y - x).max() > 0
  clone = SelfAttention.from_config(layer.get_config())
  clone(x)
  clone.set_weights(layer.get_weights())
  np.testing.assert_allclose(clone(x), y, atol=1e-6)


def test_in_a_functional_model_with_odd_sizes_rejected():
  inputs = keras.Input((8, 8, 32))
  model = keras.Model(inputs, SelfAttention(name="attention")(inputs))
  assert model.output_shape == (None, 8, 8, 32)
  with pytest.raises(ValueError, match="even H and W"):
    SelfAttention().build((None, 7, 8, 32))
  with pytest.raises(ValueError, match="multiple of 8"):
    SelfAttention().build((None, 8, 8, 12))


def test_mixed_precision_keeps_the_input_dtype():
  x = tf.cast(_x(16), tf.float16)
  layer = SelfAttention(dtype="mixed_float16")
  layer(x)
  layer.gamma.assign(1.0)
  y = layer(x, training=True)
  assert (y.dtype, layer.gamma.dtype, layer.theta.u.dtype) == (tf.float16, "float32", "float32")
  assert np.isfinite(np.asarray(y, np.float32)).all()


def test_keras_file_round_trip_restores_weights_and_power_iteration_vectors(tmp_path):
  inputs = keras.Input((8, 8, 16))
  model = keras.Model(inputs, SelfAttention(name="attention")(inputs))
  attention = model.get_layer("attention")
  attention.gamma.assign(0.5)
  x = _x(16)
  model(x, training=True)
  model.save(tmp_path / "m.keras")
  loaded = keras.models.load_model(tmp_path / "m.keras")
  np.testing.assert_array_equal(loaded.get_layer("attention").theta.u, attention.theta.u)
  np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)
