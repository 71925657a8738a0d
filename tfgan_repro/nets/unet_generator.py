"""UnetGenerator of pix2pix (Isola et al. 2017, Sec. 3.1.1 and Appendix 6.1.1).

Official code (`networks.UnetGenerator` / `UnetSkipConnectionBlock`, nested outermost -> innermost)
unrolled into levels l = 1 (outermost) .. n = num_downs (innermost), channels c_l = ngf *
min(2^(l-1), 8) (paper encoder C64-C128-C256-C512-C512-C512-C512-C512):
  down l:  [LeakyReLU 0.2 (l > 1)], Conv2d(k4, s2, p1) c_l, [norm (1 < l < n)]   down{l}[_pad], ..
  up l:    ReLU, ConvTranspose2d(k4, s2, p1) -> c_{l-1} (output_nc at l = 1), norm (l > 1) or Tanh
           (l = 1), [Dropout 0.5 for 5 <= l < n when use_dropout]                 up{l}, up{l}_norm, ..
  skip l:  torch.cat([x, block(x)], 1) for l > 1: skip first, then the up path    skip{l}
The official LeakyReLU is in-place (`nn.LeakyReLU(0.2, True)`) and runs on the block input x
before the cat, so the skip carries LeakyReLU(x), not x (traced graph in lanpa/tensorboardX#215):
reproduced here, which an imported official checkpoint needs.
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.normalization import bias_for_normalization, normalization
from tfgan_repro.layers.pytorch_conv import conv2d, conv_transpose2d
from tfgan_repro.nets.common import ImageSize, dropout_layer, image_input
from tfgan_repro.nets.registry import register_network

# official: 4 outer blocks (ngf*8 <- ngf*4 <- ngf*2 <- ngf <- input) + innermost: num_downs >= 5
MIN_DOWNS = 5
# official: LeakyReLU(0.2) in the encoder (paper Appendix 6.1.1)
LEAKY_SLOPE = 0.2


def unet_generator(
  *,
  num_downs: int,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "unet_generator",
) -> keras.Model:
  """UnetGenerator: (N, H, W, input_channels) -> (N, H, W, output_channels) in [-1, 1].

  H, W multiples of 2^num_downs (the bottleneck is 1x1 at 256 px for num_downs 8). Defaults are the
  official base options (--norm instance, CycleGAN's --no_dropout); pix2pix: norm="batch",
  dropout=0.5 (official use_dropout), dropout_at_inference=True (paper Sec. 3.1: "we apply
  dropout at test time"). use_bias = (norm == instance), except the outermost ConvTranspose2d
  which keeps PyTorch's default bias.
  """
  if num_downs < MIN_DOWNS:
    raise ValueError(f"num_downs must be >= {MIN_DOWNS}, got {num_downs!r}")
  if ngf < 1:
    raise ValueError(f"ngf must be >= 1, got {ngf!r}")
  if not 0.0 <= dropout < 1.0:
    raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
  use_bias = bias_for_normalization(norm)
  inputs = image_input(input_channels, image_size, multiple_of=2**num_downs)

  def channels(level: int) -> int:
    return ngf * min(2 ** (level - 1), 8)

  n = num_downs
  x = conv2d(inputs, channels(1), 4, strides=2, padding=1, use_bias=use_bias, name="down1")
  skips = {}
  for level in range(2, n + 1):
    # In-place LeakyReLU of the official block: its output is both the skip and the conv input.
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"down{level}_lrelu")(x)
    skips[level] = x
    x = conv2d(x, channels(level), 4, strides=2, padding=1, use_bias=use_bias, name=f"down{level}")
    if level < n:  # official: the innermost block has no downnorm
      x = normalization(norm, name=f"down{level}_norm")(x)

  for level in range(n, 1, -1):
    x = keras.layers.ReLU(name=f"up{level}_relu")(x)
    x = conv_transpose2d(
      x, channels(level - 1), 4, strides=2, padding=1, use_bias=use_bias, name=f"up{level}"
    )
    x = normalization(norm, name=f"up{level}_norm")(x)
    if dropout and MIN_DOWNS <= level < n:
      x = dropout_layer(dropout, dropout_at_inference, name=f"up{level}_dropout")(x)
    x = keras.layers.Concatenate(name=f"skip{level}")([skips[level], x])  # (N, h, w, 2 c_{l-1})

  x = keras.layers.ReLU(name="up1_relu")(x)
  x = conv_transpose2d(x, output_channels, 4, strides=2, padding=1, use_bias=True, name="up1")
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  outputs = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
  return keras.Model(inputs, outputs, name=name)


# pix2pix (official pix2pix_model: --netG unet_256 --norm batch, dropout on; paper: also at test).
_PIX2PIX = {"norm": "batch", "dropout": 0.5, "dropout_at_inference": True}
_TINY = {"ngf": 4}  # narrow variant for round-trip tests; input must be 2^num_downs pixels


@register_network(
  "unet_256",
  role="generator",
  official_name="unet_256",
  paper_kwargs=_PIX2PIX,
  official_params=54_413_955,  # docs/official_counts.md (official code, norm batch)
  tiny_kwargs=_TINY,
  tiny_input_shape=(256, 256, 3),
)
def unet_256(
  *,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "unet_256",
) -> keras.Model:
  """UnetGenerator with 8 downsamplings (256 px -> 1x1); arguments and defaults of
  `unet_generator`."""
  return unet_generator(num_downs=8, **locals())


@register_network(
  "unet_128",
  role="generator",
  official_name="unet_128",
  paper_kwargs=_PIX2PIX,
  official_params=41_828_995,  # docs/official_counts.md (official code, norm batch)
  tiny_kwargs=_TINY,
  tiny_input_shape=(128, 128, 3),
)
def unet_128(
  *,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "unet_128",
) -> keras.Model:
  """UnetGenerator with 7 downsamplings (128 px -> 1x1); arguments and defaults of
  `unet_generator`."""
  return unet_generator(num_downs=7, **locals())


@register_network(
  "unet_64",
  role="generator",
  # Not an official --netG option: official UnetGenerator(num_downs=6), the U-Net that brings
  # 64 px to a 1x1 bottleneck as unet_128 / unet_256 do at their sizes.
  official_name="UnetGenerator(num_downs=6)",
  paper_kwargs=_PIX2PIX,
  official_params=None,  # no official configuration uses it
  tiny_kwargs=_TINY,
  tiny_input_shape=(64, 64, 3),
)
def unet_64(
  *,
  input_channels: int = 3,
  output_channels: int = 3,
  ngf: int = 64,
  norm: str = "instance",
  dropout: float = 0.0,
  dropout_at_inference: bool = False,
  image_size: ImageSize = None,
  name: str = "unet_64",
) -> keras.Model:
  """UnetGenerator with 6 downsamplings (64 px -> 1x1); arguments and defaults of
  `unet_generator`."""
  return unet_generator(num_downs=6, **locals())
