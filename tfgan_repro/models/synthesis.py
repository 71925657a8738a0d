"""Unconditional noise -> image GANs (DCGAN by default; SNGAN / WGAN(-GP) / the 2-D mixture MLPs
by their configs): one G, one D, the adversarial loss of one key, D's regularisers.

Code names -> paper symbols (Goodfellow et al. 2014; Radford et al. 2016) -> official
pytorch/examples dcgan/main.py:
  G: z -> x~ (images [N, S, S, C] in [-1, 1], or 2-D points)     netG
  D: x -> logit of "x is real" (the sigmoid lives in the loss)     netD (+ Sigmoid, BCELoss)
  z ~ N(0, I) or U(-1, 1)^z_dim (`latent_distribution`)            noise = randn(N, nz, 1, 1)
  D_real, D_fake: L(D(x), real), L(D(G(z)), fake)                  errD_real, errD_fake
  G_adv: G's adversarial loss on D(G(z))                           errG
  D_reg: R1 gamma / 2 ||grad D(x)||^2 (Mescheder et al. 2018, Eq. 9), R2 (Eq. 10, on G(z)),
         lambda (||grad D(x^)|| - 1)^2 (WGAN-GP, Gulrajani et al. 2017, Eq. 3)
  augment_p, signs_real: ADA's p and sign(D(x)) (Karras et al. 2020, Sec. 3: p, r_t; official
         stylegan2-ada-pytorch Progress/augment, Loss/signs/real), logged with ADA on
  n_critic: D steps per G step (WGAN, Arjovsky et al. 2017, Algorithm 1: n_critic 5)
One training step is the official order: G(z) once, D's step on the detached G(z), then G's step
judged by the updated D on the same G(z) (main.py: netG(noise), optimizerD.step(), then
netD(fake) for errG). With n_critic > 1, D runs every step and G every n_critic-th step on its
own draw of z (the trainer's interval; contract.py).
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.data import latents as latent_sampling
from tfgan_repro.losses import ada_augmentation
from tfgan_repro.models.ada_controller import AdaController
from tfgan_repro.models.contract import (
  EMA,
  Contract,
  Optimizer,
  Phase,
  Player,
  Sampler,
  StepContext,
  replica_rows,
)
from tfgan_repro.models.gan_model import GANModel

D_LOSS_NAMES = ("D_real", "D_fake", "D_reg")
G_LOSS_NAMES = ("G_adv",)
LOSS_NAMES = D_LOSS_NAMES + G_LOSS_NAMES
ADA_LOG_NAMES = ("augment_p", "signs_real")  # D's phase logs them with ADA on
# official dcgan main.py: --lr 0.0002 --beta1 0.5 (Adam betas (beta1, 0.999)), for G and D; eps
# torch's 1e-8 (Keras' 1e-7 moves the first steps' small gradients off the official ones)
OPTIMIZER = Optimizer(lr=2e-4, beta_1=0.5, beta_2=0.999, epsilon=1e-8)
# Salts of the step's random draws (StepContext.seed / latent).
_Z, _Z_G, _NOISE_REAL, _NOISE_FAKE, _AUG_REAL, _AUG_FAKE, _GP = 0, 1, 2, 3, 4, 5, 6
_AUG_G, _NOISE_G, _AUG_G_REAL, _NOISE_G_REAL = 7, 8, 9, 10
# Folded into ADA's seeds: a stream apart from the latents (and the trainer's classes, 1) of a salt.
_ADA_STREAM = 2
# Points are shown as scatter plots of this side (px) over [-extent, extent]^2 (the 5x5 grid
# spans [-4, 4] + its noise); display_images shows this many G points at least.
SCATTER_SIZE, SCATTER_EXTENT, SCATTER_POINTS = 128, 6.0, 512


def _check_options(
  *,
  gan_mode: str,
  real_label: float,
  instance_noise_std: float,
  instance_noise_decay_steps: int,
  instance_noise_dist: str,
  r1_gamma: float,
  r2_gamma: float,
  gp_lambda: float,
  clip_value: float,
  diff_augment: str,
  n_critic: int,
  ada_target: float,
  ada_pipeline: str,
  ada_p: float,
) -> None:
  """ValueError for an option of `Synthesis` out of its range (the checks that need no network)."""
  if gan_mode not in losses.ALL_GAN_MODES:
    raise ValueError(f"gan_mode must be one of {losses.ALL_GAN_MODES}, got {gan_mode!r}")
  if real_label != 1.0 and gan_mode not in losses.SMOOTHABLE_MODES:
    raise ValueError(
      f"real_label applies to the cross-entropy gan_modes and ralsgan {losses.SMOOTHABLE_MODES}, "
      f"got {real_label!r} with {gan_mode!r}"
    )
  if not 0.0 <= real_label <= 1.0:
    raise ValueError(f"real_label must be in [0, 1], got {real_label!r}")
  for key, value in dict(
    instance_noise_std=instance_noise_std,
    r1_gamma=r1_gamma,
    r2_gamma=r2_gamma,
    gp_lambda=gp_lambda,
    clip_value=clip_value,
  ).items():
    if value < 0:
      raise ValueError(f"{key} must be >= 0, got {value!r}")
  if instance_noise_decay_steps < 1:
    raise ValueError(f"instance_noise_decay_steps must be >= 1, got {instance_noise_decay_steps}")
  if instance_noise_dist not in losses.INSTANCE_NOISE_DISTS:
    raise ValueError(
      f"instance_noise_dist must be one of {losses.INSTANCE_NOISE_DISTS}, got "
      f"{instance_noise_dist!r}"
    )
  if n_critic < 1:
    raise ValueError(f"n_critic must be >= 1, got {n_critic!r}")
  unknown = [p for p in diff_augment.split(",") if p and p not in losses.DIFF_AUGMENT_POLICIES]
  if unknown:
    raise ValueError(
      f"unknown diff_augment policy {unknown}; valid: {', '.join(losses.DIFF_AUGMENT_POLICIES)}"
    )
  ada_augmentation.parse_pipeline(ada_pipeline)  # ValueError naming the valid pipelines
  if diff_augment and (ada_target or ada_p):
    raise ValueError(
      "diff_augment and ADA (ada_target / ada_p) are two augmentations of D's inputs: use one, "
      f"got diff_augment {diff_augment!r}, ada_target {ada_target!r}, ada_p {ada_p!r}"
    )


class Synthesis(GANModel):
  """One G (z -> x) and one D with the options of the synthesis papers; defaults are DCGAN's.

  gan_mode: a key of losses.ALL_GAN_MODES (DCGAN: "nonsaturating", official BCELoss with the
  real label for G). real_label: D's target for real x in the cross-entropy modes and ralsgan's
  y in D's terms (losses.SMOOTHABLE_MODES; 0.9: one-sided label smoothing, Salimans et al.
  2016, Sec. 3.4). instance_noise_std: noise of this std on every input of D, real and fake,
  annealed linearly to 0 over instance_noise_decay_steps (Sønderby et al. 2017), drawn from
  instance_noise_dist: "gaussian" N(0, std^2) or "uniform" U(-sqrt(3) std, sqrt(3) std)
  (losses.INSTANCE_NOISE_DISTS). r1_gamma / r2_gamma / gp_lambda: D's
  regularisers (0 = off). clip_value: WGAN weight clipping of every D weight to [-c, c] after
  each D update (Arjovsky et al. 2017: c = 0.01; 0 = off). diff_augment: the DiffAugment policy
  applied to every image D sees, real and fake, in both steps (Zhao et al. 2020). ema: EMA copy
  of G (contract.EMA) or None. g_optimizer / d_optimizer: TTUR's two rates (Heusel et al. 2017).

  ADA (Karras et al. 2020; losses/ada_augmentation.py): the pipeline `ada_pipeline` augments
  every image D sees, real and fake, in D's and G's steps and inside R1 (whose gradient is taken
  with respect to the un-augmented reals, as the official run_D), each operation with
  probability p. ada_target > 0: p starts at 0 and follows the sign heuristic every
  ada_interval steps at the speed ada_kimg (models/ada_controller.py); ada_target 0 and ada_p >
  0: p fixed at ada_p; both 0: off. Exclusive of diff_augment. p's update runs after the last
  phase that runs every step (official: after the whole training iteration).
  """

  task = "synthesis"
  num_classes = 0  # unconditional

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    latent_distribution: str = "normal",  # official dcgan main.py: torch.randn
    gan_mode: str = "nonsaturating",  # official dcgan main.py: BCELoss, G against real_label
    real_label: float = 1.0,  # official dcgan main.py real_label = 1
    instance_noise_std: float = 0.0,  # Sønderby et al. 2017; not in DCGAN: off
    instance_noise_decay_steps: int = 1,
    instance_noise_dist: str = "gaussian",  # Sønderby et al. 2017: Gaussian instance noise
    r1_gamma: float = 0.0,  # Mescheder et al. 2018; not in DCGAN: off
    r2_gamma: float = 0.0,
    gp_lambda: float = 0.0,  # WGAN-GP: 10 (Gulrajani et al. 2017, Algorithm 1); off
    clip_value: float = 0.0,  # WGAN: 0.01 (Arjovsky et al. 2017, Algorithm 1); off
    diff_augment: str = "",  # Zhao et al. 2020 "color,translation,cutout"; off
    n_critic: int = 1,  # official dcgan: one D step per G step (WGAN: 5)
    ada_target: float = 0.0,  # official stylegan2-ada-pytorch --target 0.6; not in DCGAN: off
    ada_pipeline: str = "bgc",  # official train.py --augpipe default 'bgc'
    ada_kimg: float = ada_augmentation.ADA_KIMG,  # official training_loop.py ada_kimg 500
    ada_interval: int = ada_augmentation.ADA_INTERVAL,  # official ada_interval 4
    ada_p: float = 0.0,  # official --aug fixed --p; off
    ema: EMA | None = None,  # not in DCGAN: off
    g_optimizer: Optimizer = OPTIMIZER,
    d_optimizer: Optimizer = OPTIMIZER,
    global_batch_size: int = 128,  # official dcgan main.py --batchSize 64; paper Sec. 4: 128
    seed: int = 0,
    **kwargs,
  ):
    super().__init__(global_batch_size=global_batch_size, seed=seed, **kwargs)
    _check_options(
      gan_mode=gan_mode,
      real_label=real_label,
      instance_noise_std=instance_noise_std,
      instance_noise_decay_steps=instance_noise_decay_steps,
      instance_noise_dist=instance_noise_dist,
      r1_gamma=r1_gamma,
      r2_gamma=r2_gamma,
      gp_lambda=gp_lambda,
      clip_value=clip_value,
      diff_augment=diff_augment,
      n_critic=n_critic,
      ada_target=ada_target,
      ada_pipeline=ada_pipeline,
      ada_p=ada_p,
    )
    self.G, self.D = G, D
    self.z_dim = int(G.inputs[0].shape[-1])
    self.points = len(G.outputs[0].shape) == 2  # 2-D points, not images
    if diff_augment and self.points:
      raise ValueError(f"diff_augment augments images; G makes points, got {diff_augment!r}")
    if (ada_target or ada_p) and self.points:
      raise ValueError(f"ADA augments images; G makes points, got ada_target {ada_target!r}")
    self.ada_pipeline = ada_pipeline
    self.ada = None
    if ada_target or ada_p:
      self.ada = AdaController(
        target=ada_target,
        interval=ada_interval,
        kimg=ada_kimg,
        p=ada_p,
        global_batch_size=global_batch_size,
        name="ada",
      )
    self.latent_distribution = latent_distribution
    self.gan_mode, self.real_label = gan_mode, float(real_label)
    self.instance_noise_std = float(instance_noise_std)
    self.instance_noise_decay_steps = int(instance_noise_decay_steps)
    self.instance_noise_dist = instance_noise_dist
    self.r1_gamma, self.r2_gamma, self.gp_lambda = (
      float(r1_gamma),
      float(r2_gamma),
      float(gp_lambda),
    )
    self.clip_value, self.diff_augment, self.n_critic = float(clip_value), diff_augment, n_critic
    self.ema = ema
    self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
    Sampler("latent", self.z_dim, latent_distribution)  # ValueError on a bad distribution

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G, "discriminator": self.D}

  @property
  def directions(self) -> dict[str, tuple[str, str]]:
    return {"G": ("z", "images")}

  def contract(self) -> Contract:
    """D, then G every n_critic steps (official dcgan main.py: optimizerD.step() then
    optimizerG.step(), one G(z) for both when n_critic is 1)."""
    after = self._clip_d if self.clip_value else None
    d_logs = D_LOSS_NAMES + (ADA_LOG_NAMES if self.ada is not None else ())
    return Contract(
      players=(
        Player("D", (self.D,), self.d_optimizer),
        Player("G", (self.G,), self.g_optimizer),
      ),
      phases=self._with_ada_update(
        (
          Phase("D", ("D",), self._d_loss, logs=d_logs, after=after),
          Phase("G", ("G",), self._g_loss, interval=self.n_critic, logs=G_LOSS_NAMES),
        )
      ),
      sampler=Sampler("latent", self.z_dim, self.latent_distribution),
      ema=() if self.ema is None else (self.ema,),
      forward=self._forward if self.n_critic == 1 else None,
    )

  def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
    """Inference path: z [N, z_dim] -> G(z). Real data (what fit's build passes: a training
    batch) -> D's logits."""
    d_shape = tuple(self.D.inputs[0].shape[1:])
    if tuple(inputs.shape[1:]) == (self.z_dim,) and tuple(inputs.shape[1:]) != d_shape:
      return self.G(inputs, training=training)
    return self.D(inputs, training=training)

  def _with_ada_update(self, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """`phases` with ADA's p update (AdaController.update) added to the `after` of the last phase
    that runs every step, so that every phase of a step sees the same p (official: p adjusted
    after the training iteration). Unchanged without ADA."""
    if self.ada is None:
      return phases
    last = max(i for i, phase in enumerate(phases) if phase.interval == 1)
    before = phases[last].after

    def after() -> None:
      if before is not None:
        before()
      self.ada.update(self.step)

    return phases[:last] + (dataclasses.replace(phases[last], after=after),) + phases[last + 1 :]

  # ---- one step --------------------------------------------------------------------------------
  def _forward(self, ctx: StepContext) -> None:
    """fake = G(z): one G pass for D's and G's steps (official main.py)."""
    ctx.shared["fake"] = self.G(ctx.latent(_Z), training=True)

  def _fake(self, ctx: StepContext, salt: int) -> tf.Tensor:
    """The step's G(z) from `forward`, or (n_critic > 1) G of a draw of z of its own."""
    if "fake" in ctx.shared:
      return ctx.shared["fake"]
    return self.G(ctx.latent(salt), training=True)

  def _d_input(self, x: tf.Tensor, ctx: StepContext, aug_salt: int, noise_salt: int) -> tf.Tensor:
    """What D sees of x: DiffAugment or ADA (its own draw), then instance noise (its own draw)."""
    if self.diff_augment:
      x = losses.diff_augment(x, self.diff_augment, ctx.seed(aug_salt))
    if self.ada is not None:
      x = self._ada_augment(x, ctx, aug_salt)
    if self.instance_noise_std:
      std = losses.instance_noise_std(
        ctx.step, self.instance_noise_std, self.instance_noise_decay_steps
      )
      x = losses.add_instance_noise(x, std, ctx.seed(noise_salt), self.instance_noise_dist)
    return x

  def _ada_augment(self, x: tf.Tensor, ctx: StepContext, salt: int) -> tf.Tensor:
    """x through ADA's pipeline at the current p, parameters drawn for the global batch from
    (run seed, step, salt) and this replica's rows taken (as the trainer's latents), so N
    replicas augment as one device."""
    replica = tf.distribute.get_replica_context()
    index = replica.replica_id_in_sync_group if replica is not None else 0
    replicas = replica.num_replicas_in_sync if replica is not None else 1
    return losses.ada_augment(
      x,
      tf.convert_to_tensor(self.ada.p),
      tf.random.experimental.stateless_fold_in(ctx.batch_seed(salt), _ADA_STREAM),
      self.ada_pipeline,
      replica_index=index,
      num_replicas=replicas,
    )

  def _critic(self, x: tf.Tensor) -> tf.Tensor:
    return self.D(x, training=True)

  def _d_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """D_real + D_fake + D_reg per example (official errD = errD_real + errD_fake), D seeing real
    and fake in two calls as the official (batch norm keeps each batch's statistics)."""
    real = self._d_input(ctx.batch[0], ctx, _AUG_REAL, _NOISE_REAL)
    fake = self._d_input(tf.stop_gradient(self._fake(ctx, _Z)), ctx, _AUG_FAKE, _NOISE_FAKE)
    real_logits = self._critic(real)
    d_real, d_fake = losses.discriminator_terms(
      self.gan_mode, real_logits, self._critic(fake), real_label=self.real_label
    )
    reg = tf.zeros_like(d_real)
    if self.r1_gamma and self.ada is not None:  # official run_D: R1 through the augmentation
      reg += losses.r1_penalty(
        lambda x: self._critic(self._d_input(x, ctx, _AUG_REAL, _NOISE_REAL)),
        ctx.batch[0],
        self.r1_gamma,
      )
    elif self.r1_gamma:
      reg += losses.r1_penalty(self._critic, real, self.r1_gamma)
    if self.r2_gamma:
      reg += losses.r2_penalty(self._critic, fake, self.r2_gamma)
    if self.gp_lambda:
      alpha = replica_rows(
        lambda rows: tf.random.stateless_uniform(
          tf.concat([[rows], tf.ones([tf.rank(real) - 1], tf.int32)], 0), ctx.batch_seed(_GP)
        ),
        tf.shape(real)[0],
      )  # [N, 1, ..., 1], rows of a draw for the global batch
      reg += self.gp_lambda * losses.gradient_penalty(self._critic, real, fake, alpha)
    logs = {"D_real": d_real, "D_fake": d_fake, "D_reg": reg, **self._ada_logs(real_logits)}
    return d_real + d_fake + reg, logs

  def _ada_logs(self, real_logits: tf.Tensor) -> dict[str, tf.Tensor]:
    """With ADA on, D's real logits [N, ...] of the step added to p's statistic
    (AdaController.observe) and ADA_LOG_NAMES per example: p and the mean sign of each real
    logit (official Progress/augment, Loss/signs/real); {} without ADA. A subclass with its own
    D loss and contract calls this and `_with_ada_update` to get ADA's heuristic."""
    if self.ada is None:
      return {}
    signs = self.ada.observe(real_logits)
    return {
      "augment_p": tf.fill(tf.shape(signs), tf.convert_to_tensor(self.ada.p)),
      "signs_real": signs,
    }

  def _g_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """G_adv per example on D(G(z)) after D's step (official errG); the relativistic modes also
    judge the real batch."""
    fake = self._d_input(self._fake(ctx, _Z_G), ctx, _AUG_G, _NOISE_G)
    real_logits = None
    if self.gan_mode in losses.RELATIVISTIC_MODES:
      real = self._d_input(ctx.batch[0], ctx, _AUG_G_REAL, _NOISE_G_REAL)
      real_logits = self._critic(real)
    g_adv = losses.generator_loss(self.gan_mode, self._critic(fake), real_logits)
    return g_adv, {"G_adv": g_adv}

  def _clip_d(self) -> None:
    """WGAN: every D weight clipped to [-c, c] after D's update (official WGAN main.py clamps
    every netD parameter)."""
    losses.clip_weights(self.D.trainable_variables, self.clip_value)

  # ---- sampling ----------------------------------------------------------------------------
  def latents(self, num: int, seed: int, truncation: float | None = None) -> np.ndarray:
    """float32 [num, z_dim] latents of the model's distribution from `seed`: the same numbers as
    `bin.generate` and the exported `generate` signature (data.latents.sample_latents; truncation
    t > 0 redraws |z| > t, the truncation trick of Brock et al. 2019, Sec. 3.1)."""
    if not isinstance(num, int | np.integer) or num < 1:
      raise ValueError(f"num must be a positive int, got {num!r}")
    return np.asarray(
      latent_sampling.sample_latents(
        seed, int(num), self.z_dim, self.latent_distribution, truncation
      )
    )

  def sample(
    self, num: int, seed: int, truncation: float | None = None, batch_size: int = 256
  ) -> np.ndarray:
    """`num` samples of the shipped G (its EMA copy if any), inference mode, from
    `latents(num, seed, truncation)`: images [num, S, S, C] in [-1, 1] (points [num, 2])."""
    z = self.latents(num, seed, truncation)
    net = self.shipped_generators["G"]
    parts = [
      np.asarray(net(z[i : i + batch_size], training=False)) for i in range(0, num, batch_size)
    ]
    return np.concatenate(parts)

  def display_images(self, real: tf.Tensor, *rest: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """{"samples": {"real": x, "G(z)": G of a fixed latent grid}}: the shipped G on
    `latents(len(x), seed=model seed)`; points as two scatter plots (real, G(z))."""
    del rest  # labels of a labelled batch: unused by an unconditional model
    num = int(real.shape[0])
    if not self.points:
      return {"samples": {"real": real, "G(z)": self.sample(num, self.seed)}}
    fake = self.sample(max(num, SCATTER_POINTS), self.seed)
    return {"samples": {"real": scatter(real), "G(z)": scatter(fake)}}


def scatter(points: tf.Tensor | np.ndarray) -> np.ndarray:
  """2-D points as one image [1, S, S, 3] in [-1, 1]: white, a black pixel per point in
  [-SCATTER_EXTENT, SCATTER_EXTENT]^2 (y up)."""
  p = np.asarray(points, np.float32)
  scale = (SCATTER_SIZE - 1) / (2.0 * SCATTER_EXTENT)
  cols = np.round((p[:, 0] + SCATTER_EXTENT) * scale).astype(int)
  rows = np.round((SCATTER_EXTENT - p[:, 1]) * scale).astype(int)
  keep = (cols >= 0) & (cols < SCATTER_SIZE) & (rows >= 0) & (rows < SCATTER_SIZE)
  image = np.ones((SCATTER_SIZE, SCATTER_SIZE, 3), np.float32)
  image[rows[keep], cols[keep]] = -1.0
  return image[None]
