"""The down-sampling convolution of StyleGAN2's discriminator (Karras et al. 2020, App. B): the
[1, 3, 3, 1] FIR low-pass, then a stride-2 equalised-lr conv (official stylegan2-ada-pytorch
`Conv2dLayer(down=2)` -> `conv2d_resample`: upfirdn2d with the padding of
fir_resampling.resample_padding, then conv2d(stride=2); a 1x1 kernel filters and drops the pixels
first, then convolves).

Weights and their names are EqualizedConv2D's (`kernel` [k, k, C_in, filters], `bias`); official
PyTorch `weight` [C_out, C_in, k, k] imports as weight.permute(2, 3, 1, 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.equalized_conv2d import EqualizedConv2D
from tfgan_repro.layers.fir_resampling import (
  RESAMPLE_FILTER,
  resample_padding,
  setup_filter,
  upfirdn2d,
)


@keras.saving.register_keras_serializable(package="tfgan_repro")
class DownsampleConv2D(EqualizedConv2D):
  """[N, H, W, C_in] -> [N, H / 2, W / 2, filters]: FIR filter, stride-2 conv (+ bias)."""

  def __init__(
    self,
    filters: int,
    kernel_size: int,
    resample_filter: Sequence[float] = RESAMPLE_FILTER,  # official resample_filter=[1,3,3,1]
    **kwargs: Any,
  ):
    kwargs.pop("padding", None)  # fixed by the FIR padding (from get_config)
    super().__init__(filters, kernel_size, padding="valid", **kwargs)
    if self.kernel_size[0] % 2 != 1:
      raise ValueError(f"kernel_size must be odd, got {kernel_size!r}")
    self.resample_filter = tuple(float(t) for t in resample_filter)
    self._fir = setup_filter(self.resample_filter)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    k = self.kernel_size[0]
    p0, p1 = resample_padding(k, self._fir.shape[1], down=2)
    kernel = tf.cast(self.kernel, inputs.dtype) * tf.cast(self.weight_gain, inputs.dtype)
    if k == 1:
      x = upfirdn2d(inputs, self._fir, down=2, padding=(p0, p1, p0, p1))
      y = tf.nn.conv2d(x, kernel, strides=1, padding="VALID")
    else:
      x = upfirdn2d(inputs, self._fir, padding=(p0, p1, p0, p1))
      y = tf.nn.conv2d(x, kernel, strides=2, padding="VALID")
    if self.bias is not None:
      y = y + tf.cast(self.bias, y.dtype) * tf.cast(self.lr_multiplier, y.dtype)
    return y

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    n, h, w, _ = input_shape
    half = lambda d: None if d is None else d // 2  # noqa: E731
    return (n, half(h), half(w), self.filters)

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "resample_filter": list(self.resample_filter)}
