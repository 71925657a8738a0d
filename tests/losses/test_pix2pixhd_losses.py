"""pix2pixHD's feature-matching (Eq. 4) and VGG (Eq. 5) losses."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses


def _features(rng, scales=2, n_layers=2):
  return [
    [rng.uniform(-1, 1, (2, 4, 4, 3)).astype("float32") for _ in range(n_layers + 2)]
    for _ in range(scales)
  ]


def test_feature_matching_is_zero_for_identical_features_and_positive_otherwise():
  rng = np.random.default_rng(0)
  real = _features(rng)
  np.testing.assert_array_equal(losses.feature_matching_loss(real, real, 2), [0.0, 0.0])
  assert np.all(np.asarray(losses.feature_matching_loss(_features(rng), real, 2)) > 0)


def test_feature_matching_weights_and_skips_the_logits():
  # 2 scales, n_layers 1: 3 stage outputs each, the last (logits) ignored. Per example:
  # sum_k sum_i (1 / num_D) (4 / (n_layers + 1)) mean|f - r| = 0.5 * 2 * (1 + 2 + 3 + 4).
  real = [[tf.zeros((1, 2, 2, 1))] * 3 for _ in range(2)]
  fake = [[tf.fill((1, 2, 2, 1), v) for v in (1.0, 2.0, 100.0)] for _ in range(2)]
  fake[1] = [tf.fill((1, 2, 2, 1), v) for v in (3.0, 4.0, 100.0)]
  np.testing.assert_allclose(losses.feature_matching_loss(fake, real, 1), [10.0])
  with pytest.raises(ValueError, match="same non-zero number of scales"):
    losses.feature_matching_loss(fake, real[:1], 1)


def test_feature_matching_does_not_train_d_through_the_real_features():
  real = [[tf.Variable(tf.zeros((1, 2, 2, 1))) for _ in range(3)]]
  fake = [[tf.ones((1, 2, 2, 1))] * 3]
  with tf.GradientTape() as tape:
    loss = losses.feature_matching_loss(fake, real, 1)
  assert all(g is None for g in tape.gradient(loss, [v for v in real[0]]))


def test_vgg_loss_weights_the_five_relu_layers_as_the_paper():
  assert losses.VGG_WEIGHTS == (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)
  # A stand-in for VGG: layer i returns (i + 1) * x, so |F_i(x) - F_i(y)| = (i + 1) * |x - y|.
  stub = lambda x, training=False: [x * (i + 1) for i in range(5)]  # noqa: E731
  x, y = tf.zeros((1, 4, 4, 3)), tf.fill((1, 4, 4, 3), 0.5)
  # 0.5 * (1/32 * 1 + 1/16 * 2 + 1/8 * 3 + 1/4 * 4 + 1 * 5) = 0.5 * 6.53125
  np.testing.assert_allclose(losses.vgg_loss(stub, x, y), [3.265625], rtol=1e-6)


def test_vgg19_features_with_random_weights():
  vgg = losses.vgg19_features(None)  # no download: random weights
  assert vgg.trainable_weights == []
  x = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
  assert [tuple(f.shape) for f in vgg(x)] == [
    (1, 32, 32, 64),
    (1, 16, 16, 128),
    (1, 8, 8, 256),
    (1, 4, 4, 512),
    (1, 2, 2, 512),
  ]
  np.testing.assert_array_equal(losses.vgg_loss(vgg, x, x), [0.0])
  assert float(losses.vgg_loss(vgg, x, -x)[0]) > 0
