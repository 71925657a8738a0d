"""The learnt constant input of StyleGAN / StyleGAN2's synthesis network (Karras et al. 2019,
Sec. 2: "synthesis starts from a learned 4x4x512 constant"; official stylegan2-ada-pytorch
SynthesisBlock `const` [C, 4, 4], torch.randn; imports as const.permute(1, 2, 0))."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ConstantInput(keras.layers.Layer):
  """Any tensor with N rows -> the constant `const` [size, size, channels] repeated N times."""

  def __init__(self, channels: int, size: int = 4, **kwargs: Any):  # official 4x4 (b4)
    super().__init__(**kwargs)
    if int(channels) < 1 or int(size) < 1:
      raise ValueError(f"channels and size must be >= 1, got {channels!r}, {size!r}")
    self.channels, self.size = int(channels), int(size)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    self.const = self.add_weight(
      shape=(self.size, self.size, self.channels),
      initializer=keras.initializers.RandomNormal(stddev=1.0),  # official torch.randn
      name="const",
    )

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    n = tf.shape(inputs)[0]
    const = tf.cast(self.const, self.compute_dtype)
    return tf.tile(const[None], [n, 1, 1, 1])  # [N, size, size, channels]

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (input_shape[0], self.size, self.size, self.channels)

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "channels": self.channels, "size": self.size}
