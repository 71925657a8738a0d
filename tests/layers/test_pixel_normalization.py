import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import PixelNormalization


def test_divides_by_the_rms_over_channels():
  x = tf.constant([[[[3.0, 4.0]], [[0.0, 0.0]]]])  # [1, 2, 1, 2]
  y = PixelNormalization()(x).numpy()
  rms = np.sqrt((9.0 + 16.0) / 2.0 + 1e-8)
  np.testing.assert_allclose(y[0, 0, 0], [3.0 / rms, 4.0 / rms], rtol=1e-6)
  np.testing.assert_array_equal(y[0, 1, 0], [0.0, 0.0])


def test_latents_get_unit_mean_square_and_epsilon_matters():
  z = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
  y = PixelNormalization()(z).numpy()
  np.testing.assert_allclose(np.mean(y**2, axis=-1), np.ones(3), rtol=1e-5)
  small = PixelNormalization(epsilon=1.0)(tf.constant([[1.0, 1.0]])).numpy()
  np.testing.assert_allclose(small, [[1.0 / np.sqrt(2.0)] * 2], rtol=1e-6)


def test_config_round_trip_mixed_precision_and_validation():
  layer = PixelNormalization(epsilon=1e-4, name="pn")
  clone = PixelNormalization.from_config(layer.get_config())
  assert clone.epsilon == 1e-4 and clone.name == "pn"
  half = PixelNormalization(dtype="mixed_float16")(tf.constant([[300.0, 400.0]], tf.float16))
  assert half.dtype == tf.float16  # 400^2 overflows float16: the layer squares in float32
  np.testing.assert_allclose(half.numpy().astype(np.float32), [[0.8485, 1.1314]], rtol=1e-3)
  with pytest.raises(ValueError, match="epsilon=-1"):
    PixelNormalization(epsilon=-1)
  assert keras.saving.get_registered_object("tfgan_repro>PixelNormalization") is PixelNormalization
