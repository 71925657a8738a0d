"""Pixelwise feature vector normalisation of Progressive GAN (Karras et al. 2018, Sec. 4.2):
b = a / sqrt(mean_j a_j^2 + epsilon) over the channels of each pixel (official `pixel_norm`)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class PixelNormalization(keras.layers.Layer):
  """x / sqrt(mean_c x^2 + epsilon) over the last (channel) axis; computed in float32 and cast back
  to the input dtype under mixed precision. No weights. Works on [N, C] latents and NHWC maps."""

  def __init__(self, epsilon: float = 1e-8, **kwargs: Any):  # PGGAN Sec. 4.2: epsilon = 10^-8
    super().__init__(**kwargs)
    if not epsilon >= 0:
      raise ValueError(f"PixelNormalization needs epsilon >= 0, got epsilon={epsilon!r}")
    self.epsilon = float(epsilon)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    x = tf.cast(inputs, tf.float32)
    y = x * tf.math.rsqrt(tf.reduce_mean(tf.square(x), axis=-1, keepdims=True) + self.epsilon)
    return tf.cast(y, inputs.dtype)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return input_shape

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "epsilon": self.epsilon}
