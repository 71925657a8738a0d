"""Loss functions: plain functions of tensors returning one value per example."""

from tfgan_repro.losses.adversarial import (
  GAN_MODES,
  discriminator_loss,
  discriminator_terms,
  generator_loss,
)
from tfgan_repro.losses.penalties import gradient_penalty
from tfgan_repro.losses.reconstruction import l1_loss

__all__ = [
  "GAN_MODES",
  "discriminator_loss",
  "discriminator_terms",
  "generator_loss",
  "gradient_penalty",
  "l1_loss",
]
