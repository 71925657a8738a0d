"""pix2pixHD configs: `--config=configs/pix2pixhd.py:VARIANT[_STAGE]`.

Variants (each the FINAL resolution of the coarse-to-fine G; paper Sec. 3.2 trains in stages):
  city (default): procedural city labels + instances -> photo, 256x128 final, sized for 2 CPU cores
  paper: the official label2city defaults at 1024x512 final
  cityscapes: paper on Cityscapes in the official folder layout (train_label/, train_inst/, ...)
  tiny: tests (seconds)
Stages (config.generator.stage), by suffix: none = "global" (G1 alone at HALF the final
resolution), `_local` (G2 with G1 frozen: official --niter_fix_global), `_joint` (both). Set
--config.init_from=WORKDIR of the previous stage: a fresh run starts from its G1 (global -> local)
or its whole G (local -> joint), and its E and D (official --load_pretrain).
E.g. city: `city` (128x64) -> `city_local` (256x128, init_from the global run) -> `city_joint`.
G1 alone at the final resolution (the paper's 1024x512 results): `city` with
--config.data.load_size=128 --config.data.crop_size=128.
"""

from __future__ import annotations

import ml_collections

from configs import common

STAGE_SUFFIXES = {"": "global", "_local": "local", "_joint": "joint"}


def paper() -> ml_collections.ConfigDict:
  """Official label2city (train_512p.sh / train_1024p.sh options) on the procedural city: final
  1024x512, stage global at 512x256. num_D 3 as the paper (Sec. 3.2: 3 discriminators; official
  --num_D default 2, train_1024p.sh passes 3)."""
  config = common.base_config("pix2pixhd")
  config.generator = ml_collections.ConfigDict(
    {
      "stage": "global",  # paper Sec. 3.2: global, then local with G1 fixed, then joint
      "name": "global_generator",  # official --netG global; local_enhancer (--netG local) after
      "ngf": 64,  # official --ngf 64 (G1's width; the local enhancer's G2 gets 32)
      "n_downsample_global": 4,  # official --n_downsample_global 4
      "n_blocks_global": 9,  # official --n_blocks_global 9
      "n_blocks_local": 3,  # official --n_blocks_local 3
      "norm": "instance",  # official --norm instance
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "multiscale",  # official MultiscaleDiscriminator
      "ndf": 64,  # official --ndf 64
      "n_layers": 3,  # official --n_layers_D 3
      "norm": "instance",  # official --norm instance
      "num_d": 3,  # paper Sec. 3.2 (official --num_D default 2)
      "padding": 2,  # official NLayerDiscriminator padw = ceil((4 - 1) / 2)
    }
  )
  config.loss = ml_collections.ConfigDict(
    {
      "lambda_feat": 10.0,  # official --lambda_feat 10 (paper Eq. 6)
      "feat_loss": True,  # official: not --no_ganFeat_loss
      "vgg_weights": "",  # Keras VGG19 .h5 path; "" = VGG loss off (official --no_vgg_loss)
    }
  )
  config.features = ml_collections.ConfigDict(
    {
      "instance_feat": False,  # official --instance_feat (off by default; paper Sec. 3.4)
      "feat_num": 3,  # official --feat_num 3
      "nef": 16,  # official --nef 16
      "n_downsample_e": 4,  # official --n_downsample_E 4
      "n_clusters": 10,  # official --n_clusters 10
      "feature_cluster": 0,  # exported G's cluster per class (official: random per instance)
    }
  )
  config.init_from = ""  # workdir of the previous stage (official --load_pretrain)
  config.optimizer.n_epochs = 100  # official --niter 100
  config.optimizer.n_epochs_decay = 100  # official --niter_decay 100
  config.train.pool_size = 0  # official --pool_size 0 (no image pool)
  config.data.source = "city"
  config.data.dataset_mode = "aligned"  # official aligned_dataset (label, inst, image)
  config.data.label_format = "onehot_instance"  # official --label_nc + instance maps
  config.data.aspect_ratio = 2  # Cityscapes' 2:1 frame
  config.data.preprocess = "none"  # official train_1024p.sh --resize_or_crop none
  config.data.load_size = 512  # final height (official 1024x512 for label2city_512p)
  config.data.crop_size = 512  # the static TFLite export's side
  config.data.num_train = 2975  # Cityscapes' train split size
  config.data.num_test = 500  # Cityscapes' validation split size
  return config


def city() -> ml_collections.ConfigDict:
  """The CPU run (README table: the three stages within 30 minutes on 2 cores): final 256x128
  (Cityscapes' 2:1; global stage 128x64), ngf 16 (G1 ~11M parameters instead of 182M), ndf 32,
  instance features on, 1000 scenes, 1 + 1 epochs (global: 2000 steps; local: 1 epoch at
  constant lr; joint: 1 + 1)."""
  config = paper()
  config.data.load_size = 128
  config.data.crop_size = 128
  config.data.num_train = 1000
  config.data.num_test = 100
  config.generator.ngf = 16
  config.discriminator.ndf = 32
  config.features.instance_feat = True
  config.optimizer.n_epochs = 1
  config.optimizer.n_epochs_decay = 1
  config.train.checkpoint_every = 500
  config.train.log_every = 50
  config.train.image_every = 500
  return config


def cityscapes() -> ml_collections.ConfigDict:
  """`paper` on Cityscapes in the official pix2pixHD layout (datasets/cityscapes:
  --config.data.path=DIR with train_label/, train_inst/, train_img/ and test_*): labelIds maps
  (official --label_nc 35), gtFine instanceIds maps, photos. tfds `cityscapes/semantic_segmentation`
  has no instance maps, so it serves pix2pix (configs/pix2pix.py:cityscapes), not this config."""
  config = paper()
  config.data.source = "pix2pixhd_folder"
  config.data.num_classes = 35  # official --label_nc 35 (labelIds 0..33 and -1 read as 0 here)
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: final 128x64 (global stage 64x32: G1's 16x bottleneck needs
  at least 2 rows for its reflect padding), ngf 4, 2 blocks, ndf 4, 8 scenes. crop_size (only
  the side of square test batches and of the static TFLite export with preprocess "none") 128:
  64 in the global stage, where G1's bottleneck is 4x4 (at 2x2 its instance norm amplified
  float noise past the two-replica test's tolerance)."""
  config = city()
  config.data.load_size = 64
  config.data.crop_size = 128
  config.generator.ngf = 4
  config.generator.n_blocks_global = 2
  config.discriminator.ndf = 4
  config.features.nef = 2
  config.features.n_clusters = 2
  return common.test_sized(config)


def staged(config: ml_collections.ConfigDict, stage: str) -> ml_collections.ConfigDict:
  """`config` (final resolution) at `stage`: global trains G1 at half the final resolution;
  local trains G2 with G1 fixed (official label2city_1024p: --niter_fix_global 10, the rest of
  its 100 + 100 epochs in joint)."""
  config.generator.stage = stage
  config.generator.name = "global_generator" if stage == "global" else "local_enhancer"
  if stage == "global":
    config.data.load_size //= 2
    config.data.crop_size //= 2
  fixed = max(1, config.optimizer.n_epochs // 10)  # official --niter_fix_global 10 of --niter 100
  if stage == "local":
    config.optimizer.n_epochs, config.optimizer.n_epochs_decay = fixed, 0
  elif stage == "joint":
    config.optimizer.n_epochs = max(1, config.optimizer.n_epochs - fixed)
  return config


VARIANTS = {
  f"{name}{suffix}": (base, stage)
  for name, base in (("city", city), ("paper", paper), ("cityscapes", cityscapes), ("tiny", tiny))
  for suffix, stage in STAGE_SUFFIXES.items()
}


def get_config(variant: str = "city") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown pix2pixhd config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  base, stage = VARIANTS[variant]
  return staged(base(), stage)
