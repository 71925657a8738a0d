"""Noise -> image GAN configs (model "dcgan", tfgan_repro/models/synthesis.py):
`--config=configs/dcgan.py:VARIANT`.

Variants:
  paper     DCGAN (Radford et al. 2016) at 64 px with every official pytorch/examples dcgan
            main.py default; data: tfds celeb_a (or --config.data.source=folder
            --config.data.path=DIR)
  faces64   the default: DCGAN on the procedural faces at 64 px, narrower, a short run on 2 CPU
            cores
  shapes32  DCGAN's 32 px variant on stacked shapes (1000 modes, VEEGAN Sec. 5.2's protocol)
  wgan      WGAN (Arjovsky et al. 2017, Algorithm 1): DCGAN nets, weight clipping, RMSProp
  sngan32   SNGAN (Miyato et al. 2018, Table 3 ResNet, CIFAR-10 settings): hinge loss, n_dis 5
  wgan_gp32 WGAN-GP (Gulrajani et al. 2017, Algorithm 1, CIFAR-10 ResNet): the same nets, no SN
  ring8, grid25  the 2-D mixtures with PacGAN's MLP nets (Lin et al. 2018, Sec. 4.1; the
            VEEGAN architecture), dataset_mode "points"
  tiny      tests: 16 px, ngf = ndf = 4
Every option of the model is a key: loss.gan_mode (losses.ALL_GAN_MODES), loss.real_label,
loss.instance_noise_std / instance_noise_decay_steps / instance_noise_dist, loss.r1_gamma /
r2_gamma / gp_lambda, loss.clip_value, loss.diff_augment, loss.ada_target / ada_pipeline /
ada_kimg / ada_interval / ada_p (ADA), train.n_critic, ema.decay / half_life_kimg / rampup / start_step, optimizer.g_lr /
d_lr (TTUR; 0 = optimizer.lr), optimizer.name, latent.distribution, generator.name /
discriminator.name (nets registry).
"""

from __future__ import annotations

import ml_collections

from configs import common


def _set_networks(config: ml_collections.ConfigDict) -> None:
  """The official main.py nets: DCGAN generator and discriminator with BatchNorm."""
  config.generator = ml_collections.ConfigDict(
    {
      "name": "dcgan_generator",
      "nz": 100,  # official --nz 100
      "ngf": 64,  # official --ngf 64
      "norm": "batch",  # official BatchNorm2d (paper Sec. 3)
    }
  )
  config.discriminator = ml_collections.ConfigDict(
    {
      "name": "dcgan_discriminator",
      "ndf": 64,  # official --ndf 64
      "norm": "batch",
      "spectral_norm": False,  # not in DCGAN; SNGAN (Miyato et al. 2018) with norm "none"
    }
  )


def _official_loss() -> ml_collections.ConfigDict:
  """The official BCE loss; every regulariser off (not in DCGAN)."""
  return ml_collections.ConfigDict(
    {
      "gan_mode": "nonsaturating",  # official BCELoss; G against real_label (paper Sec. 4)
      "real_label": 1.0,  # official real_label = 1; 0.9: Salimans et al. 2016 Sec. 3.4
      "instance_noise_std": 0.0,  # Sønderby et al. 2017; not in DCGAN: off
      "instance_noise_decay_steps": 1,
      # "gaussian" (Sønderby et al. 2017) | "uniform" of the same std (losses.INSTANCE_NOISE_DISTS)
      "instance_noise_dist": "gaussian",
      "r1_gamma": 0.0,  # Mescheder et al. 2018 (official GAN_stability reg_param 10); off
      "r2_gamma": 0.0,
      "gp_lambda": 0.0,  # WGAN-GP lambda 10 (Gulrajani et al. 2017); off
      "clip_value": 0.0,  # WGAN c = 0.01 (Arjovsky et al. 2017); off
      "diff_augment": "",  # Zhao et al. 2020: "color,translation,cutout"; off
      # ADA (Karras et al. 2020; official stylegan2-ada-pytorch): target of E[sign(D(x))]
      # (official --target 0.6; 0 = no adaptation), pipeline (train.py --augpipe 'bgc'), p's
      # speed (training_loop.py ada_kimg 500) and update interval in steps (ada_interval 4), the
      # fixed p with target 0 (--aug fixed --p); not in DCGAN: off. Exclusive of diff_augment.
      "ada_target": 0.0,
      "ada_pipeline": "bgc",
      "ada_kimg": 500.0,
      "ada_interval": 4,
      "ada_p": 0.0,
    }
  )


def set_synthesis_eval(config: ml_collections.ConfigDict) -> None:
  """Synthesis evaluation (tasks/synthesis.py): features of a judge network or an Inception file
  (`extractor`, kind auto | model | inception_v3), FID / KID every `every_kimg` thousand training
  images with the best checkpoint kept (0 = only at the end), KID subsets (torch-fidelity default
  100), stacked-shapes samples judged for modes, samples.png columns, perceptual path length of a
  style-based G (`ppl_samples`, 0 = off) and the truncation curve (`truncation_psis`: FID,
  precision / recall at each psi in W, or each z truncation T for other Gs; () = off)."""
  config.eval.extractor = ""
  config.eval.extractor_kind = "auto"
  config.eval.every_kimg = 0.0
  config.eval.kid_subsets = 100
  # stacked shapes: samples judged (official PacGAN VEEGAN_experiment/config.py num_test_sample)
  config.eval.mode_samples = 26_000
  config.eval.sample_cols = 8
  config.eval.ppl_samples = 0  # official stylegan2-ada-pytorch ppl2_wend: 50,000; off
  config.eval.truncation_psis = ()  # e.g. (1.0, 0.9, 0.7, 0.5) (StyleGAN2 Fig. / BigGAN Fig. 2)


def paper() -> ml_collections.ConfigDict:
  """DCGAN as the official pytorch/examples dcgan main.py trains it (paper Sec. 4)."""
  config = common.base_config("dcgan")
  config.batch_size = 128  # paper Sec. 4: mini-batch size 128 (official --batchSize 64)
  _set_networks(config)
  # official main.py: noise = torch.randn (the paper, Sec. 4, draws z uniformly)
  config.latent = ml_collections.ConfigDict({"distribution": "normal"})
  config.loss = _official_loss()
  # EMA of G (not in DCGAN: off): decay per step, or half-life in kimg (StyleGAN2-ADA ema_kimg
  # 10 with ema_rampup 0.05), from start_step (BigGAN-PyTorch --ema_start 20000).
  config.ema = ml_collections.ConfigDict(
    {"decay": 0.0, "half_life_kimg": 0.0, "rampup": 0.0, "start_step": 0}
  )
  config.optimizer.lr = 2e-4  # official --lr 0.0002 (paper Sec. 4)
  config.optimizer.beta1 = 0.5  # official --beta1 0.5 (paper Sec. 4)
  config.optimizer.g_lr = 0.0  # TTUR (Heusel et al. 2017): G's rate; 0 = optimizer.lr
  config.optimizer.d_lr = 0.0  # D's rate; 0 = optimizer.lr
  config.optimizer.name = "adam"
  config.optimizer.n_epochs = 25  # official --niter 25
  config.optimizer.n_epochs_decay = 0  # official: constant rate
  config.train.n_critic = 1  # official: one D step per G step (WGAN: 5)
  config.data.source = "tfds"
  config.data.name = "celeb_a"
  config.data.dataset_mode = "images"
  config.data.crop_size = 64  # official --imageSize 64 (Resize + CenterCrop)
  config.data.load_size = 64
  config.data.flip = False  # official transforms: no flip
  set_synthesis_eval(config)
  return config


def faces64() -> ml_collections.ConfigDict:
  """The main job: DCGAN on procedural faces at 64 px, trained on 2 CPU cores within minutes.

  Deliberate differences from `paper`, all for CPU time: ngf = ndf = 32, batch 64, 2048 faces,
  32 epochs (1024 steps)."""
  config = paper()
  config.batch_size = 64
  config.generator.ngf = 32
  config.discriminator.ndf = 32
  config.data.source = "faces"
  config.data.num_train = 2048
  config.data.num_test = 256
  config.optimizer.n_epochs = 32
  config.train.checkpoint_every = 256
  config.train.log_every = 32
  config.train.image_every = 256
  return config


def shapes32() -> ml_collections.ConfigDict:
  """DCGAN's 32 px variant (one block fewer) on stacked shapes: 1000 modes, scored by modes
  covered and KL to uniform (VEEGAN Sec. 5.2 protocol, evaluation/shape_judge.py)."""
  config = faces64()
  config.data.source = "stacked_shapes"
  config.data.crop_size = 32
  config.data.load_size = 32
  # PacGAN's stacked-MNIST config (VEEGAN_experiment/config.py) trains on 128,000 images for 50
  # epochs; here 25,600 for 4000 steps (CPU time).
  config.data.num_train = 25_600
  config.data.num_test = 1000
  config.optimizer.n_epochs = 10  # 4000 steps at batch 64
  config.train.checkpoint_every = 1000
  config.train.image_every = 1000
  return config


def wgan() -> ml_collections.ConfigDict:
  """WGAN (Arjovsky et al. 2017, Algorithm 1 defaults; official martinarjovsky/WassersteinGAN
  with the DCGAN nets): critic loss D(G(z)) - D(x), weights clipped to [-0.01, 0.01] after each
  critic step, n_critic 5, RMSProp lr 5e-5, batch 64."""
  config = faces64()
  config.loss.gan_mode = "wgan"
  config.loss.clip_value = 0.01  # Algorithm 1: c = 0.01
  config.train.n_critic = 5  # Algorithm 1: n_critic = 5
  config.optimizer.name = "rmsprop"  # Algorithm 1: RMSProp
  config.optimizer.lr = 5e-5  # Algorithm 1: alpha = 0.00005
  return config


def sngan32() -> ml_collections.ConfigDict:
  """SNGAN's ResNet at 32 px (Miyato et al. 2018, Table 3; CIFAR-10 settings of Sec. 4 /
  official sngan_projection configs: hinge loss, Adam 2e-4 (0, 0.9), n_dis 5, batch 64)."""
  config = paper()
  config.batch_size = 64
  config.generator = ml_collections.ConfigDict(
    {"name": "sngan_resnet_generator", "z_dim": 128, "ch": 256, "norm": "batch"}
  )
  config.discriminator = ml_collections.ConfigDict(
    {"name": "sngan_resnet_discriminator", "ch": 128, "spectral_norm": True}
  )
  config.loss.gan_mode = "hinge"
  config.optimizer.lr = 2e-4
  config.optimizer.beta1 = 0.0
  config.optimizer.beta2 = 0.9
  config.train.n_critic = 5
  config.data.name = "cifar10"
  config.data.crop_size = 32
  config.data.load_size = 32
  config.data.flip = False
  return config


def wgan_gp32() -> ml_collections.ConfigDict:
  """WGAN-GP on the 32 px ResNet nets without spectral norm (Gulrajani et al. 2017, Algorithm 1
  defaults: lambda 10, n_critic 5, Adam 1e-4 (0, 0.9); batch 64)."""
  config = sngan32()
  config.discriminator.spectral_norm = False
  config.loss.gan_mode = "wgangp"
  config.loss.gp_lambda = 10.0
  config.optimizer.lr = 1e-4
  return config


def _mixture(source: str) -> ml_collections.ConfigDict:
  """The MLP GAN of PacGAN's 2-D mixture experiments (Lin et al. 2018, Sec. 4.1; official
  fjxmlzn/PacGAN synthetic_data_experiments config.py, nets/pacgan_mlp.py): z ~ N(0, I_2), G
  4 x 400 BN-ReLU, D 3 x 200 maxout-5, non-saturating loss, Adam 1e-4 beta1 0.8, batch 100.
  Deliberate difference: 5,000 steps instead of the official 400 epochs of 1,000 steps (CPU time;
  --config.optimizer.n_epochs=4000 for the official length)."""
  config = paper()
  config.batch_size = 100  # official batch_size 100
  config.generator = ml_collections.ConfigDict({"name": "pacgan_generator", "z_dim": 2})
  config.discriminator = ml_collections.ConfigDict({"name": "pacgan_discriminator"})
  config.loss.gan_mode = "nonsaturating"  # official bricks.py: G minimises softplus(-D(G(z)))
  config.optimizer.lr = 1e-4  # official learning_rate 1e-4
  config.optimizer.beta1 = 0.8  # official beta1 0.8
  config.data.source = source
  config.data.dataset_mode = "points"
  config.data.num_train = 100 * 100  # 100 steps per "epoch"
  config.data.num_test = 2500  # VEEGAN Sec. 5.1 / official num_log_figure_sample: 2500 scored
  config.optimizer.n_epochs = 50  # 5000 steps
  config.train.checkpoint_every = 1000
  config.train.log_every = 100
  config.train.image_every = 1000
  config.eval.sample_rows = 512
  config.export.enabled = False  # a points G has no image export (bin.generate writes points)
  return config


def ring8() -> ml_collections.ConfigDict:
  return _mixture("ring8")


def grid25() -> ml_collections.ConfigDict:
  return _mixture("grid25")


def tiny() -> ml_collections.ConfigDict:
  """Seconds-long runs for tests: DCGAN at 16 px, nz 8, ngf = ndf = 4, batch 2."""
  config = faces64()
  config.batch_size = 2
  config.generator.nz = 8
  config.generator.ngf = 4
  config.discriminator.ndf = 4
  config.data.crop_size = 16
  config.data.load_size = 16
  config.eval.mode_samples = 64
  return common.test_sized(config)


VARIANTS = {
  "paper": paper,
  "faces64": faces64,
  "shapes32": shapes32,
  "wgan": wgan,
  "sngan32": sngan32,
  "wgan_gp32": wgan_gp32,
  "ring8": ring8,
  "grid25": grid25,
  "tiny": tiny,
}


def get_config(variant: str = "faces64") -> ml_collections.ConfigDict:
  if variant not in VARIANTS:
    raise ValueError(
      f"unknown dcgan config variant {variant!r}; valid: {', '.join(sorted(VARIANTS))}"
    )
  return VARIANTS[variant]()
