"""Config -> CycleCGAN (the registry entry "cycle_cgan")."""

from __future__ import annotations

import ml_collections

from tfgan_repro.models.cycle_cgan import CycleCGAN
from tfgan_repro.models.cycle_gan_builder import cycle_gan_options
from tfgan_repro.models.registry import network_from_config, register_model
from tfgan_repro.nets.conditional_network import conditional_network

CONDITION_SIZE = 1  # one binary attribute: c in {-1, +1}


@register_model(
  "cycle_cgan",
  config_module="configs.cycle_cgan",
  paper_counts=None,  # no official code, no paper config: the counts are of its shipped run
  paper_variant="glasses64",
)
def build_cycle_cgan(config: ml_collections.ConfigDict) -> CycleCGAN:
  """G and D are config.generator / config.discriminator (CycleGAN's nets) on 3 + 1 channels,
  wrapped to take [image, c]."""
  channels = 3 + CONDITION_SIZE

  def conditional(net_config: ml_collections.ConfigDict, name: str):
    net = network_from_config(net_config, input_channels=channels, name=f"{name}_net")
    return conditional_network(net, condition_size=CONDITION_SIZE, name=name)

  return CycleCGAN(
    G=conditional(config.generator, "G"),
    D=conditional(config.discriminator, "D"),
    **cycle_gan_options(config),
  )
