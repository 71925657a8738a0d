"""Config -> Pix2Pix (the registry entry "pix2pix")."""

from __future__ import annotations

import ml_collections

from tfgan_repro import data
from tfgan_repro.models.pix2pix import Pix2Pix
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model


@register_model(
  "pix2pix",
  config_module="configs.pix2pix",
  # official --netG unet_256 --norm batch, --netD basic on 3 + 3 channels (docs/official_counts.md)
  paper_counts={"generator": 54_413_955, "discriminator": 2_768_705},
)
def build_pix2pix(config: ml_collections.ConfigDict) -> Pix2Pix:
  """G maps A's channels (3, or num_classes one-hot) to B's; D sees A and B concatenated
  (official define_D(input_nc + output_nc, ...): 6 for RGB -> RGB)."""
  a_channels, b_channels = data.domain_channels(config.data)
  loss = config.loss
  return Pix2Pix(
    G=network_from_config(
      config.generator, input_channels=a_channels, output_channels=b_channels, name="G"
    ),
    D=network_from_config(config.discriminator, input_channels=a_channels + b_channels, name="D"),
    gan_mode=loss.gan_mode,
    lambda_l1=loss.lambda_l1,
    eval_mode=config.eval.eval_mode,
    input_palette=data.label_palette(config.data),
    optimizer=optimizer_from_config(config),
    global_batch_size=config.batch_size,
    seed=config.seed,
  )
