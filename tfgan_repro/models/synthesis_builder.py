"""Config -> Synthesis (the registry entry "dcgan": DCGAN by default; the ResNet and MLP nets and
the WGAN / SNGAN options by the keys of configs/dcgan.py)."""

from __future__ import annotations

from collections.abc import Sequence

import ml_collections

from tfgan_repro.models.contract import EMA, Optimizer
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


# config.loss keys passed to Synthesis (and the families built on its step) under their own names
GAN_LOSS_KEYS = (
  "gan_mode",
  "real_label",
  "instance_noise_std",
  "instance_noise_decay_steps",
  "instance_noise_dist",
  "r1_gamma",
  "r2_gamma",
  "gp_lambda",
  "clip_value",
  "diff_augment",
)
ADA_LOSS_KEYS = ("ada_target", "ada_pipeline", "ada_kimg", "ada_interval", "ada_p")


def synthesis_kwargs(
  config: ml_collections.ConfigDict,
  loss_keys: Sequence[str] = (),
  *,
  n_critic: bool = False,
  optimizers: tuple[Optimizer, Optimizer] | None = None,
  epsilon: float = OPTIMIZER.epsilon,
  ttur: bool = True,
) -> dict:
  """The keywords a synthesis family takes from `config` alike: latent_distribution, each of
  `loss_keys` from config.loss, n_critic (config.train, if asked), ema, g_optimizer / d_optimizer
  (`optimizers`, else from config.optimizer with `epsilon` and, if `ttur`, optimizer.g_lr / d_lr
  with 0 = optimizer.lr: TTUR, Heusel et al. 2017), global_batch_size and seed."""
  kwargs = {"latent_distribution": config.latent.distribution}
  kwargs.update({key: getattr(config.loss, key) for key in loss_keys})
  if n_critic:
    kwargs["n_critic"] = config.train.n_critic
  kwargs["ema"] = ema_from_config(config)
  if optimizers is None:
    opt = config.optimizer
    optimizers = tuple(
      optimizer_from_config(config, lr=opt.get(f"{p}_lr", 0.0) or opt.lr, epsilon=epsilon)
      if ttur
      else optimizer_from_config(config, epsilon=epsilon)
      for p in ("g", "d")
    )
  kwargs["g_optimizer"], kwargs["d_optimizer"] = optimizers
  kwargs.update(global_batch_size=config.batch_size, seed=config.seed)
  return kwargs


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
  return Synthesis(
    G=network_from_config(config.generator, name="G", **_image_size(config)),
    D=network_from_config(config.discriminator, name="D", **_image_size(config)),
    **synthesis_kwargs(config, GAN_LOSS_KEYS + ADA_LOSS_KEYS, n_critic=True),
  )
