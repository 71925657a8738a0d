"""Loss functions: plain functions of tensors returning one value per example.

Adversarial losses are selected by one key, `gan_mode` (`ALL_GAN_MODES`; adversarial.py);
regularisers of D are R1 / R2 / the gradient penalty (per example), BigGAN's orthogonal
regularisation of G (a scalar), WGAN weight clipping and instance noise; DiffAugment and ADA
(adaptive discriminator augmentation, ada_augmentation.py) augment D's inputs. TTUR (Heusel et
al. 2017, two time-scale update rule) is not a loss: it is the players' optimizer settings, a
learning rate for G and another for D
(`tfgan_repro.models.contract.Optimizer`, one per `Player`).
"""

from tfgan_repro.losses.ada_augmentation import PIPELINES as ADA_PIPELINES
from tfgan_repro.losses.ada_augmentation import ada_adjust, ada_augment
from tfgan_repro.losses.adversarial import (
  ALL_GAN_MODES,
  GAN_MODES,
  RELATIVISTIC_MODES,
  SMOOTHABLE_MODES,
  discriminator_loss,
  discriminator_terms,
  generator_loss,
  mean_probability_bce,
)
from tfgan_repro.losses.attribute import attribute_bce, attribute_cross_entropy
from tfgan_repro.losses.diff_augmentation import POLICIES as DIFF_AUGMENT_POLICIES
from tfgan_repro.losses.diff_augmentation import diff_augment
from tfgan_repro.losses.feature_matching import feature_matching_loss
from tfgan_repro.losses.penalties import gradient_penalty
from tfgan_repro.losses.perceptual import VGG_LAYERS, VGG_WEIGHTS, vgg19_features, vgg_loss
from tfgan_repro.losses.reconstruction import l1_loss, mse_loss
from tfgan_repro.losses.regularizers import (
  INSTANCE_NOISE_DISTS,
  add_instance_noise,
  clip_weights,
  instance_noise_std,
  orthogonal_regularization,
  r1_penalty,
  r2_penalty,
)

__all__ = [
  "ADA_PIPELINES",
  "ALL_GAN_MODES",
  "DIFF_AUGMENT_POLICIES",
  "GAN_MODES",
  "INSTANCE_NOISE_DISTS",
  "RELATIVISTIC_MODES",
  "SMOOTHABLE_MODES",
  "VGG_LAYERS",
  "VGG_WEIGHTS",
  "ada_adjust",
  "ada_augment",
  "add_instance_noise",
  "attribute_bce",
  "attribute_cross_entropy",
  "clip_weights",
  "diff_augment",
  "discriminator_loss",
  "discriminator_terms",
  "feature_matching_loss",
  "generator_loss",
  "gradient_penalty",
  "instance_noise_std",
  "l1_loss",
  "mean_probability_bce",
  "mse_loss",
  "orthogonal_regularization",
  "r1_penalty",
  "r2_penalty",
  "vgg19_features",
  "vgg_loss",
]
