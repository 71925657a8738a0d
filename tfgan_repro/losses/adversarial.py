"""Adversarial losses (official `GANLoss`: lsgan | vanilla | wgangp, plus hinge), one value per example.

A discriminator may return one map or a list of maps (multi-scale D); the losses of the
maps are averaged over positions and summed over scales (pix2pixHD `GANLoss` sums scales).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

Logits = tf.Tensor | Sequence[tf.Tensor]
GAN_MODES = ("lsgan", "vanilla", "hinge", "wgangp")


def _per_example_mean(x: tf.Tensor) -> tf.Tensor:
  return tf.reduce_mean(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1)  # [B, ...] -> [B]


def _as_list(logits: Logits) -> list[tf.Tensor]:
  return list(logits) if isinstance(logits, (list, tuple)) else [logits]


def _check_mode(mode: str) -> None:
  if mode not in GAN_MODES:
    raise ValueError(f"gan_mode must be one of {GAN_MODES}, got {mode!r}")


def _real_term(mode: str, x: tf.Tensor) -> tf.Tensor:
  """Loss of a D output that should be judged real."""
  if mode == "lsgan":  # official: MSELoss against 1.0
    return _per_example_mean(tf.square(x - 1.0))
  if mode == "vanilla":  # official: BCEWithLogitsLoss against 1.0
    return _per_example_mean(tf.nn.softplus(-x))
  return -_per_example_mean(x)  # hinge / wgangp: -D (official wgangp: -prediction.mean())


def _fake_term(mode: str, x: tf.Tensor) -> tf.Tensor:
  """Loss of a D output that should be judged fake (hinge uses its own form in `discriminator_loss`)."""
  if mode == "lsgan":
    return _per_example_mean(tf.square(x))
  if mode == "vanilla":
    return _per_example_mean(tf.nn.softplus(x))
  return _per_example_mean(x)


def generator_loss(mode: str, fake_logits: Logits) -> tf.Tensor:
  """L_G: the generator wants D(G(x)) judged real. Returns [B]."""
  _check_mode(mode)
  return tf.add_n([_real_term(mode, x) for x in _as_list(fake_logits)])


def discriminator_terms(
  mode: str, real_logits: Logits, fake_logits: Logits
) -> tuple[tf.Tensor, tf.Tensor]:
  """(L_real, L_fake), each [B] and summed over scales: the loss of D(x) judged real and of
  D(G(z)) judged fake (official GANLoss(pred, True) and GANLoss(pred, False); hinge:
  relu(1 - D(x)) and relu(1 + D(G(z)))). `discriminator_loss` is their sum."""
  _check_mode(mode)
  real, fake = _as_list(real_logits), _as_list(fake_logits)
  if len(real) != len(fake):
    raise ValueError(
      f"real and fake logits must have the same scales, got {len(real)}, {len(fake)}"
    )
  if mode == "hinge":
    real_terms = [_per_example_mean(tf.nn.relu(1.0 - x)) for x in real]
    fake_terms = [_per_example_mean(tf.nn.relu(1.0 + x)) for x in fake]
  else:
    real_terms = [_real_term(mode, x) for x in real]
    fake_terms = [_fake_term(mode, x) for x in fake]
  return tf.add_n(real_terms), tf.add_n(fake_terms)


def discriminator_loss(mode: str, real_logits: Logits, fake_logits: Logits) -> tf.Tensor:
  """L_D = loss(D(x), real) + loss(D(G(z)), fake), summed over scales. Returns [B].

  hinge is Lim & Ye 2017: relu(1 - D(x)) + relu(1 + D(G(z))); wgangp is the WGAN critic
  D(G(z)) - D(x) (add `gradient_penalty` separately). Models apply their own weights
  (CycleGAN halves it: paper Sec. 7.1, official `backward_D_basic`).
  """
  real, fake = discriminator_terms(mode, real_logits, fake_logits)
  return real + fake


def mean_probability_bce(logits: tf.Tensor, target: float) -> tf.Tensor:
  """BCE of p = the mean over positions of sigmoid(logits) against the (smoothed) label `target`
  (official FaderNetworks PatchDiscriminator: Sigmoid, mean over patches, F.binary_cross_entropy
  with labels 1 - smooth_label / smooth_label). Computed from the logits: log p =
  logsumexp(log_sigmoid(l)) - log K, log(1 - p) = logsumexp(log_sigmoid(-l)) - log K; one logit
  per example gives the sigmoid cross-entropy. Returns [B]."""
  flat = tf.reshape(tf.cast(logits, tf.float32), [tf.shape(logits)[0], -1])  # [B, K]
  log_k = tf.math.log(tf.cast(tf.shape(flat)[1], tf.float32))
  log_p = tf.reduce_logsumexp(tf.math.log_sigmoid(flat), axis=1) - log_k
  log_not_p = tf.reduce_logsumexp(tf.math.log_sigmoid(-flat), axis=1) - log_k
  return -(target * log_p + (1.0 - target) * log_not_p)
