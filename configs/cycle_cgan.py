"""CycleCGAN configs: `--config=configs/cycle_cgan.py:VARIANT`.

Variants: glasses64 (default: procedural faces at 64 px, domain A without glasses, B with them,
sized to train on 2 CPU cores within 30 minutes), tiny (tests). Every training default is
CycleGAN's (configs/cyclegan.py `paper`: LSGAN, lambda 10, no-op weight 0.5 lambda, Adam 2e-4
beta1 0.5, batch 1, image pool 50); G is a U-Net (skips; docs/design.md, CycleCGAN), D a 70x70
PatchGAN, both on 3 + 1 channels.

Attribute: glasses. Its edit is local and high-contrast (dark frames on skin): on 40 test faces
at 64 px adding glasses changes 5.0% of the pixels and the unchanged input scores 23.9 dB PSNR
against the true edit, while a smile changes 0.8% and the unchanged input already scores 33.6 dB,
too close to the truth for the edit scores to tell a good model from one that does nothing.
Glasses are the rarer attribute (12% of the faces), so domain B is the smaller one.
"""

from __future__ import annotations

import ml_collections

from configs import common, cyclegan


def glasses64() -> ml_collections.ConfigDict:
  """The CPU run: 64 px (load 72, crop 64), unet_64 (64 px -> 1x1, as unet_256 at 256 px)
  with ngf 32, PatchGAN ndf 32, 250 faces per domain, 4 + 4 epochs (2000 steps)."""
  config = cyclegan.paper()
  config.model = "cycle_cgan"
  config.generator.name = "unet_64"
  config.generator.ngf = 32
  config.discriminator.ndf = 32
  config.data.source = "faces"
  config.data.dataset_mode = "unaligned"  # A: faces without attributes[0], B: with it
  config.data.attributes = "glasses"
  config.data.load_size = 72
  config.data.crop_size = 64
  config.data.num_train = 250
  config.data.num_test = 100
  config.optimizer.n_epochs = 4
  config.optimizer.n_epochs_decay = 4
  config.train.checkpoint_every = 200
  config.train.log_every = 20
  config.train.image_every = 200
  config.eval.slider = (-3.0, 3.0)  # c slid from -3 to 3, past the trained +-1
  config.eval.slider_steps = 7  # c = -3, -2, ..., 3 (hits the trained -1 and +1)
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 64 px (unet_64's smallest input), ngf/ndf 4, a few steps."""
  config = glasses64()
  config.data.load_size = 64
  config.generator.ngf = 4
  config.discriminator.ndf = 4
  config.train.pool_size = 4
  return common.test_sized(config)


VARIANTS = {"glasses64": glasses64, "tiny": tiny}


def get_config(variant: str = "glasses64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown cycle_cgan config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
