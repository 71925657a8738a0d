"""DCGAN generator and discriminator (Radford et al. 2016, Sec. 3 and Fig. 1).

Official code: pytorch/examples dcgan/main.py (`Generator`, `Discriminator`, `weights_init`),
whose layer order this follows; each layer is named `main_<i>`, i its index in the official
`nn.Sequential` (`main.<i>`), so weights map one to one. At 64 px (nz 100, ngf = ndf = 64, nc 3):

  G  z [N, nz] -> reshape [N, 1, 1, nz]             (official input [N, nz, 1, 1])
     ConvTranspose2d(nz, ngf*8, 4, 1, 0), BN, ReLU  main_0..2    4x4
     ConvTranspose2d(k4, s2, p1) halving, BN, ReLU  main_3..11   8, 16, 32 (ngf*4, *2, *1)
     ConvTranspose2d(ngf, nc, 4, 2, 1), Tanh        main_12, 13  64x64 in [-1, 1]
  D  Conv2d(nc, ndf, 4, 2, 1), LeakyReLU(0.2)       main_0, 1    32
     Conv2d(k4, s2, p1) doubling, BN, LeakyReLU     main_2..10   16, 8, 4 (ndf*2, *4, *8)
     Conv2d(ndf*8, 1, 4, 1, 0)                      main_11      1x1 -> [N, 1] logits

Every conv has bias=False; conv weights ~ N(0, 0.02), BN gamma ~ N(1, 0.02), beta 0 (official
weights_init). The official D ends with Sigmoid and trains with BCELoss; here D returns the logit
and the sigmoid lives in the loss (losses.discriminator_loss, the same values, stable). Another
image size (a power of 2, >= 8) keeps the pattern with log2(size) - 2 stride-2 layers: 32 px is
one block fewer (G starts at ngf*4).
"""

from __future__ import annotations

import math

import keras

from tfgan_repro.layers.initializers import kernel_init
from tfgan_repro.layers.normalization import normalization
from tfgan_repro.layers.pytorch_conv import conv2d, conv_transpose2d
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.nets.registry import register_network

LEAKY_SLOPE = 0.2  # official nn.LeakyReLU(0.2, inplace=True); paper Sec. 3
KERNEL_SIZE = 4  # official: every (transposed) conv is 4x4
NORMS = ("batch", "none")  # official: BatchNorm2d; "none" for critics without it (WGAN-GP)


def _blocks(image_size: int) -> int:
  """Stride-2 layers: log2(image_size) - 2 (4 at 64 px)."""
  if not isinstance(image_size, int) or image_size < 8 or image_size & (image_size - 1):
    raise ValueError(f"image_size must be a power of 2 >= 8, got {image_size!r}")
  return int(math.log2(image_size)) - 2


def _check(norm: str, **widths: int) -> None:
  if norm not in NORMS:
    raise ValueError(f"unknown norm {norm!r}; valid: {', '.join(NORMS)}")
  for key, value in widths.items():
    if value < 1:
      raise ValueError(f"{key} must be >= 1, got {value!r}")


def _norm(x: keras.KerasTensor, norm: str, name: str) -> keras.KerasTensor:
  return normalization("batch", name=name)(x) if norm == "batch" else x


def _d_conv(
  x: keras.KerasTensor, filters: int, strides: int, padding: int, sn: bool, name: str
) -> keras.KerasTensor:
  """D's bias-free 4x4 conv; with `sn`, spectrally normalised (Miyato et al. 2018, Sec. 4: the
  "standard CNN" D with every weight normalised)."""
  if not sn:
    return conv2d(
      x, filters, KERNEL_SIZE, strides=strides, padding=padding, use_bias=False, name=name
    )
  if padding:
    x = keras.layers.ZeroPadding2D(padding, name=f"{name}_pad")(x)
  conv = keras.layers.Conv2D(
    filters,
    KERNEL_SIZE,
    strides=strides,
    use_bias=False,
    kernel_initializer=kernel_init("normal"),
    name=f"{name}_conv",
  )
  return SpectralNormalization(conv, name=name)(x)


@register_network(
  "dcgan_generator",
  role="generator",
  official_name="Generator",  # pytorch/examples dcgan/main.py
  paper_kwargs={},  # official --nz 100 --ngf 64 --imageSize 64, nc 3
  official_params=3_576_704,  # docs/official_counts.md (official main.py netG)
  tiny_kwargs={"nz": 8, "ngf": 4, "image_size": 16},
  tiny_input_shape=(8,),
)
def dcgan_generator(
  *,
  nz: int = 100,  # official --nz 100 (paper Sec. 3: 100-dim uniform z; official: normal)
  ngf: int = 64,  # official --ngf 64
  output_channels: int = 3,  # official nc = 3
  image_size: int = 64,  # official --imageSize 64
  norm: str = "batch",  # official BatchNorm2d after every transposed conv but the last
  name: str = "dcgan_generator",
) -> keras.Model:
  """DCGAN G: z [N, nz] -> images [N, image_size, image_size, output_channels] in [-1, 1]."""
  n = _blocks(image_size)
  _check(norm, nz=nz, ngf=ngf, output_channels=output_channels)
  z = keras.Input((nz,), name="z")
  x = keras.layers.Reshape((1, 1, nz), name="z_reshape")(z)  # [N, nz] -> [N, 1, 1, nz]
  i = 0
  for block in range(n + 1):
    filters = ngf * 2 ** (n - 1 - block) if block < n else output_channels
    x = conv_transpose2d(
      x,
      filters,
      KERNEL_SIZE,
      strides=1 if block == 0 else 2,
      padding=0 if block == 0 else 1,
      use_bias=False,
      name=f"main_{i}",
    )
    if block == n:
      break
    x = _norm(x, norm, f"main_{i + 1}")
    x = keras.layers.ReLU(name=f"main_{i + 2}")(x)
    i += 3
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  x = keras.layers.Activation("tanh", dtype="float32", name=f"main_{i + 1}")(x)
  return keras.Model(z, x, name=name)


@register_network(
  "dcgan_discriminator",
  role="discriminator",
  official_name="Discriminator",  # pytorch/examples dcgan/main.py
  paper_kwargs={},  # official --ndf 64 --imageSize 64, nc 3
  official_params=2_765_568,  # docs/official_counts.md (official main.py netD)
  tiny_kwargs={"ndf": 4, "image_size": 16},
  tiny_input_shape=(16, 16, 3),
)
def dcgan_discriminator(
  *,
  ndf: int = 64,  # official --ndf 64
  input_channels: int = 3,  # official nc = 3
  image_size: int = 64,  # official --imageSize 64
  norm: str = "batch",  # official BatchNorm2d from the second conv on
  spectral_norm: bool = False,  # not in DCGAN; SNGAN (Miyato et al. 2018) sets it, norm "none"
  name: str = "dcgan_discriminator",
) -> keras.Model:
  """DCGAN D: images [N, image_size, image_size, input_channels] -> logits [N, 1]."""
  n = _blocks(image_size) - 1
  _check(norm, ndf=ndf, input_channels=input_channels)
  inputs = keras.Input((image_size, image_size, input_channels), name="image")
  x = _d_conv(inputs, ndf, 2, 1, spectral_norm, "main_0")
  x = keras.layers.LeakyReLU(LEAKY_SLOPE, name="main_1")(x)
  i = 2
  for block in range(1, n + 1):
    x = _d_conv(x, ndf * 2**block, 2, 1, spectral_norm, f"main_{i}")
    x = _norm(x, norm, f"main_{i + 1}")
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"main_{i + 2}")(x)
    i += 3
  x = _d_conv(x, 1, 1, 0, spectral_norm, f"main_{i}")
  x = keras.layers.Reshape((1,), name="flatten")(x)  # [N, 1, 1, 1] -> [N, 1] (official view)
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  x = keras.layers.Activation("linear", dtype="float32", name="logits")(x)
  return keras.Model(inputs, x, name=name)
