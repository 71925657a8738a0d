"""pix2pixHD's global generator G1 (Wang et al. 2018, Sec. 3.2; official networks.GlobalGenerator).

Official code -> paper -> layer names here (reflect padding, instance norm, ReLU, biases on):
  ReflectionPad2d(3), Conv2d(k7) ngf, norm, ReLU                 c7s1-64      conv_in[_pad], ..
  n_downsampling x [Conv2d(k3, s2, p1) ngf * 2^i, norm, ReLU]    d128..d1024  down{i}, ..
  n_blocks x ResnetBlock(ngf * 2^n_downsampling)                 R1024 x 9    block{b}_..
  n_downsampling x [ConvTranspose2d(k3, s2, p1, op1), norm, ReLU] u512..u64   up{i}, ..
  ReflectionPad2d(3), Conv2d(k7) output_nc, Tanh                 c7s1-3       conv_out, tanh
It is CycleGAN's ResnetGenerator with 4 downsamples (`resnet_generator_features`).
"""

from __future__ import annotations

import keras

from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.registry import register_network
from tfgan_repro.nets.resnet_generator import output_layers, resnet_generator_features

N_DOWNSAMPLE_GLOBAL = 4  # official --n_downsample_global 4
N_BLOCKS_GLOBAL = 9  # official --n_blocks_global 9


@register_network(
  "global_generator",
  role="generator",
  official_name="pix2pixHD --netG global",
  # label2city: --label_nc 35 one-hot + 1 instance-boundary channel = 36 input channels.
  paper_kwargs={"input_channels": 36},
  official_params=182_546_755,  # docs/official_counts.md (built from the official pix2pixHD code)
  tiny_kwargs={"ngf": 4},
  tiny_input_shape=(32, 32, 3),
)
def global_generator(
  *,
  input_channels: int = 3,
  output_channels: int = 3,  # official --output_nc 3
  ngf: int = 64,  # official --ngf 64
  n_downsampling: int = N_DOWNSAMPLE_GLOBAL,
  n_blocks: int = N_BLOCKS_GLOBAL,
  norm: str = "instance",  # official --norm instance
  image_size: ImageSize = None,
  name: str = "global_generator",
) -> keras.Model:
  """G1: (N, H, W, input_channels) -> (N, H, W, output_channels) in [-1, 1]; H, W multiples of
  2^n_downsampling (16)."""
  inputs = image_input(input_channels, image_size, multiple_of=2**n_downsampling)
  x = resnet_generator_features(
    inputs, n_blocks=n_blocks, ngf=ngf, norm=norm, n_downsampling=n_downsampling
  )
  return keras.Model(inputs, output_layers(x, output_channels), name=name)
