"""Configs of imported (pretrained) generators: `configs/pretrained.py:ARCH`.

A workdir of model "pretrained" holds one generator whose weights came from elsewhere (the
official PyTorch CycleGAN / pix2pix checkpoints, through `bin.import_torch`); export, translate
and load_run take it like a trained run. Variants are the importable architectures, each with the
options of the official models that use it: resnet_* as CycleGAN, unet_* as pix2pix.

No "tiny" variant: the model is not trained here, so it is not enrolled in the training
conformance tests (tfgan_repro.models.registry.ModelSpec: a "tiny" variant enrols a model).
"""

from __future__ import annotations

import ml_collections

from configs import common

# arch -> (official --crop_size of the models that use it, generator options of those models)
_ARCHITECTURES = {
  # official CycleGAN: --netG resnet_9blocks --norm instance --no_dropout, 256 px
  "resnet_9": (256, {"norm": "instance", "dropout": 0.0}),
  # official CycleGAN at 128 px: --netG resnet_6blocks
  "resnet_6": (128, {"norm": "instance", "dropout": 0.0}),
  # official pix2pix: --netG unet_256 --norm batch, dropout on (no --no_dropout), 256 px
  "unet_256": (256, {"norm": "batch", "dropout": 0.5}),
  # official pix2pix at 128 px: --netG unet_128
  "unet_128": (128, {"norm": "batch", "dropout": 0.5}),
}
ARCHITECTURES = tuple(_ARCHITECTURES)
VARIANTS = ARCHITECTURES  # no "tiny": not enrolled in the training conformance tests


def get_config(variant: str = "resnet_9") -> ml_collections.ConfigDict:
  """The config of an imported generator of architecture `variant` (one of ARCHITECTURES)."""
  if variant not in _ARCHITECTURES:
    raise ValueError(
      f"unknown pretrained config variant {variant!r}; valid: {', '.join(ARCHITECTURES)}"
    )
  crop_size, options = _ARCHITECTURES[variant]
  config = common.base_config("pretrained")
  config.generator = ml_collections.ConfigDict(
    {
      "name": variant,
      "input_channels": 3,  # official --input_nc 3
      "output_channels": 3,  # official --output_nc 3
      "ngf": 64,  # official --ngf 64
      "upsample": "transpose",  # official ConvTranspose2d (the only layout a checkpoint has)
      # Dropout kept at test time (paper pix2pix Sec. 3.1; official test.py without --eval).
      # Off by default: deterministic outputs, as official test.py --eval.
      "dropout_at_inference": False,
      **options,
    }
  )
  config.discriminator = ml_collections.ConfigDict()  # none: only the generator is imported
  config.data.load_size = crop_size  # held-out check images at the generator's native size
  config.data.crop_size = crop_size
  config.imported_from = ml_collections.ConfigDict({"checkpoint": "", "sha256": ""})
  return config
