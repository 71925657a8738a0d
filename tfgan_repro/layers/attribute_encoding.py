"""AttributeEncoding: target attribute values [N, A] -> the channels a conditional net reads."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

# dummy: official FaderNetworks (attr_flag: 2 categories per binary attribute, one-hot);
# plain: one channel per attribute holding its value.
ATTRIBUTE_ENCODINGS = ("dummy", "plain")


@keras.saving.register_keras_serializable(package="tfgan_repro")
class AttributeEncoding(keras.layers.Layer):
  """[N, A] values a_i -> [N, 2A] = [1 - a_1, a_1, 1 - a_2, a_2, ...] (dummy) or [N, A] (plain).

  dummy is the official FaderNetworks encoding: each binary attribute as its two one-hot classes
  (n_attr = 2A), laid out attribute by attribute as official `attributes[:, k:k + n_cat]`; a value
  a outside {0, 1} gives the official interpolate.py pair [1 - a, a] (sliders past 1).
  """

  def __init__(self, encoding: str = "dummy", **kwargs: Any):
    super().__init__(**kwargs)
    if encoding not in ATTRIBUTE_ENCODINGS:
      raise ValueError(
        f"unknown attribute encoding {encoding!r}; valid: {', '.join(ATTRIBUTE_ENCODINGS)}"
      )
    self.encoding = encoding

  @staticmethod
  def channels(encoding: str, num_attributes: int) -> int:
    """Channels of the encoding of `num_attributes` attributes."""
    return 2 * num_attributes if encoding == "dummy" else num_attributes

  def call(self, attributes: tf.Tensor) -> tf.Tensor:
    if self.encoding == "plain":
      return attributes
    pairs = tf.stack([1.0 - attributes, attributes], axis=-1)  # [N, A, 2]
    return tf.reshape(pairs, [-1, 2 * attributes.shape[-1]])  # [N, 2A]

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (input_shape[0], self.channels(self.encoding, input_shape[-1]))

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "encoding": self.encoding}
