"""Weight initializers of the official pix2pix / CycleGAN code (`networks.init_weights`), and
PyTorch's own defaults (`reset_parameters`) for the official code that keeps them (FaderNetworks).

Keras 3 initializers with `seed=None` draw one fixed seed per instance, so an instance shared by
two layers of the same shape gives them identical weights: every layer gets a fresh instance.
"""

from __future__ import annotations

import math

import keras

# official: --init_type normal --init_gain 0.02 (networks.init_weights)
INIT_GAIN = 0.02


def conv_init() -> keras.initializers.Initializer:
  """Conv / Linear weights ~ N(0, 0.02) (official `init.normal_(m.weight, 0.0, init_gain)`)."""
  return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_GAIN)


def norm_gamma_init() -> keras.initializers.Initializer:
  """BatchNorm2d weight ~ N(1, 0.02) (official `init.normal_(m.weight, 1.0, init_gain)`)."""
  return keras.initializers.RandomNormal(mean=1.0, stddev=INIT_GAIN)


# "normal": official pix2pix / CycleGAN init_weights; "torch": PyTorch's reset_parameters defaults.
INITS = ("normal", "torch")


def check_init(init: str) -> str:
  """Returns `init` or raises ValueError listing the valid names."""
  if init not in INITS:
    raise ValueError(f"unknown init {init!r}; valid: {', '.join(INITS)}")
  return init


def kernel_init(init: str) -> keras.initializers.Initializer:
  """Conv / ConvTranspose / Linear weights. torch: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(fan_in))
  with PyTorch's fan_in (in * k * k for Conv2d, out * k * k for ConvTranspose2d, whose weight is
  (in, out, k, k)): the fan_in Keras computes from its kernels (k, k, in, out) and (k, k, out, in)."""
  if check_init(init) == "normal":
    return conv_init()
  return keras.initializers.VarianceScaling(1.0 / 3.0, mode="fan_in", distribution="uniform")


def bias_init(init: str, fan_in: int) -> keras.initializers.Initializer:
  """Biases: 0 (normal), or U(+-1/sqrt(fan_in)) (torch), fan_in as in `kernel_init`."""
  if check_init(init) == "normal":
    return keras.initializers.Zeros()
  bound = 1.0 / math.sqrt(fan_in)
  return keras.initializers.RandomUniform(-bound, bound)


def gamma_init(init: str) -> keras.initializers.Initializer:
  """BatchNorm2d weight: N(1, 0.02) (normal) or 1 (torch)."""
  return norm_gamma_init() if check_init(init) == "normal" else keras.initializers.Ones()
