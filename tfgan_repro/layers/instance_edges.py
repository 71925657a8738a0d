"""pix2pixHD's instance boundary map (official Pix2PixHDModel.get_edges)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class InstanceEdges(keras.layers.Layer):
  """Instance ids (N, H, W, 1) -> boundary map (N, H, W, 1) in {0, 1} (paper Sec. 3.3).

  A pixel is an edge when its id differs from its left, right, upper or lower neighbour: the
  official get_edges marks both pixels of each differing horizontal and vertical pair.
  Ids are compared in float32 under any dtype policy (the layer's dtype defaults to float32):
  bfloat16 / float16 round neighbouring Cityscapes-style ids (class * 1000 + k,
  data.pipeline.instance_ids) to one value.
  """

  def __init__(self, **kwargs: Any):
    kwargs.setdefault("dtype", "float32")  # see the class docstring
    super().__init__(**kwargs)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    ids = tf.convert_to_tensor(inputs)
    dw = tf.not_equal(ids[:, :, 1:], ids[:, :, :-1])  # (N, H, W-1, 1)
    dh = tf.not_equal(ids[:, 1:], ids[:, :-1])  # (N, H-1, W, 1)
    edge = tf.logical_or(
      tf.logical_or(_pad(dw, 2, (1, 0)), _pad(dw, 2, (0, 1))),
      tf.logical_or(_pad(dh, 1, (1, 0)), _pad(dh, 1, (0, 1))),
    )
    return tf.cast(edge, self.compute_dtype)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return tuple(input_shape)


def _pad(x: tf.Tensor, axis: int, pads: tuple[int, int]) -> tf.Tensor:
  paddings = [[0, 0]] * 4
  paddings[axis] = list(pads)
  return tf.pad(x, paddings, constant_values=False)
