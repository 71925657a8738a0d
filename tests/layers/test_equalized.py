import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import EqualizedConv2D, EqualizedDense


def test_dense_scales_kernel_and_bias_at_run_time():
  layer = EqualizedDense(1, gain=2.0, lr_multiplier=0.5, bias_init=1.0)
  layer.build((None, 1))
  assert float(layer.bias.numpy()[0]) == 2.0  # stored bias_init / lr_multiplier
  layer.kernel.assign([[3.0]])
  # y = x * (3 * 2 * 0.5 / sqrt(1)) + 2 * 0.5 = 2 * 3 + 1
  np.testing.assert_allclose(layer(tf.constant([[2.0]])), [[7.0]], rtol=1e-6)


def test_dense_he_constant_uses_fan_in():
  layer = EqualizedDense(2, gain=math.sqrt(2.0))
  layer.build((None, 4))
  layer.kernel.assign(np.ones((4, 2), np.float32))
  y = layer(tf.ones((3, 4)))
  np.testing.assert_allclose(y, np.full((3, 2), 4 * math.sqrt(2.0) / 2.0), rtol=1e-6)
  assert [w.shape for w in layer.trainable_weights] == [(4, 2), (2,)]


def test_dense_kernel_starts_normal_with_std_one_over_lr_multiplier():
  keras.utils.set_random_seed(0)
  layer = EqualizedDense(256, lr_multiplier=0.01, use_bias=False)
  layer.build((None, 256))
  assert layer.bias is None and len(layer.trainable_weights) == 1
  assert abs(float(np.std(layer.kernel.numpy())) / 100.0 - 1.0) < 0.02


def test_conv_uses_k_k_c_in_fan_in_and_same_padding():
  layer = EqualizedConv2D(1, 3, gain=1.0)
  layer.build((None, 3, 3, 2))
  layer.kernel.assign(np.ones((3, 3, 2, 1), np.float32))
  y = layer(tf.ones((1, 3, 3, 2)))[0, :, :, 0].numpy()
  c = 1.0 / math.sqrt(18.0)
  np.testing.assert_allclose(y[1, 1], 18 * c, rtol=1e-6)  # centre: 9 taps x 2 channels
  np.testing.assert_allclose(y[0, 0], 8 * c, rtol=1e-6)  # corner: 4 taps x 2 channels
  np.testing.assert_allclose(y[0, 1], 12 * c, rtol=1e-6)  # edge: 6 taps x 2 channels


def test_conv_lr_multiplier_scales_bias_and_valid_padding_shrinks():
  layer = EqualizedConv2D(4, 3, gain=1.0, lr_multiplier=0.5, padding="valid")
  layer.build((None, 5, 5, 2))
  layer.kernel.assign(np.zeros((3, 3, 2, 4), np.float32))
  layer.bias.assign(np.full((4,), 3.0, np.float32))
  y = layer(tf.ones((2, 5, 5, 2)))
  assert tuple(y.shape) == (2, 3, 3, 4)
  np.testing.assert_allclose(y, np.full((2, 3, 3, 4), 1.5))


def test_configs_round_trip_in_a_functional_model():
  inputs = keras.Input((4, 4, 3))
  h = EqualizedConv2D(5, 3, gain=math.sqrt(2.0), lr_multiplier=0.1, name="conv")(inputs)
  h = keras.layers.Flatten()(h)
  out = EqualizedDense(2, gain=0.5, lr_multiplier=0.01, bias_init=1.0, name="dense")(h)
  model = keras.Model(inputs, out)
  clone = keras.Model.from_config(model.get_config())
  clone.set_weights(model.get_weights())
  x = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype(np.float32)
  np.testing.assert_allclose(model(x), clone(x), rtol=1e-6)
  assert clone.get_layer("dense").get_config()["bias_init"] == 1.0
  assert model.count_params() == 3 * 3 * 3 * 5 + 5 + 80 * 2 + 2


def test_mixed_precision_keeps_float32_variables():
  layer = EqualizedDense(3, dtype="mixed_float16")
  y = layer(tf.ones((2, 4)))
  assert y.dtype == tf.float16 and layer.kernel.dtype == "float32"
  conv = EqualizedConv2D(3, 1, dtype="mixed_bfloat16")
  assert conv(tf.ones((1, 2, 2, 4))).dtype == tf.bfloat16


def test_invalid_arguments_name_the_value():
  with pytest.raises(ValueError, match="units=0"):
    EqualizedDense(0)
  with pytest.raises(ValueError, match="lr_multiplier=0"):
    EqualizedConv2D(1, 3, lr_multiplier=0)
  with pytest.raises(ValueError, match="padding='full'"):
    EqualizedConv2D(1, 3, padding="full")
