"""StarGAN (Choi et al. 2018): one generator for every attribute combination, a WGAN-GP critic
with an auxiliary attribute classifier.

Code names -> paper (Sec. 3.1 Eq. 1-6, Sec. 4 Eq. 8) -> official yunjey/stargan solver.py
(single dataset, CelebA mode: binary attributes):
  x_real, label_org: x and its attributes c'                  x_real, label_org (= c_org)
  label_trg: target c, the batch's labels permuted            label_trg = label_org[randperm]
  G([x, c]) -> y; D(x) -> [D_src (patch logits), D_cls]       G(x_real, c_trg); D(x)
  D_real, D_fake: -D_src(x), D_src(G(x, c)) (Eq. 8, WGAN)     d_loss_real, d_loss_fake
  D_cls: L_cls^r, BCE of D_cls(x) vs c' summed over labels    d_loss_cls
  D_gp: (||grad D_src(x_hat)||_2 - 1)^2 (Eq. 8)               d_loss_gp
  G_fake: -D_src(G(x, c)); G_cls: L_cls^f vs c                g_loss_fake, g_loss_cls
  G_rec: L_rec = ||x - G(G(x, c), c')||_1 (Eq. 4, mean)        g_loss_rec
  L_D = D_real + D_fake + lambda_cls D_cls + lambda_gp D_gp; L_G = G_fake + lambda_rec G_rec +
  lambda_cls G_cls (Eq. 5-6; official --lambda_cls 1 --lambda_rec 10 --lambda_gp 10).
Schedule (the contract): phase D every training step i, phase G when (i + 1) % n_critic == 0
(official --n_critic 5), after D, on the same batch and targets; G and D share the official Adam
and learning-rate decay, both indexed by the training step. The logged G losses average the G
steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.models import contract
from tfgan_repro.models.attribute_editor import AttributeEditor
from tfgan_repro.models.gan_model import GANModel

D_LOSS_NAMES = ("D_real", "D_fake", "D_cls", "D_gp")
G_LOSS_NAMES = ("G_fake", "G_rec", "G_cls")
LOSS_NAMES = D_LOSS_NAMES + G_LOSS_NAMES
# salts of the global-batch draws (`_global_uniform`)
_TARGET_SALT, _ALPHA_SALT = 1, 2
# official --g_lr = --d_lr 0.0001, --beta1 0.5, --beta2 0.999; torch.optim.Adam's eps 1e-8
OFFICIAL_OPTIMIZER = contract.Optimizer(lr=1e-4, beta_1=0.5, beta_2=0.999, epsilon=1e-8)


def src_gradient_penalty(
  D: Callable[..., Sequence[tf.Tensor]], real: tf.Tensor, fake: tf.Tensor, alpha: tf.Tensor
) -> tf.Tensor:
  """WGAN-GP on D's first output only (official `gradient_penalty(out_src, x_hat)`: the
  gradient of sum(D_src(x_hat)) w.r.t. x_hat, x_hat = alpha x + (1 - alpha) G(x, c)). [B]."""
  return losses.gradient_penalty(lambda x: D(x, training=True)[0], real, fake, alpha)


class StarGAN(AttributeEditor, GANModel):
  """StarGAN with the official update order: a D step every training step, a G step after every
  n_critic-th (`contract`). `optimizer`: the settings of both players' Adam (official g_lr =
  d_lr, one beta1 / beta2 and one decay)."""

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    attribute_names: Sequence[str],
    lambda_cls: float = 1.0,  # official --lambda_cls 1
    lambda_rec: float = 10.0,  # official --lambda_rec 10
    lambda_gp: float = 10.0,  # official --lambda_gp 10
    n_critic: int = 5,  # official --n_critic 5
    optimizer: contract.Optimizer = OFFICIAL_OPTIMIZER,  # of both players (G and D)
    global_batch_size: int = 16,  # official --batch_size 16
    seed: int = 0,
    **kwargs,
  ):
    super().__init__(global_batch_size=global_batch_size, seed=seed, **kwargs)
    if n_critic < 1:
      raise ValueError(f"n_critic must be >= 1, got {n_critic!r}")
    c_dim = G.input_shape[1][-1]
    if len(attribute_names) != c_dim:
      raise ValueError(
        f"G takes {c_dim} attributes but attribute_names has {len(attribute_names)}: "
        f"{list(attribute_names)}"
      )
    self.G, self.D = G, D
    self.attribute_names = tuple(attribute_names)
    self.lambda_cls, self.lambda_rec, self.lambda_gp = lambda_cls, lambda_rec, lambda_gp
    self.n_critic, self.optimizer_settings = n_critic, optimizer
    # Built now: fit would otherwise build by calling `call` on the images alone (the data's x),
    # while G needs [images, attributes].
    self.build()

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G, "discriminator": self.D}

  def call(
    self, inputs: list[tf.Tensor] | tf.Tensor, training: bool = False
  ) -> tf.Tensor | list[tf.Tensor]:
    """Inference path: [images, target attributes] -> edited images. Images alone (what fit's
    build passes: the first element of an (images, attributes) batch) -> D's [D_src, D_cls]."""
    if isinstance(inputs, (list, tuple)):
      return self.G(list(inputs), training=training)
    return self.D(inputs, training=training)

  def _global_uniform(self, shape: list, step: tf.Tensor, salt: int) -> tf.Tensor:
    """U[0, 1) of `shape` (first dim the GLOBAL batch), the same on every replica."""
    seed = tf.stack([tf.cast(self.seed, tf.int64), tf.cast(step, tf.int64) * 1000 + salt])
    return tf.random.stateless_uniform(shape, tf.cast(seed, tf.int32))

  def target_labels(self, labels: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
    """Official `label_org[torch.randperm(N)]` over the GLOBAL batch, this replica's rows: the
    same targets on any number of replicas."""
    everyone = contract.global_rows(labels)  # [N, A]
    order = tf.argsort(self._global_uniform([tf.shape(everyone)[0]], step, _TARGET_SALT))
    mine = contract.replica_rows(lambda rows: tf.gather(everyone, order), tf.shape(labels)[0])
    return tf.ensure_shape(mine, labels.shape)

  def _alpha(self, local_size: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
    """[n, 1, 1, 1] interpolation weights ~ U[0, 1), drawn over the global batch."""
    return contract.replica_rows(
      lambda rows: self._global_uniform([rows, 1, 1, 1], step, _ALPHA_SALT), local_size
    )

  # ---- training ------------------------------------------------------------------------------
  def contract(self) -> contract.Contract:
    """Official Solver.train(): D every iteration, then G when (i + 1) % n_critic == 0, on the
    same batch and targets; both players with the official Adam and lr decay."""
    return contract.Contract(
      players=(
        contract.Player("D", (self.D,), self.optimizer_settings),
        contract.Player("G", (self.G,), self.optimizer_settings),
      ),
      phases=(
        contract.Phase("D", ("D",), self._d_loss, logs=D_LOSS_NAMES),
        contract.Phase("G", ("G",), self._g_loss, interval=self.n_critic, logs=G_LOSS_NAMES),
      ),
      sampler=contract.Sampler("labelled"),
      forward=self._draw,
    )

  def _draw(self, ctx: contract.StepContext) -> None:
    """The step's random draws, shared by both phases: the targets c (official label_trg =
    label_org[randperm]) and the interpolation weights of the gradient penalty."""
    images, labels = ctx.batch
    label_org = tf.cast(labels, tf.float32)  # CelebA mode: c_org = label_org
    ctx.shared["label_org"] = label_org
    ctx.shared["label_trg"] = self.target_labels(label_org, ctx.step)
    ctx.shared["alpha"] = self._alpha(tf.shape(images)[0], ctx.step)

  def _d_loss(self, ctx: contract.StepContext):
    x_real = ctx.batch[0]
    label_org, label_trg = ctx.shared["label_org"], ctx.shared["label_trg"]
    x_fake = tf.stop_gradient(self.G([x_real, label_trg], training=True))  # official .detach()
    src_real, cls_real = self.D(x_real, training=True)
    src_fake, _ = self.D(x_fake, training=True)
    d_real, d_fake = losses.discriminator_terms("wgangp", src_real, src_fake)
    d_cls = losses.attribute_bce(cls_real, label_org)
    d_gp = src_gradient_penalty(self.D, x_real, x_fake, ctx.shared["alpha"])
    total = d_real + d_fake + self.lambda_cls * d_cls + self.lambda_gp * d_gp
    return total, {"D_real": d_real, "D_fake": d_fake, "D_cls": d_cls, "D_gp": d_gp}

  def _g_loss(self, ctx: contract.StepContext):
    x_real = ctx.batch[0]
    label_org, label_trg = ctx.shared["label_org"], ctx.shared["label_trg"]
    x_fake = self.G([x_real, label_trg], training=True)
    src_fake, cls_fake = self.D(x_fake, training=True)
    g_fake = losses.generator_loss("wgangp", src_fake)
    g_cls = losses.attribute_bce(cls_fake, label_trg)
    g_rec = losses.l1_loss(x_real, self.G([x_fake, label_org], training=True))
    total = g_fake + self.lambda_rec * g_rec + self.lambda_cls * g_cls
    return total, {"G_fake": g_fake, "G_rec": g_rec, "G_cls": g_cls}
