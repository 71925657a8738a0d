"""A tiny stand-in synthesis model (task "synthesis") and its config, for the synthesis tests: G is
one dense layer to a size x size x 3 tanh image (class-conditional: a class embedding added to z),
D one dense layer; non-saturating losses; an EMA copy of G when asked."""

from __future__ import annotations

import os

import keras
import ml_collections
import tensorflow as tf

from configs import common
from tfgan_repro.evaluation import shape_judge
from tfgan_repro.models import GANModel
from tfgan_repro.models import contract as c

SIZE = 16
Z_DIM = 4


def build_generator(z_dim: int = Z_DIM, size: int = SIZE, num_classes: int = 0) -> keras.Model:
  z = keras.Input((z_dim,), name="z")
  inputs, h = [z], z
  if num_classes:
    ids = keras.Input((), dtype="int32", name="class_ids")
    inputs.append(ids)
    h = keras.layers.Add()([z, keras.layers.Embedding(num_classes, z_dim, name="embed")(ids)])
  x = keras.layers.Dense(size * size * 3, activation="tanh", name="dense")(h)
  out = keras.layers.Reshape((size, size, 3))(x)  # [N, size, size, 3]
  return keras.Model(inputs if num_classes else z, out, name="G")


class TinySynthesis(GANModel):
  task = "synthesis"

  def __init__(
    self,
    *,
    z_dim: int = Z_DIM,
    size: int = SIZE,
    num_classes: int = 0,
    distribution: str = "normal",
    ema: bool = True,
    global_batch_size: int = 2,
    seed: int = 0,
  ):
    super().__init__(global_batch_size=global_batch_size, seed=seed)
    self.z_dim, self.num_classes, self.latent_distribution = z_dim, num_classes, distribution
    self.ema = ema
    self.G = build_generator(z_dim, size, num_classes)
    image = keras.Input((size, size, 3))
    self.D = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)), name="D")

  @property
  def generators(self):
    return {"G": self.G}

  @property
  def networks(self):
    return {"generator": self.G, "discriminator": self.D}

  def _fake(self, ctx, salt):
    z = ctx.latent(salt)
    return self.G(z, training=True)

  def contract(self):
    def d_loss(ctx):
      real = ctx.batch[0]
      loss = tf.nn.softplus(-self.D(real))[:, 0] + tf.nn.softplus(self.D(self._fake(ctx, 1)))[:, 0]
      return loss, {"D": loss}

    def g_loss(ctx):
      loss = tf.nn.softplus(-self.D(self._fake(ctx, 2)))[:, 0]
      return loss, {"G": loss}

    opt = c.Optimizer(lr=1e-3)
    return c.Contract(
      players=(c.Player("G", (self.G,), opt), c.Player("D", (self.D,), opt)),
      phases=(c.Phase("D", ("D",), d_loss, logs=("D",)), c.Phase("G", ("G",), g_loss, logs=("G",))),
      sampler=c.Sampler("latent", z_dim=self.z_dim, distribution=self.latent_distribution),
      ema=(c.EMA("G", decay=0.5),) if self.ema else (),
    )

  def display_images(self, images):
    z = tf.random.stateless_normal([len(images), self.z_dim], [0, 0])
    return {"samples": {"real": images, "fake": self.G(z, training=False)}}


def tiny_config(**eval_overrides) -> ml_collections.ConfigDict:
  config = common.base_config("tiny_synthesis")
  config.batch_size = 2
  config.data.update(
    source="stacked_shapes",
    dataset_mode="images",
    load_size=SIZE,
    crop_size=SIZE,
    num_train=8,
    num_test=6,
    flip=False,
  )
  config.eval.num_images = 6
  config.eval.mode_samples = 20
  config.eval.sample_rows = 2
  config.eval.update(eval_overrides)
  return config


def tiny_shape_judge(directory: str, size: int = SIZE) -> str:
  """An untrained shape judge (8 filters, depth 2) saved at directory/judge.keras."""
  path = os.path.join(directory, "judge.keras")
  shape_judge.build_judge(size, filters=4, depth=2).save(path)
  return path


def register_tiny(monkeypatch, **model_kwargs) -> None:
  """Registers "tiny_synthesis" in the model registry for one test (monkeypatch undoes it)."""
  from tfgan_repro.models.registry import MODELS, ModelSpec

  def builder(config: ml_collections.ConfigDict) -> TinySynthesis:
    return TinySynthesis(global_batch_size=config.batch_size, seed=config.seed, **model_kwargs)

  spec = ModelSpec(builder=builder, config_module=__name__, paper_counts=None)
  monkeypatch.setitem(MODELS._entries, "tiny_synthesis", spec)
