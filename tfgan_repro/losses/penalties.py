"""Discriminator penalties, one value per example."""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf


def gradient_penalty(
  critic: Callable[[tf.Tensor], tf.Tensor | list],
  real: tf.Tensor,
  fake: tf.Tensor,
  alpha: tf.Tensor,
  target: float = 1.0,
) -> tf.Tensor:
  """WGAN-GP (Gulrajani et al. 2017, eq. 3): (||grad_x_hat D(x_hat)||_2 - target)^2, x_hat = a*real + (1-a)*fake.

  `alpha` is [B, 1, 1, 1] uniform in [0, 1] (drawn by the caller, so replicas can fold in their id).
  Multi-scale critics sum their outputs first. Returns [B]; the caller multiplies by lambda_gp
  (official `cal_gradient_penalty`: lambda_gp 10).
  """
  x_hat = alpha * real + (1.0 - alpha) * fake
  with tf.GradientTape() as tape:
    tape.watch(x_hat)
    out = critic(x_hat)
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = tf.add_n([tf.reduce_sum(o) for o in outs])
  grad = tape.gradient(total, x_hat)
  norm = tf.sqrt(
    tf.reduce_sum(tf.square(tf.reshape(grad, [tf.shape(grad)[0], -1])), axis=1) + 1e-16
  )
  return tf.square(norm - target)
