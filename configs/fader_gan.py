"""FaderGAN configs: `--config=configs/fader_gan.py:VARIANT`.

The Fader autoencoder (configs/fader.py) trained against an image discriminator with two heads,
real/fake and one logit per attribute (nets/fader_gan_discriminator.py), plus reconstruction; the
latent discriminator is off by default (set latent_discriminator.name =
"fader_latent_discriminator" to add it). Variants as configs/fader.py: faces64 (default), paper,
tiny.

Loss weights are not from an official FaderGAN (there is none): AttGAN's (He et al. 2019, Sec.
3.4: lambda_rec 100 on L1, lambda_cls 10, adversarial 1) divided by 100 to keep the official
Fader lambda_ae 1, not tuned here. They ramp from 0 as official get_lambda ramps every
discriminator feedback (--lambda_schedule).
"""

from __future__ import annotations

import ml_collections

from configs import fader


def _fader_gan(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  config.model = "fader_gan"
  config.latent_discriminator.name = ""  # optional: "fader_latent_discriminator"
  config.discriminator.name = "fader_gan_discriminator"
  config.discriminator.shared_layers = 0  # separate heads (docs/design.md, FaderGAN)
  config.loss.lambda_adv = 0.01  # AttGAN adversarial 1 / 100
  config.loss.lambda_cls = 0.1  # AttGAN lambda_cls 10 / 100
  return config


def paper() -> ml_collections.ConfigDict:
  """configs/fader.py paper (official nets, optimizer, batch and ramp at 256 px) with the
  two-head discriminator: 8 conv layers to 1x1 per head (official Classifier)."""
  return _fader_gan(fader.paper())


def faces64() -> ml_collections.ConfigDict:
  """The CPU run, 64 px: fader.faces64's autoencoder; D init_fm 16, max_fm 128, hid_dim 128
  (~0.48 s per batch of 32 on 2 shared cores with both heads' towers), 4000 steps (8 epochs of
  500); the ramp shortened in proportion to 1280 steps (official 32% of the run)."""
  config = _fader_gan(fader.faces64())
  config.discriminator.max_fm = 128
  config.discriminator.hid_dim = 128
  config.optimizer.n_epochs = 8
  config.loss.lambda_schedule = 1280
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests (fader.tiny's sizes)."""
  return _fader_gan(fader.tiny())


VARIANTS = {"faces64": faces64, "paper": paper, "tiny": tiny}


def get_config(variant: str = "faces64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown fader_gan config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
