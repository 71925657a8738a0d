import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import NoiseInjection


def _noise(mode):
  keras.utils.set_random_seed(0)
  layer = NoiseInjection(mode)
  layer.build((None, 4, 4, 2))
  layer.noise_strength.assign(0.5)
  return layer


def test_const_noise_is_the_stored_image_times_the_strength_on_every_channel():
  layer = _noise("const")
  assert [w.name for w in layer.trainable_weights] == ["noise_strength"]
  assert layer.noise_const.shape == (4, 4) and not layer.noise_const.trainable
  x = np.ones((2, 4, 4, 2), np.float32)
  want = 1.0 + 0.5 * layer.noise_const.numpy()[None, :, :, None]
  for training in (False, True):
    np.testing.assert_allclose(layer(x, training=training), np.broadcast_to(want, x.shape))


def test_random_noise_is_fresh_per_training_call_and_shared_by_channels():
  layer = _noise("random")
  x = tf.zeros((3, 4, 4, 2))
  a, b = layer(x, training=True).numpy(), layer(x, training=True).numpy()
  assert not np.allclose(a, b)
  np.testing.assert_array_equal(a[..., 0], a[..., 1])  # one noise map [N, H, W, 1]
  assert not np.allclose(a[0], a[1])  # per sample
  # inference calls use the stored noise (official generate.py --noise-mode const)
  np.testing.assert_allclose(layer(x, training=False)[0, :, :, 0], 0.5 * layer.noise_const.numpy())


def test_none_adds_nothing_and_a_bad_mode_raises():
  x = tf.ones((1, 4, 4, 2))
  np.testing.assert_array_equal(_noise("none")(x, training=True), x)
  with pytest.raises(ValueError, match="noise_mode must be one of .* got 'fixed'"):
    NoiseInjection("fixed")


def test_stored_noise_is_seeded_by_the_layer_name():
  layers = [NoiseInjection(name=name) for name in ("b8_conv0_noise", "b8_conv0_noise", "b8_conv1")]
  for layer in layers:
    layer.build((None, 8, 8, 4))
  a, b, c = (layer.noise_const.numpy() for layer in layers)
  np.testing.assert_array_equal(a, b)  # every build of a net stores the same noise
  assert not np.allclose(a, c)  # each layer its own
  assert abs(float(a.std()) - 1.0) < 0.3  # N(0, 1)
