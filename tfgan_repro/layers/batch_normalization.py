"""Batch normalization (Ioffe & Szegedy 2015) with PyTorch's running statistics (`nn.BatchNorm2d`)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class BatchNormalization(keras.layers.BatchNormalization):
  """keras.layers.BatchNormalization whose training calls move the running variance as PyTorch.

  A training call normalizes by the batch's biased variance v (as both frameworks) and moves
      moving_variance <- momentum * moving_variance + (1 - momentum) * v * n / (n - 1),
  n the values per channel (batch x height x width): torch.nn.BatchNorm2d's unbiased update
  (torch/nn/functional.py batch_norm; Keras moves it by v, docs/pitfalls.md). When
  `synchronized`, v and n are those of the global batch over all replicas, as
  torch.nn.SyncBatchNorm. The moving mean, inference calls (the affine map of the running
  statistics: SavedModel, TFLite) and the weights and their names are Keras'. n = 1 (PyTorch
  refuses it: "Expected more than 1 value per channel") adds v = 0. Masked and renorm calls,
  which have no PyTorch counterpart, are Keras' own.
  """

  def call(self, inputs: tf.Tensor, training: bool | None = None, mask: Any = None) -> tf.Tensor:
    if not (training and self.trainable) or mask is not None or self.renorm:
      return super().call(inputs, training=training, mask=mask)
    dtype = tf.float64 if inputs.dtype == tf.float64 else tf.float32  # as Keras: float32 at least
    x = tf.cast(inputs, dtype)
    mean, variance = self._moments(x, None)  # [C] each; the global batch's when synchronized
    shape = tf.shape(x, out_type=tf.int64)
    count = tf.cast(tf.reduce_prod(tf.gather(shape, self._reduction_axes)), dtype)  # n here
    context = tf.distribute.get_replica_context()
    if self.synchronized and context is not None:  # as Keras' synchronized moments
      count = context.all_reduce(tf.distribute.ReduceOp.SUM, count)
    unbiased = variance * count / tf.maximum(count - 1.0, 1.0)
    momentum = self.momentum
    moving_mean = tf.cast(self.moving_mean, dtype)
    moving_variance = tf.cast(self.moving_variance, dtype)
    self.moving_mean.assign(moving_mean * momentum + mean * (1.0 - momentum))
    self.moving_variance.assign(moving_variance * momentum + unbiased * (1.0 - momentum))
    outputs = keras.ops.batch_normalization(
      x,
      mean,
      variance,
      axis=self.axis,
      offset=None if self.beta is None else tf.cast(self.beta, dtype),
      scale=None if self.gamma is None else tf.cast(self.gamma, dtype),
      epsilon=self.epsilon,
    )
    return tf.cast(outputs, self.compute_dtype)
