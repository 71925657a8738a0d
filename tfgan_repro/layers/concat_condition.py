"""ConcatCondition: a per-example vector broadcast over a feature map and concatenated to it."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ConcatCondition(keras.layers.Layer):
  """[x [N, H, W, C], c [N, K]] -> [N, H, W, C + K]: c repeated at every pixel after x's channels
  (official FaderNetworks decode: `torch.cat([x, y.expand(bs, n_attr, size, size)], 1)`).

  The broadcast is a product with ones (elementwise ops only, any H and W, TFLite-friendly).
  """

  def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
    x, condition = inputs
    ones = tf.ones_like(x[..., :1])  # [N, H, W, 1]
    tiled = ones * tf.cast(condition[:, None, None, :], x.dtype)  # [N, H, W, K]
    return tf.concat([x, tiled], axis=-1)

  def compute_output_shape(self, input_shape: list[tuple[int | None, ...]]) -> tuple:
    x_shape, c_shape = input_shape
    return (*x_shape[:3], x_shape[3] + c_shape[-1])
