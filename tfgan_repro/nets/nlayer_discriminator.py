"""PatchGAN discriminator (pix2pix, Isola et al. 2017, Sec. 3.2.2 and Appendix 6.1.2).

Official code (`networks.NLayerDiscriminator`) -> paper (C64-C128-C256-C512 for the 70x70 net) ->
layer names here (kernel 4, zero padding `padding`, LeakyReLU 0.2):
  Conv2d(s2) ndf, LeakyReLU                                  C64 (no norm)    conv1[_pad], conv1_lrelu
  n = 1..n_layers-1: Conv2d(s2) ndf*min(2^n, 8), norm, LReLU C128, C256       conv{n+1}, _norm, _lrelu
  Conv2d(s1) ndf*min(2^n_layers, 8), norm, LeakyReLU         C512             conv{n_layers+1}, ..
  Conv2d(s1) -> 1 (logits; official --gan_mode lsgan has no sigmoid)          conv_out[_pad]
Receptive field 16 / 70 / 286 for n_layers 1 / 3 / 5 (paper: 16x16, 70x70 PatchGAN, ImageGAN).
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.normalization import bias_for_normalization, normalization
from tfgan_repro.layers.pytorch_conv import conv2d
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.registry import register_network

# official NLayerDiscriminator: kw = 4, padw = 1 (pix2pixHD's version uses padw = 2)
KERNEL_SIZE = 4
PADDING = 1
# official: LeakyReLU(0.2) (paper Appendix 6.1.2)
LEAKY_SLOPE = 0.2
# official: nf_mult = min(2**n, 8)
MAX_MULT = 8


def nlayer_discriminator_features(
  x: keras.KerasTensor,
  *,
  ndf: int,
  n_layers: int,
  norm: str,
  padding: int = PADDING,
  prefix: str = "",
) -> list[keras.KerasTensor]:
  """The NLayerDiscriminator body on a tensor, as the n_layers + 2 outputs of its stages (official
  pix2pixHD getIntermFeat: `model0` .. `model{n_layers+1}`), the logits (N, H', W', 1) last.

  With padding 1, H' = H / 2^n_layers - 2 for H divisible by 2^n_layers (30 at 256 px, n_layers 3).
  Layer names get `prefix` (the multiscale discriminator uses one per scale).
  """
  if n_layers < 1:
    raise ValueError(f"n_layers must be >= 1, got {n_layers!r}")
  if ndf < 1:
    raise ValueError(f"ndf must be >= 1, got {ndf!r}")
  use_bias = bias_for_normalization(norm)
  # official: the first and the last conv keep PyTorch's default bias=True.
  x = conv2d(x, ndf, KERNEL_SIZE, strides=2, padding=padding, name=f"{prefix}conv1")
  x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"{prefix}conv1_lrelu")(x)
  features = [x]
  for n in range(1, n_layers + 1):
    strides = 2 if n < n_layers else 1
    x = conv2d(
      x,
      ndf * min(2**n, MAX_MULT),
      KERNEL_SIZE,
      strides=strides,
      padding=padding,
      use_bias=use_bias,
      name=f"{prefix}conv{n + 1}",
    )
    x = normalization(norm, name=f"{prefix}conv{n + 1}_norm")(x)
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"{prefix}conv{n + 1}_lrelu")(x)
    features.append(x)
  x = conv2d(x, 1, KERNEL_SIZE, padding=padding, name=f"{prefix}conv_out")
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  features.append(keras.layers.Activation("linear", dtype="float32", name=f"{prefix}logits")(x))
  return features


def nlayer_discriminator_layers(x: keras.KerasTensor, **kwargs) -> keras.KerasTensor:
  """The NLayerDiscriminator body on a tensor: (N, H, W, C) -> (N, H', W', 1) logits; keyword
  arguments of `nlayer_discriminator_features`."""
  return nlayer_discriminator_features(x, **kwargs)[-1]


@register_network(
  "patch",
  role="discriminator",
  official_name="basic",  # --netD basic (= n_layers with --n_layers_D 3)
  paper_kwargs={},  # official CycleGAN: --ndf 64 --n_layers_D 3 --norm instance, 3 channels
  official_params=2_764_737,  # docs/official_counts.md (built from the official code)
  tiny_kwargs={"ndf": 4},
  tiny_input_shape=(32, 32, 3),
)
def patch(
  *,
  input_channels: int = 3,
  ndf: int = 64,
  n_layers: int = 3,
  norm: str = "instance",
  padding: int = PADDING,
  image_size: ImageSize = None,
  name: str = "patch",
) -> keras.Model:
  """NLayerDiscriminator (70x70 PatchGAN by default): (N, H, W, C) -> (N, H', W', 1) logits.

  Defaults: official --ndf 64 --n_layers_D 3 --norm instance. pix2pix's conditional D sees the
  input and output images concatenated: input_channels=6, norm="batch".
  """
  inputs = image_input(input_channels, image_size)
  outputs = nlayer_discriminator_layers(
    inputs, ndf=ndf, n_layers=n_layers, norm=norm, padding=padding
  )
  return keras.Model(inputs, outputs, name=name)
