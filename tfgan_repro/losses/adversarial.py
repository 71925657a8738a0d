"""Adversarial losses, one value per example, selected by one key `gan_mode`.

- lsgan | vanilla | wgangp: the official pytorch-CycleGAN-and-pix2pix `GANLoss` modes; hinge:
  Lim & Ye 2017 / Miyato et al. 2018. These are `GAN_MODES`, the translation families' options
  (their G losses need D(G(z)) only).
- nonsaturating: Goodfellow et al. 2014, Sec. 3: D maximises log D(x) + log(1 - D(G(z))), G
  minimises -log D(G(z)) (the same values as vanilla; the synthesis configs use the paper's name).
- minimax: the same D; G minimises log(1 - D(G(z))) (Goodfellow et al. 2014, Eq. 1).
- wgan: the WGAN critic (Arjovsky et al. 2017, Algorithm 1): L_D = D(G(z)) - D(x), L_G =
  -D(G(z)), with the weights clipped after each critic update (`losses.clip_weights`); wgangp has
  the same values, its model adds `gradient_penalty` (Gulrajani et al. 2017).
- rasgan | ralsgan | rahinge: relativistic average GANs (Jolicoeur-Martineau 2019, Sec. 4):
  D~(x_r) = C(x_r) - E_{x_f} C(x_f), D~(x_f) = C(x_f) - E_{x_r} C(x_r); G's loss is D's with real
  and fake swapped, so `generator_loss` needs the real logits too. Each loss is the sum of its
  two terms halved, as the official AlexiaJM/RelativisticGAN code (GAN_losses_iter.py).

Label smoothing (`real_label` y of `discriminator_terms`): in the cross-entropy modes D's target
for D(x); in ralsgan the target of D's least-squares terms, (D~(x_r) - y)^2 + (D~(x_f) + y)^2
(Jolicoeur-Martineau 2019, Sec. 4: y = 1; the RaLSGAN notebooks of the Kaggle "Generative Dog
Images" competition, 2019: y = 0.9). G's terms keep y = 1 (one-sided smoothing, Salimans et al.
2016, Sec. 3.4). The other modes have no target to smooth.

`ALL_GAN_MODES` lists them all. A discriminator may return one map or a list of maps
(multi-scale D): the losses of a map are averaged over positions and summed over scales
(pix2pixHD `GANLoss` sums scales).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

Logits = tf.Tensor | Sequence[tf.Tensor]
GAN_MODES = ("lsgan", "vanilla", "hinge", "wgangp")
RELATIVISTIC_MODES = ("rasgan", "ralsgan", "rahinge")
ALL_GAN_MODES = GAN_MODES + ("nonsaturating", "minimax", "wgan") + RELATIVISTIC_MODES
# Modes whose D is the sigmoid cross-entropy.
_CROSS_ENTROPY_MODES = ("vanilla", "nonsaturating", "minimax")
# Modes with a target for D(x) that one-sided label smoothing can lower (see the module docstring).
SMOOTHABLE_MODES = _CROSS_ENTROPY_MODES + ("ralsgan",)


def _per_example_mean(x: tf.Tensor) -> tf.Tensor:
  return tf.reduce_mean(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1)  # [B, ...] -> [B]


def _as_list(logits: Logits) -> list[tf.Tensor]:
  return list(logits) if isinstance(logits, (list, tuple)) else [logits]


def _check_mode(mode: str) -> None:
  if mode not in ALL_GAN_MODES:
    raise ValueError(f"gan_mode must be one of {ALL_GAN_MODES}, got {mode!r}")


def _pair(real_logits: Logits, fake_logits: Logits) -> tuple[list[tf.Tensor], list[tf.Tensor]]:
  real, fake = _as_list(real_logits), _as_list(fake_logits)
  if len(real) != len(fake):
    raise ValueError(
      f"real and fake logits must have the same scales, got {len(real)}, {len(fake)}"
    )
  return real, fake


def _batch_mean(x: tf.Tensor) -> tf.Tensor:
  """E_x C(x) at each position: the mean over the batch, over the GLOBAL batch under a strategy
  (an all-reduce of the replicas' means, so 2 replicas == 1 device for equal replica batches).
  [B, ...] -> [1, ...]."""
  mean = tf.reduce_mean(x, axis=0, keepdims=True)
  context = tf.distribute.get_replica_context()
  if context is not None and context.num_replicas_in_sync > 1:
    mean = context.all_reduce(tf.distribute.ReduceOp.MEAN, mean)
  return mean


def _real_term(mode: str, x: tf.Tensor, real_label: float = 1.0) -> tf.Tensor:
  """Loss of a D output that should be judged real (label `real_label` for cross-entropy)."""
  if mode == "lsgan":  # official: MSELoss against 1.0
    return _per_example_mean(tf.square(x - 1.0))
  if mode in _CROSS_ENTROPY_MODES:  # official vanilla: BCEWithLogitsLoss against 1.0
    if real_label == 1.0:
      return _per_example_mean(tf.nn.softplus(-x))
    # BCE against t: -t log sigmoid(x) - (1 - t) log(1 - sigmoid(x))
    return _per_example_mean(
      real_label * tf.nn.softplus(-x) + (1.0 - real_label) * tf.nn.softplus(x)
    )
  return -_per_example_mean(x)  # hinge / wgan(gp): -D (official wgangp: -prediction.mean())


def _fake_term(mode: str, x: tf.Tensor) -> tf.Tensor:
  """Loss of a D output that should be judged fake (hinge: see `discriminator_terms`)."""
  if mode == "lsgan":
    return _per_example_mean(tf.square(x))
  if mode in _CROSS_ENTROPY_MODES:
    return _per_example_mean(tf.nn.softplus(x))
  return _per_example_mean(x)


def _relativistic_terms(
  mode: str, real: tf.Tensor, fake: tf.Tensor, target: float = 1.0
) -> tuple[tf.Tensor, tf.Tensor]:
  """D's (real, fake) terms, each halved (official): x_r should be judged more real than the
  average fake, x_f less real than the average real; `target` is ralsgan's y (1: the paper)."""
  d_real = real - _batch_mean(fake)  # D~(x_r) before the sigmoid
  d_fake = fake - _batch_mean(real)  # D~(x_f)
  if mode == "rasgan":  # -log sigmoid(D~(x_r)) - log(1 - sigmoid(D~(x_f)))
    real_term, fake_term = tf.nn.softplus(-d_real), tf.nn.softplus(d_fake)
  elif mode == "ralsgan":  # (D~(x_r) - y)^2 + (D~(x_f) + y)^2
    real_term, fake_term = tf.square(d_real - target), tf.square(d_fake + target)
  else:  # rahinge: relu(1 - D~(x_r)) + relu(1 + D~(x_f))
    real_term, fake_term = tf.nn.relu(1.0 - d_real), tf.nn.relu(1.0 + d_fake)
  return 0.5 * _per_example_mean(real_term), 0.5 * _per_example_mean(fake_term)


def generator_loss(mode: str, fake_logits: Logits, real_logits: Logits | None = None) -> tf.Tensor:
  """L_G: the generator wants D(G(z)) judged real. Returns [B].

  `real_logits` D(x) is needed by the relativistic modes only (Jolicoeur-Martineau 2019, Sec. 4:
  G's loss is D's with x_r and x_f swapped); the other modes ignore it. minimax is
  log(1 - D(G(z))) = -softplus(D(G(z))) (saturates when D rejects the fakes).
  """
  _check_mode(mode)
  if mode in RELATIVISTIC_MODES:
    if real_logits is None:
      raise ValueError(f"gan_mode {mode!r} needs real_logits for the generator loss, got None")
    real, fake = _pair(real_logits, fake_logits)
    # Swapping real and fake in D's terms: (fake judged real) + (real judged fake).
    return tf.add_n([sum(_relativistic_terms(mode, f, r)) for r, f in zip(real, fake, strict=True)])
  if mode == "minimax":
    return tf.add_n([-_per_example_mean(tf.nn.softplus(x)) for x in _as_list(fake_logits)])
  return tf.add_n([_real_term(mode, x) for x in _as_list(fake_logits)])


def discriminator_terms(
  mode: str, real_logits: Logits, fake_logits: Logits, *, real_label: float = 1.0
) -> tuple[tf.Tensor, tf.Tensor]:
  """(L_real, L_fake), each [B] and summed over scales: the loss of D(x) judged real and of
  D(G(z)) judged fake (official GANLoss(pred, True) and GANLoss(pred, False); hinge:
  relu(1 - D(x)) and relu(1 + D(G(z))); relativistic: the two halved terms of Sec. 4).
  `discriminator_loss` is their sum.

  real_label: the target of D(x) in the cross-entropy modes (vanilla, nonsaturating, minimax)
  and y of ralsgan's D terms (SMOOTHABLE_MODES); 0.9 is one-sided label smoothing (Salimans et
  al. 2016, Sec. 3.4); 1.0 (no smoothing) is the official GANLoss default (target_real_label=1.0)
  and the paper's ralsgan.
  """
  _check_mode(mode)
  if real_label != 1.0 and mode not in SMOOTHABLE_MODES:
    raise ValueError(
      f"real_label applies to the modes {SMOOTHABLE_MODES}, got real_label={real_label!r} "
      f"with gan_mode {mode!r}"
    )
  if not 0.0 <= real_label <= 1.0:
    raise ValueError(f"real_label must be in [0, 1], got {real_label!r}")
  real, fake = _pair(real_logits, fake_logits)
  if mode in RELATIVISTIC_MODES:
    real_terms, fake_terms = zip(
      *[_relativistic_terms(mode, r, f, real_label) for r, f in zip(real, fake, strict=True)],
      strict=True,
    )
  elif mode == "hinge":
    real_terms = [_per_example_mean(tf.nn.relu(1.0 - x)) for x in real]
    fake_terms = [_per_example_mean(tf.nn.relu(1.0 + x)) for x in fake]
  else:
    real_terms = [_real_term(mode, x, real_label) for x in real]
    fake_terms = [_fake_term(mode, x) for x in fake]
  return tf.add_n(list(real_terms)), tf.add_n(list(fake_terms))


def discriminator_loss(
  mode: str, real_logits: Logits, fake_logits: Logits, *, real_label: float = 1.0
) -> tf.Tensor:
  """L_D = loss(D(x), real) + loss(D(G(z)), fake), summed over scales. Returns [B].

  hinge is Lim & Ye 2017: relu(1 - D(x)) + relu(1 + D(G(z))); wgan / wgangp is the WGAN critic
  D(G(z)) - D(x) (add `gradient_penalty` separately, or clip with `clip_weights`). Models apply
  their own weights (CycleGAN halves it: paper Sec. 7.1, official `backward_D_basic`).
  real_label: see `discriminator_terms`.
  """
  real, fake = discriminator_terms(mode, real_logits, fake_logits, real_label=real_label)
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
