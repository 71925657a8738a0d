"""pix2pix configs: `--config=configs/pix2pix.py:VARIANT`.

Variants: city (default: the procedural city labels -> photo at 128 px, sized to train on 2 CPU
cores within 30 minutes), paper (256 px, every official default), tiny (tests), folder (the
official aligned layout path/train, path/test of A|B images: facades, maps, edges2shoes, ... from
datasets/download_pix2pix_dataset.sh; set --config.data.path) and cityscapes (tfds
`cityscapes/semantic_segmentation`, label ids -> photo; needs the user's manual download).

tfds has no builder of the official pix2pix datasets: its `cycle_gan/facades` and `cycle_gan/maps`
hold the two sides in separate splits without their pairing, so they are unpaired data. Download
the official aligned files and use `folder` instead.
"""

from __future__ import annotations

import ml_collections

from configs import common


def paper() -> ml_collections.ConfigDict:
  """Every default as the paper (Sec. 3, 4, 6.1) and the official pix2pix_model / base options,
  on the procedural city data with colour label maps as A (as the official cityscapes dataset),
  so D takes 3 + 3 = 6 channels (official count 2,768,705)."""
  config = common.base_config("pix2pix")
  config.generator = ml_collections.ConfigDict(
    {
      "name": "unet_256",  # official pix2pix --netG unet_256 (unet_128 at 128 px)
      "ngf": 64,  # official --ngf 64
      "norm": "batch",  # official pix2pix --norm batch
      "dropout": 0.5,  # official use_dropout: 3 decoder blocks (unet_256; unet_128: 2)
      "dropout_at_inference": True,  # paper Sec. 3.1: dropout is the noise, also at test time
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "patch",  # official --netD basic: 70x70 PatchGAN (paper Sec. 3.2.2)
      "ndf": 64,  # official --ndf 64
      "n_layers": 3,  # official --n_layers_D 3
      "norm": "batch",  # official pix2pix --norm batch
    }
  )
  config.loss = ml_collections.ConfigDict(
    {
      "gan_mode": "vanilla",  # official pix2pix --gan_mode vanilla (paper Eq. 1)
      "lambda_l1": 100.0,  # official --lambda_L1 100 (paper Sec. 4)
    }
  )
  config.train.pool_size = 0  # official pix2pix --pool_size 0 (no image pool)
  # official test.py without --eval: dropout and test-batch statistics at test time (paper 3.3).
  config.eval.eval_mode = False
  config.data.source = "city"
  config.data.dataset_mode = "aligned"  # official pix2pix --dataset_mode aligned
  config.data.direction = "AtoB"  # official --direction AtoB: labels -> photo
  config.data.label_format = "color"  # official pix2pix cityscapes: colour label maps as images
  config.data.num_train = 2975  # Cityscapes' train split size (official pix2pix cityscapes)
  config.data.num_test = 500  # Cityscapes' validation split size
  return config


def city() -> ml_collections.ConfigDict:
  """The CPU run: procedural city, one-hot labels -> photo at 128 px, within 30 minutes on 2 cores.

  Deliberate differences from `paper`, all for CPU time: 128 px (load 143, crop 128: the
  official 286 / 256 ratio), unet_128 (the official U-Net for 128 px), ngf/ndf 32 (~130 ms per
  step here against ~330 ms at 64), 1000 scenes, 4 + 4 epochs (8000 steps); one-hot label maps
  (8 channels; D sees 8 + 3 = 11). Cityscapes' 2:1 frame at 256x128 (no crop, flip only):
  --config.data.aspect_ratio=2 --config.data.preprocess=none --config.data.load_size=128.
  """
  config = paper()
  config.data.load_size = 143
  config.data.crop_size = 128
  config.data.num_train = 1000
  config.data.num_test = 100
  config.data.label_format = "onehot"
  config.generator.name = "unet_128"
  config.generator.ngf = 32
  config.discriminator.ndf = 32
  config.optimizer.n_epochs = 4
  config.optimizer.n_epochs_decay = 4
  config.train.checkpoint_every = 500
  config.train.log_every = 50
  config.train.image_every = 500
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 128 px (unet_128's smallest input), ngf/ndf 4, a few steps."""
  config = city()
  config.data.load_size = 136
  config.data.crop_size = 128
  config.generator.ngf = 4
  config.discriminator.ndf = 4
  return common.test_sized(config)


def folder() -> ml_collections.ConfigDict:
  """`paper` on the official aligned layout: --config.data.path=DIR with train/ and test/."""
  config = paper()
  config.data.source = "aligned_folder"
  return config


def cityscapes() -> ml_collections.ConfigDict:
  """`paper` on tfds cityscapes/semantic_segmentation: colour label maps (34 labelIds) -> photo;
  "test" is the validation split (500 images)."""
  config = paper()
  config.data.source = "tfds_paired"
  config.data.name = "cityscapes/semantic_segmentation"
  return config


VARIANTS = {
  "city": city,
  "paper": paper,
  "tiny": tiny,
  "folder": folder,
  "cityscapes": cityscapes,
}


def get_config(variant: str = "city") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown pix2pix config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
