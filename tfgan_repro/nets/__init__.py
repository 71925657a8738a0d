"""Generators and discriminators, registered by name in `NETWORKS` (importing this package fills it)."""

from tfgan_repro.nets.biggan import biggan_discriminator, biggan_generator
from tfgan_repro.nets.conditional_network import conditional_network
from tfgan_repro.nets.dcgan import dcgan_discriminator, dcgan_generator
from tfgan_repro.nets.fader_gan_discriminator import fader_gan_discriminator
from tfgan_repro.nets.fader_networks import (
  fader_autoencoder,
  fader_decoder,
  fader_encoder,
  fader_latent_discriminator,
  fader_patch_discriminator,
)
from tfgan_repro.nets.global_generator import global_generator
from tfgan_repro.nets.instance_encoder import instance_encoder
from tfgan_repro.nets.local_enhancer import global_layers, load_global_weights, local_enhancer
from tfgan_repro.nets.mlp_gan import mlp_discriminator, mlp_generator
from tfgan_repro.nets.multiscale_discriminator import multiscale
from tfgan_repro.nets.nlayer_discriminator import nlayer_discriminator_layers, patch
from tfgan_repro.nets.pacgan_mlp import pacgan_discriminator, pacgan_generator
from tfgan_repro.nets.pggan import pggan_discriminator, pggan_generator
from tfgan_repro.nets.pixel_discriminator import pixel
from tfgan_repro.nets.registry import NETWORKS, ROLES, NetworkSpec, build, register_network
from tfgan_repro.nets.resnet_generator import (
  resnet_6,
  resnet_9,
  resnet_block,
  resnet_generator,
  resnet_generator_features,
)
from tfgan_repro.nets.sngan_resnet import sngan_resnet_discriminator, sngan_resnet_generator
from tfgan_repro.nets.stargan_discriminator import stargan_discriminator
from tfgan_repro.nets.stargan_generator import stargan_generator
from tfgan_repro.nets.stylegan2 import (
  stylegan2_discriminator,
  stylegan2_generator,
  stylegan2_mapping,
  stylegan2_synthesis,
)
from tfgan_repro.nets.triple_gan_classifier import triple_gan_classifier
from tfgan_repro.nets.unet_generator import unet_64, unet_128, unet_256, unet_generator

__all__ = [
  "NETWORKS",
  "ROLES",
  "NetworkSpec",
  "biggan_discriminator",
  "biggan_generator",
  "build",
  "conditional_network",
  "dcgan_discriminator",
  "dcgan_generator",
  "fader_autoencoder",
  "fader_decoder",
  "fader_encoder",
  "fader_gan_discriminator",
  "fader_latent_discriminator",
  "fader_patch_discriminator",
  "global_generator",
  "global_layers",
  "instance_encoder",
  "load_global_weights",
  "local_enhancer",
  "mlp_discriminator",
  "mlp_generator",
  "multiscale",
  "nlayer_discriminator_layers",
  "pacgan_discriminator",
  "pacgan_generator",
  "patch",
  "pggan_discriminator",
  "pggan_generator",
  "pixel",
  "register_network",
  "resnet_6",
  "resnet_9",
  "resnet_block",
  "resnet_generator",
  "resnet_generator_features",
  "sngan_resnet_discriminator",
  "sngan_resnet_generator",
  "stargan_discriminator",
  "stargan_generator",
  "stylegan2_discriminator",
  "stylegan2_generator",
  "stylegan2_mapping",
  "stylegan2_synthesis",
  "triple_gan_classifier",
  "unet_64",
  "unet_128",
  "unet_256",
  "unet_generator",
]
