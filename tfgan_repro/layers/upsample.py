"""Upsampling by 2 in the modes a generator may use (functional helper)."""

from __future__ import annotations

import keras

from tfgan_repro.layers.depth_to_space import DepthToSpace
from tfgan_repro.layers.pytorch_conv import conv2d, conv_transpose2d

# transpose: official ResnetGenerator ConvTranspose2d(k3, s2, p1, output_padding 1);
# nearest_conv / bilinear_conv: resize-convolution (Odena et al. 2016, "Deconvolution and
# Checkerboard Artifacts"); pixel_shuffle: sub-pixel convolution (Shi et al. 2016).
UPSAMPLE_MODES = ("transpose", "nearest_conv", "bilinear_conv", "pixel_shuffle")


def upsample(
  x: keras.KerasTensor, filters: int, mode: str, *, use_bias: bool, name: str
) -> keras.KerasTensor:
  """(N, H, W, C) -> (N, 2H, 2W, filters). The conv (named `name`) has 3x3 taps in every mode.

  transpose: PyTorch-exact ConvTranspose2d(k3, s2, p1, op1).
  nearest_conv / bilinear_conv: UpSampling2D x2 (`{name}_resize`; bilinear with half-pixel
    centres, PyTorch align_corners=False), ReflectionPad 1, Conv 3x3 valid.
  pixel_shuffle: ReflectionPad 1, Conv 3x3 to 4 * filters, depth_to_space 2 (`{name}_shuffle`).
  """
  if mode not in UPSAMPLE_MODES:
    raise ValueError(f"unknown upsample mode {mode!r}; valid: {', '.join(UPSAMPLE_MODES)}")
  if mode == "transpose":
    return conv_transpose2d(
      x, filters, 3, strides=2, padding=1, output_padding=1, use_bias=use_bias, name=name
    )
  if mode == "pixel_shuffle":
    y = conv2d(x, 4 * filters, 3, padding=1, padding_mode="reflect", use_bias=use_bias, name=name)
    return DepthToSpace(2, name=f"{name}_shuffle")(y)  # (N, H, W, 4F) -> (N, 2H, 2W, F)
  interpolation = "nearest" if mode == "nearest_conv" else "bilinear"
  y = keras.layers.UpSampling2D(2, interpolation=interpolation, name=f"{name}_resize")(x)
  return conv2d(y, filters, 3, padding=1, padding_mode="reflect", use_bias=use_bias, name=name)
