"""Config -> ProgressiveGAN (the registry entry "pggan"; configs/pggan.py)."""

from __future__ import annotations

import math

import ml_collections

from tfgan_repro.models.progressive_gan import GrowthSchedule, ProgressiveGAN
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model
from tfgan_repro.models.synthesis_builder import synthesis_kwargs


def schedule_from_config(config: ml_collections.ConfigDict) -> GrowthSchedule:
  """config.schedule -> GrowthSchedule; schedule.phase_kimg > 0 sets both the stabilise and the
  fade phase (the paper's 800k images, Sec. A.1)."""
  sched = config.schedule
  phase = sched.phase_kimg
  if phase < 0:
    raise ValueError(f"config.schedule.phase_kimg must be >= 0, got {phase!r}")
  return GrowthSchedule(
    resolution_log2=int(round(math.log2(config.data.crop_size))),
    global_batch_size=config.batch_size,
    lod_initial_resolution=sched.lod_initial_resolution,
    lod_training_kimg=phase or sched.lod_training_kimg,
    lod_transition_kimg=phase or sched.lod_transition_kimg,
    minibatch_repeats=sched.minibatch_repeats,
  )


@register_model(
  "pggan",
  config_module="configs.pggan",
  # official G_paper / D_paper at 1024 px (docs/official_counts.md, Progressive GAN)
  paper_counts={"generator": 23_079_115, "discriminator": 23_087_249},
)
def build_pggan(config: ml_collections.ConfigDict) -> ProgressiveGAN:
  loss, size = config.loss, config.data.crop_size
  optimizer = optimizer_from_config(config, epsilon=config.optimizer.epsilon)
  return ProgressiveGAN(
    G=network_from_config(config.generator, name="G", image_size=size),
    D=network_from_config(config.discriminator, name="D", image_size=size),
    schedule=schedule_from_config(config),
    wgan_lambda=loss.wgan_lambda,
    wgan_target=loss.wgan_target,
    wgan_epsilon=loss.wgan_epsilon,
    reset_opt_for_new_lod=config.schedule.reset_opt_for_new_lod,
    **synthesis_kwargs(config, optimizers=(optimizer, optimizer)),
  )
