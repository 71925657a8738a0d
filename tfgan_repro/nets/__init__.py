"""Generators and discriminators, registered by name in `NETWORKS` (importing this package fills it)."""

from tfgan_repro.nets.multiscale_discriminator import multiscale
from tfgan_repro.nets.nlayer_discriminator import nlayer_discriminator_layers, patch
from tfgan_repro.nets.pixel_discriminator import pixel
from tfgan_repro.nets.registry import NETWORKS, ROLES, NetworkSpec, build, register_network
from tfgan_repro.nets.resnet_generator import resnet_6, resnet_9, resnet_generator
from tfgan_repro.nets.unet_generator import unet_128, unet_256, unet_generator

__all__ = [
  "NETWORKS",
  "ROLES",
  "NetworkSpec",
  "build",
  "multiscale",
  "nlayer_discriminator_layers",
  "patch",
  "pixel",
  "register_network",
  "resnet_6",
  "resnet_9",
  "resnet_generator",
  "unet_128",
  "unet_256",
  "unet_generator",
]
