"""Minibatch standard deviation of Progressive GAN (Karras et al. 2018, Sec. 3), generalised to
several statistics as StyleGAN2's `minibatch_stddev_layer` (Karras et al. 2020).

Code names -> paper -> official: `group_size` = the minibatch group (official `group_size`, 4);
`num_channels` = the number of appended feature maps (official `num_new_features`, 1). The
group of sample n is {n mod M + g M : g < G} with G = min(group_size, N), M = N / G (the
official reshape to [G, M, ...]).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class MinibatchStddev(keras.layers.Layer):
  """[N, H, W, C] -> [N, H, W, C + num_channels].

  Per group of G = min(group_size, N) samples: the standard deviation over the group of every
  feature (sqrt(variance + 1e-8)), averaged over H, W and the C / num_channels channels of each
  of the num_channels channel groups, appended as constant maps to every sample of the group.
  N must be divisible by G; the batch size may be dynamic. Computed in float32 (as official).
  """

  def __init__(
    self,
    group_size: int = 4,  # PGGAN config.py D: mbstd_group_size=4
    num_channels: int = 1,  # PGGAN networks.py minibatch_stddev_layer(num_new_features=1)
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    if int(group_size) < 1:
      raise ValueError(f"MinibatchStddev needs group_size >= 1, got group_size={group_size!r}")
    if int(num_channels) < 1:
      raise ValueError(
        f"MinibatchStddev needs num_channels >= 1, got num_channels={num_channels!r}"
      )
    self.group_size = int(group_size)
    self.num_channels = int(num_channels)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 4 or input_shape[-1] is None:
      raise ValueError(f"MinibatchStddev expects NHWC input with known channels, got {input_shape}")
    if input_shape[-1] % self.num_channels:
      raise ValueError(
        f"MinibatchStddev needs channels divisible by num_channels={self.num_channels}, "
        f"got shape {input_shape}"
      )
    n = input_shape[0]
    if n is not None and n % min(self.group_size, n):
      raise ValueError(
        f"MinibatchStddev needs the batch divisible by group_size={self.group_size}, got {n}"
      )

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    shape = tf.shape(inputs)
    n, h, w, c = shape[0], shape[1], shape[2], inputs.shape[-1]
    f = self.num_channels
    g = tf.minimum(self.group_size, n)
    x = tf.cast(inputs, tf.float32)
    y = tf.reshape(x, [g, -1, h, w, f, c // f])  # [G, M, H, W, F, C/F]
    y = y - tf.reduce_mean(y, axis=0, keepdims=True)
    y = tf.sqrt(tf.reduce_mean(tf.square(y), axis=0) + 1e-8)  # [M, H, W, F, C/F]; official 1e-8
    y = tf.reduce_mean(y, axis=[1, 2, 4])  # [M, F]
    y = tf.reshape(y, [1, -1, 1, 1, f])  # [1, M, 1, 1, F]
    y = tf.tile(y, [g, 1, h, w, 1])  # [G, M, H, W, F]
    y = tf.reshape(y, [n, h, w, f])  # [N, H, W, F]
    return tf.concat([inputs, tf.cast(y, inputs.dtype)], axis=-1)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (*input_shape[:3], input_shape[3] + self.num_channels)

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "group_size": self.group_size,
      "num_channels": self.num_channels,
    }
