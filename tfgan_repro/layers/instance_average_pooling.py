"""Instance-wise average pooling of pix2pixHD's feature encoder (official Encoder.forward)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class InstanceAveragePooling(keras.layers.Layer):
  """[features (N, H, W, C), ids (N, H, W, 1)] -> (N, H, W, C): every pixel gets the mean of its
  instance's features in its own image (paper Sec. 3.4: E's output average-pooled per instance).

  Gradients flow to every pixel of the instance (official: torch.mean over its pixels). The
  layer's dtype defaults to float32, so ids keep their float32 bits and means are float32 under
  a mixed policy (bfloat16 / float16 round neighbouring ids to one value).
  """

  def __init__(self, **kwargs: Any):
    kwargs.setdefault("dtype", "float32")  # see the class docstring
    super().__init__(**kwargs)

  def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
    features, ids = inputs
    shape = tf.shape(features)
    # One int64 key per (image, id): the id's float32 bits in the low 32 bits (exact for any id).
    bits = tf.cast(tf.bitcast(tf.cast(ids, tf.float32), tf.uint32), tf.int64)  # (N, H, W, 1)
    batch = tf.reshape(tf.range(shape[0], dtype=tf.int64), [-1, 1, 1, 1])
    keys = tf.reshape(bits + batch * 2**32, [-1])  # (N*H*W,)
    _, segment = tf.unique(keys)
    flat = tf.reshape(features, [-1, shape[3]])  # (N*H*W, C)
    # num_segments: the pixel count, a static bound XLA needs (unused segments stay empty); the
    # number of instances, max(segment) + 1, is known only at run time.
    means = tf.math.unsorted_segment_mean(flat, segment, tf.size(keys))
    return tf.reshape(tf.gather(means, segment), shape)

  def compute_output_shape(self, input_shape: list[tuple[int | None, ...]]) -> tuple:
    return tuple(input_shape[0])
