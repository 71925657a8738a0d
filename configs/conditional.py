"""Class-conditional GAN configs (model "conditional_gan", tfgan_repro/models/conditional_synthesis.py):
`--config=configs/conditional.py:VARIANT`.

Variants:
  sngan_projection  Miyato & Koyama 2018 on CIFAR-10 as the official pfnet-research/sngan_projection
            configs/sn_cifar10.yml: ResNet G with categorical conditional BN, SN ResNet projection
            D, hinge loss, n_dis 5, Adam 2e-4 (0, 0.9), batch 64, 50,000 G updates with the rate
            decayed linearly to 0 (the paper variant of the counts)
  cgan      concatenation conditioning (Mirza & Osindero 2014, Sec. 3.2: y one-hot fed to G beside
            z and to D beside x) on the same ResNet nets without SN, the non-saturating loss and
            DCGAN's Adam 2e-4 (0.5, 0.999); the paper's MNIST MLPs are not reproduced
  acgan     auxiliary-classifier D (Odena et al. 2017): G on [z, one-hot y], D with 1 + K outputs,
            L_C added to both players; Adam 2e-4 (0.5, 0.999) and batch 100 (paper Appendix B); on
            the ResNet nets (the paper's CIFAR-10 conv nets are not reproduced)
  sagan     SAGAN (Zhang et al. 2019): self-attention in G and D, SN in both, hinge, TTUR G 1e-4 /
            D 4e-4, Adam (0, 0.9), one D step per G step; on the 32 px ResNet nets with CBN and a
            projection D (the paper's ImageNet 128 px nets are not reproduced)
  shapes32  class shapes (12 classes) at 32 px, narrow projection nets: a run on 2 CPU cores
  cgan_shapes32 / acgan_shapes32 / biggan_shapes32  `cgan`, `acgan` and BigGAN (ch 16, the
            official CIFAR script's training) on the same data, for side-by-side runs
  biggan    BigGAN at 128 px (Brock et al. 2019) with ajbrock/BigGAN-PyTorch
            scripts/launch_BigGAN_bs256x8.sh settings (nets/biggan.py)
  biggan_paper  `biggan` with the paper's 2 D steps, 5e-5 / 2e-4 and orthogonal reg 1e-4
  shapes32_few  `shapes32` on a tenth of its images (1,200), for the few-data table of the
            tricks below
  tiny      tests: 16 px, ch 8, 12 classes
Options (every key of configs/dcgan.py, plus): conditioning.mode (concat | acgan | projection),
conditioning.num_classes, conditioning.ac_weight, loss.ortho_reg (BigGAN), generator.condition (cbn | concat),
discriminator.condition (projection | acgan | concat), generator/discriminator.attention (px, 0 =
none), generator/discriminator.spectral_norm, eval.class_judge (a judge of the class shapes,
evaluation/class_judge.py; "" = none).

Few-data tricks (the "Generative Dog Images" Kaggle competition, 2019, trained on 20,579
Stanford Dogs images), each a group of keys (FEW_DATA_TRICKS), added in this order for the
few-data table (`with_tricks`); every combination runs on this model but label smoothing
without ralsgan:
  1 ralsgan_acgan     loss.gan_mode ralsgan (Jolicoeur-Martineau 2019, Sec. 4), conditioning.mode
                      and discriminator.condition acgan (auxiliary classifier, Odena et al. 2017)
  2 label_smoothing   loss.real_label 0.9: ralsgan's y in D's terms (Salimans et al. 2016, Sec.
                      3.4; the competition's RaLSGAN notebooks); needs ralsgan_acgan (hinge, the
                      shapes32 loss, has no target to smooth: a ValueError)
  3 uniform_noise     loss.instance_noise_dist uniform, instance_noise_std 0.05 annealed to 0 over
                      the run (Sønderby et al. 2017 with the notebooks' uniform noise; the std is
                      this config's choice)
  4 ema               ema.decay 0.999 of G (Yazici et al. 2019; the decay is this config's choice:
                      a half-life of about 690 of the run's 3000 steps)
  5 truncation        eval.truncation_psis (1.0, 0.8, 0.6): z truncated at T (Brock et al. 2019,
                      Sec. 3.1), measured at evaluation
  6 bbox_crop         data.bbox_crop: each image cropped to the square about its object's box
                      grown by data.bbox_margin (0: the box; Stanford Dogs' annotations, the class
                      shapes' true boxes)
  7 diff_augment      loss.diff_augment color,translation,cutout (Zhao et al. 2020: the policy
                      of their limited-data experiments)
"""

from __future__ import annotations

import ml_collections

from configs import common, dcgan

CIFAR10_TRAIN = 50_000  # tfds cifar10 train split


def _nets(g_condition: str, d_condition: str, sn_d: bool) -> dict:
  """The official sn_cifar10.yml widths: G ch 256, dim_z 128; D ch 128."""
  return {
    "generator": ml_collections.ConfigDict(
      {
        "name": "conditional_sngan_resnet_generator",
        "z_dim": 128,  # official dim_z: 128
        "ch": 256,  # official ch: 256
        "condition": g_condition,
        "attention": 0,
        "spectral_norm": False,
      }
    ),
    "discriminator": ml_collections.ConfigDict(
      {
        "name": "conditional_sngan_resnet_discriminator",
        "ch": 128,  # official ch: 128
        "condition": d_condition,
        "attention": 0,
        "spectral_norm": sn_d,
      }
    ),
  }


def sngan_projection() -> ml_collections.ConfigDict:
  """Official sngan_projection configs/sn_cifar10.yml."""
  config = dcgan.paper()
  config.model = "conditional_gan"
  config.batch_size = 64  # official batchsize: 64
  config.update(_nets("cbn", "projection", True))
  config.conditioning = ml_collections.ConfigDict(
    {
      "mode": "projection",  # official SNResNetProjectionDiscriminator
      "num_classes": 10,  # official n_classes: 10
      "ac_weight": 1.0,  # ACGAN only (Odena et al. 2017: L_C unweighted)
    }
  )
  config.loss.gan_mode = "hinge"  # official updater loss_type: hinge
  config.optimizer.lr = 2e-4  # official adam alpha: 0.0002
  config.optimizer.beta1 = 0.0  # official beta1: 0.0
  config.optimizer.beta2 = 0.9  # official beta2: 0.9
  config.optimizer.epsilon = 1e-8  # chainer Adam eps 1e-8
  config.train.n_critic = 5  # official n_dis: 5
  # official iteration: 50000 G updates (x n_dis 5 D steps = 250,000 steps here), decayed linearly
  # to 0 from iteration_decay_start: 0; at 50,000 images / 64 per step that is 320 epochs.
  config.optimizer.n_epochs = 0
  config.optimizer.n_epochs_decay = 50_000 * 5 * 64 // CIFAR10_TRAIN
  config.data.name = "cifar10"
  config.data.dataset_mode = "labelled_images"
  config.data.crop_size = 32
  config.data.load_size = 32
  config.data.flip = False  # official CIFAR10Dataset: no flip
  config.eval.class_judge = ""
  config.loss.ortho_reg = 0.0  # BigGAN's orthogonal regularisation (Brock et al. 2019); off
  return config


def cgan() -> ml_collections.ConfigDict:
  """Concatenation conditioning in G and D (Mirza & Osindero 2014, Sec. 3.2)."""
  config = sngan_projection()
  config.update(_nets("concat", "concat", False))
  config.conditioning.mode = "concat"
  config.loss.gan_mode = "nonsaturating"  # Mirza & Osindero 2014, Eq. 2 (G: -log D trick)
  config.optimizer.lr = 2e-4  # DCGAN (Radford et al. 2016, Sec. 4)
  config.optimizer.beta1 = 0.5
  config.optimizer.beta2 = 0.999
  config.train.n_critic = 1
  config.optimizer.n_epochs = 100
  config.optimizer.n_epochs_decay = 0
  return config


def acgan() -> ml_collections.ConfigDict:
  """ACGAN (Odena et al. 2017): one-hot y beside z in G, D with the auxiliary classifier."""
  config = cgan()
  config.update(_nets("concat", "acgan", False))
  config.conditioning.mode = "acgan"
  config.batch_size = 100  # paper Appendix B: batch size 100
  return config


def sagan() -> ml_collections.ConfigDict:
  """SAGAN (Zhang et al. 2019) on the 32 px nets: attention at 16 px in G and D, SN in both,
  hinge, TTUR."""
  config = sngan_projection()
  config.generator.attention = 16  # this config's choice: the 16 px block (paper: 32 of 128 px)
  config.generator.spectral_norm = True  # Sec. 4: SN in G and D
  config.discriminator.attention = 16
  config.loss.gan_mode = "hinge"  # Sec. 5: hinge version of the adversarial loss
  config.optimizer.g_lr = 1e-4  # Sec. 5: TTUR, G 0.0001
  config.optimizer.d_lr = 4e-4  # Sec. 5: D 0.0004
  config.optimizer.beta1 = 0.0  # Sec. 5: beta1 = 0, beta2 = 0.9
  config.optimizer.beta2 = 0.9
  config.train.n_critic = 1  # Sec. 4: TTUR, one D step per G step
  config.optimizer.n_epochs = 100
  config.optimizer.n_epochs_decay = 0  # constant rates
  return config


def biggan() -> ml_collections.ConfigDict:
  """BigGAN at 128 px on ImageNet as ajbrock/BigGAN-PyTorch scripts/launch_BigGAN_bs256x8.sh:
  G_ch = D_ch 96, hier, dim_z 120, shared_dim 128, attention at 64 px, SN eps 1e-6, ortho init;
  hinge loss; 1 D step per G step, G lr 1e-4, D lr 4e-4, Adam betas (0, 0.999), eps 1e-6; batch
  256 x 8 accumulations = 2048 images per step (one step of the global batch here); G's EMA decay
  0.9999 from step 20,000; orthogonal regularisation off (--G_ortho 0.0; `biggan_paper` sets the
  paper's 1e-4). Data: tfds imagenet2012 (manual download) at 128 px."""
  config = sngan_projection()
  config.batch_size = 2048  # launch script --batch_size 256 --num_{G,D}_accumulations 8
  config.generator = ml_collections.ConfigDict(
    {
      "name": "biggan_generator",
      "ch": 96,  # --G_ch 96
      "dim_z": 120,  # --dim_z 120
      "shared_dim": 128,  # --shared_dim 128
      "hier": True,  # --hier
      "attention": 64,  # --G_attn 64
      "init": "ortho",  # --G_init ortho
      "sn_epsilon": 1e-6,  # --SN_eps 1e-6
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "biggan_discriminator",
      "ch": 96,  # --D_ch 96
      "attention": 64,  # --D_attn 64
      "init": "ortho",  # --D_init ortho
      "sn_epsilon": 1e-6,  # --SN_eps 1e-6
    }
  )
  config.conditioning.num_classes = 1000  # ImageNet (BigGAN-PyTorch n_classes 1000)
  config.loss.gan_mode = "hinge"  # BigGAN-PyTorch losses.loss_hinge_dis / loss_hinge_gen
  config.loss.ortho_reg = 0.0  # --G_ortho 0.0 (paper Sec. 3.1: 1e-4, `biggan_paper`)
  config.train.n_critic = 1  # --num_D_steps 1
  config.optimizer.g_lr = 1e-4  # --G_lr 1e-4
  config.optimizer.d_lr = 4e-4  # --D_lr 4e-4
  config.optimizer.lr = 1e-4
  config.optimizer.beta1 = 0.0  # BigGAN-PyTorch utils.py default --G_B1 / --D_B1 0.0
  config.optimizer.beta2 = 0.999  # --G_B2 0.999 --D_B2 0.999
  config.optimizer.epsilon = 1e-6  # --adam_eps 1e-6
  config.optimizer.n_epochs = 100  # BigGAN-PyTorch utils.py default --num_epochs 100; constant
  config.optimizer.n_epochs_decay = 0
  # --ema --use_ema --ema_start 20000, utils.py default --ema_decay 0.9999
  config.ema.decay = 0.9999
  config.ema.start_step = 20_000
  config.data.name = "imagenet2012"
  config.data.crop_size = 128  # --dataset I128_hdf5: 128 px
  config.data.load_size = 128
  return config


def biggan_paper() -> ml_collections.ConfigDict:
  """`biggan` with the paper's settings where they differ from the launch script (Brock et al.
  2019, App. C / Sec. 3.1): 2 D steps per G step, G lr 5e-5, D lr 2e-4, orthogonal
  regularisation beta 1e-4."""
  config = biggan()
  config.train.n_critic = 2  # App. C: two D steps per G step
  config.optimizer.g_lr = 5e-5  # App. C: 5e-5 in G
  config.optimizer.d_lr = 2e-4  # App. C: 2e-4 in D
  config.optimizer.lr = 5e-5
  config.loss.ortho_reg = 1e-4  # Sec. 3.1: beta = 1e-4
  return config


def on_shapes32(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """`config` on the class shapes at 32 px (12 classes, 12,000 training images, 1,200 held out),
  batch 64, checkpoints / logs / sheets for a CPU run; nets and schedules stay the caller's."""
  config.batch_size = 64
  config.conditioning.num_classes = 12  # data/procedural/class_shapes.py NUM_CLASSES
  config.data.source = "class_shapes"
  config.data.crop_size = 32
  config.data.load_size = 32
  config.data.num_train = 12_000
  config.data.num_test = 1_200
  config.train.checkpoint_every = 500
  config.train.log_every = 50
  config.train.image_every = 500
  config.eval.num_images = 1200
  return config


def narrow(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """The ResNet nets at CPU width: G ch 64, z 64, D ch 64 (official sn_cifar10: 256, 128, 128)."""
  config.generator.ch = 64
  config.generator.z_dim = 64
  config.discriminator.ch = 64
  return config


def shapes32() -> ml_collections.ConfigDict:
  """Projection cGAN on class shapes at 32 px: G ch 64, D ch 64, z 64, 3000 steps (CPU time);
  scored by intra-class FID and the class judge's accuracy on generated images."""
  config = on_shapes32(narrow(sngan_projection()))
  config.train.n_critic = 2  # this config's choice: fewer D steps per G step (CPU time)
  config.optimizer.n_epochs = 0
  config.optimizer.n_epochs_decay = 16  # 3000 steps at batch 64, decayed as the official
  return config


def cgan_shapes32() -> ml_collections.ConfigDict:
  """`cgan` (concatenation in G and D) at shapes32's widths on the class shapes."""
  return on_shapes32(narrow(cgan()))


def acgan_shapes32() -> ml_collections.ConfigDict:
  """`acgan` (auxiliary classifier D) at shapes32's widths and batch on the class shapes."""
  return on_shapes32(narrow(acgan()))


def biggan_shapes32() -> ml_collections.ConfigDict:
  """BigGAN's nets at 32 px (official G_arch / D_arch 32) with ch 16 on the class shapes, trained
  as BigGAN-PyTorch scripts/old/launch_cifar_ema.sh: no attention (--G_attn 0 --D_attn 0),
  xavier init, 1 D step, G 1e-4 / D 4e-4, EMA from step 1000 (--ema_start 1000); batch 64 as
  the script. Kept from the 128 px script: hierarchical z (dim 120) and the shared embedding."""
  config = on_shapes32(biggan())
  config.generator.ch = 16  # this config's choice: CPU width, 64 channels (script: --G_ch 64)
  config.discriminator.ch = 16
  for net in (config.generator, config.discriminator):
    net.attention = 0  # --G_attn 0 --D_attn 0
    net.init = "glorot"  # --G_init xavier --D_init xavier
  config.ema.start_step = 1000  # --ema_start 1000
  return config


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: class shapes at 16 px, z 8, ch 8, batch 2."""
  config = shapes32()
  config.batch_size = 2
  config.generator.z_dim = 8
  config.generator.ch = 8
  config.discriminator.ch = 8
  # SN's power-iteration vectors u, v are non-trainable and drawn per build: off, so that two
  # builds given the same trainable weights take the same step
  config.discriminator.spectral_norm = False
  config.data.crop_size = 16
  config.data.load_size = 16
  config.train.n_critic = 1
  config.eval.mode_samples = 64
  return common.test_sized(config)


def shapes32_few() -> ml_collections.ConfigDict:
  """`shapes32` on 1,200 class shapes (a tenth of its 12,000) for the same 3000 steps: the row
  without tricks of the few-data table (FEW_DATA_TRICKS add the rest)."""
  config = shapes32()
  config.data.num_train = 1_200  # a tenth of shapes32's 12,000
  config.optimizer.n_epochs_decay = 160  # 3000 steps at batch 64 on 1,200 images, as shapes32
  return config


# The few-data tricks in the order of the table (module docstring): name -> flattened keys.
FEW_DATA_TRICKS: tuple[tuple[str, dict], ...] = (
  (
    "ralsgan_acgan",
    {
      "loss.gan_mode": "ralsgan",  # Jolicoeur-Martineau 2019, Sec. 4
      "conditioning.mode": "acgan",  # Odena et al. 2017, Sec. 3
      "discriminator.condition": "acgan",
    },
  ),
  ("label_smoothing", {"loss.real_label": 0.9}),  # Salimans et al. 2016, Sec. 3.4
  (
    "uniform_noise",
    {
      "loss.instance_noise_dist": "uniform",
      "loss.instance_noise_std": 0.05,  # this config's choice
      "loss.instance_noise_decay_steps": 3000,  # shapes32's run: annealed to 0 at its end
    },
  ),
  ("ema", {"ema.decay": 0.999}),  # Yazici et al. 2019; the decay: this config's choice
  ("truncation", {"eval.truncation_psis": (1.0, 0.8, 0.6)}),  # Brock et al. 2019, Sec. 3.1
  ("bbox_crop", {"data.bbox_crop": True}),
  ("diff_augment", {"loss.diff_augment": "color,translation,cutout"}),  # Zhao et al. 2020
)


def with_tricks(config: ml_collections.ConfigDict, names: tuple[str, ...]) -> None:
  """Sets the keys of the FEW_DATA_TRICKS `names` on `config` (in place)."""
  known = dict(FEW_DATA_TRICKS)
  for name in names:
    if name not in known:
      raise ValueError(f"unknown few-data trick {name!r}; valid: {', '.join(known)}")
    config.update_from_flattened_dict(known[name])


VARIANTS = {
  "sngan_projection": sngan_projection,
  "cgan": cgan,
  "acgan": acgan,
  "sagan": sagan,
  "biggan": biggan,
  "biggan_paper": biggan_paper,
  "shapes32": shapes32,
  "cgan_shapes32": cgan_shapes32,
  "acgan_shapes32": acgan_shapes32,
  "biggan_shapes32": biggan_shapes32,
  "shapes32_few": shapes32_few,
  "tiny": tiny,
}


def get_config(variant: str = "shapes32") -> ml_collections.ConfigDict:
  """VARIANT, or VARIANT+TRICK+... with FEW_DATA_TRICKS added in the order given (e.g.
  `shapes32_few+ralsgan_acgan+label_smoothing`)."""
  name, *tricks = variant.split("+")
  if name not in VARIANTS:
    raise ValueError(
      f"unknown conditional config variant {name!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  config = VARIANTS[name]()
  with_tricks(config, tuple(tricks))
  return config
