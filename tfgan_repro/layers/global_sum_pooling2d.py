"""Global sum pooling (SNGAN's D head, Miyato et al. 2018, Table 3: "Global sum pooling")."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class GlobalSumPooling2D(keras.layers.Layer):
  """[N, H, W, C] -> [N, C], the sum over H and W (official sngan_projection
  `F.sum(h, axis=(2, 3))`)."""

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    return tf.reduce_sum(inputs, axis=[1, 2])

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (input_shape[0], input_shape[-1])

  def get_config(self) -> dict[str, Any]:
    return super().get_config()
