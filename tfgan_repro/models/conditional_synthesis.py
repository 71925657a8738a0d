"""Class-conditional noise -> image GANs: one G(z, y), one D(x, y), the options of Synthesis
(gan modes incl. hinge, SN by the nets, EMA, DiffAugment, R1 / R2 / GP, n_critic, truncation)
plus how D sees the class.

Code names -> paper symbols (Mirza & Osindero 2014; Odena et al. 2017; Miyato & Koyama 2018)
-> official names (pfnet-research/sngan_projection updater.py):
  y, y~: the real batch's class labels; fake classes ~ U{0..K-1}    y_real, y_fake (sample_y)
  G: (z, y~) -> x~                                                   gen(z=z, y=y_fake)
  D: (x, y) -> logit of "x is real, of class y"                      dis(x, y=y)
  conditioning "concat": y one-hot concatenated to z in G and as constant maps to D's input (cGAN,
    Mirza & Osindero 2014, Sec. 3.2)
  conditioning "acgan": D(x) -> [logit, class logits c(x)] (Odena et al. 2017, Sec. 3): L_C =
    CE(c(x), y) + CE(c(G(z, y~)), y~) added to D's loss (D_cls), CE(c(G(z, y~)), y~) to G's
    (G_cls), both x ac_weight; D maximises L_S + L_C, G maximises L_C - L_S (Sec. 3)
  conditioning "projection": logit = psi(phi(x)) + <embed(y), phi(x)> (Miyato & Koyama 2018,
    Eq. 3), inside D (nets/conditional_sngan_resnet.py)
One step as the unconditional Synthesis (official updater.py: n_dis D steps, each on a fresh
(z, y~); G every n_dis-th step on its own draw); with n_critic 1 one G(z, y~) feeds both steps.
The fake classes come from the trainer's stateless draw (StepContext.classes), replica folded in.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.data.latents import class_ids
from tfgan_repro.models.contract import Contract, Phase, Player, Sampler, StepContext
from tfgan_repro.models.synthesis import Synthesis

CONDITIONINGS = ("concat", "acgan", "projection")
D_LOSS_NAMES = ("D_real", "D_fake", "D_reg")
G_LOSS_NAMES = ("G_adv",)
AC_D_LOSS_NAMES, AC_G_LOSS_NAMES = ("D_cls",), ("G_cls",)
# Salts of the step's random draws, as models/synthesis.py's (its _Z, _Z_G, _AUG_*, _NOISE_*, _GP).
_Z, _Z_G, _NOISE_REAL, _NOISE_FAKE, _AUG_REAL, _AUG_FAKE, _GP = 0, 1, 2, 3, 4, 5, 6
_AUG_G, _NOISE_G, _AUG_G_REAL, _NOISE_G_REAL = 7, 8, 9, 10


def class_cross_entropy(class_logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
  """float32 [N]: -log softmax(class_logits)[label] (ACGAN's L_C term, Odena et al. 2017, Eq. 2)."""
  return tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=tf.cast(tf.reshape(labels, [-1]), tf.int32), logits=tf.cast(class_logits, tf.float32)
  )


def orthogonal_penalty(weights: list[tf.Variable]) -> tf.Tensor:
  """sum over W of 1/2 ||W W^T * (1 - I)||_F^2, W a weight viewed as [out, fan_in]: the gradient
  BigGAN-PyTorch utils.ortho adds, 2 (W W^T * (1 - I)) W, is this sum's (the orthogonal
  regularisation of Brock et al. 2019, Eq. 3)."""
  total = tf.constant(0.0, tf.float32)
  for w in weights:
    m = tf.transpose(tf.reshape(tf.cast(w, tf.float32), [-1, w.shape[-1]]))  # [out, fan_in]
    gram = tf.matmul(m, m, transpose_b=True)  # [out, out]
    off = gram * (1.0 - tf.eye(w.shape[-1]))
    total += 0.5 * tf.reduce_sum(tf.square(off))
  return total


class ConditionalSynthesis(Synthesis):
  """G([z, y]) and D([x, y]) of a class-conditional GAN; every option of Synthesis applies.

  num_classes: K. conditioning: how D is told the class (CONDITIONINGS); "acgan" needs a D of
  1 + K outputs (logit, class logits), the others a D of one logit. ac_weight: the weight of the
  ACGAN class losses (paper: 1). ortho_reg: beta of BigGAN's orthogonal regularisation of G's
  weights (`orthogonal_penalty`, added to G's loss; 0 = off).
  """

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    num_classes: int,
    conditioning: str = "projection",  # Miyato & Koyama 2018
    ac_weight: float = 1.0,  # Odena et al. 2017, Sec. 3: L_C unweighted in both players
    ortho_reg: float = 0.0,  # BigGAN (Brock et al. 2019, Sec. 3.1): 1e-4; launch scripts: off
    **kwargs,
  ):
    if conditioning not in CONDITIONINGS:
      raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}")
    if not isinstance(num_classes, int | np.integer) or num_classes < 1:
      raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    if ac_weight < 0:
      raise ValueError(f"ac_weight must be >= 0, got {ac_weight!r}")
    if ortho_reg < 0:
      raise ValueError(f"ortho_reg must be >= 0, got {ortho_reg!r}")
    for role, net in (("G", G), ("D", D)):
      if len(net.inputs) != 2:
        raise ValueError(f"{role} must take [input, class ids], got inputs {net.inputs}")
    outputs = int(D.outputs[0].shape[-1])
    want = 1 + num_classes if conditioning == "acgan" else 1
    if outputs != want:
      raise ValueError(
        f"D gives {outputs} outputs; conditioning {conditioning!r} with {num_classes} classes "
        f"needs {want}"
      )
    super().__init__(G=G, D=D, **kwargs)
    if getattr(self, "ada", None) is not None:
      raise ValueError("ADA (ada_target / ada_p) is not an option of the class-conditional model")
    self.num_classes = int(num_classes)
    self.conditioning, self.ac_weight = conditioning, float(ac_weight)
    self.ortho_reg = float(ortho_reg)

  @property
  def directions(self) -> dict[str, tuple[str, str]]:
    return {"G": ("z, class", "images")}

  def contract(self) -> Contract:
    """As Synthesis (D, then G every n_critic steps) with a "latent_class" sampler; ACGAN logs
    its class losses."""
    acgan = self.conditioning == "acgan"
    after = self._clip_d if self.clip_value else None
    return Contract(
      players=(
        Player("D", (self.D,), self.d_optimizer),
        Player("G", (self.G,), self.g_optimizer),
      ),
      phases=(
        Phase(
          "D",
          ("D",),
          self._d_loss,
          logs=D_LOSS_NAMES + (AC_D_LOSS_NAMES if acgan else ()),
          after=after,
        ),
        Phase(
          "G",
          ("G",),
          self._g_loss,
          interval=self.n_critic,
          logs=G_LOSS_NAMES + (AC_G_LOSS_NAMES if acgan else ()),
        ),
      ),
      sampler=Sampler("latent_class", self.z_dim, self.latent_distribution, self.num_classes),
      ema=() if self.ema is None else (self.ema,),
      forward=self._forward if self.n_critic == 1 else None,
    )

  def call(self, inputs, training: bool = False) -> tf.Tensor:
    """Inference path: [z [N, z_dim], class ids [N]] -> G(z, y). Real data (images, labels), or
    images alone (what fit's build passes: the batch's first element; class 0) -> D's outputs."""
    if isinstance(inputs, (list, tuple)):
      first, ids = inputs[0], inputs[1]
    else:
      first, ids = inputs, tf.zeros(tf.shape(inputs)[:1], tf.int32)  # [N] class 0
    if tuple(first.shape[1:]) == (self.z_dim,):
      return self.G([first, ids], training=training)
    return self.D([first, ids], training=training)

  # ---- one step --------------------------------------------------------------------------------
  def _forward(self, ctx: StepContext) -> None:
    """(fake, y~): one G pass for D's and G's steps."""
    y = ctx.classes(_Z)
    ctx.shared["fake"] = self.G([ctx.latent(_Z), y], training=True)
    ctx.shared["fake_classes"] = y

  def _fake_pair(self, ctx: StepContext, salt: int) -> tuple[tf.Tensor, tf.Tensor]:
    """The step's (G(z, y~), y~) from `forward`, or (n_critic > 1) a draw of its own."""
    if "fake" in ctx.shared:
      return ctx.shared["fake"], ctx.shared["fake_classes"]
    y = ctx.classes(salt)
    return self.G([ctx.latent(salt), y], training=True), y

  def _judge(self, x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor | None]:
    """(logits [N, 1], class logits [N, K] or None) of D on images x of classes y."""
    out = self.D([x, tf.cast(y, tf.int32)], training=True)
    if self.conditioning == "acgan":
      return out[:, :1], out[:, 1:]
    return out, None

  def _d_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """D_real + D_fake + D_reg (+ ac_weight L_C for ACGAN) per example; the penalties are those
    of D(., y) at the real labels."""
    x, y_real = ctx.batch[0], ctx.batch[1]
    fake, y_fake = self._fake_pair(ctx, _Z)
    real = self._d_input(x, ctx, _AUG_REAL, _NOISE_REAL)
    fake = self._d_input(tf.stop_gradient(fake), ctx, _AUG_FAKE, _NOISE_FAKE)
    real_logits, real_classes = self._judge(real, y_real)
    fake_logits, fake_classes = self._judge(fake, y_fake)
    d_real, d_fake = losses.discriminator_terms(
      self.gan_mode, real_logits, fake_logits, real_label=self.real_label
    )

    def critic(v: tf.Tensor) -> tf.Tensor:
      return self._judge(v, y_real)[0]

    reg = tf.zeros_like(d_real)
    if self.r1_gamma:
      reg += losses.r1_penalty(critic, real, self.r1_gamma)
    if self.r2_gamma:
      reg += losses.r2_penalty(lambda v: self._judge(v, y_fake)[0], fake, self.r2_gamma)
    if self.gp_lambda:
      shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], 0)
      alpha = tf.random.stateless_uniform(shape, ctx.seed(_GP))  # [N, 1, 1, 1]
      reg += self.gp_lambda * losses.gradient_penalty(critic, real, fake, alpha)
    total = d_real + d_fake + reg
    logs = {"D_real": d_real, "D_fake": d_fake, "D_reg": reg}
    if self.conditioning == "acgan":
      d_cls = self.ac_weight * (
        class_cross_entropy(real_classes, y_real) + class_cross_entropy(fake_classes, y_fake)
      )
      total, logs["D_cls"] = total + d_cls, d_cls
    return total, logs

  def _g_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """G_adv per example on D(G(z, y~), y~) after D's step (+ ac_weight CE(c(G(z, y~)), y~) for
    ACGAN); the relativistic modes also judge the real batch."""
    fake, y_fake = self._fake_pair(ctx, _Z_G)
    fake_logits, fake_classes = self._judge(self._d_input(fake, ctx, _AUG_G, _NOISE_G), y_fake)
    real_logits = None
    if self.gan_mode in losses.RELATIVISTIC_MODES:
      real = self._d_input(ctx.batch[0], ctx, _AUG_G_REAL, _NOISE_G_REAL)
      real_logits = self._judge(real, ctx.batch[1])[0]
    g_adv = losses.generator_loss(self.gan_mode, fake_logits, real_logits)
    total = g_adv
    if self.ortho_reg:  # a per-step term: the same value for every example
      total += self.ortho_reg * orthogonal_penalty(self._ortho_weights())
    if self.conditioning != "acgan":
      return total, {"G_adv": g_adv}
    g_cls = self.ac_weight * class_cross_entropy(fake_classes, y_fake)
    return total + g_cls, {"G_adv": g_adv, "G_cls": g_cls}

  def _ortho_weights(self) -> list[tf.Variable]:
    """G's weights of 2 or more dimensions but the shared class embedding (BigGAN-PyTorch
    train_fns: utils.ortho(G, ..., blacklist=[G.shared.weight]))."""
    return [w for w in self.G.trainable_weights if len(w.shape) >= 2 and "shared" not in w.path]

  # ---- sampling ----------------------------------------------------------------------------
  def sample(
    self,
    num: int,
    seed: int,
    truncation: float | None = None,
    batch_size: int = 256,
    classes: list[int] | np.ndarray | None = None,
  ) -> np.ndarray:
    """`num` images of the shipped G from `latents(num, seed, truncation)`, sample i of class
    classes[i % len(classes)] (default: every class in turn; data.latents.class_ids)."""
    z = self.latents(num, seed, truncation)
    ids = class_ids(num, self.num_classes, classes).numpy()  # [num]
    net = self.shipped_generators["G"]
    parts = [
      np.asarray(net([z[i : i + batch_size], ids[i : i + batch_size]], training=False))
      for i in range(0, num, batch_size)
    ]
    return np.concatenate(parts)

  def display_images(self, real: tf.Tensor, *rest: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """{"samples": {"real": x, "G(z, y)": the shipped G on a fixed latent grid with the real
    images' classes}}."""
    labels = np.asarray(rest[0]).reshape(-1) if rest else None
    classes = None if labels is None or (labels < 0).any() else labels.tolist()
    return {
      "samples": {"real": real, "G(z, y)": self.sample(len(real), self.seed, None, 256, classes)}
    }
