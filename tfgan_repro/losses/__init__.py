"""Loss functions: plain functions of tensors returning one value per example."""

from tfgan_repro.losses.adversarial import (
  GAN_MODES,
  discriminator_loss,
  discriminator_terms,
  generator_loss,
  mean_probability_bce,
)
from tfgan_repro.losses.attribute import attribute_bce, attribute_cross_entropy
from tfgan_repro.losses.feature_matching import feature_matching_loss
from tfgan_repro.losses.penalties import gradient_penalty
from tfgan_repro.losses.perceptual import VGG_LAYERS, VGG_WEIGHTS, vgg19_features, vgg_loss
from tfgan_repro.losses.reconstruction import l1_loss, mse_loss

__all__ = [
  "GAN_MODES",
  "VGG_LAYERS",
  "VGG_WEIGHTS",
  "attribute_bce",
  "attribute_cross_entropy",
  "discriminator_loss",
  "discriminator_terms",
  "feature_matching_loss",
  "generator_loss",
  "gradient_penalty",
  "l1_loss",
  "mean_probability_bce",
  "mse_loss",
  "vgg19_features",
  "vgg_loss",
]
