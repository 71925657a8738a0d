"""PixelGAN discriminator (pix2pix, Isola et al. 2017, Sec. 4.4: 1x1 PatchGAN).

Official code (`networks.PixelDiscriminator`) -> layer names here, all convs 1x1:
  Conv2d ndf (bias), LeakyReLU 0.2                     conv1, conv1_lrelu
  Conv2d 2 ndf (bias = use_bias), norm, LeakyReLU 0.2  conv2, conv2_norm, conv2_lrelu
  Conv2d -> 1 (bias = use_bias)                        conv_out
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.normalization import bias_for_normalization, normalization
from tfgan_repro.layers.pytorch_conv import conv2d
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.registry import register_network

# official: LeakyReLU(0.2)
LEAKY_SLOPE = 0.2


@register_network(
  "pixel",
  role="discriminator",
  official_name="pixel",
  paper_kwargs={},  # official: --netD pixel --ndf 64 --norm instance, 3 channels
  # 3*64+64 + 64*128+128 + 128+1, from the official layer list (bias with instance norm).
  official_params=8_705,
  tiny_kwargs={"ndf": 4},
  tiny_input_shape=(32, 32, 3),
)
def pixel(
  *,
  input_channels: int = 3,
  ndf: int = 64,
  norm: str = "instance",
  image_size: ImageSize = None,
  name: str = "pixel",
) -> keras.Model:
  """PixelDiscriminator: (N, H, W, C) -> (N, H, W, 1) logits, receptive field 1 pixel."""
  if ndf < 1:
    raise ValueError(f"ndf must be >= 1, got {ndf!r}")
  use_bias = bias_for_normalization(norm)
  inputs = image_input(input_channels, image_size)
  x = conv2d(inputs, ndf, 1, name="conv1")
  x = keras.layers.LeakyReLU(LEAKY_SLOPE, name="conv1_lrelu")(x)
  x = conv2d(x, 2 * ndf, 1, use_bias=use_bias, name="conv2")
  x = normalization(norm, name="conv2_norm")(x)
  x = keras.layers.LeakyReLU(LEAKY_SLOPE, name="conv2_lrelu")(x)
  x = conv2d(x, 1, 1, use_bias=use_bias, name="conv_out")
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  outputs = keras.layers.Activation("linear", dtype="float32", name="logits")(x)
  return keras.Model(inputs, outputs, name=name)
