"""Maxout units (Goodfellow et al. 2013): the max over k linear pieces per output unit."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class Maxout(keras.layers.Layer):
  """h_i = max_j (x W + b)[i * k + j], j < k: a Dense layer of units * k outputs whose
  consecutive groups of k are reduced by max (Blocks' LinearMaxout, the PacGAN official code's D
  layer). Weights: `linear` (kernel [D, units * k], bias [units * k])."""

  def __init__(
    self,
    units: int,
    pieces: int,
    kernel_initializer: Any = "glorot_uniform",
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    if units < 1 or pieces < 1:
      raise ValueError(f"Maxout needs units >= 1 and pieces >= 1, got {units}, {pieces}")
    self.units, self.pieces = int(units), int(pieces)
    self.kernel_initializer = keras.initializers.get(kernel_initializer)
    self.linear = keras.layers.Dense(
      self.units * self.pieces, kernel_initializer=self.kernel_initializer, name="linear"
    )

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    self.linear.build(input_shape)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    h = self.linear(inputs)
    return tf.reduce_max(tf.reshape(h, [-1, self.units, self.pieces]), axis=-1)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (input_shape[0], self.units)

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "units": self.units,
      "pieces": self.pieces,
      "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
    }
