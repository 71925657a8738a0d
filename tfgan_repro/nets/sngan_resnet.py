"""The ResNet G and D of SNGAN at 32 px (Miyato et al. 2018, Appendix B.4, Table 3 (CIFAR-10 /
STL-10 ResNet); the same shapes as WGAN-GP's CIFAR-10 ResNet, Gulrajani et al. 2017, App. F,
with 256 channels in G).

Official code: pfnet-research/sngan_projection (`gen_models/resnet_32.py` ResNetGenerator,
`dis_models/snresnet_32.py` SNResNetDiscriminator, `*/resblocks.py`) -> layer names here:
  G  z [N, 128] -> Linear 4*4*256 -> [N, 4, 4, 256]              l1, l1_reshape
     3 x Block(256, 256, upsample): BN, ReLU, up 2x (nearest), conv3, BN, ReLU, conv3;
       shortcut: up 2x, conv1                                      block{2,3,4}_*
     BN, ReLU, conv3 -> 3, tanh                                    b5, b5_relu, l5, tanh
  D  OptimizedBlock(3, 128): conv3, ReLU, conv3, avgpool 2; shortcut avgpool 2, conv1  block1_*
     Block(128, 128, downsample): ReLU, conv3, ReLU, conv3, avgpool 2; shortcut conv1, avgpool
     2 x Block(128, 128): ReLU, conv3, ReLU, conv3; shortcut identity        block{2,3,4}_*
     ReLU, global sum pooling, SN Linear -> 1 (logit)              relu, sum, l5
Every D conv and linear is spectrally normalised (layers/spectral_normalization.py); convs 3x3
with padding 1 and bias. Init (official): GlorotUniform(sqrt(2)) for the residual convs,
GlorotUniform(1) for shortcuts, the linear layers and G's output conv. BN: the official chainer
BatchNormalization (gamma 1, beta 0) as PyTorch BatchNorm2d (layers/normalization.py, init torch).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import keras

from tfgan_repro.layers.global_sum_pooling2d import GlobalSumPooling2D
from tfgan_repro.layers.normalization import normalization
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.nets.registry import register_network

BOTTOM_WIDTH = 4  # official resnet_32.py bottom_width=4
Z_DIM = 128  # official dim_z=128 (Miyato et al. 2018, Table 3: z in R^128 ~ N(0, I))
G_CH = 256  # official ResNetGenerator(ch=256) (Table 3: ResBlock up 256)
D_CH = 128  # official SNResNetDiscriminator(ch=128) (Table 3: ResBlock down 128)
NORMS = ("batch", "none")


def _glorot(gain: float) -> keras.initializers.Initializer:
  """chainer GlorotUniform(scale=gain): U(+-gain sqrt(6 / (fan_in + fan_out)))."""
  return keras.initializers.VarianceScaling(gain**2, mode="fan_avg", distribution="uniform")


def _conv(filters: int, k: int, gain: float, sn: bool, name: str) -> keras.layers.Layer:
  layer = keras.layers.Conv2D(
    filters,
    k,
    padding="same",
    kernel_initializer=_glorot(gain),
    name=name if not sn else f"{name}_conv",
  )
  return SpectralNormalization(layer, name=name) if sn else layer


def _dense(units: int, sn: bool, name: str) -> keras.layers.Layer:
  layer = keras.layers.Dense(
    units, kernel_initializer=_glorot(1.0), name=name if not sn else f"{name}_dense"
  )
  return SpectralNormalization(layer, name=name) if sn else layer


def _norm(x: keras.KerasTensor, norm: str, name: str) -> keras.KerasTensor:
  return normalization("batch", name=name, init="torch")(x) if norm == "batch" else x


def _up_block(
  x: keras.KerasTensor,
  ch: int,
  norm: Callable[[keras.KerasTensor, str], keras.KerasTensor],
  sn: bool,
  name: str,
) -> keras.KerasTensor:
  """Official resblocks.Block(upsample=True): the residual (`norm`(x, name) before each ReLU)
  and the learnt 1x1 shortcut."""
  h = keras.layers.ReLU(name=f"{name}_relu1")(norm(x, f"{name}_b1"))
  h = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")(h)
  h = _conv(ch, 3, math.sqrt(2), sn, f"{name}_c1")(h)
  h = keras.layers.ReLU(name=f"{name}_relu2")(norm(h, f"{name}_b2"))
  h = _conv(ch, 3, math.sqrt(2), sn, f"{name}_c2")(h)
  s = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_sc_up")(x)
  s = _conv(ch, 1, 1.0, sn, f"{name}_c_sc")(s)
  return keras.layers.Add(name=f"{name}_add")([h, s])


@register_network(
  "sngan_resnet_generator",
  role="generator",
  official_name="ResNetGenerator",  # sngan_projection gen_models/resnet_32.py
  paper_kwargs={},  # official ch=256, dim_z=128, bottom_width=4, 32 px
  # Counted from the official layer list: l1 128*4096+4096 = 528,384; per block 2 x (256*256*9
  # + 256) + 2 x 512 (BN) + 256*256 + 256 = 1,246,976 (x 3); b5 512; l5 256*3*9 + 3 = 6,915.
  official_params=4_276_739,
  tiny_kwargs={"z_dim": 8, "ch": 8, "image_size": 16},
  tiny_input_shape=(8,),
)
def sngan_resnet_generator(
  *,
  z_dim: int = Z_DIM,
  ch: int = G_CH,
  output_channels: int = 3,
  image_size: int = 32,  # Table 3: 32x32 (3 up-blocks from 4x4)
  norm: str = "batch",  # official BatchNormalization in G
  name: str = "sngan_resnet_generator",
) -> keras.Model:
  """SNGAN ResNet G: z [N, z_dim] -> images [N, S, S, output_channels] in [-1, 1], S =
  image_size = 4 * 2^blocks."""
  blocks = int(math.log2(image_size // BOTTOM_WIDTH)) if image_size >= 8 else 0
  if blocks < 1 or BOTTOM_WIDTH * 2**blocks != image_size:
    raise ValueError(f"image_size must be 4 * 2^k (k >= 1), got {image_size!r}")
  if norm not in NORMS:
    raise ValueError(f"unknown norm {norm!r}; valid: {', '.join(NORMS)}")
  if min(z_dim, ch, output_channels) < 1:
    raise ValueError(
      f"z_dim, ch and output_channels must be >= 1, got {z_dim}, {ch}, {output_channels}"
    )
  z = keras.Input((z_dim,), name="z")
  x = _dense(BOTTOM_WIDTH**2 * ch, False, "l1")(z)
  x = keras.layers.Reshape((BOTTOM_WIDTH, BOTTOM_WIDTH, ch), name="l1_reshape")(x)  # [N, 4, 4, ch]
  for b in range(blocks):
    x = _up_block(x, ch, lambda t, n: _norm(t, norm, n), False, f"block{b + 2}")
  x = _norm(x, norm, "b5")
  x = keras.layers.ReLU(name="b5_relu")(x)
  x = _conv(output_channels, 3, 1.0, False, "l5")(x)
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  return keras.Model(z, keras.layers.Activation("tanh", dtype="float32", name="tanh")(x), name=name)


def _optimized_block(inputs: keras.KerasTensor, ch: int, sn: bool) -> keras.KerasTensor:
  """Official OptimizedBlock "block1": no ReLU before the first conv; shortcut avgpool then
  conv1."""
  h = _conv(ch, 3, math.sqrt(2), sn, "block1_c1")(inputs)
  h = keras.layers.ReLU(name="block1_relu")(h)
  h = _conv(ch, 3, math.sqrt(2), sn, "block1_c2")(h)
  h = keras.layers.AveragePooling2D(2, name="block1_pool")(h)
  s = keras.layers.AveragePooling2D(2, name="block1_sc_pool")(inputs)
  s = _conv(ch, 1, 1.0, sn, "block1_c_sc")(s)
  return keras.layers.Add(name="block1_add")([h, s])


def _down_block(
  x: keras.KerasTensor, ch: int, sn: bool, downsample: bool, name: str
) -> keras.KerasTensor:
  """Official resblocks.Block (D): ReLU, conv3, ReLU, conv3 [, avgpool]; the shortcut is a 1x1
  conv then avgpool when the channels change or it downsamples, else identity."""
  h = keras.layers.ReLU(name=f"{name}_relu1")(x)
  h = _conv(ch, 3, math.sqrt(2), sn, f"{name}_c1")(h)
  h = keras.layers.ReLU(name=f"{name}_relu2")(h)
  h = _conv(ch, 3, math.sqrt(2), sn, f"{name}_c2")(h)
  s = x
  if downsample or x.shape[-1] != ch:
    s = _conv(ch, 1, 1.0, sn, f"{name}_c_sc")(s)
  if downsample:
    h = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(h)
    s = keras.layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
  return keras.layers.Add(name=f"{name}_add")([h, s])


@register_network(
  "sngan_resnet_discriminator",
  role="discriminator",
  official_name="SNResNetDiscriminator",  # sngan_projection dis_models/snresnet_32.py
  paper_kwargs={},  # official ch=128, 32 px
  # Counted from the official layer list: block1 3,584 + 147,584 + 512; block2 2 x 147,584 +
  # 16,512; blocks 3, 4: 2 x 147,584 each; l5 128 + 1.
  official_params=1_053_825,
  tiny_kwargs={"ch": 8, "image_size": 16},
  tiny_input_shape=(16, 16, 3),
)
def sngan_resnet_discriminator(
  *,
  ch: int = D_CH,
  input_channels: int = 3,
  image_size: int = 32,
  spectral_norm: bool = True,  # Miyato et al. 2018; False: WGAN-GP's critic (no normalisation)
  name: str = "sngan_resnet_discriminator",
) -> keras.Model:
  """SNGAN ResNet D: images [N, S, S, input_channels] -> logits [N, 1]."""
  if image_size < 4 or image_size % 4:
    raise ValueError(f"image_size must be a multiple of 4, got {image_size!r}")
  if min(ch, input_channels) < 1:
    raise ValueError(f"ch and input_channels must be >= 1, got {ch}, {input_channels}")
  sn = spectral_norm
  inputs = keras.Input((image_size, image_size, input_channels), name="image")
  x = _optimized_block(inputs, ch, sn)
  x = _down_block(x, ch, sn, True, "block2")
  x = _down_block(x, ch, sn, False, "block3")
  x = _down_block(x, ch, sn, False, "block4")
  x = keras.layers.ReLU(name="relu")(x)
  x = GlobalSumPooling2D(name="sum")(x)  # [N, H, W, ch] -> [N, ch]
  x = _dense(1, sn, "l5")(x)
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  return keras.Model(
    inputs, keras.layers.Activation("linear", dtype="float32", name="logits")(x), name=name
  )
