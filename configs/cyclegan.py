"""CycleGAN configs: `--config=configs/cyclegan.py:VARIANT`.

Variants: seasons64 (default: the procedural dataset at 64 px, sized to train on 2 CPU cores in
minutes), paper (256 px, ResNet-9, every paper default), tiny (tests), and real datasets:
horse2zebra, summer2winter_yosemite, monet2photo, ... (tfds `cycle_gan/*`), folder (official
trainA/trainB/testA/testB layout; set --config.data.path).
"""

from __future__ import annotations

import ml_collections

from configs import common

TFDS_DATASETS = (
  "apple2orange",
  "summer2winter_yosemite",
  "horse2zebra",
  "monet2photo",
  "cezanne2photo",
  "ukiyoe2photo",
  "vangogh2photo",
  "maps",
  "cityscapes",
  "facades",
  "iphone2dslr_flower",
)


def paper() -> ml_collections.ConfigDict:
  """Every default as the paper (Sec. 4, 7.1) and the official code."""
  config = common.base_config("cycle_gan")
  config.generator = ml_collections.ConfigDict(
    {
      "name": "resnet_9",  # official --netG resnet_9blocks at 256 px (resnet_6 at 128)
      "ngf": 64,  # official --ngf 64
      "norm": "instance",  # official --norm instance
      "upsample": "transpose",  # paper: fractionally-strided convs
      "dropout": 0.0,  # official --no_dropout (CycleGAN default)
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "patch",  # official --netD basic: 70x70 PatchGAN
      "ndf": 64,  # official --ndf 64
      "n_layers": 3,  # official --n_layers_D 3
      "norm": "instance",
      "num_d": 3,  # scales, used only by name="multiscale"
    }
  )
  config.loss = ml_collections.ConfigDict(
    {
      "gan_mode": "lsgan",  # official --gan_mode lsgan (paper Sec. 4)
      "lambda_a": 10.0,  # official --lambda_A 10
      "lambda_b": 10.0,  # official --lambda_B 10
      "lambda_identity": 0.5,  # official --lambda_identity 0.5
      "lambda_gp": 10.0,  # official cal_gradient_penalty default, wgangp only
      # Instance noise on D's real inputs (Sønderby et al. 2017; Arjovsky & Bottou 2017): an
      # extension, not in the CycleGAN paper or code; off by default.
      "d_noise_std": 0.0,
      "d_noise_decay_steps": 0,
    }
  )
  config.data.source = "seasons"
  return config


def seasons64() -> ml_collections.ConfigDict:
  """The main job: seasons at 64 px, trained on 2 CPU cores within minutes.

  Deliberate differences from `paper`, all for CPU time: 64 px (load 72, crop 64), ngf/ndf 32,
  250 scenes per domain, 8 + 8 epochs (4000 steps); G a U-Net and lr 5e-4 (below), which the
  measured ResNet-6 runs could not replace in this time (README, "Measured: the main job").
  """
  config = paper()
  config.data.load_size = 72
  config.data.crop_size = 64
  config.data.num_train = 250  # scenes per domain: 16 epochs = 4000 steps
  # official --netG unet_128 / unet_256 (UnetGenerator) with 6 downsamplings, the depth that
  # brings 64 px to 1x1; its skips carry the input's edges, which a ResNet-6 at 64 px blurred
  config.generator.name = "unet_64"
  config.generator.ngf = 32
  config.discriminator.ndf = 32
  config.optimizer.lr = 5e-4  # official --lr 0.0002 x 2.5: sharper outputs within 4000 steps
  config.optimizer.n_epochs = 8
  config.optimizer.n_epochs_decay = 8
  config.train.checkpoint_every = 200
  config.train.log_every = 20
  config.train.image_every = 200
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 32 px, ResNet-6 (the paper's G family), ngf/ndf 4, a few steps."""
  config = seasons64()
  config.data.load_size = 32
  config.data.crop_size = 32
  config.generator.name = "resnet_6"
  config.optimizer.lr = 2e-4
  config.generator.ngf = 4
  config.discriminator.ndf = 4
  config.train.pool_size = 4
  return common.test_sized(config)


def tfds_dataset(name: str) -> ml_collections.ConfigDict:
  config = paper()
  config.data.source = "tfds"
  config.data.name = f"cycle_gan/{name}"
  return config


def folder() -> ml_collections.ConfigDict:
  config = paper()
  config.data.source = "folder"
  return config


VARIANTS = {"paper": paper, "seasons64": seasons64, "tiny": tiny, "folder": folder}


def get_config(variant: str = "seasons64") -> ml_collections.ConfigDict:
  if variant in VARIANTS:
    return VARIANTS[variant]()
  if variant in TFDS_DATASETS:
    return tfds_dataset(variant)
  valid = sorted([*VARIANTS, *TFDS_DATASETS])
  raise ValueError(f"unknown cyclegan config variant {variant!r}; valid: {', '.join(valid)}")
