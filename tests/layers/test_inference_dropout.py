import keras
import numpy as np
import pytest

from tfgan_repro.layers import InferenceDropout


def test_drops_at_inference_with_inverted_scaling():
  x = np.ones((1, 100, 100, 1), "float32")
  layer = InferenceDropout(0.5, seed=7)  # seeded: the checks below are not left to chance
  y = np.asarray(layer(x, training=False))
  assert set(np.unique(y)) == {0.0, 2.0}  # x / (1 - 0.5) kept
  assert abs((y == 0).mean() - 0.5) < 0.03  # 10^4 draws: 3 sigma = 0.015
  y2 = np.asarray(layer(x, training=False))
  assert (y != y2).mean() > 0.3  # a fresh mask per call (0.5 expected)


def test_keras_dropout_is_off_at_inference_for_contrast():
  x = np.ones((1, 10, 10, 1), "float32")
  np.testing.assert_array_equal(np.asarray(keras.layers.Dropout(0.5)(x, training=False)), x)


def test_config_and_invalid_rate():
  clone = InferenceDropout.from_config(InferenceDropout(0.25, seed=3).get_config())
  assert (clone.rate, clone.seed) == (0.25, 3)
  with pytest.raises(ValueError, match="rate must be in \\[0, 1\\), got 1.0"):
    InferenceDropout(1.0)


def test_without_inference_dropout_shares_weights_and_is_deterministic():
  from tfgan_repro.nets import build
  from tfgan_repro.nets.common import without_inference_dropout

  net = build("unet_128", ngf=4, norm="batch", dropout=0.5, dropout_at_inference=True)
  det = without_inference_dropout(net)
  assert not any(isinstance(layer, InferenceDropout) for layer in det.layers)
  assert len(det.weights) == len(net.weights)
  assert all(a is b for a, b in zip(det.weights, net.weights, strict=True))  # shared, not copied
  x = np.random.default_rng(0).uniform(-1, 1, (1, 128, 128, 3)).astype(np.float32)
  np.testing.assert_array_equal(det(x, training=False), det(x, training=False))
  net.get_layer("up1").kernel.assign(net.get_layer("up1").kernel * 2.0)
  assert det.get_layer("up1").kernel is net.get_layer("up1").kernel
  plain = build("unet_128", ngf=4)
  assert without_inference_dropout(plain) is plain
