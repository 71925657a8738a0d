"""Config -> CycleGAN (the registry entry "cycle_gan")."""

from __future__ import annotations

import ml_collections

from tfgan_repro.models.cycle_gan import CycleGAN
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model


def cycle_gan_options(config: ml_collections.ConfigDict) -> dict:
  """CycleGAN's keyword arguments other than its nets, from `config` (shared with CycleCGAN)."""
  loss = config.loss
  return dict(
    image_shape=(config.data.crop_size, config.data.crop_size, 3),
    gan_mode=loss.gan_mode,
    lambda_a=loss.lambda_a,
    lambda_b=loss.lambda_b,
    lambda_identity=loss.lambda_identity,
    lambda_gp=loss.lambda_gp,
    pool_size=config.train.pool_size,
    d_noise_std=loss.d_noise_std,
    d_noise_decay_steps=loss.d_noise_decay_steps,
    optimizer=optimizer_from_config(config),
    global_batch_size=config.batch_size,
    seed=config.seed,
  )


@register_model(
  "cycle_gan",
  config_module="configs.cyclegan",
  # official --netG resnet_9blocks / --netD basic at 256 px (docs/official_counts.md)
  paper_counts={"generator": 11_378_179, "discriminator": 2_764_737},
)
def build_cycle_gan(config: ml_collections.ConfigDict) -> CycleGAN:
  return CycleGAN(
    G_AB=network_from_config(config.generator, name="G_AB"),
    G_BA=network_from_config(config.generator, name="G_BA"),
    D_A=network_from_config(config.discriminator, name="D_A"),
    D_B=network_from_config(config.discriminator, name="D_B"),
    **cycle_gan_options(config),
  )
