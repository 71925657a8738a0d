"""Reconstruction losses, one value per example."""

from __future__ import annotations

import tensorflow as tf


def l1_loss(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
  """Mean absolute error per example (official `torch.nn.L1Loss` averaged per image). Returns [B]."""
  diff = tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32))
  return tf.reduce_mean(tf.reshape(diff, [tf.shape(diff)[0], -1]), axis=1)  # [B, H*W*C] -> [B]


def mse_loss(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
  """Mean squared error per example (official FaderNetworks `((x - dec) ** 2).mean()` per
  image). Returns [B]."""
  diff = tf.square(tf.cast(x, tf.float32) - tf.cast(y, tf.float32))
  return tf.reduce_mean(tf.reshape(diff, [tf.shape(diff)[0], -1]), axis=1)  # [B, H*W*C] -> [B]
