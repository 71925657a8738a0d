"""Integer label maps -> one-hot channels, as a serializable layer (pix2pixHD's served input)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class LabelOneHot(keras.layers.Layer):
  """[N, H, W, 1] class ids (float or int) -> float32 [N, H, W, num_classes] in {0, 1} (float64
  under a float64 policy).

  Computed as ids == k for k < num_classes (EQUAL + CAST: TFLite builtins, no ONE_HOT); an id
  outside [0, num_classes) gives an all-zero pixel, as the official one-hot scatter of an
  ignored label would not (it raises), so the served net never fails on a stray id.
  """

  def __init__(self, num_classes: int, **kwargs: Any):
    super().__init__(**kwargs)
    if num_classes < 1:
      raise ValueError(f"num_classes must be >= 1, got {num_classes!r}")
    self.num_classes = int(num_classes)

  def call(self, ids: tf.Tensor) -> tf.Tensor:
    classes = tf.range(self.num_classes, dtype=tf.float32)  # [K]
    out = tf.float64 if self.compute_dtype == "float64" else tf.float32  # float64: references
    return tf.cast(tf.equal(tf.round(tf.cast(ids, tf.float32)), classes), out)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (*input_shape[:-1], self.num_classes)

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "num_classes": self.num_classes}
