"""Config -> ConditionalSynthesis (the registry entry "conditional_gan": class-conditional GANs by
the variants of configs/conditional.py).

The class-conditional nets take [input, class ids] (nets/conditional_sngan_resnet.py), so they
are built here from their config block: `name` picks the builder, every other key is its
keyword; num_classes and image_size come from config.conditioning and config.data.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import keras
import ml_collections

from tfgan_repro import nets
from tfgan_repro.models.conditional_synthesis import ConditionalSynthesis
from tfgan_repro.models.registry import register_model
from tfgan_repro.models.synthesis import OPTIMIZER
from tfgan_repro.models.synthesis_builder import GAN_LOSS_KEYS, synthesis_kwargs
from tfgan_repro.nets import biggan, conditional_sngan_resnet

# name -> (builder, its keyword of the class count)
CONDITIONAL_NETS: dict[str, tuple[Callable[..., keras.Model], str]] = {
  "conditional_sngan_resnet_generator": (
    conditional_sngan_resnet.conditional_sngan_resnet_generator,
    "num_classes",
  ),
  "conditional_sngan_resnet_discriminator": (
    conditional_sngan_resnet.conditional_sngan_resnet_discriminator,
    "num_classes",
  ),
  "biggan_generator": (biggan.biggan_generator, "n_classes"),  # BigGAN-PyTorch --n_classes
  "biggan_discriminator": (biggan.biggan_discriminator, "n_classes"),
}


def conditional_network(
  block: ml_collections.ConfigDict, *, num_classes: int, image_size: int, name: str
) -> keras.Model:
  """The class-conditional net `block.name` with the block's keys it takes as keywords; a key no
  conditional net and no registered net takes is a typo (ValueError naming it)."""
  if block.name not in CONDITIONAL_NETS:
    raise ValueError(
      f"unknown class-conditional network {block.name!r}; valid: {', '.join(CONDITIONAL_NETS)}"
    )
  builder, class_key = CONDITIONAL_NETS[block.name]
  known = {p for b, _ in CONDITIONAL_NETS.values() for p in inspect.signature(b).parameters}
  for other in nets.NETWORKS.names():  # a block may list the options of other nets of its role
    known.update(inspect.signature(nets.NETWORKS.get(other).builder).parameters)
  unknown = sorted(k for k in block.keys() if k not in known and k != "name")
  if unknown:
    raise ValueError(f"unknown key {unknown[0]!r} in the config block of {block.name!r}")
  params = inspect.signature(builder).parameters
  kwargs = {k: v for k, v in block.items() if k != "name" and k in params}
  return builder(**kwargs, **{class_key: num_classes}, image_size=image_size, name=name)


@register_model(
  "conditional_gan",
  config_module="configs.conditional",
  # official pfnet-research/sngan_projection configs/sn_cifar10.yml: ResNetGenerator (CBN, 10
  # classes) and SNResNetProjectionDiscriminator (docs/official_counts.md)
  paper_counts={"generator": 4_304_387, "discriminator": 1_055_104},
  paper_variant="sngan_projection",
)
def build_conditional_gan(config: ml_collections.ConfigDict) -> ConditionalSynthesis:
  loss, cond = config.loss, config.conditioning
  size = config.data.crop_size
  return ConditionalSynthesis(
    G=conditional_network(
      config.generator, num_classes=cond.num_classes, image_size=size, name="G"
    ),
    D=conditional_network(
      config.discriminator, num_classes=cond.num_classes, image_size=size, name="D"
    ),
    num_classes=cond.num_classes,
    conditioning=cond.mode,
    ac_weight=cond.ac_weight,
    ortho_reg=loss.get("ortho_reg", 0.0),
    **synthesis_kwargs(
      config,
      GAN_LOSS_KEYS,
      n_critic=True,
      epsilon=config.optimizer.get("epsilon", OPTIMIZER.epsilon),
    ),
  )
