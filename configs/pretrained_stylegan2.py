"""Configs of imported official StyleGAN2 generators: `configs/pretrained_stylegan2.py:VARIANT`.

A workdir of model "pretrained_stylegan2" holds one StyleGAN2 generator whose weights came from an
official checkpoint (stylegan2-ada-pytorch network pickle or rosinality/stylegan2-pytorch .pt,
through `bin.import_stylegan2`); export, `bin.generate` and load_run take it like a trained run.
The import sets the architecture keys from the checkpoint itself; the variants are the official
settings of the published generators, for building one without a file:
  ffhq1024    config F at 1024 px (official NVlabs/stylegan2 stylegan2-ffhq-config-f.pkl)
  config_f256 config F at 256 px (rosinality's FFHQ 256 checkpoints, channel_multiplier 2)
  paper256    stylegan2-ada cfg paper256 (fmaps 0.5: channel_base 16384)

No "tiny" variant: the model is not trained here, so it is not enrolled in the training
conformance tests (tfgan_repro.models.registry.ModelSpec: a "tiny" variant enrols a model).
"""

from __future__ import annotations

import ml_collections

from configs import common

# variant -> (img_resolution, channel_base) (official train.py: channel_base = fmaps * 32768)
_VARIANTS = {
  "ffhq1024": (1024, 32768),  # cfg stylegan2 (config F), fmaps 1
  "config_f256": (256, 32768),  # config F at 256 px; rosinality channel_multiplier 2
  "paper256": (256, 16384),  # cfg paper256, fmaps 0.5
}
VARIANTS = tuple(_VARIANTS)  # no "tiny": not enrolled in the training conformance tests


def get_config(variant: str = "ffhq1024") -> ml_collections.ConfigDict:
  """The config of an imported StyleGAN2 generator of `variant` (one of VARIANTS)."""
  if variant not in _VARIANTS:
    raise ValueError(
      f"unknown pretrained_stylegan2 config variant {variant!r}; valid: {', '.join(VARIANTS)}"
    )
  resolution, channel_base = _VARIANTS[variant]
  config = common.base_config("pretrained_stylegan2")
  config.generator = ml_collections.ConfigDict(
    {
      "name": "stylegan2_generator",
      "z_dim": 512,  # official G_kwargs z_dim 512
      "w_dim": 512,  # official G_kwargs w_dim 512
      "image_size": resolution,
      "img_channels": 3,
      "channel_base": channel_base,
      "channel_max": 512,  # official channel_max 512
      "mapping_layers": 8,  # official cfg map 8
      "mapping_lr_multiplier": 0.01,  # official MappingNetwork lr_multiplier
      # official generate.py --trunc 1 (off); baked into the exported G
      "truncation_psi": 1.0,
      "truncation_cutoff": None,  # official truncation_cutoff None: every w
      "noise_mode": "const",  # official generate.py --noise-mode const: deterministic images
    }
  )
  config.discriminator = ml_collections.ConfigDict()  # none: only the generator is imported
  config.data.source = "faces"  # image source of eval only (FID needs real images of the domain)
  config.data.dataset_mode = "images"  # noise -> image synthesis batches
  config.data.load_size = resolution
  config.data.crop_size = resolution  # the exported TFLite's image size
  config.imported_from = ml_collections.ConfigDict(
    {"checkpoint": "", "sha256": "", "layout": "", "w_avg_from": ""}
  )
  return config
