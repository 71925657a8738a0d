"""The ToRGB layer of StyleGAN2's skip generator (Karras et al. 2020, Fig. 7 "skip", App. B): a
modulated 1x1 conv without demodulation, added to the up-sampled image of the block below.

Code names -> official stylegan2-ada-pytorch `training/networks.py`: the layer's weights are
ModulatedConv2D's (`affine`, `kernel`, `bias` = ToRGBLayer `affine`, `weight`, `bias`); the
skip image is up-sampled by fir_resampling.upsample2d with [1, 3, 3, 1] (SynthesisBlock:
upfirdn2d.upsample2d(img, resample_filter)), then the new RGB is added (`img.add_(y)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.fir_resampling import RESAMPLE_FILTER, upsample2d
from tfgan_repro.layers.modulated_conv2d import ModulatedConv2D


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ToRGB(ModulatedConv2D):
  """[x [N, H, W, C], w [N, w_dim]] or [x, w, img [N, H/2, W/2, img_channels]] -> the image
  [N, H, W, img_channels]: modulated 1x1 conv (no demodulation) + bias, plus upsample2d(img)."""

  def __init__(
    self,
    img_channels: int = 3,
    fused: bool = False,
    resample_filter: Sequence[float] = RESAMPLE_FILTER,
    **kwargs: Any,
  ):
    for fixed in ("filters", "kernel_size", "demodulate", "up", "use_bias"):
      kwargs.pop(fixed, None)  # the ModulatedConv2D options ToRGB fixes (from its get_config)
    # official ToRGBLayer: kernel_size=1, demodulate=False, bias
    super().__init__(
      img_channels,
      1,
      demodulate=False,
      up=1,
      fused=fused,
      use_bias=True,
      resample_filter=resample_filter,
      **kwargs,
    )

  def build(self, input_shape: Sequence[tuple[int | None, ...]]) -> None:
    super().build(input_shape[:2])

  def call(self, inputs: Sequence[tf.Tensor]) -> tf.Tensor:
    y = super().call(inputs[:2])
    if len(inputs) == 3:
      y = tf.cast(upsample2d(inputs[2], self._fir), y.dtype) + y
    return y

  def compute_output_shape(self, input_shape: Sequence[tuple[int | None, ...]]) -> tuple:
    return super().compute_output_shape(input_shape[:2])

  def get_config(self) -> dict[str, Any]:
    config = super().get_config()
    config["img_channels"] = config["filters"]
    return config
