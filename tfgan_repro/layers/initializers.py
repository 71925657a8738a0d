"""Weight initializers of the official pix2pix / CycleGAN code (`networks.init_weights`).

Keras 3 initializers with `seed=None` draw one fixed seed per instance, so an instance shared by
two layers of the same shape gives them identical weights: every layer gets a fresh instance.
"""

from __future__ import annotations

import keras

# official: --init_type normal --init_gain 0.02 (networks.init_weights)
INIT_GAIN = 0.02


def conv_init() -> keras.initializers.Initializer:
  """Conv / Linear weights ~ N(0, 0.02) (official `init.normal_(m.weight, 0.0, init_gain)`)."""
  return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_GAIN)


def norm_gamma_init() -> keras.initializers.Initializer:
  """BatchNorm2d weight ~ N(1, 0.02) (official `init.normal_(m.weight, 1.0, init_gain)`)."""
  return keras.initializers.RandomNormal(mean=1.0, stddev=INIT_GAIN)
