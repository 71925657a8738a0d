"""Triple-GAN (Li et al. 2017, "Triple Generative Adversarial Nets"): a classifier C, a class-
conditional generator G and a discriminator D of (image, class) pairs, trained semi-supervised.

Code names -> paper symbols (Sec. 3, Eq. 3-5, Sec. 3.2) -> official names (zhenxuan00/triple-gan
x2y_yz2x_xy2p_ssl_cifar10.py):
  C: x -> class logits, p_c(y|x) = softmax                       classifier, cla_out_y
  G: (z, y~) -> x~, y~ ~ U{0..K-1}                                gen_layers, sym_y_g
  D: (x, y) -> logit of "(x, y) comes from p(x, y)"               dis_layers (ends in a sigmoid)
  labelled rows (label >= 0): (x, y) ~ p(x, y)                    sym_x_l, sym_y
  unlabelled rows (label -1): x_u, paired with y_c = argmax C(x_u) sym_x_u, cla_out_y_hard
  alpha: the weight of C's fakes, 1 - alpha of G's (paper 1/2)    the .5 factors
  D_real  -log D(x, y) over labelled rows                         dis_cost_p
  D_fake_g  (1 - alpha) -log(1 - D(x~, y~))                       .5 * dis_cost_p_g
  D_fake_c  alpha -log(1 - D(x_u, y_c)) over unlabelled rows      .5 * dis_cost_p_c
  G_adv  (1 - alpha) -log D(x~, y~) (non-saturating)              gen_cost = .5 * gen_cost_p_g
  C_adv  alpha_cla_adv alpha p_c(y_c|x_u) (-log D(x_u, y_c))      alpha_cla_adv * .5 * cla_cost_p_c
  C_label  R_L = CE(C(x), y) over labelled rows                   alpha_cla * cla_cost_l
  C_pseudo  alpha_p R_P = alpha_p CE(C(x~), y~), from step        sym_alpha_cla_g * cla_cost_cla_g
            alpha_p_start_step on (official epoch_cla_g)
  C_unsup  R_U, the Pi-model consistency of C (Laine & Aila 2017): unsup_weight ramp(step)
           mean_k (p_c(k|x_u) - p_c'(k|x_u))^2, two stochastic passes of C (noise, dropout) over
           unlabelled rows; ramp = exp(-5 (1 - step / unsup_rampup_steps)^2) until 1
           (official rampup(epoch), per epoch there)          alpha_cla * cla_cost_u (unsup_weight)
C's adversarial term is the official one, not the paper's expectation alpha E sum_y p_c(y|x)
log(1 - D(x, y)) (Eq. 5): the official code pairs x_u with the single label argmax C(x_u),
weights its -log D (C "fools D", non-saturating) by max p_c, and so moves C only through that
probability (a REINFORCE-style estimate of the paper's gradient, Sec. 3.2).

A step: G(z, y~) once (the shared forward), then D, G and C in the official order (train_batch_dis,
train_batch_gen, train_batch_cla). Every term that averages over labelled or unlabelled rows is the
mean over those rows of the GLOBAL batch (the count all-reduced over replicas), as the official
means over its labelled and unlabelled batches; G's terms over the generated batch. The official
ZCA whitening of C's inputs is not reproduced. C's EMA copy (official cla_param_avg, a + 0.01
(p - a)) is what evaluation scores.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.models.conditional_synthesis import ConditionalSynthesis, class_cross_entropy
from tfgan_repro.models.contract import (
  EMA,
  Contract,
  Optimizer,
  Phase,
  Player,
  Sampler,
  StepContext,
)

D_LOSS_NAMES = ("D_real", "D_fake_g", "D_fake_c")
G_LOSS_NAMES = ("G_adv",)
C_LOSS_NAMES = ("C_adv", "C_label", "C_pseudo", "C_unsup")
# official cla_lr=3e-3, Adam beta1 b1_c 0.9 (before the rampdown), beta2 .999, epsilon 1e-8
C_OPTIMIZER = Optimizer(lr=3e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
# Salts of the step's draws of D's inputs (models/synthesis.py's _AUG_* / _NOISE_*: 2..5, 7, 8).
_NOISE_REAL, _NOISE_FAKE, _AUG_REAL, _AUG_FAKE, _AUG_G, _NOISE_G = 2, 3, 4, 5, 7, 8
_EVAL_BATCH = 256  # images per forward pass of C when scoring


def _bce_real(logits: tf.Tensor) -> tf.Tensor:
  """float32 [N]: -log sigmoid(logits) (official bce(p, 1))."""
  return tf.nn.softplus(-tf.reshape(tf.cast(logits, tf.float32), [-1]))


def _bce_fake(logits: tf.Tensor) -> tf.Tensor:
  """float32 [N]: -log(1 - sigmoid(logits)) (official bce(p, 0))."""
  return tf.nn.softplus(tf.reshape(tf.cast(logits, tf.float32), [-1]))


def unsup_rampup(step: tf.Tensor, rampup_steps: int) -> tf.Tensor:
  """float32: exp(-5 (1 - step / rampup_steps)^2) before rampup_steps, then 1 (official
  rampup(epoch): exp(-p^2 5), p = 1 - epoch / 80)."""
  if rampup_steps < 1:
    return tf.constant(1.0, tf.float32)
  t = tf.minimum(tf.cast(step, tf.float32) / float(rampup_steps), 1.0)
  return tf.exp(-5.0 * tf.square(1.0 - t))


def rows_mean_weights(mask: tf.Tensor, global_batch_size: int) -> tf.Tensor:
  """float32 [n]: per-row weights w with sum_rows(w v) / global_batch_size = the mean of v over
  the rows where `mask` [n] is true, over the global batch (the count summed over replicas);
  0 where no row of the global batch is."""
  mask = tf.cast(mask, tf.float32)
  count = tf.reduce_sum(mask)
  replica = tf.distribute.get_replica_context()
  if replica is not None:
    count = replica.all_reduce(tf.distribute.ReduceOp.SUM, count)
  return mask * float(global_batch_size) / tf.maximum(count, 1.0)


class TripleGAN(ConditionalSynthesis):
  """G(z, y) and D(x, y) of ConditionalSynthesis (its conditionings "concat" or "projection")
  plus a classifier C; batches mix labelled rows (label >= 0) and unlabelled ones (label -1).

  alpha: C's share of D's fakes (paper Sec. 3: 1/2). alpha_cla_adv: the official extra weight of
  C's adversarial term (0.01). alpha_p: the weight of R_P (official -cla_g 0.1), from step
  alpha_p_start_step on. unsup_weight: the maximum weight of C's consistency R_U (official
  scaled_unsup_weight_max 100; 0 = off), reached after unsup_rampup_steps. c_optimizer: C's
  Adam. c_ema_decay: C's weight average used for evaluation (official 0.99: a + 0.01 (p - a);
  0 = none). The loss is the official binary cross-entropy (gan_mode "nonsaturating"); D's
  penalties, ADA and n_critic > 1 are refused.
  """

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    C: keras.Model,
    num_classes: int,
    conditioning: str = "concat",  # official ConvConcatLayer / MLPConcatLayer of y in D
    alpha: float = 0.5,  # paper Sec. 3 / official .5 factors
    alpha_cla_adv: float = 0.01,  # official alpha_cla_adv = 0.01
    alpha_p: float = 0.1,  # official -cla_g default 0.1
    alpha_p_start_step: int = 100_000,  # official epoch_cla_g 200 x 500 iterations per epoch
    unsup_weight: float = 0.0,  # official scaled_unsup_weight_max 100 (a CIFAR-10 regulariser)
    unsup_rampup_steps: int = 40_000,  # official rampup: 80 epochs x 500 iterations
    c_optimizer: Optimizer = C_OPTIMIZER,
    c_ema_decay: float = 0.99,  # official cla_avg_updates a + 0.01 (p - a)
    **kwargs,
  ):
    if conditioning == "acgan":
      raise ValueError("conditioning must be 'concat' or 'projection' for Triple-GAN, got 'acgan'")
    if not 0.0 <= alpha <= 1.0:
      raise ValueError(f"alpha must be in [0, 1], got {alpha!r}")
    for key, value in dict(
      alpha_cla_adv=alpha_cla_adv,
      alpha_p=alpha_p,
      unsup_weight=unsup_weight,
      unsup_rampup_steps=unsup_rampup_steps,
      alpha_p_start_step=alpha_p_start_step,
    ).items():
      if value < 0:
        raise ValueError(f"{key} must be >= 0, got {value!r}")
    if not 0.0 <= c_ema_decay < 1.0:
      raise ValueError(f"c_ema_decay must be in [0, 1), got {c_ema_decay!r}")
    for key in ("r1_gamma", "r2_gamma", "gp_lambda", "clip_value", "ada_target", "ada_p"):
      if kwargs.get(key):
        raise ValueError(f"{key} is not an option of Triple-GAN, got {kwargs[key]!r}")
    if kwargs.get("n_critic", 1) != 1:
      raise ValueError(
        f"Triple-GAN updates D, G and C once a step, got n_critic {kwargs['n_critic']}"
      )
    if kwargs.get("gan_mode", "nonsaturating") != "nonsaturating":
      raise ValueError(
        "gan_mode must be 'nonsaturating' (official binary cross-entropy), got "
        f"{kwargs['gan_mode']!r}"
      )
    out = C.outputs[0].shape[-1]
    if len(C.inputs) != 1 or out != num_classes:
      raise ValueError(f"C must map images to {num_classes} class logits, got outputs [.., {out}]")
    super().__init__(G=G, D=D, num_classes=num_classes, conditioning=conditioning, **kwargs)
    self.C = C
    self.alpha, self.alpha_cla_adv, self.alpha_p = (
      float(alpha),
      float(alpha_cla_adv),
      float(alpha_p),
    )
    self.alpha_p_start_step = int(alpha_p_start_step)
    self.unsup_weight, self.unsup_rampup_steps = float(unsup_weight), int(unsup_rampup_steps)
    self.c_optimizer, self.c_ema_decay = c_optimizer, float(c_ema_decay)

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G, "discriminator": self.D, "classifier": self.C}

  def contract(self) -> Contract:
    """D, G, then C each step (official order), one G(z, y~) for all three."""
    ema = () if self.ema is None else (self.ema,)
    if self.c_ema_decay:
      ema += (EMA("C", decay=self.c_ema_decay),)
    return Contract(
      players=(
        Player("D", (self.D,), self.d_optimizer),
        Player("G", (self.G,), self.g_optimizer),
        Player("C", (self.C,), self.c_optimizer),
      ),
      phases=(
        Phase("D", ("D",), self._d_loss, logs=D_LOSS_NAMES),
        Phase("G", ("G",), self._g_loss, logs=G_LOSS_NAMES),
        Phase("C", ("C",), self._c_loss, logs=C_LOSS_NAMES),
      ),
      sampler=Sampler("latent_class", self.z_dim, self.latent_distribution, self.num_classes),
      ema=ema,
      forward=self._forward,
    )

  # ---- one step --------------------------------------------------------------------------------
  def _rows(self, ctx: StepContext) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """(x, labels int32 [n] (-1 = unlabelled), labelled bool [n]) of the batch."""
    x, labels = ctx.batch[0], tf.cast(tf.reshape(ctx.batch[1], [-1]), tf.int32)
    return x, labels, labels >= 0

  def _pseudo_labels(self, x: tf.Tensor) -> tf.Tensor:
    """int32 [n]: argmax C(x), C in training mode (official cla_out_y_d_hard, deterministic=False;
    its mean-only batch norm moves its moving means here too)."""
    return tf.argmax(self.C(x, training=True), -1, output_type=tf.int32)

  def _d_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """D_real on labelled rows, D_fake_c on unlabelled rows paired with C's labels (one D pass
    over the batch), D_fake_g on G's pairs."""
    x, labels, labelled = self._rows(ctx)
    y_c = self._pseudo_labels(x)
    y = tf.where(labelled, labels, tf.stop_gradient(y_c))
    logits = self._judge(self._d_input(x, ctx, _AUG_REAL, _NOISE_REAL), y)[0]
    fake, y_fake = self._fake_pair(ctx, 0)
    fake_logits = self._judge(
      self._d_input(tf.stop_gradient(fake), ctx, _AUG_FAKE, _NOISE_FAKE), y_fake
    )[0]
    n = ctx.global_batch_size
    d_real = rows_mean_weights(labelled, n) * _bce_real(logits)
    d_fake_c = self.alpha * rows_mean_weights(~labelled, n) * _bce_fake(logits)
    d_fake_g = (1.0 - self.alpha) * _bce_fake(fake_logits)
    logs = {"D_real": d_real, "D_fake_g": d_fake_g, "D_fake_c": d_fake_c}
    return d_real + d_fake_g + d_fake_c, logs

  def _g_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """G_adv = (1 - alpha) -log D(G(z, y~), y~), judged by the updated D."""
    fake, y_fake = self._fake_pair(ctx, 1)
    logits = self._judge(self._d_input(fake, ctx, _AUG_G, _NOISE_G), y_fake)[0]
    g_adv = (1.0 - self.alpha) * _bce_real(logits)
    return g_adv, {"G_adv": g_adv}

  def _c_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """C_adv on unlabelled rows (official p_max-weighted -log D(x_u, argmax C)), R_L on
    labelled rows, alpha_p R_P on G's pairs from alpha_p_start_step on, R_U on unlabelled
    rows."""
    x, labels, labelled = self._rows(ctx)
    class_logits = self.C(x, training=True)
    probs = tf.nn.softmax(tf.cast(class_logits, tf.float32))
    y_c = tf.argmax(probs, -1, output_type=tf.int32)
    p_max = tf.reduce_max(probs, -1)  # [n]: the only path of C_adv's gradient into C
    d_logits = tf.stop_gradient(self._judge(x, y_c)[0])
    n = ctx.global_batch_size
    c_adv = (
      self.alpha_cla_adv
      * self.alpha
      * rows_mean_weights(~labelled, n)
      * p_max
      * _bce_real(d_logits)
    )
    c_label = rows_mean_weights(labelled, n) * class_cross_entropy(
      class_logits, tf.maximum(labels, 0)
    )
    fake, y_fake = self._fake_pair(ctx, 1)
    on = tf.cast(tf.cast(ctx.step, tf.int64) >= self.alpha_p_start_step, tf.float32)
    c_pseudo = (
      on * self.alpha_p * class_cross_entropy(self.C(tf.stop_gradient(fake), training=True), y_fake)
    )
    c_unsup = tf.zeros_like(c_label)
    if self.unsup_weight:  # official cla_cost_u: squared_error of two passes' softmax, mean
      second = tf.nn.softmax(tf.cast(self.C(x, training=True), tf.float32))
      c_unsup = (
        self.unsup_weight
        * unsup_rampup(ctx.step, self.unsup_rampup_steps)
        * rows_mean_weights(~labelled, n)
        * tf.reduce_mean(tf.square(probs - second), -1)
      )
    logs = {"C_adv": c_adv, "C_label": c_label, "C_pseudo": c_pseudo, "C_unsup": c_unsup}
    return c_adv + c_label + c_pseudo + c_unsup, logs

  # ---- evaluation --------------------------------------------------------------------------
  @property
  def shipped_classifier(self) -> keras.Model:
    """C's EMA copy if it has one (official evaluate with cla_avg_givens), else C."""
    return self.ema_copies.get("C", self.C)

  def classify(self, images: np.ndarray, batch_size: int = _EVAL_BATCH) -> np.ndarray:
    """int32 [N]: the class the shipped C gives images float32 [N, S, S, 3] in [-1, 1]."""
    net = self.shipped_classifier
    logits = [
      np.asarray(net(images[i : i + batch_size], training=False))
      for i in range(0, len(images), batch_size)
    ]
    return np.argmax(np.concatenate(logits), axis=-1).astype(np.int32)

  def extra_scores(self, real_images: np.ndarray, labels: np.ndarray) -> dict:
    """{"classifier": {"accuracy", "error", "num_images", "weights"}}: the shipped C on the
    held-out images and their labels (the paper's Table 1 error rate is 1 - accuracy)."""
    labels = np.asarray(labels).reshape(-1)
    if len(real_images) != len(labels) or (labels < 0).any():
      raise ValueError(f"labels must be {len(real_images)} class ids >= 0, got {labels[:8]}...")
    accuracy = float(np.mean(self.classify(np.asarray(real_images, np.float32)) == labels))
    weights = "EMA copy" if "C" in self.ema_copies else "C"
    return {
      "classifier": {
        "accuracy": accuracy,
        "error": 1.0 - accuracy,
        "num_images": int(len(labels)),
        "weights": weights,
      }
    }
