"""The synthesis modes of `gan_mode`: values by hand on one logit per example.

D(x) = (3, 0), D(G(z)) = (1, -1): E C(x_r) = 1.5, E C(x_f) = 0, so the relativistic logits are
D~(x_r) = (3, 0) and D~(x_f) = (-0.5, -2.5). softplus(t) = log(1 + e^t):
softplus(-3) = 0.048587, softplus(-2.5) = 0.078889, softplus(-1) = 0.313262,
softplus(-0.5) = 0.474077, softplus(0) = 0.693147, softplus(0.5) = 0.974077,
softplus(1) = 1.313262, softplus(2.5) = 2.578889, softplus(3) = 3.048587.
"""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses

REAL = tf.constant([3.0, 0.0], shape=[2, 1])
FAKE = tf.constant([1.0, -1.0], shape=[2, 1])


@pytest.mark.parametrize(
  "mode, g, d",
  [
    # G: softplus(-D(G(z))); D: softplus(-D(x)) + softplus(D(G(z)))
    ("nonsaturating", [0.313262, 1.313262], [0.048587 + 1.313262, 0.693147 + 0.313262]),
    # G: log(1 - sigmoid(D(G(z)))) = -softplus(D(G(z)))
    ("minimax", [-1.313262, -0.313262], [0.048587 + 1.313262, 0.693147 + 0.313262]),
    # G: -D(G(z)); D: D(G(z)) - D(x)
    ("wgan", [-1.0, 1.0], [-2.0, -1.0]),
    # D: (softplus(-3) + softplus(-0.5)) / 2, (softplus(0) + softplus(-2.5)) / 2
    # G: (softplus(0.5) + softplus(3)) / 2, (softplus(2.5) + softplus(0)) / 2
    ("rasgan", [2.011332, 1.636018], [0.261332, 0.386018]),
    # D: ((3 - 1)^2 + (-0.5 + 1)^2) / 2, ((0 - 1)^2 + (-2.5 + 1)^2) / 2
    # G: ((-0.5 - 1)^2 + (3 + 1)^2) / 2, ((-2.5 - 1)^2 + (0 + 1)^2) / 2
    ("ralsgan", [9.125, 6.625], [2.125, 1.625]),
    # D: (relu(1 - 3) + relu(1 - 0.5)) / 2, (relu(1 - 0) + relu(1 - 2.5)) / 2
    # G: (relu(1 + 0.5) + relu(1 + 3)) / 2, (relu(1 + 2.5) + relu(1 + 0)) / 2
    ("rahinge", [2.75, 2.25], [0.25, 0.5]),
  ],
)
def test_synthesis_modes_on_known_logits(mode, g, d):
  np.testing.assert_allclose(losses.generator_loss(mode, FAKE, REAL), g, rtol=1e-5)
  np.testing.assert_allclose(losses.discriminator_loss(mode, REAL, FAKE), d, rtol=1e-5)


def test_relativistic_terms_split_the_discriminator_loss():
  d_real, d_fake = losses.discriminator_terms("rahinge", REAL, FAKE)
  np.testing.assert_allclose(d_real, [0.0, 0.5])
  np.testing.assert_allclose(d_fake, [0.25, 0.0])


def test_relativistic_generator_loss_needs_real_logits():
  with pytest.raises(ValueError, match="needs real_logits"):
    losses.generator_loss("rasgan", FAKE)


def test_nonsaturating_equals_vanilla_and_ignores_real_logits():
  np.testing.assert_allclose(
    losses.generator_loss("nonsaturating", FAKE, REAL), losses.generator_loss("vanilla", FAKE)
  )


def test_one_sided_label_smoothing_on_real_logits():
  # 0.9 softplus(-x) + 0.1 softplus(x) = softplus(-x) + 0.1 x (softplus(x) - softplus(-x) = x):
  # real terms softplus(-3) + 0.3 = 0.348587, softplus(0) = 0.693147; the fake terms unchanged.
  for mode in ("nonsaturating", "vanilla", "minimax"):
    d_real, d_fake = losses.discriminator_terms(mode, REAL, FAKE, real_label=0.9)
    np.testing.assert_allclose(d_real, [0.348587, 0.693147], rtol=1e-5)
    np.testing.assert_allclose(d_fake, [1.313262, 0.313262], rtol=1e-5)
  with pytest.raises(ValueError, match="real_label applies to"):
    losses.discriminator_loss("hinge", REAL, FAKE, real_label=0.9)


def test_multiscale_relativistic_sums_scales():
  d = losses.discriminator_loss("rahinge", [REAL, REAL], [FAKE, FAKE])
  np.testing.assert_allclose(d, [0.5, 1.0])


def test_relativistic_average_is_over_the_global_batch(two_replicas):
  # Replica 0 sees example 0, replica 1 example 1: the averages must still be 1.5 and 0.
  def per_replica(values):
    def fn(ctx):
      return values[ctx.replica_id_in_sync_group : ctx.replica_id_in_sync_group + 1]

    return two_replicas.experimental_distribute_values_from_function(fn)

  real, fake = per_replica(REAL), per_replica(FAKE)

  @tf.function
  def step(r, f):
    return two_replicas.run(
      lambda r, f: (
        losses.discriminator_loss("ralsgan", r, f),
        losses.generator_loss("ralsgan", f, r),
      ),
      args=(r, f),
    )

  d, g = step(real, fake)
  d = tf.concat(two_replicas.experimental_local_results(d), 0)
  g = tf.concat(two_replicas.experimental_local_results(g), 0)
  np.testing.assert_allclose(d, [2.125, 1.625], rtol=1e-6)
  np.testing.assert_allclose(g, [9.125, 6.625], rtol=1e-6)


def test_all_modes_extend_the_translation_modes():
  assert losses.ALL_GAN_MODES[:4] == losses.GAN_MODES
  assert set(losses.RELATIVISTIC_MODES) <= set(losses.ALL_GAN_MODES)
  with pytest.raises(ValueError, match="rahinge"):
    losses.discriminator_loss("ragan", REAL, FAKE)
