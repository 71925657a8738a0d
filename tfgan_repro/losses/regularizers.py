"""Regularisers of the synthesis GANs: R1 / R2 (per example), orthogonal regularisation (a scalar),
WGAN weight clipping and instance noise.

TTUR (Heusel et al. 2017) needs no code here: it is the players' optimizer settings, a separate
learning rate for G and D (`tfgan_repro.models.contract.Optimizer`, one per `Player`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf

# Instance noise on D's inputs: "gaussian" (Sønderby et al. 2017) or "uniform", the
# uniform noise the "Generative Dog Images" Kaggle notebooks (2019) added to D's inputs. Their
# U(0, s) dequantisation shifts every input by s / 2; here it is centred, U(-a, a), with a set so
# that its std is the Gaussian's: instance_noise_std and its decay mean the same under both.
INSTANCE_NOISE_DISTS = ("gaussian", "uniform")
_UNIFORM_HALF_WIDTH = float(np.sqrt(3.0))  # U(-a, a) has std a / sqrt(3): a = sqrt(3) gives 1


def _squared_gradient_norm(
  critic: Callable[[tf.Tensor], tf.Tensor | list], x: tf.Tensor
) -> tf.Tensor:
  """||grad_x D(x)||^2 per example (multi-scale critics sum their outputs first). Differentiable
  (double backprop), so D's optimizer sees the penalty's gradient. [B, H, W, C] -> [B]."""
  with tf.GradientTape() as tape:
    tape.watch(x)
    out = critic(x)
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in outs])
  grad = tf.cast(tape.gradient(total, x), tf.float32)
  flat = tf.reshape(grad, [tf.shape(grad)[0], -1])  # [B, H, W, C] -> [B, HWC]
  return tf.reduce_sum(tf.square(flat), axis=1)


def r1_penalty(
  critic: Callable[[tf.Tensor], tf.Tensor | list],
  real: tf.Tensor,
  gamma: float = 10.0,  # official LMescheder/GAN_stability configs/default.yaml reg_param 10
) -> tf.Tensor:
  """R1 (Mescheder et al. 2018, Eq. 9): gamma / 2 * ||grad_x D(x)||^2 on real x. Returns [B]."""
  return 0.5 * gamma * _squared_gradient_norm(critic, real)


def r2_penalty(
  critic: Callable[[tf.Tensor], tf.Tensor | list],
  fake: tf.Tensor,
  gamma: float = 10.0,  # as r1_penalty (official GAN_stability reg_param 10)
) -> tf.Tensor:
  """R2 (Mescheder et al. 2018, Eq. 10): gamma / 2 * ||grad_x D(x)||^2 on generated x. [B]."""
  return 0.5 * gamma * _squared_gradient_norm(critic, fake)


def orthogonal_regularization(
  variables: Sequence[tf.Variable],
  beta: float = 1e-4,  # Brock et al. 2019, Sec. 3.1: "beta = 10^-4 is sufficient"
) -> tf.Tensor:
  """BigGAN's orthogonal regularisation (Brock et al. 2019, Sec. 3.1, Eq. 3):
  R_beta(W) = beta * ||W W^T ⊙ (1 - I)||_F^2 summed over the weights, W reshaped to
  [out, -1] (rows: output units, the last axis of a Keras Dense / Conv2D kernel). Weights of
  rank < 2 (biases, norm scales) are skipped, as the official BigGAN-PyTorch `ortho`.
  Returns a scalar (a regulariser of the weights, not of examples).

  The official `ortho` adds 2 beta (W W^T ⊙ (1 - I)) W to the gradient: the gradient of
  beta / 2 * ||.||_F^2, so beta here = half the official `--G_ortho`.
  """
  total = tf.constant(0.0, tf.float32)
  for variable in variables:
    w = tf.convert_to_tensor(variable)
    if w.shape.rank is None or w.shape.rank < 2:
      continue
    w = tf.cast(w, tf.float32)
    last_first = [w.shape.rank - 1, *range(w.shape.rank - 1)]
    rows = tf.reshape(tf.transpose(w, last_first), [w.shape[-1], -1])  # [..., out] -> [out, fan_in]
    gram = tf.matmul(rows, rows, transpose_b=True)  # [out, out]
    off_diagonal = gram * (1.0 - tf.eye(w.shape[-1], dtype=tf.float32))
    total += tf.reduce_sum(tf.square(off_diagonal))
  return beta * total


def clip_weights(variables: Sequence[tf.Variable], c: float = 0.01) -> list[tf.Tensor]:
  """WGAN weight clipping (Arjovsky et al. 2017, Algorithm 1, c = 0.01): w <- clip(w, -c, c) for
  every critic weight, after each critic update. Assigns and returns the clipped values; call it
  where the optimizer applies (eagerly or in cross-replica context), not inside a loss."""
  if c <= 0:
    raise ValueError(f"c must be > 0, got {c!r}")
  clipped = []
  for variable in variables:
    value = tf.clip_by_value(tf.convert_to_tensor(variable), -c, c)
    variable.assign(value)
    clipped.append(value)
  return clipped


def instance_noise_std(step: tf.Tensor, initial_std: float, decay_steps: int) -> tf.Tensor:
  """The std of instance noise at `step` (Sønderby et al. 2017, annealed linearly to zero):
  initial_std * max(1 - step / decay_steps, 0). Returns a float32 scalar."""
  if initial_std < 0 or decay_steps < 1:
    raise ValueError(
      f"need initial_std >= 0 and decay_steps >= 1, got initial_std={initial_std!r}, "
      f"decay_steps={decay_steps!r}"
    )
  frac = 1.0 - tf.cast(step, tf.float32) / float(decay_steps)
  return initial_std * tf.maximum(frac, 0.0)


def add_instance_noise(
  images: tf.Tensor, std: tf.Tensor | float, seed: tf.Tensor, dist: str = "gaussian"
) -> tf.Tensor:
  """x + std * e, e of zero mean and unit variance per pixel: N(0, I) for dist "gaussian"
  (Sønderby et al. 2017), U(-sqrt(3), sqrt(3)) for dist "uniform" (INSTANCE_NOISE_DISTS). The
  same noise process on D's real and fake inputs, drawn independently: pass each its own
  stateless `seed`."""
  if dist not in INSTANCE_NOISE_DISTS:
    raise ValueError(f"dist must be one of {INSTANCE_NOISE_DISTS}, got {dist!r}")
  if dist == "gaussian":
    noise = tf.random.stateless_normal(tf.shape(images), seed, dtype=images.dtype)
  else:
    half = _UNIFORM_HALF_WIDTH
    noise = tf.random.stateless_uniform(tf.shape(images), seed, -half, half, dtype=images.dtype)
  return images + tf.cast(std, images.dtype) * noise
