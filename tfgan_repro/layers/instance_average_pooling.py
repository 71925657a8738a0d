"""Instance-wise average pooling of pix2pixHD's feature encoder (official Encoder.forward)."""

from __future__ import annotations

import keras
import tensorflow as tf

# Ids are compared as float64 after adding batch_index * this: exact for |id| < 2^32.
_BATCH_OFFSET = 2.0**33


@keras.saving.register_keras_serializable(package="tfgan_repro")
class InstanceAveragePooling(keras.layers.Layer):
  """[features (N, H, W, C), ids (N, H, W, 1)] -> (N, H, W, C): every pixel gets the mean of its
  instance's features in its own image (paper Sec. 3.4: E's output average-pooled per instance).

  Gradients flow to every pixel of the instance (official: torch.mean over its pixels).
  """

  def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
    features, ids = inputs
    shape = tf.shape(features)
    batch = tf.reshape(tf.range(shape[0], dtype=tf.float64), [-1, 1, 1, 1])
    keys = tf.reshape(tf.cast(ids, tf.float64) + batch * _BATCH_OFFSET, [-1])  # (N*H*W,)
    _, segment = tf.unique(keys)
    flat = tf.reshape(features, [-1, shape[3]])  # (N*H*W, C)
    means = tf.math.unsorted_segment_mean(flat, segment, tf.reduce_max(segment) + 1)
    return tf.reshape(tf.gather(means, segment), shape)

  def compute_output_shape(self, input_shape: list[tuple[int | None, ...]]) -> tuple:
    return tuple(input_shape[0])
