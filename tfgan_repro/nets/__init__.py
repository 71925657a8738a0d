"""Generators and discriminators, registered by name in `NETWORKS` (importing this package fills it)."""

from tfgan_repro.nets.global_generator import global_generator
from tfgan_repro.nets.instance_encoder import instance_encoder
from tfgan_repro.nets.local_enhancer import global_layers, load_global_weights, local_enhancer
from tfgan_repro.nets.multiscale_discriminator import multiscale
from tfgan_repro.nets.nlayer_discriminator import nlayer_discriminator_layers, patch
from tfgan_repro.nets.pixel_discriminator import pixel
from tfgan_repro.nets.registry import NETWORKS, ROLES, NetworkSpec, build, register_network
from tfgan_repro.nets.resnet_generator import (
  resnet_6,
  resnet_9,
  resnet_block,
  resnet_generator,
  resnet_generator_features,
)
from tfgan_repro.nets.unet_generator import unet_128, unet_256, unet_generator

__all__ = [
  "NETWORKS",
  "ROLES",
  "NetworkSpec",
  "build",
  "global_generator",
  "global_layers",
  "instance_encoder",
  "load_global_weights",
  "local_enhancer",
  "multiscale",
  "nlayer_discriminator_layers",
  "patch",
  "pixel",
  "register_network",
  "resnet_6",
  "resnet_9",
  "resnet_block",
  "resnet_generator",
  "resnet_generator_features",
  "unet_128",
  "unet_256",
  "unet_generator",
]
