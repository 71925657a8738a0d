"""Triple-GAN configs (Li et al. 2017; model "triple_gan", tfgan_repro/models/triple_gan.py):
`--config=configs/triple_gan.py:VARIANT`.

Variants:
  paper     CIFAR-10 with 4,000 labels (400 per class) as the official zhenxuan00/triple-gan
            x2y_yz2x_xy2p_ssl_cifar10.py: its classifier C, alpha 1/2, alpha_cla_adv 0.01, R_P
            0.1 from epoch 200, C's Pi-model consistency (weight 100 ramped up over 80 epochs),
            Adam 3e-4 (0.5) for G and D and 3e-3 for C, 1000 epochs of 500 iterations; G and D
            are the concat-conditioned ResNet nets of configs/conditional.py `cgan` (the
            official deconv / weight-norm nets are not reproduced)
  shapes32  the class shapes at 32 px with 120 labels (10 per class), narrow nets: a run on 2
            CPU cores (default)
  tiny      tests: 16 px, ch 8, 12 labels
Options (every key of configs/conditional.py, plus): classifier (a registered net: name, width,
noise_std, dropout, norm), loss.alpha / alpha_cla_adv / alpha_p / alpha_p_start_step /
unsup_weight / unsup_rampup_steps, optimizer.c_lr / c_beta1 / c_beta2, ema.c_decay,
data.num_labelled / labelled_seed / labelled_per_batch (data/semi_supervised.py).
"""

from __future__ import annotations

import ml_collections

from configs import common, conditional


def paper() -> ml_collections.ConfigDict:
  """Triple-GAN on CIFAR-10, 4,000 labels, as the official x2y_yz2x_xy2p_ssl_cifar10.py."""
  config = conditional.cgan()
  config.model = "triple_gan"
  config.generator.z_dim = 100  # official n_z=100
  config.latent.distribution = "uniform"  # official theano_rng.uniform (U(0, 1); here U(-1, 1))
  config.classifier = ml_collections.ConfigDict(
    {
      "name": "triple_gan_classifier",
      "width": 1.0,  # official 128 / 256 / 512 channels
      "noise_std": 0.15,  # official GaussianNoiseLayer sigma=.15
      "dropout": 0.5,  # official DropoutLayer p=.5
      "norm": "mean_only_weight_norm",  # official WN = mean_only_bn
    }
  )
  # official batch_size_g 200; C's batches: batch_size_l_c 100 labelled + batch_size_u_c 100
  config.batch_size = 200
  config.data.num_labelled = 4000  # official -nlabeled 4000
  config.data.labelled_seed = 1  # official -ssl_seed 1
  config.data.labelled_per_batch = 100  # official batch_size_l_c 100
  config.loss.gan_mode = "nonsaturating"  # official bce, G and C against ones
  config.loss.alpha = 0.5  # paper Sec. 3 / official .5 * dis_cost_p_g, .5 * dis_cost_p_c
  config.loss.alpha_cla_adv = 0.01  # official alpha_cla_adv = 0.01
  config.loss.alpha_p = 0.1  # official -cla_g 0.1
  config.loss.alpha_p_start_step = 200 * 500  # official epoch_cla_g 200, 500 iterations an epoch
  config.loss.unsup_weight = 100.0  # official scaled_unsup_weight_max = 100.0 (C's Pi-model term)
  config.loss.unsup_rampup_steps = 80 * 500  # official rampup: 80 epochs
  config.optimizer.lr = 3e-4  # official lr=3e-4 (G and D)
  config.optimizer.beta1 = 0.5  # official b1_g = b1_d = .5
  config.optimizer.beta2 = 0.999  # lasagne adam default beta2
  config.optimizer.epsilon = 1e-8  # lasagne adam / robust_adam epsilon 1e-8
  config.optimizer.c_lr = 3e-3  # official cla_lr=3e-3
  config.optimizer.c_beta1 = 0.9  # official b1_c 0.9 (0.5 in the last 50 epochs' rampdown)
  config.optimizer.c_beta2 = 0.999  # official robust_adam beta2=.999
  # official: 1000 epochs of n_batches_train_u_c = 50,000 / 100 = 500 iterations, rates constant
  # to epoch 300 then x0.995 (G, D) / x0.99 (C) per epoch; here linear decay to 0 over the rest
  config.train.steps_per_epoch = 500
  config.optimizer.n_epochs = 300  # official anneal_lr_epoch=300
  config.optimizer.n_epochs_decay = 700  # official num_epochs=1000
  config.ema.c_decay = 0.99  # official cla_param_avg: a + 0.01 (p - a)
  config.data.flip = False  # official: no augmentation of CIFAR-10
  return config


def shapes32() -> ml_collections.ConfigDict:
  """Triple-GAN on the class shapes at 32 px: 120 labels (10 per class), 32 labelled + 32
  unlabelled rows a batch, narrow G / D (ch 64, z 64) and C (width 1/4), R_P from step 1000;
  3000 steps (shapes32's schedule)."""
  config = conditional.on_shapes32(conditional.narrow(paper()))
  config.data.num_labelled = 120  # this config's choice: 10 labels per class
  config.data.labelled_per_batch = 32  # this config's choice: half of batch 64
  config.classifier.width = 0.25  # this config's choice: CPU width (32 / 64 / 128 channels)
  # this config's choice: R_P after a third of the run (official: after 200 of 1000 epochs)
  config.loss.alpha_p_start_step = 1000
  # this config's choice: R_U ramped up over the first 800 steps (official: 80 of 1000 epochs)
  config.loss.unsup_rampup_steps = 800
  config.train.steps_per_epoch = 0  # the epoch of the data
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long Triple-GAN runs for tests: 16 px, z 8, ch 8, C width 1/16 without noise,
  dropout or weight norm (deterministic, no batch statistics), 48 images of which 12 labelled,
  batch 4 with 2 labelled rows, R_P from the first step."""
  config = shapes32()
  config.batch_size = 4
  config.generator.z_dim = 8
  config.generator.ch = 8
  config.discriminator.ch = 8
  config.classifier.update({"width": 0.0625, "noise_std": 0.0, "dropout": 0.0, "norm": "none"})
  config.data.crop_size = 16
  config.data.load_size = 16
  config = common.test_sized(config)
  config.data.num_train = 48  # every one of the 12 classes has a label to keep
  config.data.num_labelled = 12
  config.data.labelled_per_batch = 2
  config.loss.alpha_p_start_step = 0
  return config


VARIANTS = {"paper": paper, "shapes32": shapes32, "tiny": tiny}


def get_config(variant: str = "shapes32") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown triple_gan config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
