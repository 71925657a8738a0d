"""Label smoothing of the relativistic LSGAN (losses.adversarial, real_label y in ralsgan):
D's terms against a numpy formula, G's unchanged, the modes that refuse it."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses

RNG = np.random.default_rng(7)
REAL = RNG.normal(size=(4, 3, 3, 1)).astype(np.float32)  # a patch D: 9 outputs per example
FAKE = RNG.normal(size=(4, 3, 3, 1)).astype(np.float32)


def _numpy_terms(real: np.ndarray, fake: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
  """Per example: mean over positions of (C(x_r) - E C(x_f) - y)^2 / 2 and
  (C(x_f) - E C(x_r) + y)^2 / 2, the expectations over the batch at each position."""
  d_real = (real - fake.mean(axis=0, keepdims=True) - y) ** 2 / 2
  d_fake = (fake - real.mean(axis=0, keepdims=True) + y) ** 2 / 2
  return d_real.reshape(4, -1).mean(1), d_fake.reshape(4, -1).mean(1)


@pytest.mark.parametrize("y", [1.0, 0.9, 0.7])
def test_d_terms_use_the_smoothed_target(y):
  d_real, d_fake = losses.discriminator_terms("ralsgan", REAL, FAKE, real_label=y)
  want_real, want_fake = _numpy_terms(REAL, FAKE, y)
  np.testing.assert_allclose(d_real, want_real, rtol=1e-5)
  np.testing.assert_allclose(d_fake, want_fake, rtol=1e-5)


def test_smoothing_changes_d_by_the_hand_value_and_leaves_g():
  real, fake = tf.constant([[3.0], [0.0]]), tf.constant([[1.0], [-1.0]])
  # D~(x_r) = (3, 0), D~(x_f) = (-0.5, -2.5): ((3 - .9)^2 + (-.5 + .9)^2) / 2 = 2.285,
  # ((0 - .9)^2 + (-2.5 + .9)^2) / 2 = 1.685
  np.testing.assert_allclose(
    losses.discriminator_loss("ralsgan", real, fake, real_label=0.9), [2.285, 1.685], rtol=1e-5
  )
  np.testing.assert_allclose(losses.generator_loss("ralsgan", fake, real), [9.125, 6.625])


@pytest.mark.parametrize("mode", ["lsgan", "hinge", "wgan", "rasgan", "rahinge"])
def test_modes_without_a_target_refuse_it(mode):
  with pytest.raises(ValueError, match=f"real_label applies to .*with gan_mode '{mode}'"):
    losses.discriminator_terms(mode, REAL, FAKE, real_label=0.9)
