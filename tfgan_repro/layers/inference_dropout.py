"""Dropout that stays on at inference, as pix2pix's generator (Isola et al. 2017, Sec. 3.1)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class InferenceDropout(keras.layers.Layer):
  """Inverted dropout applied whatever the `training` flag: x / (1 - rate) where u >= rate, else 0,
  u ~ U[0, 1) per element.

  pix2pix: "we apply dropout at test time"; the official test.py keeps the net in train mode
  unless --eval. The mask comes from the stateful `tf.random.uniform` (TFLite builtin
  RANDOM_UNIFORM, a fresh mask per invoke); keras.random's stateless ops need Flex ops in TFLite.
  `seed` is the op seed (with `keras.utils.set_random_seed`, runs repeat).
  """

  def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
    super().__init__(**kwargs)
    if not 0.0 <= rate < 1.0:
      raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    self.rate = float(rate)
    self.seed = seed

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    keep = tf.random.uniform(tf.shape(inputs), seed=self.seed, dtype=inputs.dtype) >= self.rate
    return tf.where(keep, inputs / (1.0 - self.rate), tf.zeros_like(inputs))

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return input_shape

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "rate": self.rate, "seed": self.seed}
