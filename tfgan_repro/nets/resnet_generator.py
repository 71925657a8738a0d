"""ResnetGenerator of CycleGAN (Zhu et al. 2017, Appendix 7.2), after Johnson et al. 2016.

Official code (pytorch-CycleGAN-and-pix2pix `networks.ResnetGenerator`) -> paper (c7s1-k, dk, Rk,
uk) -> layer names here:
  ReflectionPad2d(3), Conv2d(k7) ngf, norm, ReLU         c7s1-64       conv_in[_pad], norm_in, relu_in
  2 x [Conv2d(k3, s2, p1) 2^i ngf, norm, ReLU]           d128, d256    down{i}[_pad], down{i}_norm, ..
  n_blocks x ResnetBlock(4 ngf): reflect 1, conv3, norm, ReLU, [Dropout 0.5], reflect 1, conv3, norm,
    x + block                                            R256          block{b}_conv{1,2}, ..., _add
  2 x [ConvTranspose2d(k3, s2, p1, op1), norm, ReLU]     u128, u64     up{i}, up{i}_norm, ..
  ReflectionPad2d(3), Conv2d(k7) output_nc, Tanh         c7s1-3        conv_out[_pad], tanh
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.normalization import bias_for_normalization, normalization
from tfgan_repro.layers.pytorch_conv import conv2d
from tfgan_repro.layers.upsample import UPSAMPLE_MODES
from tfgan_repro.layers.upsample import upsample as upsample_block
from tfgan_repro.nets.common import ImageSize, dropout_layer, image_input
from tfgan_repro.nets.registry import register_network

# official: n_downsampling = 2 (ResnetGenerator); sizes must be multiples of 2^2 to come back equal.
N_DOWNSAMPLING = 2


def resnet_generator_features(
  x: keras.KerasTensor,
  *,
  n_blocks: int,
  ngf: int,
  norm: str,
  n_downsampling: int = N_DOWNSAMPLING,
  upsample: str = "transpose",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  prefix: str = "",
) -> keras.KerasTensor:
  """The ResnetGenerator body on a tensor, up to its output conv: (N, H, W, C) -> (N, H, W, ngf).

  c7s1-ngf, n_downsampling stride-2 convs (ngf * 2^i), n_blocks ResnetBlocks, n_downsampling
  upsamples. pix2pixHD's GlobalGenerator (n_downsampling 4) and Encoder (n_blocks 0) are this
  body too. Layer names get `prefix`.
  """
  if n_blocks < 0:
    raise ValueError(f"n_blocks must be >= 0, got {n_blocks!r}")
  if ngf < 1:
    raise ValueError(f"ngf must be >= 1, got {ngf!r}")
  if n_downsampling < 0:
    raise ValueError(f"n_downsampling must be >= 0, got {n_downsampling!r}")
  if upsample not in UPSAMPLE_MODES:
    raise ValueError(f"unknown upsample {upsample!r}; valid: {', '.join(UPSAMPLE_MODES)}")
  if not 0.0 <= dropout < 1.0:
    raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
  use_bias = bias_for_normalization(norm)
  p = prefix
  x = conv2d(x, ngf, 7, padding=3, padding_mode="reflect", use_bias=use_bias, name=f"{p}conv_in")
  x = normalization(norm, name=f"{p}norm_in")(x)
  x = keras.layers.ReLU(name=f"{p}relu_in")(x)
  for i in range(1, n_downsampling + 1):
    x = conv2d(x, ngf * 2**i, 3, strides=2, padding=1, use_bias=use_bias, name=f"{p}down{i}")
    x = normalization(norm, name=f"{p}down{i}_norm")(x)
    x = keras.layers.ReLU(name=f"{p}down{i}_relu")(x)
  dim = ngf * 2**n_downsampling
  for b in range(1, n_blocks + 1):
    x = resnet_block(
      x,
      dim,
      norm,
      use_bias=use_bias,
      dropout=dropout,
      dropout_at_inference=dropout_at_inference,
      name=f"{p}block{b}",
    )
  for i in range(1, n_downsampling + 1):
    filters = ngf * 2 ** (n_downsampling - i)
    x = upsample_block(x, filters, upsample, use_bias=use_bias, name=f"{p}up{i}")
    x = normalization(norm, name=f"{p}up{i}_norm")(x)
    x = keras.layers.ReLU(name=f"{p}up{i}_relu")(x)
  return x


def output_layers(
  x: keras.KerasTensor, output_channels: int, prefix: str = ""
) -> keras.KerasTensor:
  """ReflectionPad2d(3), Conv2d(k7) output_channels, Tanh (c7s1-3). Official: bias=True."""
  x = conv2d(
    x,
    output_channels,
    7,
    padding=3,
    padding_mode="reflect",
    use_bias=True,
    name=f"{prefix}conv_out",
  )
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  return keras.layers.Activation("tanh", dtype="float32", name=f"{prefix}tanh")(x)


def resnet_generator(
  *,
  n_blocks: int,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  upsample: str = "transpose",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "resnet_generator",
) -> keras.Model:
  """ResnetGenerator: (N, H, W, input_channels) in [-1, 1] -> (N, H, W, output_channels) in [-1, 1].

  Defaults are the official CycleGAN options: --ngf 64 --norm instance --no_dropout (dropout 0;
  official `use_dropout` is rate 0.5). use_bias = (norm == instance), official rule. H, W
  multiples of 4 (2 downsamples).
  """
  inputs = image_input(input_channels, image_size, multiple_of=2**N_DOWNSAMPLING)
  x = resnet_generator_features(
    inputs,
    n_blocks=n_blocks,
    ngf=ngf,
    norm=norm,
    upsample=upsample,
    dropout=dropout,
    dropout_at_inference=dropout_at_inference,
  )
  return keras.Model(inputs, output_layers(x, output_channels), name=name)


def resnet_block(
  x: keras.KerasTensor,
  dim: int,
  norm: str,
  *,
  use_bias: bool,
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  name: str,
) -> keras.KerasTensor:
  """Official ResnetBlock(dim, padding_type='reflect'): x + [reflect 1, conv3, norm, ReLU,
  (Dropout), reflect 1, conv3, norm](x). Layers `{name}_conv1`, `{name}_norm1`, ..., `{name}_add`."""
  y = conv2d(x, dim, 3, padding=1, padding_mode="reflect", use_bias=use_bias, name=f"{name}_conv1")
  y = normalization(norm, name=f"{name}_norm1")(y)
  y = keras.layers.ReLU(name=f"{name}_relu")(y)
  if dropout:
    y = dropout_layer(dropout, dropout_at_inference, name=f"{name}_dropout")(y)
  y = conv2d(y, dim, 3, padding=1, padding_mode="reflect", use_bias=use_bias, name=f"{name}_conv2")
  y = normalization(norm, name=f"{name}_norm2")(y)
  return keras.layers.Add(name=f"{name}_add")([x, y])


_TINY = {"ngf": 4}  # narrow variant for round-trip tests


@register_network(
  "resnet_9",
  role="generator",
  official_name="resnet_9blocks",
  paper_kwargs={},  # official CycleGAN: --netG resnet_9blocks --ngf 64 --norm instance, 256 px
  official_params=11_378_179,  # docs/official_counts.md (built from the official code)
  tiny_kwargs=_TINY,
  tiny_input_shape=(32, 32, 3),
)
def resnet_9(
  *,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  upsample: str = "transpose",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "resnet_9",
) -> keras.Model:
  """ResnetGenerator with 9 blocks (CycleGAN at 256 px); arguments and defaults of `resnet_generator`."""
  return resnet_generator(n_blocks=9, **locals())


@register_network(
  "resnet_6",
  role="generator",
  official_name="resnet_6blocks",
  paper_kwargs={},  # official CycleGAN: --netG resnet_6blocks (the paper's 128 px net)
  official_params=7_837_699,  # docs/official_counts.md (built from the official code)
  tiny_kwargs=_TINY,
  tiny_input_shape=(32, 32, 3),
)
def resnet_6(
  *,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  upsample: str = "transpose",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "resnet_6",
) -> keras.Model:
  """ResnetGenerator with 6 blocks (CycleGAN at 128 px); arguments and defaults of `resnet_generator`."""
  return resnet_generator(n_blocks=6, **locals())
