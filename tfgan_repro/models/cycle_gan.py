"""CycleGAN (Zhu et al. 2017): two generators, two discriminators, cycle and identity losses.

Code names -> paper (Sec. 3) -> official pytorch-CycleGAN-and-pix2pix:
  G_AB: A -> B  = G: X -> Y   = netG_A        D_B judges B = D_Y = netD_A
  G_BA: B -> A  = F: Y -> X   = netG_B        D_A judges A = D_X = netD_B
  lambda_a, lambda_b = lambda (Eq. 3, cycle weights; official --lambda_A/--lambda_B 10)
  lambda_identity: identity weight as a fraction of lambda (Sec. 5.2; official --lambda_identity 0.5)
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.models.contract import Contract, Optimizer, Phase, Player, Sampler, StepContext
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.models.image_pool import ImagePool

G_LOSS_NAMES = ("G_AB_adv", "G_BA_adv", "cycle_A", "cycle_B", "idt_A", "idt_B", "G_total")
D_LOSS_NAMES = ("D_A", "D_B")
LOSS_NAMES = G_LOSS_NAMES + D_LOSS_NAMES
# official --lr 0.0002 --beta1 0.5 (Adam betas (beta1, 0.999)), for G and D alike
OPTIMIZER = Optimizer(lr=2e-4, beta_1=0.5, beta_2=0.999)


class CycleGAN(GANModel):
  """CycleGAN with the official update order: one step of both G (joint Adam), then both D."""

  task = "translation"

  def __init__(
    self,
    *,
    G_AB: keras.Model,
    G_BA: keras.Model,
    D_A: keras.Model,
    D_B: keras.Model,
    image_shape: tuple[int, int, int],
    gan_mode: str = "lsgan",  # official --gan_mode lsgan
    lambda_a: float = 10.0,  # official --lambda_A 10
    lambda_b: float = 10.0,  # official --lambda_B 10
    lambda_identity: float = 0.5,  # official --lambda_identity 0.5
    lambda_gp: float = 10.0,  # official cal_gradient_penalty lambda_gp 10 (wgangp only)
    pool_size: int = 50,  # official --pool_size 50
    # Instance noise on D's real inputs (Sønderby et al. 2017; Arjovsky & Bottou 2017): an
    # extension, not in the CycleGAN paper or code; off by default.
    d_noise_std: float = 0.0,
    d_noise_decay_steps: int = 0,
    optimizer: Optimizer = OPTIMIZER,  # of G and D (official: one setting for both)
    global_batch_size: int = 1,  # official --batch_size 1
    seed: int = 0,
    **kwargs,
  ):
    super().__init__(global_batch_size=global_batch_size, seed=seed, **kwargs)
    if gan_mode not in losses.GAN_MODES:
      raise ValueError(f"gan_mode must be one of {losses.GAN_MODES}, got {gan_mode!r}")
    self.G_AB, self.G_BA, self.D_A, self.D_B = G_AB, G_BA, D_A, D_B
    self.gan_mode = gan_mode
    self.lambda_a, self.lambda_b = lambda_a, lambda_b
    self.lambda_identity, self.lambda_gp = lambda_identity, lambda_gp
    self.d_noise_std, self.d_noise_decay_steps = d_noise_std, d_noise_decay_steps
    self.optimizer_settings = optimizer
    self.pool_A = ImagePool(pool_size, image_shape, name="pool_A")  # fakes of A, shown to D_A
    self.pool_B = ImagePool(pool_size, image_shape, name="pool_B")

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G_AB": self.G_AB, "G_BA": self.G_BA}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G_AB, "discriminator": self.D_A}  # G_BA, D_B: the same nets

  @property
  def directions(self) -> dict[str, tuple[str, str]]:
    return {"G_AB": ("A", "B"), "G_BA": ("B", "A")}

  def player_networks(self) -> dict[str, tuple[keras.Model, ...]]:
    """The networks of G's and D's optimizers (official optimizer_G: netG_A and netG_B jointly)."""
    return {"G": (self.G_AB, self.G_BA), "D": (self.D_A, self.D_B)}

  def contract(self) -> Contract:
    """Both G, then both D against the pooled fakes of that step (official optimize_parameters)."""
    nets = self.player_networks()
    return Contract(
      players=tuple(Player(name, nets[name], self.optimizer_settings) for name in ("G", "D")),
      phases=(
        Phase("G", ("G",), self._generator_loss, logs=G_LOSS_NAMES),
        Phase("D", ("D",), self._discriminator_loss, logs=D_LOSS_NAMES),
      ),
      sampler=Sampler("unpaired"),
    )

  def call(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
    """Inference path: A -> B."""
    return self.G_AB(images, training=training)

  def _d_noise(self, images: tf.Tensor, step: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """Instance noise on D's real inputs, std decaying linearly to 0 over d_noise_decay_steps."""
    if self.d_noise_std <= 0.0:
      return images
    frac = 1.0 - tf.cast(step, tf.float32) / float(max(self.d_noise_decay_steps, 1))
    std = self.d_noise_std * tf.maximum(frac, 0.0)
    noise = tf.random.stateless_normal(tf.shape(images), seed)
    return images + std * noise

  def _d_loss(
    self, D: keras.Model, real: tf.Tensor, fake: tf.Tensor, ctx: StepContext, salt: int
  ) -> tf.Tensor:
    """0.5 * (L(D(real), 1) + L(D(fake), 0)) (paper Sec. 7.1: D's objective divided by 2)."""
    real = self._d_noise(real, ctx.step, ctx.seed(salt))
    per_example = 0.5 * losses.discriminator_loss(
      self.gan_mode, D(real, training=True), D(fake, training=True)
    )
    if self.gan_mode == "wgangp":
      alpha = tf.random.stateless_uniform([tf.shape(real)[0], 1, 1, 1], ctx.seed(salt + 1))
      critic = lambda x: D(x, training=True)  # noqa: E731
      per_example += self.lambda_gp * losses.gradient_penalty(critic, real, fake, alpha)
    return per_example

  def _generator_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """L_GAN(G) + L_GAN(F) + lambda L_cyc (+ identity) per example (paper Eq. 3; official
    backward_G); leaves the fakes for D's phase."""
    real_a, real_b = ctx.batch
    fake_b = self.G_AB(real_a, training=True)
    rec_a = self.G_BA(fake_b, training=True)
    fake_a = self.G_BA(real_b, training=True)
    rec_b = self.G_AB(fake_a, training=True)
    g_ab_adv = losses.generator_loss(self.gan_mode, self.D_B(fake_b, training=True))
    g_ba_adv = losses.generator_loss(self.gan_mode, self.D_A(fake_a, training=True))
    cycle_a = self.lambda_a * losses.l1_loss(rec_a, real_a)
    cycle_b = self.lambda_b * losses.l1_loss(rec_b, real_b)
    g_total = g_ab_adv + g_ba_adv + cycle_a + cycle_b
    if (
      self.lambda_identity > 0
    ):  # official: idt_A = netG_A(real_B), weight lambda_B * lambda_identity
      idt_a = (
        self.lambda_b
        * self.lambda_identity
        * losses.l1_loss(self.G_AB(real_b, training=True), real_b)
      )
      idt_b = (
        self.lambda_a
        * self.lambda_identity
        * losses.l1_loss(self.G_BA(real_a, training=True), real_a)
      )
      g_total += idt_a + idt_b
    else:
      idt_a = idt_b = tf.zeros_like(g_total)
    ctx.shared["fake_a"], ctx.shared["fake_b"] = tf.stop_gradient(fake_a), tf.stop_gradient(fake_b)
    values = (g_ab_adv, g_ba_adv, cycle_a, cycle_b, idt_a, idt_b, g_total)
    return g_total, dict(zip(G_LOSS_NAMES, values, strict=True))

  def _discriminator_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """D_A + D_B per example on fakes from the image pools (official backward_D_A/B), judged by
    the discriminators as they are after G's step."""
    real_a, real_b = ctx.batch
    pooled_b = self.pool_B(ctx.shared["fake_b"], ctx.seed(1))
    pooled_a = self.pool_A(ctx.shared["fake_a"], ctx.seed(2))
    d_b = self._d_loss(self.D_B, real_b, pooled_b, ctx, 10)
    d_a = self._d_loss(self.D_A, real_a, pooled_a, ctx, 20)
    return d_a + d_b, {"D_A": d_a, "D_B": d_b}

  def display_images(self, real_a: tf.Tensor, real_b: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """Grids for TensorBoard and the sample sheet: per direction, real | translated | reconstructed."""
    fake_b = self.G_AB(real_a, training=False)
    fake_a = self.G_BA(real_b, training=False)
    return {
      "A_to_B": {
        "real_A": real_a,
        "G_AB(A)": fake_b,
        "G_BA(G_AB(A))": self.G_BA(fake_b, training=False),
      },
      "B_to_A": {
        "real_B": real_b,
        "G_BA(B)": fake_a,
        "G_AB(G_BA(B))": self.G_AB(fake_a, training=False),
      },
    }
