"""pix2pix (Isola et al. 2017): a U-Net G and a conditional PatchGAN D, GAN + L1 losses.

Code names -> paper (Sec. 3, Eq. 1-4) -> official pytorch-CycleGAN-and-pix2pix pix2pix_model.py:
  real_a, real_b: x (the input) and y (its target)       real_A, real_B (--direction picks them)
  G: x -> y (U-Net, dropout as the only noise z)         netG (--netG unet_256, --norm batch)
  D: judges concat(x, y) on channels (conditional GAN)   netD (--netD basic, input_nc + output_nc)
  G_GAN = L_cGAN for G, G_L1 = lambda * L_L1 (Eq. 3)     loss_G_GAN, loss_G_L1 (--lambda_L1 100)
  D_real, D_fake: D's loss on (x, y) and on (x, G(x))    loss_D_real, loss_D_fake; D minimises
                                                         their mean (Sec. 3.3: objective / 2)
Inference (paper Sec. 3.3, official test.py without --eval): G runs as in training, with dropout
and the batch statistics of the test batch (batch 1); `eval_mode=True` is official --eval (no
dropout, running statistics), the deterministic net that export ships.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.models.contract import Contract, Optimizer, Phase, Player, Sampler, StepContext
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.nets.common import without_inference_dropout

G_LOSS_NAMES = ("G_GAN", "G_L1", "G_total")
D_LOSS_NAMES = ("D_real", "D_fake")
LOSS_NAMES = G_LOSS_NAMES + D_LOSS_NAMES
# official --lr 0.0002 --beta1 0.5 (Adam betas (beta1, 0.999)), for G and D alike
OPTIMIZER = Optimizer(lr=2e-4, beta_1=0.5, beta_2=0.999)


class Pix2Pix(GANModel):
  """pix2pix with the official update order: forward G once, update D, then update G."""

  task = "translation"

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    gan_mode: str = "vanilla",  # official pix2pix --gan_mode vanilla (paper Eq. 1: cross-entropy)
    lambda_l1: float = 100.0,  # official --lambda_L1 100 (paper Sec. 4: lambda = 100)
    eval_mode: bool = False,  # official test.py --eval (off: the paper's test-time protocol)
    input_palette: np.ndarray | None = None,  # [C, 3] in [-1, 1]: shows one-hot inputs as colours
    optimizer: Optimizer = OPTIMIZER,  # of G and D (official: one setting for both)
    global_batch_size: int = 1,  # official --batch_size 1
    seed: int = 0,
    **kwargs,
  ):
    super().__init__(global_batch_size=global_batch_size, seed=seed, **kwargs)
    self.optimizer_settings = optimizer
    if gan_mode not in losses.GAN_MODES:
      raise ValueError(f"gan_mode must be one of {losses.GAN_MODES}, got {gan_mode!r}")
    self.G, self.D = G, D
    self.gan_mode, self.lambda_l1, self.eval_mode = gan_mode, lambda_l1, eval_mode
    self.input_palette = None if input_palette is None else np.asarray(input_palette, np.float32)

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G, "discriminator": self.D}

  def contract(self) -> Contract:
    """One G forward, D's step, then G's step against the updated D (official
    optimize_parameters: forward(), backward_D(), optimizer_D.step(), backward_G())."""
    return Contract(
      players=(
        Player("G", (self.G,), self.optimizer_settings),
        Player("D", (self.D,), self.optimizer_settings),
      ),
      phases=(
        Phase("D", ("D",), self._discriminator_loss, logs=D_LOSS_NAMES),
        Phase("G", ("G",), self._generator_loss, logs=G_LOSS_NAMES),
      ),
      sampler=Sampler("paired"),
      forward=self._forward,
    )

  def call(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
    """Inference path: A -> B."""
    return self.G(images, training=training)

  def _d_loss(
    self, real_a: tf.Tensor, real_b: tf.Tensor, fake_b: tf.Tensor
  ) -> tuple[tf.Tensor, tf.Tensor]:
    """(D_real, D_fake) per example; D sees fake and real in two calls as official backward_D
    (so batch norm keeps separate statistics for each)."""
    pred_fake = self.D(tf.concat([real_a, fake_b], axis=-1), training=True)
    pred_real = self.D(tf.concat([real_a, real_b], axis=-1), training=True)
    return losses.discriminator_terms(self.gan_mode, pred_real, pred_fake)

  def _forward(self, ctx: StepContext) -> None:
    """fake_b = G(a): one G pass for both updates (official forward())."""
    real_a, _ = ctx.batch
    ctx.shared["fake_b"] = self.G(real_a, training=True)

  def _discriminator_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """(D_real + D_fake) / 2 per example (official backward_D), on the detached fake."""
    real_a, real_b = ctx.batch
    d_real, d_fake = self._d_loss(real_a, real_b, tf.stop_gradient(ctx.shared["fake_b"]))
    return 0.5 * (d_real + d_fake), {"D_real": d_real, "D_fake": d_fake}

  def _generator_loss(self, ctx: StepContext) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """G_GAN + lambda L1 per example (official backward_G), judged by the updated D."""
    real_a, real_b = ctx.batch
    fake_b = ctx.shared["fake_b"]
    pred_fake = self.D(tf.concat([real_a, fake_b], axis=-1), training=True)
    g_gan = losses.generator_loss(self.gan_mode, pred_fake)
    g_l1 = self.lambda_l1 * losses.l1_loss(fake_b, real_b)
    g_total = g_gan + g_l1
    return g_total, {"G_GAN": g_gan, "G_L1": g_l1, "G_total": g_total}

  def translate(self, name: str, images: tf.Tensor) -> tf.Tensor:
    """G(images) by the test protocol (module docstring): eval_mode, or one image at a time in
    training mode (dropout, batch statistics of that image) leaving the running statistics as
    they were (official test.py runs no optimizer step; batch norm still updates them there,
    but nothing reads them without --eval)."""
    net = self.shipped_generators[name]
    if self.eval_mode:
      return without_inference_dropout(net)(images, training=False)
    saved = [v.numpy() for v in net.non_trainable_variables]
    outputs = tf.concat([net(images[i : i + 1], training=True) for i in range(len(images))], 0)
    for variable, value in zip(net.non_trainable_variables, saved, strict=True):
      variable.assign(value)
    return outputs

  def show_input(self, real_a: tf.Tensor) -> tf.Tensor:
    """[N, H, W, 3] in [-1, 1]: A as an image (one-hot label maps in their palette colours)."""
    if self.input_palette is None:
      return real_a
    return tf.gather(self.input_palette, tf.argmax(real_a, axis=-1))

  def display_images(self, real_a: tf.Tensor, real_b: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """The official visuals real_A | fake_B | real_B."""
    fake_b = self.translate("G", real_a)
    return {"A_to_B": {"real_A": self.show_input(real_a), "G(A)": fake_b, "real_B": real_b}}
