"""StyleGAN2 training (Karras et al. 2020; official NVlabs/stylegan2-ada-pytorch
`training/loss.py` StyleGAN2Loss and `training/training_loop.py` phases): the non-saturating
logistic loss, lazy path-length and R1 regularisation, style mixing, EMA of G.

Code names -> paper symbols -> official names:
  G = mapping f, truncation, synthesis g (nets/stylegan2.py)      G_mapping, G_synthesis
  ws: the w of each synthesis layer [N, num_ws, w_dim]           gen_ws
  G_adv = softplus(-D(G(z)))                                      loss_Gmain (phase Gmain)
  G_pl = pl_weight (|J_w^T y| - a)^2, y ~ N(0, I) / sqrt(H W)     loss_Gpl (phase Greg; Sec. 3.2,
         on the first N / pl_batch_shrink latents                 Eq. 4)
  pl_mean a (non-trainable, decay pl_decay)                       pl_mean
  D_fake, D_real = softplus(D(G(z))), softplus(-D(x))             loss_Dgen, loss_Dreal (Dmain)
  D_reg = r1_gamma / 2 |grad_x D(x)|^2                            loss_Dr1 (phase Dreg; R1,
                                                                  Mescheder et al. 2018)
  style_mixing_prob: the ws from a second z past a random cutoff  style_mixing_prob (Sec. 2 of
                                                                  StyleGAN, Karras et al. 2019)
Phases, in the official order: Gmain every step, Greg every g_reg_interval (4) steps, Dmain every
step, Dreg every d_reg_interval (16) steps; a regulariser's loss is multiplied by its interval
(lazy regularisation, Sec. 3.1). Each phase draws its own latents (official all_gen_z). The
trainer runs a phase of interval k at the steps i with (i + 1) % k == 0 (official: i % k == 0;
contract.py). Lazy regularisation also changes each player's Adam (official training_loop.py,
`mb_ratio`): with c = k / (k + 1), lr -> c lr and (beta1, beta2) -> (beta1^c, beta2^c)
(`lazy_optimizer`), since a regularised player takes k + 1 optimizer steps per k main steps.
Every image D sees passes `Synthesis._d_input` (DiffAugment or ADA, as the DCGAN family); R1 is
taken with respect to the un-augmented reals (official run_D augments inside the gradient).

Replica behaviour: latents, the style-mixing cutoff and the augmentations are drawn for the
global batch, so N replicas step as one device; w_avg and pl_mean are ON_READ means over
replicas (each replica moves its own copy from its rows, as each official GPU does).
"""

from __future__ import annotations

import dataclasses

import keras
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.layers.truncation import Truncation
from tfgan_repro.models.contract import EMA, Contract, Optimizer, Phase, Player, StepContext
from tfgan_repro.models.synthesis import ADA_LOG_NAMES, Synthesis

G_MAIN_LOGS = ("G_adv",)
G_REG_LOGS = ("G_pl", "pl_length")
D_MAIN_LOGS = ("D_real", "D_fake")
D_REG_LOGS = ("D_reg",)
# official train.py G_opt_kwargs / D_opt_kwargs: Adam betas [0, 0.99], eps 1e-8; lr per cfg
OPTIMIZER = Optimizer(lr=0.002, beta_1=0.0, beta_2=0.99, epsilon=1e-8)
# Salts of the step's random draws (StepContext.seed / latent), past Synthesis' 0-10.
_Z_GMAIN, _Z_GREG, _Z_DMAIN = 11, 12, 13
_MIX_Z = {_Z_GMAIN: 14, _Z_GREG: 15, _Z_DMAIN: 16}  # the second z of style mixing
_MIX_CUT = {_Z_GMAIN: 17, _Z_GREG: 18, _Z_DMAIN: 19}  # the cutoff
_PL_NOISE = 20
_AUG_GMAIN, _AUG_DFAKE, _AUG_DREAL, _AUG_DREG = 21, 22, 23, 24
_NOISE_GMAIN, _NOISE_DFAKE, _NOISE_DREAL, _NOISE_DREG = 25, 26, 27, 28


def lazy_optimizer(settings: Optimizer, reg_interval: int) -> Optimizer:
  """The optimizer of a player regularised every `reg_interval` steps (official
  training_loop.py: mb_ratio = k / (k + 1); lr * mb_ratio, betas ** mb_ratio)."""
  if reg_interval < 1:
    raise ValueError(f"reg_interval must be >= 1, got {reg_interval!r}")
  c = reg_interval / (reg_interval + 1)
  return dataclasses.replace(
    settings, lr=settings.lr * c, beta_1=settings.beta_1**c, beta_2=settings.beta_2**c
  )


class StyleGAN2(Synthesis):
  """StyleGAN2's G (nets.stylegan2_generator: nested "mapping", "truncation", "synthesis") and D
  with the official StyleGAN2Loss.

  r1_gamma: R1 weight (official cfg 'stylegan2' gamma 10, 'paper256' 1). pl_weight / pl_decay /
  pl_batch_shrink: path-length regulariser (official 2 / 0.01 / 2; 0 weight = no Greg phase).
  style_mixing_prob: official 0.9. g_reg_interval / d_reg_interval: official 4 / 16.
  g_optimizer / d_optimizer: the settings BEFORE the lazy adjustment (applied here).
  diff_augment / ada_*: as Synthesis.
  """

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    r1_gamma: float = 10.0,  # official train.py cfg_specs 'stylegan2' gamma=10
    pl_weight: float = 2.0,  # official StyleGAN2Loss pl_weight=2
    pl_decay: float = 0.01,  # official pl_decay=0.01
    pl_batch_shrink: int = 2,  # official pl_batch_shrink=2
    style_mixing_prob: float = 0.9,  # official style_mixing_prob=0.9
    g_reg_interval: int = 4,  # official training_loop.py G_reg_interval=4
    d_reg_interval: int = 16,  # official D_reg_interval=16
    g_optimizer: Optimizer = OPTIMIZER,
    d_optimizer: Optimizer = OPTIMIZER,
    ema: EMA | None = None,
    global_batch_size: int = 32,  # official cfg 'stylegan2' mb=32
    **kwargs,
  ):
    for key, value in dict(pl_weight=pl_weight, pl_decay=pl_decay).items():
      if value < 0:
        raise ValueError(f"{key} must be >= 0, got {value!r}")
    if not 0.0 <= style_mixing_prob <= 1.0:
      raise ValueError(f"style_mixing_prob must be in [0, 1], got {style_mixing_prob!r}")
    if pl_batch_shrink < 1:
      raise ValueError(f"pl_batch_shrink must be >= 1, got {pl_batch_shrink!r}")
    names = {layer.name for layer in G.layers}
    if not {"mapping", "truncation", "synthesis"} <= names:
      raise ValueError(
        f"G must be a stylegan2_generator (layers mapping, truncation, synthesis), got {G.name!r}"
      )
    super().__init__(
      G=G,
      D=D,
      gan_mode="nonsaturating",  # official softplus losses = the non-saturating logistic loss
      r1_gamma=r1_gamma,
      ema=ema,
      g_optimizer=lazy_optimizer(g_optimizer, g_reg_interval),
      d_optimizer=lazy_optimizer(d_optimizer, d_reg_interval),
      global_batch_size=global_batch_size,
      **kwargs,
    )
    self.mapping = G.get_layer("mapping")
    self.truncation: Truncation = G.get_layer("truncation")
    self.synthesis = G.get_layer("synthesis")
    self.num_ws = int(self.synthesis.inputs[0].shape[1])
    self.pl_weight, self.pl_decay = float(pl_weight), float(pl_decay)
    self.pl_batch_shrink = int(pl_batch_shrink)
    self.style_mixing_prob = float(style_mixing_prob)
    self.g_reg_interval, self.d_reg_interval = int(g_reg_interval), int(d_reg_interval)
    self.pl_mean = keras.Variable(
      0.0,  # official torch.zeros([])
      trainable=False,
      aggregation="mean",
      synchronization="on_read",
      name="pl_mean",
    )

  def contract(self) -> Contract:
    """Gmain, Greg (lazy), Dmain, Dreg (lazy), the official phase order."""
    d_main_logs = D_MAIN_LOGS + (ADA_LOG_NAMES if self.ada is not None else ())
    phases = [Phase("Gmain", ("G",), self._g_main, logs=G_MAIN_LOGS)]
    if self.pl_weight:
      phases.append(
        Phase("Greg", ("G",), self._g_reg, interval=self.g_reg_interval, lazy=True, logs=G_REG_LOGS)
      )
    phases.append(Phase("Dmain", ("D",), self._d_main, logs=d_main_logs))
    if self.r1_gamma:
      phases.append(
        Phase("Dreg", ("D",), self._d_reg, interval=self.d_reg_interval, lazy=True, logs=D_REG_LOGS)
      )
    base = super().contract()
    return Contract(
      players=(
        Player("G", (self.G,), self.g_optimizer),
        Player("D", (self.D,), self.d_optimizer),
      ),
      phases=self._with_ada_update(tuple(phases)),
      sampler=base.sampler,
      ema=base.ema,
    )

  # ---- G -----------------------------------------------------------------------------------
  def _mixing_cutoff(self, ctx: StepContext, salt: int) -> tf.Tensor:
    """The official style-mixing cutoff: uniform in [1, num_ws) with probability
    style_mixing_prob, else num_ws (no mixing); one draw per global batch (the same on every
    replica)."""
    u = tf.random.stateless_uniform([2], ctx.batch_seed(salt))
    cutoff = 1 + tf.cast(tf.floor(u[0] * (self.num_ws - 1)), tf.int32)
    return tf.where(u[1] < self.style_mixing_prob, cutoff, self.num_ws)

  def mixed_ws(self, ctx: StepContext, z: tf.Tensor, salt: int) -> tf.Tensor:
    """ws [N, num_ws, w_dim] of z in training mode, with style mixing (official run_G): w_avg
    moves with the first z's w only (official skip_w_avg_update for the second)."""
    ws = self.truncation(self.mapping(z, training=True), training=True)  # [N, num_ws, w_dim]
    if self.style_mixing_prob > 0 and self.num_ws > 1:
      z2 = ctx.latent(_MIX_Z[salt])[: tf.shape(z)[0]]
      ws2 = self.truncation.broadcast(self.mapping(z2, training=True))
      cutoff = self._mixing_cutoff(ctx, _MIX_CUT[salt])
      first = tf.range(self.num_ws)[None, :, None] < cutoff  # [1, num_ws, 1]
      ws = tf.where(first, ws, ws2)
    return ws

  def run_G(self, ctx: StepContext, z: tf.Tensor, salt: int) -> tf.Tensor:
    """G's images in training mode on z, with style mixing (official run_G)."""
    return self.synthesis(self.mixed_ws(ctx, z, salt), training=True)

  def _g_main(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """G_adv = softplus(-D(G(z))) per example (official loss_Gmain)."""
    fake = self.run_G(ctx, ctx.latent(_Z_GMAIN), _Z_GMAIN)
    logits = self._critic(self._d_input(fake, ctx, _AUG_GMAIN, _NOISE_GMAIN))
    g_adv = tf.nn.softplus(-tf.reshape(tf.cast(logits, tf.float32), [-1]))
    return g_adv, {"G_adv": g_adv}

  def _g_reg(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Path-length penalty on the first n / pl_batch_shrink latents (official loss_Gpl), spread
    over the n rows of the replica's batch so the global-batch mean is their mean."""
    n = tf.shape(ctx.batch[0])[0]
    m = tf.maximum(n // self.pl_batch_shrink, 1)
    ws = self.mixed_ws(ctx, ctx.latent(_Z_GREG)[:m], _Z_GREG)  # [m, num_ws, w_dim]
    with tf.GradientTape() as tape:
      tape.watch(ws)
      fake = tf.cast(self.synthesis(ws, training=True), tf.float32)
      shape = tf.shape(fake)
      noise = tf.random.stateless_normal(shape, ctx.seed(_PL_NOISE))
      noise /= tf.sqrt(tf.cast(shape[1] * shape[2], tf.float32))  # official / sqrt(H W)
      inner = tf.reduce_sum(fake * noise)
    grads = tf.cast(tape.gradient(inner, ws), tf.float32)  # [m, num_ws, w_dim]
    lengths = tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=2), axis=1))  # [m]
    pl_mean = self.pl_mean + self.pl_decay * (tf.reduce_mean(lengths) - self.pl_mean)
    self.pl_mean.assign(tf.stop_gradient(pl_mean))
    penalty = self.pl_weight * tf.square(lengths - pl_mean)  # [m]
    spread = tf.cast(n, tf.float32) / tf.cast(m, tf.float32)
    rows = tf.concat([penalty * spread, tf.zeros([n - m])], axis=0)  # [n]
    length_rows = tf.concat([lengths * spread, tf.zeros([n - m])], axis=0)
    return rows, {"G_pl": rows, "pl_length": length_rows}

  # ---- D -----------------------------------------------------------------------------------
  def _d_main(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """D_fake + D_real per example (official loss_Dgen + loss_Dreal)."""
    fake = self.run_G(ctx, ctx.latent(_Z_DMAIN), _Z_DMAIN)
    fake = self._d_input(tf.stop_gradient(fake), ctx, _AUG_DFAKE, _NOISE_DFAKE)
    real_logits = self._critic(self._d_input(ctx.batch[0], ctx, _AUG_DREAL, _NOISE_DREAL))
    d_fake = tf.nn.softplus(tf.reshape(tf.cast(self._critic(fake), tf.float32), [-1]))
    d_real = tf.nn.softplus(-tf.reshape(tf.cast(real_logits, tf.float32), [-1]))
    return d_real + d_fake, {"D_real": d_real, "D_fake": d_fake, **self._ada_logs(real_logits)}

  def _d_reg(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """D_reg = r1_gamma / 2 |grad_x D(aug(x))|^2 per example on the reals (official loss_Dr1)."""
    critic = lambda x: self._critic(self._d_input(x, ctx, _AUG_DREG, _NOISE_DREG))  # noqa: E731
    reg = losses.r1_penalty(critic, ctx.batch[0], self.r1_gamma)
    return reg, {"D_reg": reg}
