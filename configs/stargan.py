"""StarGAN configs: `--config=configs/stargan.py:VARIANT`.

Variants: faces64 (default: the procedural faces at 64 px with their 4 attributes, sized to train
on 2 CPU cores within 30 minutes), paper (the official CelebA run: 128 px, 5 attributes, every
official default), tiny (tests).

Learning rate (official solver.py): constant for num_iters - num_iters_decay = 100000 iterations,
then lowered every lr_update_step = 1000 iterations until num_iters = 200000, for G and D alike;
here steps_per_epoch = 1000 (one "epoch" per lr update), n_epochs 100, n_epochs_decay 100: the
repo's linear decay to 0 (training/schedules.py), which is the paper's "linearly decay the
learning rate to 0" (training details, there over CelebA epochs 11-20). The official code's
decrement lr / num_iters_decay per 1000 iterations lowers it by only 0.1% in all; this follows the
paper.
StarGAN's G steps every n_critic-th step; the trainer indexes every player's schedule by the
training step (training/trainer.py), so both decay together as in the official code.
"""

from __future__ import annotations

import ml_collections

from configs import common

# official main.py --selected_attrs (CelebA)
CELEBA_ATTRIBUTES = "Black_Hair,Blond_Hair,Brown_Hair,Male,Young"


def paper() -> ml_collections.ConfigDict:
  """Every default as the official CelebA run (main.py / solver.py; the paper's training details
  and appendix)."""
  config = common.base_config("stargan")
  config.batch_size = 16  # official --batch_size 16 (paper: 16 for all experiments)
  config.generator = ml_collections.ConfigDict(
    {
      "name": "stargan_generator",
      "conv_dim": 64,  # official --g_conv_dim 64
      "repeat_num": 6,  # official --g_repeat_num 6
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "stargan_discriminator",
      "conv_dim": 64,  # official --d_conv_dim 64
      "repeat_num": 6,  # official --d_repeat_num 6: 128 px -> a 2x2 last map
    }
  )
  config.loss = ml_collections.ConfigDict(
    {
      "lambda_cls": 1.0,  # official --lambda_cls 1
      "lambda_rec": 10.0,  # official --lambda_rec 10
      "lambda_gp": 10.0,  # official --lambda_gp 10
    }
  )
  config.optimizer.lr = 1e-4  # official --g_lr = --d_lr = 0.0001
  config.optimizer.beta1 = 0.5  # official --beta1 0.5
  config.optimizer.beta2 = 0.999  # official --beta2 0.999
  config.optimizer.n_epochs = 100  # (num_iters - num_iters_decay) / lr_update_step (module doc)
  config.optimizer.n_epochs_decay = 100  # num_iters_decay / lr_update_step
  config.train.steps_per_epoch = 1000  # official --lr_update_step 1000
  config.train.n_critic = 5  # official --n_critic 5
  config.train.pool_size = 0  # official: no image pool
  config.data.source = "celeb_a"
  config.data.dataset_mode = "attributes"
  config.data.attributes = CELEBA_ATTRIBUTES
  config.data.load_size = 128  # official: CenterCrop(178), Resize(128) (--celeba_crop_size 178)
  config.data.crop_size = 128  # official --image_size 128
  config.data.flip = True  # official: RandomHorizontalFlip
  config.eval.slider = (0.0, 5.0)  # a slid past its trained {0, 1} (as Fader's interpolate.py)
  return config


def faces64() -> ml_collections.ConfigDict:
  """The CPU run: procedural faces at 64 px, all 4 attributes, within 30 minutes on 2 cores.

  Deliberate differences from `paper`, all for CPU time: 64 px (load 72, crop 64); D repeat_num 5
  (64 px -> the official 2x2 last map, D_cls a 2x2 conv); conv_dim 16 for G and D; G with 3
  residual blocks instead of 6; 4000 faces; 3000 steps (1500 at constant lr + 1500 of linear
  decay, 600 G steps), lr updated every 100 steps. About 0.3-0.4 s per step measured here on 2
  busy cores (G16x6 / G32x3 measured 1.3-3.5x slower).
  """
  config = paper()
  config.data.source = "faces"
  config.data.attributes = "glasses,smile,dark_hair,beard"
  config.data.load_size = 72
  config.data.crop_size = 64
  config.data.num_train = 4000
  config.data.num_test = 200
  config.generator.conv_dim = 16
  config.generator.repeat_num = 3
  config.discriminator.conv_dim = 16
  config.discriminator.repeat_num = 5
  config.train.steps_per_epoch = 100
  config.optimizer.n_epochs = 15
  config.optimizer.n_epochs_decay = 15
  config.train.checkpoint_every = 200
  config.train.log_every = 20
  config.train.image_every = 200
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: 16 px, conv_dim 4, one residual block, batch 2, n_critic 2."""
  config = faces64()
  config.batch_size = 2
  config.data.load_size = 16
  config.data.crop_size = 16
  config.generator.conv_dim = 4
  config.generator.repeat_num = 1
  config.discriminator.conv_dim = 4
  config.discriminator.repeat_num = 3  # 16 px -> 2x2
  config.train.n_critic = 2
  config.train.steps_per_epoch = 4
  return common.test_sized(config)


VARIANTS = {"faces64": faces64, "paper": paper, "tiny": tiny}


def get_config(variant: str = "faces64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown stargan config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
