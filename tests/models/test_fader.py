"""Fader / FaderGAN: the lambda ramp, one step of each variant, the losses' values, gradient
clipping, display and the configs' networks."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import fader as fader_configs
from configs import fader_gan as fader_gan_configs
from tfgan_repro import data, losses, models
from tfgan_repro.models import contract
from tfgan_repro.models.fader import Fader
from tfgan_repro.nets import (
  fader_autoencoder,
  fader_gan_discriminator,
  fader_latent_discriminator,
  fader_patch_discriminator,
)
from tfgan_repro.training import run
from tfgan_repro.training.trainer import Trainer

NAMES = ("glasses", "smile", "dark_hair")
SIZE, BATCH = 16, 4
TINY = {"init_fm": 4, "max_fm": 8}


def _model(img_dis: str = "", lat_dis: bool = True, size: int = SIZE, **kwargs) -> Trainer:
  """A tiny Fader (official Adam lr 2e-4, clip 5) in its Trainer; the Fader is trainer.model."""
  keras.utils.set_random_seed(0)
  A = len(NAMES)
  G = fader_autoencoder(num_attributes=A, n_layers=2, **TINY)
  lat = (
    fader_latent_discriminator(
      num_attributes=A, image_size=size, n_layers=2, hid_dim=8, dropout=0.0, **TINY
    )
    if lat_dis
    else None
  )
  dis = {
    "": None,
    "patch": fader_patch_discriminator(**TINY),
    "gan": fader_gan_discriminator(num_attributes=A, image_size=size, hid_dim=8, **TINY),
  }[img_dis]
  model = Fader(
    G=G, lat_dis=lat, img_dis=dis, attribute_names=NAMES, global_batch_size=BATCH, **kwargs
  )
  trainer = Trainer(model, steps_per_epoch=10)
  trainer.compile()
  return trainer


def _batch(size: int = SIZE) -> tuple[tf.Tensor, tf.Tensor]:
  """The data contract: images [B, S, S, 3] in [-1, 1], attributes [B, A] in {0, 1}."""
  rng = np.random.default_rng(0)
  images = rng.uniform(-1, 1, (BATCH, size, size, 3)).astype(np.float32)
  attributes = rng.integers(0, 2, (BATCH, len(NAMES))).astype(np.float32)
  return tf.constant(images), tf.constant(attributes)


def _weights(nets) -> list[np.ndarray]:
  return [v.numpy().copy() for net in nets for v in net.trainable_variables]


def test_lambda_ramp_as_official_get_lambda():
  model = _model().model  # lambda_schedule 500000 (official)
  values = [float(model.lambda_ramp(s)) for s in (0, 250_000, 500_000, 2_000_000)]
  assert values == [0.0, 0.5, 1.0, 1.0]
  assert 1e-4 * float(model.lambda_ramp(125_000)) == pytest.approx(2.5e-5)
  assert float(_model(lambda_schedule=0).model.lambda_ramp(7)) == 1.0  # official: 0 disables it


@pytest.mark.parametrize(
  "img_dis,lat_dis,size,names",
  [
    ("", True, 16, {"rec", "lat_dis", "lat_dis_ae", "G_total"}),
    # the PatchDiscriminator needs >= 24 px
    ("patch", True, 32, {"rec", "lat_dis", "lat_dis_ae", "D_real", "D_fake", "G_adv", "G_total"}),
    ("gan", False, 16, {"rec", "D_real", "D_fake", "G_adv", "D_cls", "G_cls", "G_total"}),
  ],
)
def test_one_step_updates_every_network_and_logs_finite_losses(img_dis, lat_dis, size, names):
  trainer = _model(img_dis, lat_dis, size, lambda_adv=0.01, lambda_cls=0.1)
  model = trainer.model
  nets = [model.G, *model._discriminators()]
  before = [_weights([net]) for net in nets]
  logs = trainer.train_step(_batch(size))
  assert set(logs) == names
  assert all(np.isfinite(float(v)) for v in logs.values())
  for old, net in zip(before, nets, strict=True):
    assert any(not np.array_equal(a, b) for a, b in zip(old, _weights([net]), strict=True))
  assert int(model.step.numpy()) == 1 and int(trainer.optimizers["D"].iterations.numpy()) == 1


def test_loss_values_and_the_ramp_in_the_autoencoder_loss():
  # SGD at lr 1e-30 leaves the weights as they were (in float32): the logged losses can be
  # recomputed after the step.
  trainer = _model(lambda_schedule=4, optimizer=contract.Optimizer(lr=1e-30, name="sgd"))
  model = trainer.model
  images, attributes = _batch()
  trainer.step.assign(2)  # half-way up the ramp: lambda = 1e-4 * 2 / 4
  logs = trainer.train_step((images, attributes))
  latent = model.encoder(images, training=True)
  rec = float(tf.reduce_mean(tf.square(model.G([images, attributes], training=True) - images)))
  flipped = losses.attribute_cross_entropy(model.lat_dis(latent, training=False), 1 - attributes)
  np.testing.assert_allclose(float(logs["rec"]), rec, rtol=1e-5)
  np.testing.assert_allclose(float(logs["lat_dis_ae"]), float(tf.reduce_mean(flipped)), rtol=1e-5)
  want_total = rec + 1e-4 * 0.5 * float(tf.reduce_mean(flipped))
  np.testing.assert_allclose(float(logs["G_total"]), want_total, rtol=1e-5)


def test_attribute_losses_by_hand():
  logits = tf.constant([[2.0, 0.0, 0.0, 1.0]])  # pairs (not a, a): (2, 0) and (0, 1)
  a = tf.constant([[1.0, 1.0]])
  want = np.log1p(np.exp(2.0)) + np.log1p(np.exp(-1.0))  # -log softmax of class "a" in each
  np.testing.assert_allclose(losses.attribute_cross_entropy(logits, a), [want], rtol=1e-6)
  np.testing.assert_allclose(
    losses.attribute_bce(tf.constant([[0.0, 2.0]]), a), [np.log(2.0) + np.log1p(np.exp(-2.0))]
  )
  # PatchDiscriminator: BCE of the mean patch probability, here p = (0.5 + sigmoid(2)) / 2.
  p = (0.5 + 1 / (1 + np.exp(-2.0))) / 2
  got = losses.mean_probability_bce(tf.constant([[[[0.0]], [[2.0]]]]), 0.8)
  np.testing.assert_allclose(got, [-(0.8 * np.log(p) + 0.2 * np.log(1 - p))], rtol=1e-6)


def test_players_clip_as_official_clip_grad_norm():
  trainer = _model("gan")  # lat_dis and the FaderGAN discriminator: two networks of player "D"
  d, g = trainer.contract.player("D"), trainer.contract.player("G")
  assert (d.optimizer.clip_norm, g.optimizer.clip_norm) == (5.0, 5.0)  # --clip_grad_norm 5
  assert d.clip_each_network and [net.name for net in d.networks] == [
    "fader_latent_discriminator",
    "fader_gan_discriminator",
  ]
  # Each network's gradient on its own (official: clip_grad_norm per discriminator's parameters).
  sizes = [len(net.trainable_variables) for net in d.networks]
  grads = [tf.zeros(v.shape) for v in d.variables]
  for index, norm in ((0, 3.0), (sizes[0], 40.0)):  # one tensor of each network, that norm
    grads[index] = tf.fill(grads[index].shape, norm / grads[index].shape.num_elements() ** 0.5)
  clipped = trainer._clip(d, grads)
  norm = lambda gs: float(tf.linalg.global_norm(gs))  # noqa: E731
  np.testing.assert_allclose(norm(clipped[: sizes[0]]), 3.0, rtol=1e-5)  # under 5: unchanged
  np.testing.assert_allclose(norm(clipped[sizes[0] :]), 5.0, rtol=1e-5)  # 40 -> 5


def test_flip_targets_and_edit_condition():
  model = _model("gan", fake_attributes="flip").model
  a = tf.constant([[0.0, 1.0, 1.0]])
  np.testing.assert_array_equal(model._fake_targets(a, tf.constant(0), salt=1), [[1, 0, 0]])
  np.testing.assert_array_equal(model.edit_condition(a), a)
  random = _model("gan").model._fake_targets(tf.zeros((64, 3)), tf.constant(5), salt=1)
  assert 0.3 < float(tf.reduce_mean(random)) < 0.7  # official: a random class per attribute
  with pytest.raises(ValueError, match="neither"):
    Fader(G=model.G, lat_dis=None, img_dis=None, attribute_names=NAMES)


def test_display_flips_one_attribute_per_column():
  model = _model().model
  images, attributes = _batch()
  columns = model.display_images(images, attributes)["edits"]
  assert list(columns) == ["input", "reconstruction", *(f"flip_{n}" for n in NAMES)]
  want = model.G([images, attributes * [1, 0, 1] + (1 - attributes) * [0, 1, 0]], training=False)
  np.testing.assert_allclose(columns["flip_smile"], want, atol=1e-6)
  assert columns["flip_smile"].shape == images.shape


@pytest.mark.parametrize("module", [fader_configs, fader_gan_configs])
def test_configs_build_the_official_networks(module):
  def count(net):
    return sum(int(np.prod(v.shape)) for v in net.trainable_variables)

  config = module.get_config("paper")
  config.data.attributes = "glasses,smile"  # official --attr Smiling,Male: 2 attributes
  model = models.build_model(config)
  assert count(model.G) == 14_032_352
  if module is fader_configs:
    assert count(model.lat_dis) == 8_656_388 and model.img_dis is None
  else:
    assert model.lat_dis is None and model.img_dis.output_shape == [(None, 1), (None, 2)]


@pytest.mark.parametrize("module", [fader_configs, fader_gan_configs])
def test_tiny_config_steps_on_the_faces_batches(module):
  config = module.get_config("tiny")
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=2)
  model = trainer.model
  assert model.slider_range == (0.0, 5.0)
  assert model.attribute_names == ("glasses", "smile", "dark_hair", "beard")
  batch = next(
    iter(data.make_dataset(config.data, "train", config.batch_size, training=True, seed=0))
  )
  assert batch[0].shape == (4, 16, 16, 3) and batch[1].shape == (4, 4)
  logs = trainer.train_step(batch)
  assert all(np.isfinite(float(v)) for v in logs.values())


def test_paper_config_holds_the_official_defaults_and_faces64_shortens_the_ramp():
  c = fader_configs.get_config("paper")
  assert (c.batch_size, c.optimizer.lr, c.optimizer.beta1, c.optimizer.clip_grad_norm) == (
    32,
    2e-4,
    0.5,
    5.0,
  )
  assert (c.loss.lambda_ae, c.loss.lambda_lat_dis, c.loss.lambda_schedule) == (1.0, 1e-4, 500_000)
  assert (c.latent_discriminator.dropout, c.latent_discriminator.hid_dim) == (0.3, 512)
  assert (c.generator.n_layers, c.generator.init_fm, c.generator.max_fm) == (6, 32, 512)
  cpu = fader_configs.get_config()  # faces64: 10,000 steps, the ramp 32% of them as official
  steps = cpu.train.steps_per_epoch * (cpu.optimizer.n_epochs + cpu.optimizer.n_epochs_decay)
  assert (cpu.data.crop_size, cpu.generator.n_layers, steps) == (64, 4, 10_000)
  official = 500_000 / (1563 * 1000)
  assert cpu.loss.lambda_schedule / steps == pytest.approx(official, abs=0.005)
  gan = fader_gan_configs.get_config()
  gan_steps = gan.train.steps_per_epoch * gan.optimizer.n_epochs
  assert gan.loss.lambda_schedule / gan_steps == pytest.approx(official, abs=0.005)
  assert (gan.discriminator.name, gan.discriminator.shared_layers) == ("fader_gan_discriminator", 0)
  assert cpu.eval.slider == gan.eval.slider == (0.0, 5.0)
