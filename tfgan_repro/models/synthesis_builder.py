"""Config -> Synthesis (the registry entry "dcgan": DCGAN by default; the ResNet and MLP nets and
the WGAN / SNGAN options by the keys of configs/dcgan.py)."""

from __future__ import annotations

import ml_collections

from tfgan_repro.models.contract import EMA
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model
from tfgan_repro.models.synthesis import OPTIMIZER, Synthesis


def ema_from_config(config: ml_collections.ConfigDict) -> EMA | None:
  """config.ema -> EMA of G: `decay` or `half_life_kimg` (0 = off; not both), `rampup` (0 =
  none), `start_step`."""
  ema = config.ema
  if ema.decay and ema.half_life_kimg:
    raise ValueError(
      f"config.ema: give decay or half_life_kimg, not both; got {ema.decay}, {ema.half_life_kimg}"
    )
  if not (ema.decay or ema.half_life_kimg):
    return None
  return EMA(
    "G",
    decay=ema.decay or None,
    half_life_kimg=ema.half_life_kimg or None,
    rampup=ema.rampup or None,
    start_step=ema.start_step,
  )


def _image_size(config: ml_collections.ConfigDict) -> dict:
  """image_size = data.crop_size for image nets; nothing for the point nets (dataset_mode
  "points")."""
  if config.data.dataset_mode == "points":
    return {}
  return {"image_size": config.data.crop_size}


@register_model(
  "dcgan",
  config_module="configs.dcgan",
  # official pytorch/examples dcgan main.py at 64 px, nz 100, ngf = ndf = 64
  # (docs/official_counts.md)
  paper_counts={"generator": 3_576_704, "discriminator": 2_765_568},
)
def build_dcgan(config: ml_collections.ConfigDict) -> Synthesis:
  loss, opt = config.loss, config.optimizer
  return Synthesis(
    G=network_from_config(config.generator, name="G", **_image_size(config)),
    D=network_from_config(config.discriminator, name="D", **_image_size(config)),
    latent_distribution=config.latent.distribution,
    gan_mode=loss.gan_mode,
    real_label=loss.real_label,
    instance_noise_std=loss.instance_noise_std,
    instance_noise_decay_steps=loss.instance_noise_decay_steps,
    r1_gamma=loss.r1_gamma,
    r2_gamma=loss.r2_gamma,
    gp_lambda=loss.gp_lambda,
    clip_value=loss.clip_value,
    diff_augment=loss.diff_augment,
    n_critic=config.train.n_critic,
    ema=ema_from_config(config),
    # TTUR (Heusel et al. 2017): optimizer.g_lr / d_lr, 0 = optimizer.lr.
    g_optimizer=optimizer_from_config(
      config, lr=opt.get("g_lr", 0.0) or opt.lr, epsilon=OPTIMIZER.epsilon
    ),
    d_optimizer=optimizer_from_config(
      config, lr=opt.get("d_lr", 0.0) or opt.lr, epsilon=OPTIMIZER.epsilon
    ),
    global_batch_size=config.batch_size,
    seed=config.seed,
  )
