"""Config -> StyleGAN2 (the registry entry "stylegan2"; configs/stylegan2.py)."""

from __future__ import annotations

import ml_collections

from tfgan_repro.models.registry import network_from_config, register_model
from tfgan_repro.models.stylegan2 import OPTIMIZER, StyleGAN2
from tfgan_repro.models.synthesis_builder import ADA_LOSS_KEYS, synthesis_kwargs

# config.loss keys passed to StyleGAN2 under their own names, besides the ADA ones
STYLEGAN2_LOSS_KEYS = (
  "r1_gamma",
  "pl_weight",
  "pl_decay",
  "pl_batch_shrink",
  "style_mixing_prob",
  "g_reg_interval",
  "d_reg_interval",
  "instance_noise_std",
  "instance_noise_decay_steps",
  "diff_augment",
)


@register_model(
  "stylegan2",
  config_module="configs.stylegan2",
  # config F at 256 px (stylegan2-ada-pytorch train.py --cfg stylegan2; docs/official_counts.md)
  paper_counts={"generator": 30_034_338, "discriminator": 28_864_129},
  paper_variant="config_f",
)
def build_stylegan2(config: ml_collections.ConfigDict) -> StyleGAN2:
  size = {"image_size": config.data.crop_size}
  return StyleGAN2(
    G=network_from_config(config.generator, name="G", **size),
    D=network_from_config(config.discriminator, name="D", **size),
    # the settings before the lazy-regularisation adjustment (models/stylegan2.py lazy_optimizer)
    **synthesis_kwargs(
      config, STYLEGAN2_LOSS_KEYS + ADA_LOSS_KEYS, epsilon=OPTIMIZER.epsilon, ttur=False
    ),
  )
