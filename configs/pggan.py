"""Progressive GAN configs (model "pggan", tfgan_repro/models/progressive_gan.py):
`--config=configs/pggan.py:VARIANT`.

Variants:
  paper    Progressive GAN on CelebA-HQ at 1024 px (Karras et al. 2018, Sec. 6.3 / A.1) with the
           official tkarras/progressive_growing_of_gans config.py / train.py defaults; data: tfds
           celeb_a_hq/1024 (manual download) or --config.data.source=folder
           --config.data.path=DIR
  faces64  the default: the procedural faces at 64 px, narrow nets, short phases, for a CPU run
  tiny     tests: 16 px, fmap 8, phases of a few images
Keys: generator.* / discriminator.* (nets/pggan.py), loss.wgan_lambda / wgan_target /
wgan_epsilon, schedule.* (models/progressive_gan.py GrowthSchedule), ema.* (G_smoothing).

Deliberate differences from the official code:
- One minibatch size for the whole run (config.batch_size). The official schedule changes it
  per resolution (schedule.minibatch_dict, kept here for reference and not applied: the trainer
  and the data pipeline run one batch size); the paper's runs use 16 up to 128 px, then 14, 6,
  3 (Sec. A.1). Likewise schedule.G_lrate_dict (official per-resolution rates) is not applied:
  one rate, optimizer.lr.
- The lower resolutions of the reals are box-filtered from the full-resolution float images;
  the official dataset_tool stores each level rounded to uint8.
- G and D are the official "linear" structure (every resolution computed, blended by lod) at
  every stage; the official training graph uses the "recursive" one, the same function that
  skips the resolutions the lod does not use (equal up to float rounding); early stages cost
  here what the full-resolution stage costs.
"""

from __future__ import annotations

import math

import ml_collections

from configs import common, dcgan


def paper() -> ml_collections.ConfigDict:
  """Official config.py (celebahq, preset-v2-1gpu, fp32) and train.py defaults at 1024 px."""
  config = common.base_config("pggan")
  config.batch_size = 16  # paper Sec. A.1: minibatch 16 up to 128 px (see the module docstring)
  config.generator = ml_collections.ConfigDict(
    {
      "name": "pggan_generator",
      "latent_size": 512,  # official G_paper latent_size = nf(0) = 512
      "fmap_base": 8192,  # official fmap_base=8192
      "fmap_decay": 1.0,  # official fmap_decay=1.0
      "fmap_max": 512,  # official fmap_max=512
      "normalize_latents": True,  # official normalize_latents=True
      "use_pixelnorm": True,  # official use_pixelnorm=True (Sec. 4.2)
      "pixelnorm_epsilon": 1e-8,  # official pixelnorm_epsilon=1e-8
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "pggan_discriminator",
      "fmap_base": 8192,
      "fmap_decay": 1.0,
      "fmap_max": 512,
      "mbstd_group_size": 4,  # official D_paper mbstd_group_size=4 (Sec. 3)
    }
  )
  config.latent = ml_collections.ConfigDict({"distribution": "normal"})  # official random_normal
  config.loss = ml_collections.ConfigDict(
    {
      "wgan_lambda": 10.0,  # official loss.py D_wgangp_acgan wgan_lambda=10.0
      "wgan_target": 1.0,  # official wgan_target=1.0
      "wgan_epsilon": 0.001,  # official wgan_epsilon=0.001 (Sec. A.1 epsilon_drift)
    }
  )
  config.schedule = ml_collections.ConfigDict(
    {
      "lod_initial_resolution": 4,  # official TrainingSchedule lod_initial_resolution=4
      "lod_training_kimg": 600.0,  # official TrainingSchedule lod_training_kimg=600
      "lod_transition_kimg": 600.0,  # official TrainingSchedule lod_transition_kimg=600
      # > 0: both phases this long; the paper's 800 (Sec. A.1: 800k images per phase)
      "phase_kimg": 0.0,
      "minibatch_repeats": 4,  # official train_progressive_gan minibatch_repeats=4
      "reset_opt_for_new_lod": True,  # official reset_opt_for_new_lod=True
      "total_kimg": 12000.0,  # official config.py preset-v2-1gpu train.total_kimg=12000
      # Official preset-v2-1gpu, not applied (module docstring): the minibatch per resolution
      # (minibatch_dict, else minibatch_base) and the learning rate per resolution (D the same).
      "minibatch_base": 4,
      "minibatch_dict": {
        "4": 128,
        "8": 128,
        "16": 128,
        "32": 64,
        "64": 32,
        "128": 16,
        "256": 8,
        "512": 4,
      },
      "G_lrate_dict": {"1024": 0.0015},
    }
  )
  # Official G_smoothing=0.999: Gs, the EMA of G updated after each D step, is what ships.
  config.ema = ml_collections.ConfigDict(
    {"decay": 0.999, "half_life_kimg": 0.0, "rampup": 0.0, "start_step": 0}
  )
  config.optimizer.lr = 0.001  # official TrainingSchedule G_lrate_base = D_lrate_base = 0.001
  config.optimizer.beta1 = 0.0  # official config.py G_opt / D_opt beta1=0.0
  config.optimizer.beta2 = 0.99  # official beta2=0.99
  config.optimizer.epsilon = 1e-8  # official epsilon=1e-8
  config.optimizer.name = "adam"
  config.optimizer.n_epochs = 1  # constant rate (the run's length is train.max_steps)
  config.optimizer.n_epochs_decay = 0  # official: no decay
  config.train.n_critic = 1  # official D_repeats=1
  config.train.max_steps = _steps(config)
  config.train.checkpoint_every = 5000
  config.train.image_every = 5000
  config.data.source = "tfds"
  config.data.name = "celeb_a_hq/1024"
  config.data.dataset_mode = "images"
  config.data.crop_size = 1024  # official celebahq 1024x1024
  config.data.load_size = 1024
  config.data.flip = True  # official config.py celebahq train.mirror_augment=True
  dcgan.set_synthesis_eval(config)
  return config


def _steps(config: ml_collections.ConfigDict) -> int:
  """Steps of schedule.total_kimg at config.batch_size (one D step per step)."""
  return math.ceil(config.schedule.total_kimg * 1000 / config.batch_size)


def faces64() -> ml_collections.ConfigDict:
  """Procedural faces at 64 px on 2 CPU cores (3,500 steps, about 30 minutes measured on 2
  shared cores). Deliberate differences from `paper`, all for CPU time: fmap_base 512 and
  fmap_max 128 (widths 128 ... 16), latent 128, batch 16, phases of 6k images (4 px -> 64 px in
  4 fades, 54k images), 2048 faces; and the EMA of G at decay 0.99 (a half-life of 69 steps, 1.1k
  images, 18% of a phase; the official 0.999 spans 693 steps, 89k of the 600k images of a phase
  at 4-16 px): at 0.999 the shipped G of this short run still held 0.999^1250 = 29% of the
  64 px ToRGB's initial weights and its samples were washed out where G's were faces."""
  config = paper()
  config.ema.decay = 0.99
  config.batch_size = 16
  config.generator.latent_size = 128
  for net in (config.generator, config.discriminator):
    net.fmap_base, net.fmap_max = 512, 128
  config.schedule.lod_training_kimg = 6.0
  config.schedule.lod_transition_kimg = 6.0
  config.schedule.total_kimg = 54.0  # 4 fades + 5 stabilise phases of 6k images
  config.train.max_steps = _steps(config)
  config.train.checkpoint_every = 250
  config.train.log_every = 25
  config.train.image_every = 250
  config.data.source = "faces"
  config.data.crop_size = 64
  config.data.load_size = 64
  config.data.num_train = 2048
  config.data.num_test = 256
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 16 px, fmap 8, latent 8, batch 2, the schedule read every
  step: 2 steps at 4x4 (lod 2), the 8x8 layers faded in over steps 2-5 (lod 2, 1.75, 1.5, 1.25),
  2 steps at 8x8. The minibatch stddev is off: a group spans one replica's batch, so a step on 2
  replicas of 1 image would not equal one on 1 device of 2 (tests/test_conformance.py)."""
  config = faces64()
  config.batch_size = 2
  config.generator.latent_size = 8
  for net in (config.generator, config.discriminator):
    net.fmap_base, net.fmap_max = 32, 8
  config.discriminator.mbstd_group_size = 1
  config.schedule.lod_training_kimg = 0.004  # 4 images: 2 steps
  config.schedule.lod_transition_kimg = 0.008  # 8 images: 4 steps
  config.schedule.minibatch_repeats = 1
  config.data.crop_size = 16
  config.data.load_size = 16
  config.eval.mode_samples = 64
  config = common.test_sized(config)
  config.train.max_steps = 8
  return config


VARIANTS = {"paper": paper, "faces64": faces64, "tiny": tiny}


def get_config(variant: str = "faces64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown pggan config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
