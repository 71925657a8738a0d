"""Channels [start, stop) of an NHWC tensor, as a serializable layer."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ChannelSlice(keras.layers.Layer):
  """x[..., start:stop] (Python slice semantics; stop None = to the end)."""

  def __init__(self, start: int, stop: int | None = None, **kwargs: Any):
    super().__init__(**kwargs)
    self.start, self.stop = int(start), None if stop is None else int(stop)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    return inputs[..., self.start : self.stop]

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    channels = input_shape[-1]
    if channels is not None:
      channels = len(range(channels)[self.start : self.stop])
    return (*input_shape[:-1], channels)

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "start": self.start, "stop": self.stop}
