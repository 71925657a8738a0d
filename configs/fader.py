"""Fader Networks configs: `--config=configs/fader.py:VARIANT`.

Variants: faces64 (default: the procedural faces at 64 px, sized to train on 2 CPU cores within
30 minutes), paper (256 px, every official facebookresearch/FaderNetworks train.py default) and
tiny (tests).
"""

from __future__ import annotations

import ml_collections

from configs import common

# official train.py: --n_epochs 1000 of --epoch_size 50000 images at --batch_size 32, iterations
# range(0, 50000, 32): 1563 per epoch.
OFFICIAL_STEPS_PER_EPOCH = 1563
OFFICIAL_EPOCHS = 1000
OFFICIAL_LAMBDA_SCHEDULE = 500_000  # --lambda_schedule 500000


def _set_networks(config: ml_collections.ConfigDict) -> None:
  """The official src/model.py nets: autoencoder, latent discriminator, no image discriminator."""
  config.generator = ml_collections.ConfigDict(
    {
      "name": "fader_autoencoder",
      "n_layers": 6,  # official --n_layers 6: 256 px -> 4x4 latent
      "init_fm": 32,  # official --init_fm 32
      "max_fm": 512,  # official --max_fm 512
      "attr_encoding": "dummy",  # official: 2 one-hot channels per binary attribute
    }
  )
  # Continues G's encoder (its n_layers, init_fm, max_fm) from the latent to 1x1.
  config.latent_discriminator = ml_collections.ConfigDict(
    {
      "name": "fader_latent_discriminator",  # official --n_lat_dis 1 ("" = none)
      "hid_dim": 512,  # official --hid_dim 512
      "dropout": 0.3,  # official --lat_dis_dropout 0.3
    }
  )
  # Image-level discriminator: official --n_ptc_dis 0 (none); "fader_patch_discriminator" is
  # the official PatchDiscriminator (set loss.lambda_adv > 0, official --lambda_ptc_dis).
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "",
      "init_fm": 32,  # official: the PatchDiscriminator takes --init_fm / --max_fm
      "max_fm": 512,
      "hid_dim": 512,  # fader_gan_discriminator only
      "shared_layers": 0,  # fader_gan_discriminator only (docs/design.md, FaderGAN)
    }
  )


def _official_loss() -> ml_collections.ConfigDict:
  """The official train.py loss weights and schedule."""
  return ml_collections.ConfigDict(
    {
      "lambda_ae": 1.0,  # official --lambda_ae 1
      "lambda_lat_dis": 1e-4,  # official --lambda_lat_dis 0.0001 (paper Sec. 4.1)
      "lambda_adv": 0.0,  # official --lambda_ptc_dis 0
      "lambda_cls": 0.0,  # official --lambda_clf_dis 0 (FaderGAN's attribute head)
      # official --lambda_schedule 500000: the lambdas ramp linearly from 0 over these steps
      "lambda_schedule": OFFICIAL_LAMBDA_SCHEDULE,
      "smooth_label": 0.2,  # official --smooth_label 0.2 (image discriminator labels)
      "fake_attributes": "random",  # official flip_attributes(.., 'all'): random targets
    }
  )


def paper() -> ml_collections.ConfigDict:
  """Every default of the official train.py (src/model.py nets; autoencoder 14,032,352 and latent
  discriminator 8,656,388 parameters with its 2 attributes) on the procedural faces' 4 attributes."""
  config = common.base_config("fader")
  config.batch_size = 32  # official --batch_size 32
  _set_networks(config)
  config.loss = _official_loss()
  config.optimizer.lr = 2e-4  # official --ae_optimizer / --dis_optimizer "adam,lr=0.0002"
  config.optimizer.beta1 = 0.5  # official get_optimizer: Adam beta1 0.5 by default
  config.optimizer.beta2 = 0.999
  config.optimizer.n_epochs = OFFICIAL_EPOCHS  # constant lr (official: no schedule)
  config.optimizer.n_epochs_decay = 0
  config.optimizer.clip_grad_norm = 5.0  # official --clip_grad_norm 5
  config.train.steps_per_epoch = OFFICIAL_STEPS_PER_EPOCH
  config.train.pool_size = 0  # no image pool
  config.eval.slider = (0.0, 5.0)  # a in [0, 5] (official interpolate.py --alpha_max: 2 to 10)
  config.data.source = "faces"
  config.data.dataset_mode = "attributes"
  config.data.attributes = "glasses,smile,dark_hair,beard"
  config.data.load_size = 256  # official --img_sz 256 (images resized, no crop)
  config.data.crop_size = 256
  config.data.flip = True  # official --h_flip 1 (--v_flip 0)
  config.data.num_train = 162_770  # official CelebA train split (src/loader.py train_index)
  config.data.num_test = 19_962  # official CelebA test split
  return config


def faces64() -> ml_collections.ConfigDict:
  """The CPU run: faces at 64 px, within 30 minutes on 2 CPU cores.

  Deliberate differences from `paper`, all for CPU time: 64 px with n_layers 4 (the latent stays
  4x4, as official 256 px / 6 layers), init_fm 16 / max_fm 256 / hid_dim 256 (~0.14 s per batch
  of 32 here, measured on 2 shared cores; init_fm 32 / max_fm 512 took 0.66 s), 10,000 steps
  (20 epochs of 500), 5000 train faces. The lambda ramp is shortened in proportion: official
  500,000 of 1,563,000 steps (32%) -> 3200 of 10,000; its end value stays 1e-4 (official).
  """
  config = paper()
  config.data.load_size = 64
  config.data.crop_size = 64
  config.data.num_train = 5000
  config.data.num_test = 200
  config.generator.n_layers = 4
  config.generator.init_fm = 16
  config.generator.max_fm = 256
  config.latent_discriminator.hid_dim = 256
  config.discriminator.init_fm = 16
  config.discriminator.max_fm = 256
  config.discriminator.hid_dim = 256
  config.train.steps_per_epoch = 500
  config.optimizer.n_epochs = 20
  config.loss.lambda_schedule = 3200  # 32% of the 10,000 steps, as official 500k of 1.563M
  config.train.checkpoint_every = 500
  config.train.log_every = 50
  config.train.image_every = 500
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 16 px, n_layers 2 (4x4 latent), 4-8 channels, batch 4, no
  dropout (deterministic, so the two-replica conformance step matches), a ramp of 4 steps."""
  config = faces64()
  config.batch_size = 4
  config.data.load_size = 16
  config.data.crop_size = 16
  config.generator.n_layers = 2
  config.generator.init_fm = 4
  config.generator.max_fm = 8
  config.latent_discriminator.hid_dim = 8
  config.latent_discriminator.dropout = 0.0
  config.discriminator.init_fm = 4
  config.discriminator.max_fm = 8
  config.discriminator.hid_dim = 8
  config.loss.lambda_schedule = 4
  config = common.test_sized(config)
  config.train.steps_per_epoch = 2  # 8 faces / batch 4
  return config


VARIANTS = {"faces64": faces64, "paper": paper, "tiny": tiny}


def get_config(variant: str = "faces64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown fader config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
