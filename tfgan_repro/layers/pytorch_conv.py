"""Convolutions taking PyTorch's (kernel, stride, padding, output_padding) and matching its output
exactly, built from Keras layers (functional helpers: tensor in, tensor out).

Keras "same" differs from PyTorch's symmetric padding for strided convs (Conv k3 s2 p1, k4 s1 p1,
ConvTranspose k3 s2 p1 output_padding 1; docs/pitfalls.md), so padding is explicit and the conv
"valid".
Weights ~ N(0, 0.02), biases 0 (official --init_type normal --init_gain 0.02) by default;
init="torch": PyTorch's default initialization (layers/initializers.py).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.initializers import bias_init, kernel_init
from tfgan_repro.layers.reflection_padding2d import ReflectionPadding2D

# PyTorch Conv2d padding_mode values used by the official nets ("zeros" default, ReflectionPad2d).
PADDING_MODES = ("zeros", "reflect")


def conv2d(
  x: keras.KerasTensor,
  filters: int,
  kernel_size: int,
  *,
  strides: int = 1,  # PyTorch Conv2d defaults: stride 1, padding 0, padding_mode zeros, bias True
  padding: int = 0,
  padding_mode: str = "zeros",
  use_bias: bool = True,
  init: str = "normal",
  name: str,
) -> keras.KerasTensor:
  """PyTorch `Conv2d(k, stride, padding)` [after `ReflectionPad2d(padding)` when reflect].

  Output size floor((H + 2p - k) / s) + 1. Layers: `{name}_pad` (when padding > 0), `{name}`.
  """
  if padding_mode not in PADDING_MODES:
    raise ValueError(f"unknown padding_mode {padding_mode!r}; valid: {', '.join(PADDING_MODES)}")
  if padding < 0:
    raise ValueError(f"padding must be >= 0, got {padding!r}")
  if padding and padding_mode == "zeros":
    x = keras.layers.ZeroPadding2D(padding, name=f"{name}_pad")(x)
  elif padding:
    x = ReflectionPadding2D(padding, name=f"{name}_pad")(x)
  return keras.layers.Conv2D(
    filters,
    kernel_size,
    strides=strides,
    padding="valid",
    use_bias=use_bias,
    kernel_initializer=kernel_init(init),
    bias_initializer=bias_init(init, x.shape[-1] * kernel_size**2),
    name=name,
  )(x)


def conv_transpose2d(
  x: keras.KerasTensor,
  filters: int,
  kernel_size: int,
  *,
  strides: int,
  padding: int = 0,  # PyTorch ConvTranspose2d defaults: padding 0, output_padding 0, bias True
  output_padding: int = 0,
  use_bias: bool = True,
  init: str = "normal",
  name: str,
) -> keras.KerasTensor:
  """PyTorch `ConvTranspose2d(k, stride, padding, output_padding)`: out[s*i + t] += x[i] * w[t]
  over the full (H - 1) * s + k outputs, of which rows/cols [p, p + (H - 1) * s - 2p + k + op) are
  kept.

  Keras "same" keeps [(k - s) // 2, ... + H * s): used when that is the same window (k4 s2 p1, the
  U-Net's); otherwise `CroppedConv2DTranspose` (k3 s2 p1 op1: keep [1, 2H + 1) of 2H + 1).
  """
  crop_before, crop_after = padding, padding - output_padding
  if kernel_size < strides or crop_after < 0 or output_padding >= strides:
    raise ValueError(
      f"need kernel_size >= strides, output_padding < strides and output_padding <= padding, got "
      f"kernel_size={kernel_size!r}, strides={strides!r}, padding={padding!r}, "
      f"output_padding={output_padding!r}"
    )
  same_total = kernel_size - strides
  same_window = (crop_before, crop_after) == (same_total // 2, same_total - same_total // 2)
  common = dict(
    strides=strides,
    use_bias=use_bias,
    kernel_initializer=kernel_init(init),
    bias_initializer=bias_init(init, filters * kernel_size**2),
    name=name,
  )
  if same_window or crop_before == crop_after == 0:
    padding_name = "same" if same_window else "valid"
    return keras.layers.Conv2DTranspose(filters, kernel_size, padding=padding_name, **common)(x)
  return CroppedConv2DTranspose(filters, kernel_size, crop=(crop_before, crop_after), **common)(x)


@keras.saving.register_keras_serializable(package="tfgan_repro")
class CroppedConv2DTranspose(keras.layers.Conv2DTranspose):
  """The "valid" transposed convolution with `crop = (before, after)` rows and columns removed.

  Training computes only the kept window (TF's explicit padding: forward and backward ~1.3-1.8x
  faster than computing the full output and slicing it, measured at the ResNet generators' sizes);
  inference computes the full output and slices it, which TFLite converts (its TRANSPOSE_CONV has
  no explicit padding). Both give the same numbers.
  """

  def __init__(self, filters: int, kernel_size: int, *, crop: tuple[int, int], **kwargs: Any):
    super().__init__(filters, kernel_size, padding="valid", **kwargs)
    self.crop = tuple(int(c) for c in crop)

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    if not training:
      before, after = self.crop
      full = super().call(inputs)
      return full[:, before : tf.shape(full)[1] - after, before : tf.shape(full)[2] - after, :]
    shape = tf.shape(inputs)
    out_shape = tf.stack(
      [shape[0], self._out_size(shape[1]), self._out_size(shape[2]), self.filters]
    )
    pads = [[0, 0], list(self.crop), list(self.crop), [0, 0]]
    y = tf.nn.conv2d_transpose(inputs, self.kernel, out_shape, self.strides, padding=pads)
    return y + self.bias if self.use_bias else y

  def _out_size(self, size):
    return (size - 1) * self.strides[0] + self.kernel_size[0] - sum(self.crop)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    n, h, w, _ = input_shape
    return (
      n,
      None if h is None else self._out_size(h),
      None if w is None else self._out_size(w),
      self.filters,
    )

  def get_config(self) -> dict[str, Any]:
    config = super().get_config()
    config.pop("padding")
    return {**config, "crop": self.crop}
