"""Progressive GAN (Karras et al. 2018): one G and one D grown from 4x4 to full resolution by a
level of detail that is a pure function of the real images shown, trained with WGAN-GP and the
drift term.

Code names -> paper symbols -> official tkarras/progressive_growing_of_gans names:
  G, D: the nets of nets/pggan.py                                 G_paper, D_paper
  lod: level of detail, 0 = full resolution; frac(lod) fades
       the newest layers in with alpha = 1 - frac(lod) (Sec. 3)    lod_in, TrainingSchedule.lod
  lod_at(step): the lod after `step` steps (images shown: step x
       global batch, read every minibatch_repeats steps)          train.py TrainingSchedule
  process_reals: reals box-filtered to the lod's resolution,
       faded by frac(lod), upscaled (nearest) back (Sec. 3)        train.py process_reals
  D_real, D_fake: -D(x), D(G(z)) (WGAN critic)                     loss.py D_wgangp_acgan
  D_reg: lambda / target^2 (||grad D(x^)|| - target)^2 (WGAN-GP,
       Gulrajani et al. 2017) + epsilon_drift D(x)^2 (Sec. A.1)   wgan_lambda, wgan_epsilon
  G_adv: -D(G(z))                                                 loss.py G_wgan_acgan
One step is the official iteration: D's step on a fresh G(z), then G's step on its own z (each
loss draws its latents). The EMA of G (Gs, G_smoothing 0.999) is updated at the end of the step
(the trainer's EMA); the official update runs with D's step, so its Gs lags G by one G update.
Adam's moments are reset when a fade starts or ends (official reset_opt_for_new_lod), by the
callback of `training_callbacks`.
"""

from __future__ import annotations

import dataclasses

import keras
import ml_collections
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.models.contract import (
  Contract,
  Phase,
  Player,
  Sampler,
  StepContext,
  replica_rows,
)
from tfgan_repro.models.synthesis import D_LOSS_NAMES, G_LOSS_NAMES, Synthesis
from tfgan_repro.nets.pggan import lod_variable

# Salts of the step's random draws (StepContext.seed / latent), as models/synthesis.py's.
_Z, _GP = 0, 6


@dataclasses.dataclass(frozen=True)
class GrowthSchedule:
  """The official TrainingSchedule's level of detail (train.py; config.py sched).

  resolution_log2: log2 of the full resolution. lod_initial_resolution: the resolution of the
  first stage. lod_training_kimg / lod_transition_kimg: thousands of real images per stabilise
  and per fade phase. minibatch_repeats: the schedule is read every this many steps (official
  train_progressive_gan minibatch_repeats). Images shown after `step` steps: step x
  global_batch_size (one D step per step, official D_repeats 1).
  """

  resolution_log2: int
  global_batch_size: int
  lod_initial_resolution: int = 4  # official TrainingSchedule lod_initial_resolution=4
  lod_training_kimg: float = 600.0  # official TrainingSchedule lod_training_kimg=600
  lod_transition_kimg: float = 600.0  # official TrainingSchedule lod_transition_kimg=600
  minibatch_repeats: int = 4  # official train_progressive_gan minibatch_repeats=4

  def __post_init__(self):
    initial = self.lod_initial_resolution
    if initial < 1 or initial & (initial - 1) or initial > 2**self.resolution_log2:
      raise ValueError(
        f"lod_initial_resolution must be a power of 2 up to the resolution, got {initial!r}"
      )
    if min(self.lod_training_kimg, self.lod_transition_kimg) < 0:
      raise ValueError(
        "lod_training_kimg and lod_transition_kimg must be >= 0, got "
        f"{self.lod_training_kimg!r}, {self.lod_transition_kimg!r}"
      )
    if self.minibatch_repeats < 1 or self.global_batch_size < 1:
      raise ValueError(
        f"minibatch_repeats and global_batch_size must be >= 1, got "
        f"{self.minibatch_repeats!r}, {self.global_batch_size!r}"
      )

  @property
  def max_lod(self) -> int:
    """The lod of the first stage: log2(resolution) - log2(lod_initial_resolution)."""
    return self.resolution_log2 - (self.lod_initial_resolution.bit_length() - 1)

  def lod_at(self, step: tf.Tensor | int) -> tf.Tensor:
    """float32 lod of training step `step` (0-based): the official TrainingSchedule at the images
    shown when the step's group of minibatch_repeats steps began, in integer images so a phase
    boundary is exact."""
    step = tf.cast(step, tf.int64)
    nimg = (step - step % self.minibatch_repeats) * self.global_batch_size
    training = round(self.lod_training_kimg * 1000)  # images per stabilise phase
    transition = round(self.lod_transition_kimg * 1000)  # images per fade phase
    lod = tf.constant(float(self.max_lod), tf.float64)
    if training + transition > 0:
      phase = nimg // (training + transition)
      into = nimg - phase * (training + transition)  # images into this phase
      lod -= tf.cast(phase, tf.float64)
      if transition > 0:
        lod -= tf.cast(tf.maximum(into - training, 0), tf.float64) / transition
    return tf.cast(tf.maximum(lod, 0.0), tf.float32)

  def resets_optimizers_at(self, step: int) -> bool:
    """Whether the official loop resets the optimizers' state before step `step`: the first step
    of a group whose lod enters or leaves a fade (floor or ceil of the lod changed)."""
    if step <= 0 or step % self.minibatch_repeats:
      return False
    now, before = float(self.lod_at(step)), float(self.lod_at(step - self.minibatch_repeats))
    floor = lambda v: int(v // 1)  # noqa: E731
    ceil = lambda v: -int(-v // 1)  # noqa: E731
    return floor(now) != floor(before) or ceil(now) != ceil(before)


def process_reals(images: tf.Tensor, lod: tf.Tensor, max_lod: int) -> tf.Tensor:
  """Reals [N, R, R, C] as D sees them at `lod` (official process_reals, FadeLOD and
  UpscaleLOD): the box-filtered image of the resolution R / 2^floor(lod), blended towards the
  next coarser one by frac(lod), upscaled (nearest) back to R. Built for every level k up to
  max_lod with the weight max(0, 1 - |lod - k|) (the same lerp, with static shapes for XLA)."""
  lod = tf.cast(lod, tf.float32)
  x = tf.cast(images, tf.float32)
  out = tf.zeros_like(x)
  level = x
  for k in range(max_lod + 1):
    weight = tf.maximum(0.0, 1.0 - tf.abs(lod - float(k)))
    up = level
    if k:
      up = tf.repeat(tf.repeat(level, 2**k, axis=1), 2**k, axis=2)  # [N, R, R, C]
    out += weight * up
    if k < max_lod:
      level = tf.nn.avg_pool2d(level, 2, 2, "VALID")  # [N, R / 2^(k+1), ..., C]
  return out


class _ResetOptimizersOnNewLod(keras.callbacks.Callback):
  """Official reset_opt_for_new_lod: every optimizer variable (Adam's moments and its step,
  which restarts the bias correction) set to 0 before a step where a fade starts or ends."""

  def __init__(self, schedule: GrowthSchedule):
    super().__init__()
    self.schedule = schedule

  def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
    trainer = self.model
    if not self.schedule.resets_optimizers_at(int(trainer.step.numpy())):
      return
    for optimizer in trainer.optimizers.values():
      inner = getattr(optimizer, "inner_optimizer", optimizer)  # keep a LossScaleOptimizer's scale
      for variable in inner.variables:
        variable.assign(tf.zeros(variable.shape, variable.dtype))


class ProgressiveGAN(Synthesis):
  """Synthesis with the growing of Karras et al. 2018: the lod of G and D (nets/pggan.py) set
  from the step each step, the reals processed to it, WGAN-GP with the official target and the
  drift term. schedule: GrowthSchedule. wgan_lambda / wgan_target / wgan_epsilon: official
  D_wgangp_acgan. reset_opt_for_new_lod: the official option (training_callbacks).
  """

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    schedule: GrowthSchedule,
    wgan_lambda: float = 10.0,  # official loss.py D_wgangp_acgan wgan_lambda=10.0
    wgan_target: float = 1.0,  # official wgan_target=1.0
    wgan_epsilon: float = 0.001,  # official wgan_epsilon=0.001 (paper Sec. A.1 epsilon_drift)
    reset_opt_for_new_lod: bool = True,  # official train_progressive_gan reset_opt_for_new_lod
    **kwargs,
  ):
    super().__init__(G=G, D=D, gan_mode="wgan", gp_lambda=wgan_lambda, **kwargs)
    if wgan_target <= 0 or wgan_epsilon < 0:
      raise ValueError(
        f"wgan_target must be > 0 and wgan_epsilon >= 0, got {wgan_target!r}, {wgan_epsilon!r}"
      )
    resolution = int(G.outputs[0].shape[1])
    if 2**schedule.resolution_log2 != resolution or D.inputs[0].shape[1] != resolution:
      raise ValueError(
        f"schedule.resolution_log2={schedule.resolution_log2} does not match G's output "
        f"{resolution} and D's input {D.inputs[0].shape[1]}"
      )
    self.schedule = schedule
    self.wgan_target, self.wgan_epsilon = float(wgan_target), float(wgan_epsilon)
    self.reset_opt_for_new_lod = bool(reset_opt_for_new_lod)
    self._assign_lod(schedule.lod_at(0))

  def _assign_lod(self, lod: tf.Tensor) -> None:
    lod_variable(self.G).assign(lod)
    lod_variable(self.D).assign(lod)

  def contract(self) -> Contract:
    """D, then G on its own latents (official: D_train_op, then G_train_op; each loss draws z)."""
    return Contract(
      players=(
        Player("D", (self.D,), self.d_optimizer),
        Player("G", (self.G,), self.g_optimizer),
      ),
      phases=(
        Phase("D", ("D",), self._d_loss, logs=D_LOSS_NAMES),
        Phase("G", ("G",), self._g_loss, logs=G_LOSS_NAMES),
      ),
      sampler=Sampler("latent", self.z_dim, self.latent_distribution),
      ema=() if self.ema is None else (self.ema,),
      forward=self._forward,
    )

  def _forward(self, ctx: StepContext) -> None:
    """The step's lod into G and D (official lod_assign_ops before both losses)."""
    self._assign_lod(self.schedule.lod_at(ctx.step))

  def _d_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Official D_wgangp_acgan per example: D(G(z)) - D(x) + lambda / target^2 (||grad|| -
    target)^2 at x^ = lerp(x, G(z), u) + epsilon D(x)^2."""
    lod = self.schedule.lod_at(ctx.step)
    real = process_reals(ctx.batch[0], lod, self.schedule.max_lod)
    fake = tf.stop_gradient(self.G(ctx.latent(_Z), training=True))
    real_scores = tf.cast(self._critic(real), tf.float32)
    fake_scores = tf.cast(self._critic(fake), tf.float32)
    d_real, d_fake = -real_scores[:, 0], fake_scores[:, 0]
    u = self._mixing_factors(ctx, tf.shape(real)[0])  # [N, 1, 1, 1] official mixing_factors
    # losses.gradient_penalty mixes alpha real + (1 - alpha) fake: alpha = 1 - u is lerp(x, G(z), u)
    penalty = losses.gradient_penalty(self._critic, real, fake, 1.0 - u, target=self.wgan_target)
    reg = penalty * (self.gp_lambda / self.wgan_target**2)
    reg += self.wgan_epsilon * tf.square(real_scores[:, 0])
    return d_real + d_fake + reg, {"D_real": d_real, "D_fake": d_fake, "D_reg": reg}

  def _mixing_factors(self, ctx: StepContext, local: tf.Tensor) -> tf.Tensor:
    """U(0, 1) [n, 1, 1, 1] for this replica's n examples, rows of a draw for the global batch
    (contract.replica_rows)."""
    seed = ctx.batch_seed(_GP)
    return replica_rows(lambda rows: tf.random.stateless_uniform([rows, 1, 1, 1], seed), local)

  def training_callbacks(self, config: ml_collections.ConfigDict) -> list:
    return [_ResetOptimizersOnNewLod(self.schedule)] if self.reset_opt_for_new_lod else []
