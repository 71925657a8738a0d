"""Reflection padding, PyTorch's `nn.ReflectionPad2d`."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

Padding2D = int | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]]


def normalize_padding(padding: Padding2D) -> tuple[tuple[int, int], tuple[int, int]]:
  """int p -> ((p, p), (p, p)); (ph, pw) -> ((ph, ph), (pw, pw)); ((t, b), (l, r)) kept."""
  message = f"padding must be int, (ph, pw) or ((t, b), (l, r)), got {padding!r}"
  try:
    if isinstance(padding, int):
      pads = ((padding, padding), (padding, padding))
    elif all(isinstance(p, int) for p in padding):
      (ph, pw) = padding
      pads = ((ph, ph), (pw, pw))
    else:
      (top, bottom), (left, right) = padding
      pads = ((int(top), int(bottom)), (int(left), int(right)))
  except (TypeError, ValueError):
    raise ValueError(message) from None
  if any(v < 0 for pair in pads for v in pair):
    raise ValueError(f"padding must be >= 0, got {padding!r}")
  return pads


def _reflect_by_slices(x: tf.Tensor, axis: int, before: int, after: int) -> tf.Tensor:
  """REFLECT padding of one axis as a concatenation of one-row slices: the same numbers as
  MirrorPad, in ops that TFLite's XNNPACK delegate runs (it has no MIRROR_PAD: each one splits
  the graph, and int8 ResNet blocks ran ~1.9x slower for it)."""

  def rows(start: int, stop: int | None) -> tf.Tensor:  # x[start:stop] along `axis`
    index = [slice(None)] * 4
    index[axis] = slice(start, stop)
    return x[tuple(index)]

  head = [rows(i, i + 1) for i in range(before, 0, -1)]  # rows before .. 1
  tail = [rows(-i, -i + 1) for i in range(2, after + 2)]  # rows n-2 .. n-1-after
  return tf.concat([*head, x, *tail], axis=axis) if head or tail else x


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ReflectionPadding2D(keras.layers.Layer):
  """Pads H and W of an NHWC tensor by reflection (edge not repeated): `tf.pad(mode="REFLECT")`
  in training, one-row slices concatenated at inference (`_reflect_by_slices`: the same numbers,
  and exported models have no MIRROR_PAD op).

  Reflection needs pad < size on each axis (TFLite's MIRROR_PAD returned garbage otherwise,
  docs/tflite.md). When H or W is known statically and <= the pad, `call` raises ValueError.
  """

  def __init__(self, padding: Padding2D, **kwargs: Any):
    super().__init__(**kwargs)
    self.padding = normalize_padding(padding)

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    (top, bottom), (left, right) = self.padding
    for axis, name, pads in ((1, "height", (top, bottom)), (2, "width", (left, right))):
      size = inputs.shape[axis]
      if size is not None and size <= max(pads):
        raise ValueError(
          f"{self.name}: reflection padding {max(pads)} needs {name} > {max(pads)}, "
          f"got input shape {tuple(inputs.shape)}"
        )
    if training:
      return tf.pad(inputs, [[0, 0], [top, bottom], [left, right], [0, 0]], mode="REFLECT")
    return _reflect_by_slices(_reflect_by_slices(inputs, 1, top, bottom), 2, left, right)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    (top, bottom), (left, right) = self.padding
    n, h, w, c = input_shape
    return (
      n,
      None if h is None else h + top + bottom,
      None if w is None else w + left + right,
      c,
    )

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "padding": self.padding}
