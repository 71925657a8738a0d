import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses


def _logits(*values):
  return tf.constant(np.array(values, np.float32).reshape(len(values), 1, 1, 1))


def test_lsgan_generator_and_discriminator_values():
  fake = _logits(0.0, 0.5)
  real = _logits(1.0, 0.0)
  np.testing.assert_allclose(losses.generator_loss("lsgan", fake), [1.0, 0.25])
  # (D(x) - 1)^2 + D(G(z))^2
  np.testing.assert_allclose(losses.discriminator_loss("lsgan", real, fake), [0.0, 1.25])


def test_vanilla_is_softplus_cross_entropy():
  fake = _logits(0.0, 2.0)
  np.testing.assert_allclose(
    losses.generator_loss("vanilla", fake), np.log1p(np.exp(-np.array([0.0, 2.0]))), rtol=1e-6
  )
  d = losses.discriminator_loss("vanilla", _logits(0.0, 0.0), _logits(0.0, 0.0))
  np.testing.assert_allclose(d, [2 * np.log(2.0)] * 2, rtol=1e-6)


def test_hinge_and_wgangp_values():
  real, fake = _logits(0.5, 2.0), _logits(-2.0, 0.5)
  np.testing.assert_allclose(losses.discriminator_loss("hinge", real, fake), [0.5, 1.5])
  np.testing.assert_allclose(losses.discriminator_loss("wgangp", real, fake), [-2.5, -1.5])
  np.testing.assert_allclose(losses.generator_loss("hinge", fake), [2.0, -0.5])


def test_losses_are_per_example_and_average_over_patches():
  fake = tf.constant([[[[1.0], [0.0]], [[0.0], [1.0]]]])  # [1, 2, 2, 1]
  np.testing.assert_allclose(losses.generator_loss("lsgan", fake), [0.5])


def test_multiscale_outputs_sum_over_scales():
  scales = [_logits(0.0), tf.zeros([1, 2, 2, 1])]
  np.testing.assert_allclose(losses.generator_loss("lsgan", scales), [2.0])


def test_unknown_mode_raises_with_valid_modes():
  with pytest.raises(ValueError, match="lsgan"):
    losses.generator_loss("wasserstein", _logits(0.0))


def test_l1_loss_per_example():
  x = tf.zeros([2, 2, 2, 1])
  y = tf.constant(np.stack([np.full([2, 2, 1], 0.5), np.full([2, 2, 1], -2.0)]), tf.float32)
  np.testing.assert_allclose(losses.l1_loss(x, y), [0.5, 2.0])


def test_gradient_penalty_on_linear_critic():
  # D(x) = sum(w * x): grad = w everywhere, so the penalty is (||w|| - 1)^2 for any x_hat.
  w = tf.constant(np.full([1, 2, 2, 1], 0.25, np.float32))  # ||w|| = 0.5
  real, fake = tf.ones([3, 2, 2, 1]), tf.zeros([3, 2, 2, 1])
  alpha = tf.constant([0.1, 0.5, 0.9], shape=[3, 1, 1, 1])
  gp = losses.gradient_penalty(lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3]), real, fake, alpha)
  np.testing.assert_allclose(gp, [0.25] * 3, rtol=1e-5)


def test_discriminator_terms_split_the_loss_into_real_and_fake():
  real, fake = _logits(0.5, 2.0), _logits(-2.0, 0.5)
  d_real, d_fake = losses.discriminator_terms("vanilla", real, fake)
  np.testing.assert_allclose(d_real, np.log1p(np.exp(-np.array([0.5, 2.0]))), rtol=1e-6)
  np.testing.assert_allclose(d_fake, np.log1p(np.exp(np.array([-2.0, 0.5]))), rtol=1e-6)
  h_real, h_fake = losses.discriminator_terms("hinge", real, fake)
  np.testing.assert_allclose(h_real, [0.5, 0.0])
  np.testing.assert_allclose(h_fake, [0.0, 1.5])
  with pytest.raises(ValueError, match="same scales, got 2, 1"):
    losses.discriminator_terms("lsgan", [real, real], [fake])


# One example, two patch positions: D(x) = (2, -1), D(G(z)) = (0.5, -3). Values by hand:
# lsgan   G: ((0.5-1)^2 + (-3-1)^2) / 2 = 8.125; D: ((2-1)^2 + (-1-1)^2) / 2 + (0.25 + 9) / 2 = 7.125
# vanilla G: (softplus(-0.5) + softplus(3)) / 2 = (0.474077 + 3.048587) / 2
#         D: (softplus(-2) + softplus(1)) / 2 + (softplus(0.5) + softplus(-3)) / 2
#            = (0.126928 + 1.313262) / 2 + (0.974077 + 0.048587) / 2
# hinge   G: -(0.5 - 3) / 2 = 1.25; D: (relu(-1) + relu(2)) / 2 + (relu(1.5) + relu(-2)) / 2 = 1.75
# wgangp  G: 1.25; D: mean D(G(z)) - mean D(x) = -1.25 - 0.5 = -1.75
@pytest.mark.parametrize(
  "mode, g, d",
  [
    ("lsgan", 8.125, 7.125),
    ("vanilla", 1.761332, 1.231427),
    ("hinge", 1.25, 1.75),
    ("wgangp", 1.25, -1.75),
  ],
)
def test_each_gan_mode_on_known_patch_logits(mode, g, d):
  real = tf.constant([[[[2.0], [-1.0]]]])  # [1, 1, 2, 1]
  fake = tf.constant([[[[0.5], [-3.0]]]])
  np.testing.assert_allclose(losses.generator_loss(mode, fake), [g], rtol=1e-6)
  np.testing.assert_allclose(losses.discriminator_loss(mode, real, fake), [d], rtol=1e-6)


def test_gan_modes_are_the_readme_options():
  assert losses.GAN_MODES == ("lsgan", "vanilla", "hinge", "wgangp")
