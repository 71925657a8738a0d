"""pix2pixHD's coarse-to-fine generator G = {G1, G2} (Wang et al. 2018, Sec. 3.2, Fig. 3;
official networks.LocalEnhancer with --n_local_enhancers 1).

Official code -> paper -> layer names here:
  downsample: AvgPool2d(3, 2, p1, count_include_pad=False)   G1 sees the input at half size  downsample
  model: GlobalGenerator(ngf * 2) without its last 3 layers   G1's front-end + residual + back-end
                                                              (its last feature map)         global_*
  model1_1: c7s1-ngf, Conv2d(k3, s2, p1) 2 ngf (+norm, ReLU)  G2's front-end G2^(F)          local_conv_in, local_down1
  model1_1(x) + model(x_half)                                 element-wise sum               local_sum
  model1_2: n_blocks_local ResnetBlocks(2 ngf), ConvTranspose  G2's residual blocks and
            2 ngf -> ngf, c7s1-3 + Tanh                        back-end G2^(R), G2^(B)        local_block{b}, local_up1, local_conv_out
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.exclude_pad_average_pooling2d import ExcludePadAveragePooling2D
from tfgan_repro.layers.normalization import bias_for_normalization, normalization
from tfgan_repro.layers.pytorch_conv import conv2d
from tfgan_repro.layers.upsample import upsample
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.global_generator import N_BLOCKS_GLOBAL, N_DOWNSAMPLE_GLOBAL
from tfgan_repro.nets.registry import register_network
from tfgan_repro.nets.resnet_generator import (
  output_layers,
  resnet_block,
  resnet_generator_features,
)

GLOBAL_PREFIX = "global_"  # G1's layers: global_<layer of global_generator>
LOCAL_PREFIX = "local_"


@register_network(
  "local_enhancer",
  role="generator",
  official_name="pix2pixHD --netG local",
  # label2city: --ngf 32 (G1 gets 64), 35 one-hot labels + 1 instance-boundary channel = 36.
  paper_kwargs={"input_channels": 36},
  official_params=182_857_059,  # docs/official_counts.md (built from the official pix2pixHD code)
  tiny_kwargs={"ngf": 2},
  tiny_input_shape=(64, 64, 3),
)
def local_enhancer(
  *,
  input_channels: int = 3,
  output_channels: int = 3,  # official --output_nc 3
  ngf: int = 32,  # official define_G(netG='local'): LocalEnhancer(ngf=32); G1 has 2 * ngf
  n_downsample_global: int = N_DOWNSAMPLE_GLOBAL,
  n_blocks_global: int = N_BLOCKS_GLOBAL,
  n_blocks_local: int = 3,  # official --n_blocks_local 3
  norm: str = "instance",  # official --norm instance
  image_size: ImageSize = None,
  name: str = "local_enhancer",
) -> keras.Model:
  """G: (N, H, W, input_channels) -> (N, H, W, output_channels) in [-1, 1]; H, W multiples of
  2^(n_downsample_global + 1) (32). G1's layers are those of `global_generator` (without
  conv_out) prefixed `global_`, so a trained G1 loads by name (`load_global_weights`)."""
  if n_blocks_local < 0:
    raise ValueError(f"n_blocks_local must be >= 0, got {n_blocks_local!r}")
  inputs = image_input(input_channels, image_size, multiple_of=2 ** (n_downsample_global + 1))
  half = ExcludePadAveragePooling2D(3, 2, 1, name="downsample")(inputs)  # (N, H/2, W/2, C)
  g1 = resnet_generator_features(
    half,
    n_blocks=n_blocks_global,
    ngf=2 * ngf,
    norm=norm,
    n_downsampling=n_downsample_global,
    prefix=GLOBAL_PREFIX,
  )  # (N, H/2, W/2, 2 ngf): G1's last feature map
  use_bias = bias_for_normalization(norm)
  p = LOCAL_PREFIX
  x = conv2d(
    inputs, ngf, 7, padding=3, padding_mode="reflect", use_bias=use_bias, name=f"{p}conv_in"
  )
  x = normalization(norm, name=f"{p}norm_in")(x)
  x = keras.layers.ReLU(name=f"{p}relu_in")(x)
  x = conv2d(x, 2 * ngf, 3, strides=2, padding=1, use_bias=use_bias, name=f"{p}down1")
  x = normalization(norm, name=f"{p}down1_norm")(x)
  x = keras.layers.ReLU(name=f"{p}down1_relu")(x)
  x = keras.layers.Add(name=f"{p}sum")([x, g1])
  for b in range(1, n_blocks_local + 1):
    x = resnet_block(x, 2 * ngf, norm, use_bias=use_bias, name=f"{p}block{b}")
  x = upsample(x, ngf, "transpose", use_bias=use_bias, name=f"{p}up1")
  x = normalization(norm, name=f"{p}up1_norm")(x)
  x = keras.layers.ReLU(name=f"{p}up1_relu")(x)
  return keras.Model(inputs, output_layers(x, output_channels, prefix=p), name=name)


def global_layers(enhancer: keras.Model) -> list[keras.layers.Layer]:
  """G1's layers inside a local enhancer (those the "local" stage freezes)."""
  return [layer for layer in enhancer.layers if layer.name.startswith(GLOBAL_PREFIX)]


def load_global_weights(enhancer: keras.Model, g1: keras.Model) -> int:
  """Copies a trained `global_generator`'s weights into the enhancer's G1 by layer name (its
  conv_out is not part of G; official --load_pretrain of the global run). Returns the number of
  layers copied; a G1 layer missing from `g1` raises."""
  copied = 0
  for layer in global_layers(enhancer):
    if layer.weights:
      layer.set_weights(g1.get_layer(layer.name[len(GLOBAL_PREFIX) :]).get_weights())
      copied += 1
  return copied
