"""StyleGAN2 configs (model "stylegan2", tfgan_repro/models/stylegan2.py):
`--config=configs/stylegan2.py:VARIANT`.

Variants (official NVlabs/stylegan2-ada-pytorch train.py cfg_specs):
  config_f  --cfg stylegan2 (config F) at 256 px: fmaps 1 (channel_base 32768), 8 mapping
            layers, batch 32, mbstd group 4, lr 0.002, gamma 10, EMA half-life 10 kimg, no ramp;
            1024 px by --config.data.crop_size=1024 --config.data.load_size=1024. Data: an
            image folder (--config.data.path=DIR; the official datasets are image folders /
            zips, and FFHQ is not on tfds)
  paper256  --cfg paper256: fmaps 0.5 (channel_base 16384), batch 64, mbstd group 8, lr 0.0025,
            gamma 1, EMA half-life 20 kimg, no ramp
  faces64   the default: procedural faces at 64 px, narrow nets, a short CPU run
  tiny      tests: 16 px, a few channels, 2 mapping layers, stored noise (deterministic steps)
Keys: generator.* / discriminator.* (nets/stylegan2.py builders), loss.r1_gamma / pl_weight /
pl_decay / pl_batch_shrink / style_mixing_prob / g_reg_interval / d_reg_interval, loss.diff_augment
and loss.ada_* (as configs/dcgan.py), ema.half_life_kimg / rampup, optimizer.lr / beta1 / beta2
(before the lazy-regularisation adjustment, models/stylegan2.py).
"""

from __future__ import annotations

import ml_collections

from configs import common, dcgan

KIMG = 25_000  # official cfg_specs kimg=25000 (training length in thousands of images)


def _stylegan2(
  fmaps: float, batch: int, mbstd: int, lr: float, gamma: float, ema_kimg: float
) -> ml_collections.ConfigDict:
  """The official cfg_specs fields -> a config (train.py: channel_base = int(fmaps * 32768),
  channel_max 512, z_dim = w_dim = 512, Adam betas (0, 0.99) eps 1e-8)."""
  config = dcgan.paper()
  config.model = "stylegan2"
  config.batch_size = batch
  config.generator = ml_collections.ConfigDict(
    {
      "name": "stylegan2_generator",
      "z_dim": 512,
      "w_dim": 512,
      "channel_base": int(fmaps * 32768),
      "channel_max": 512,
      "mapping_layers": 8,  # cfg_specs map=8
      "noise_mode": "random",  # official training noise
      "truncation_psi": 1.0,  # sampling only (inference calls); official default 1
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "stylegan2_discriminator",
      "channel_base": int(fmaps * 32768),
      "channel_max": 512,
      "mbstd_group_size": mbstd,  # cfg_specs mbstd
      "mbstd_num_channels": 1,  # official DiscriminatorEpilogue default
    }
  )
  config.loss.gan_mode = "nonsaturating"  # official softplus losses
  config.loss.r1_gamma = gamma  # cfg_specs gamma
  config.loss.pl_weight = 2.0  # official StyleGAN2Loss pl_weight=2
  config.loss.pl_decay = 0.01  # official pl_decay=0.01
  config.loss.pl_batch_shrink = 2  # official pl_batch_shrink=2
  config.loss.style_mixing_prob = 0.9  # official style_mixing_prob=0.9
  config.loss.g_reg_interval = 4  # official training_loop G_reg_interval=4
  config.loss.d_reg_interval = 16  # official D_reg_interval=16
  config.ema.half_life_kimg = ema_kimg  # cfg_specs ema
  config.ema.rampup = 0.0  # cfg_specs ramp=None
  config.optimizer.lr = lr  # cfg_specs lrate
  config.optimizer.beta1 = 0.0  # official betas=[0, 0.99]
  config.optimizer.beta2 = 0.99
  config.optimizer.n_epochs = 1_000_000  # constant rate; the length is train.max_steps
  config.optimizer.n_epochs_decay = 0
  config.train.max_steps = KIMG * 1000 // batch
  config.data.source = "folder"
  config.data.path = ""
  config.data.crop_size = 256
  config.data.load_size = 256
  config.data.flip = False  # official --mirror default False
  return config


def config_f() -> ml_collections.ConfigDict:
  """official cfg_specs 'stylegan2': mb 32, mbstd 4, fmaps 1, lrate 0.002, gamma 10, ema 10."""
  return _stylegan2(fmaps=1.0, batch=32, mbstd=4, lr=0.002, gamma=10.0, ema_kimg=10.0)


def paper256() -> ml_collections.ConfigDict:
  """official cfg_specs 'paper256': mb 64, mbstd 8, fmaps 0.5, lrate 0.0025, gamma 1, ema 20."""
  return _stylegan2(fmaps=0.5, batch=64, mbstd=8, lr=0.0025, gamma=1.0, ema_kimg=20.0)


def faces64() -> ml_collections.ConfigDict:
  """StyleGAN2 on the procedural faces at 64 px within a CPU run. Deliberate differences from
  config F, all for CPU time: channel_base 2048 / channel_max 128, z_dim = w_dim = 128, 4
  mapping layers, batch 16, gamma 0.0002 * 64^2 / 16 = 0.0512 (official cfg 'auto' heuristic),
  EMA half-life 16 * 10 / 32 = 5 kimg with ramp 0.05 (cfg 'auto'), 2048 faces, 2000 steps."""
  config = config_f()
  config.batch_size = 16
  for net in (config.generator, config.discriminator):
    net.channel_base = 2048
    net.channel_max = 128
  config.generator.z_dim = config.generator.w_dim = 128
  config.generator.mapping_layers = 4
  config.loss.r1_gamma = 0.0002 * 64**2 / 16  # official cfg 'auto': 0.0002 res^2 / mb
  config.ema.half_life_kimg = 16 * 10 / 32  # official cfg 'auto': mb * 10 / 32
  config.ema.rampup = 0.05  # official cfg 'auto' ramp=0.05
  config.optimizer.lr = 0.0025  # official cfg 'auto' below 1024 px
  config.data.source = "faces"
  config.data.crop_size = 64
  config.data.load_size = 64
  config.data.num_train = 2048
  config.data.num_test = 256
  config.train.max_steps = 2000
  config.train.checkpoint_every = 500
  config.train.log_every = 50
  config.train.image_every = 500
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 16 px, channels <= 8, 2 mapping layers, batch 2; the stored
  noise (noise_mode const) and mbstd groups of 1 so that a step on 2 replicas equals one device."""
  config = faces64()
  config.batch_size = 2
  for net in (config.generator, config.discriminator):
    net.channel_base = 64
    net.channel_max = 8
  config.generator.z_dim = config.generator.w_dim = 8
  config.generator.mapping_layers = 2
  config.generator.noise_mode = "const"
  config.discriminator.mbstd_group_size = 1
  config.data.crop_size = 16
  config.data.load_size = 16
  config.train.max_steps = 0
  config.eval.mode_samples = 64
  return common.test_sized(config)


VARIANTS = {"config_f": config_f, "paper256": paper256, "faces64": faces64, "tiny": tiny}


def get_config(variant: str = "faces64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown stylegan2 config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
