"""Instance noise on D's inputs (losses.add_instance_noise): Gaussian and uniform of the same std,
measured on a batch of zeros."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses

ZEROS = tf.zeros([64, 16, 16, 3])  # 49,152 draws
SEED = tf.constant([3, 4], tf.int64)


def test_uniform_noise_is_centred_bounded_and_of_the_std():
  got = losses.add_instance_noise(ZEROS, 0.2, SEED, "uniform").numpy()
  half = 0.2 * np.sqrt(3.0)  # U(-a, a) of std 0.2
  assert -half <= got.min() < -0.99 * half and 0.99 * half < got.max() <= half
  np.testing.assert_allclose(got.mean(), 0.0, atol=0.003)  # std error 0.2 / sqrt(49152) = 0.0009
  np.testing.assert_allclose(got.std(), 0.2, rtol=0.01)
  # flat histogram: each tenth of [-a, a] holds a tenth of the draws (+- 5 standard errors)
  counts, _ = np.histogram(got, bins=10, range=(-half, half))
  np.testing.assert_allclose(counts / got.size, 0.1, atol=0.007)


def test_gaussian_noise_keeps_its_draws_and_std():
  got = losses.add_instance_noise(ZEROS, 0.2, SEED).numpy()
  np.testing.assert_allclose(got, 0.2 * tf.random.stateless_normal(ZEROS.shape, SEED), rtol=1e-6)
  np.testing.assert_allclose(got.std(), 0.2, rtol=0.01)
  assert np.abs(got).max() > 0.2 * np.sqrt(3.0)  # tails past the uniform's bound


def test_unknown_distribution_names_the_value():
  with pytest.raises(ValueError, match="dist must be one of .* got 'laplace'"):
    losses.add_instance_noise(ZEROS, 0.2, SEED, "laplace")
