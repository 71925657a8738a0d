"""GAN models (one keras.Model per family) and their registry."""

from tfgan_repro.models import (
  conditional_synthesis_builder,  # noqa: F401  (registers "conditional_gan")
  cycle_cgan_builder,  # noqa: F401  (registers "cycle_cgan")
  cycle_gan_builder,  # noqa: F401  (registers "cycle_gan")
  fader_builder,  # noqa: F401  (registers "fader", "fader_gan")
  pix2pix_builder,  # noqa: F401  (registers "pix2pix")
  pix2pixhd_builder,  # noqa: F401  (registers "pix2pixhd")
  progressive_gan_builder,  # noqa: F401  (registers "pggan")
  stargan_builder,  # noqa: F401  (registers "stargan")
  stylegan2_builder,  # noqa: F401  (registers "stylegan2")
  synthesis_builder,  # noqa: F401  (registers "dcgan")
  triple_gan_builder,  # noqa: F401  (registers "triple_gan")
)
from tfgan_repro.models.conditional_synthesis import ConditionalSynthesis
from tfgan_repro.models.cycle_cgan import CycleCGAN
from tfgan_repro.models.cycle_gan import CycleGAN
from tfgan_repro.models.fader import Fader
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.models.pix2pix import Pix2Pix
from tfgan_repro.models.pix2pixhd import Pix2PixHD
from tfgan_repro.models.pretrained import PretrainedGenerator  # registers "pretrained"
from tfgan_repro.models.pretrained_synthesis import (  # registers "pretrained_stylegan2"
  PretrainedSynthesis,
)
from tfgan_repro.models.progressive_gan import ProgressiveGAN
from tfgan_repro.models.registry import MODELS, build_model, network_from_config
from tfgan_repro.models.stargan import StarGAN
from tfgan_repro.models.stylegan2 import StyleGAN2
from tfgan_repro.models.synthesis import Synthesis
from tfgan_repro.models.triple_gan import TripleGAN

__all__ = [
  "MODELS",
  "ConditionalSynthesis",
  "CycleCGAN",
  "CycleGAN",
  "Fader",
  "GANModel",
  "Pix2Pix",
  "Pix2PixHD",
  "PretrainedGenerator",
  "PretrainedSynthesis",
  "ProgressiveGAN",
  "StarGAN",
  "StyleGAN2",
  "Synthesis",
  "TripleGAN",
  "build_model",
  "network_from_config",
]
