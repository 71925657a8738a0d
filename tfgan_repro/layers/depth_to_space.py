"""Sub-pixel convolution's shuffle (Shi et al. 2016), `tf.nn.depth_to_space` as a Keras layer."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class DepthToSpace(keras.layers.Layer):
  """(N, H, W, r*r*C) -> (N, r*H, r*W, C).

  Channel order is TF's NHWC one, output[.., c] = input[.., (i*r + j)*C + c]; PyTorch's
  `nn.PixelShuffle` reads channel c*r*r + i*r + j, so imported weights need that permutation.
  """

  def __init__(self, block_size: int, **kwargs: Any):
    super().__init__(**kwargs)
    if block_size < 2:
      raise ValueError(f"block_size must be >= 2, got {block_size!r}")
    self.block_size = int(block_size)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    return tf.nn.depth_to_space(inputs, self.block_size)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    n, h, w, c = input_shape
    r = self.block_size
    if c % (r * r):
      raise ValueError(f"{self.name}: channels {c} not divisible by block_size^2 = {r * r}")
    return (n, None if h is None else h * r, None if w is None else w * r, c // (r * r))

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "block_size": self.block_size}
