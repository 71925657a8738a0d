"""CycleGAN: the options the config selects, the update order, the losses it logs."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import cyclegan
from tfgan_repro.models import cycle_gan
from tfgan_repro.training import run


def _model(**overrides):
  config = cyclegan.get_config("tiny")
  for key, value in overrides.items():
    section, field = key.split(".")
    config[section][field] = value
  keras.utils.set_random_seed(0)
  return config, run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=10)


def _batch(config, seed=0):
  size = config.data.crop_size
  rng = np.random.default_rng(seed)
  return tuple(tf.constant(rng.uniform(-1, 1, (1, size, size, 3)), tf.float32) for _ in range(2))


def _weights(nets):
  return [v.numpy().copy() for net in nets for v in net.trainable_variables]


def _changed(before, nets) -> bool:
  return any(not np.array_equal(a, b) for a, b in zip(before, _weights(nets), strict=True))


class _Recorder:
  """Stands in for a discriminator: records every input it is called on, then runs it."""

  def __init__(self, net: keras.Model):
    self.net, self.inputs = net, []

  def __call__(self, x, training: bool = False):
    self.inputs.append(np.array(x))
    return self.net(x, training=training)


def _d_terms(mode: str, r: np.ndarray, f: np.ndarray) -> float:
  """L(D(real), 1) + L(D(fake), 0) of one example's logit maps r, f."""
  if mode == "lsgan":  # official MSELoss against 1 and 0
    return np.mean((r - 1.0) ** 2) + np.mean(f**2)
  if mode == "vanilla":  # official BCEWithLogitsLoss: -log sigmoid(r) - log(1 - sigmoid(f))
    return np.mean(np.logaddexp(0.0, -r)) + np.mean(np.logaddexp(0.0, f))
  if mode == "hinge":  # Lim & Ye 2017
    return np.mean(np.maximum(0.0, 1.0 - r)) + np.mean(np.maximum(0.0, 1.0 + f))
  return np.mean(f) - np.mean(r)  # wgangp, official: -D(real).mean() + D(fake).mean()


def _hand_d_losses(trainer, batch) -> dict[str, float]:
  """D_A and D_B of step 0 computed in numpy from the nets' outputs before the step (G's update
  does not touch D): 0.5 * (L(D(real), 1) + L(D(fake), 0)) (paper Sec. 7.1; official
  backward_D_basic and GANLoss), the fakes this step's own (the pools are filling: size 4,
  batch 1); wgangp adds lambda_gp (||grad D(x_hat)||_2 - 1)^2 at the step's x_hat."""
  model = trainer.model
  real_a, real_b = batch
  cases = {  # D: (its real input, the fake it judges, the salt of its draws in the step)
    "D_B": (real_b, model.G_AB(real_a, training=True), 10),
    "D_A": (real_a, model.G_BA(real_b, training=True), 20),
  }
  want = {}
  for name, (real, fake, salt) in cases.items():
    D = getattr(model, name)
    r = D(real, training=True).numpy().astype(np.float64)
    f = D(fake, training=True).numpy().astype(np.float64)
    want[name] = 0.5 * _d_terms(model.gan_mode, r, f)
    if model.gan_mode == "wgangp":  # alpha ~ U(0, 1): the step's draw
      alpha = tf.random.stateless_uniform([1, 1, 1, 1], trainer.seed_of(tf.constant(0), salt + 1))
      x_hat = tf.Variable(alpha * real + (1.0 - alpha) * fake)
      with tf.GradientTape() as tape:
        out = tf.reduce_sum(D(x_hat, training=True))
      grad = tape.gradient(out, x_hat).numpy().astype(np.float64)
      want[name] += 10.0 * (np.sqrt(np.sum(grad**2)) - 1.0) ** 2  # lambda_gp 10
  return want


# Per option, what it sets. Tiny: 32 px, ngf 4 (G's upsamplings 16 -> 8 -> 4 channels), ndf 4.
# Logit maps of the PatchGAN at H px: H / 2**n_layers - 2 (k4, padding 1; 30 at 256 px, n 3).
OPTIONS = [
  ({"loss.gan_mode": "lsgan"}, {}),
  ({"loss.gan_mode": "vanilla"}, {}),
  ({"loss.gan_mode": "hinge"}, {}),
  ({"loss.gan_mode": "wgangp"}, {}),
  # conv 3x3 + bias per upsampling: 9 * 16 * 8 + 8, 9 * 8 * 4 + 4; pixel shuffle 4x the filters
  ({"generator.upsample": "transpose"}, {"up_params": (1160, 292)}),
  ({"generator.upsample": "nearest_conv"}, {"up_params": (1160, 292), "resize": "nearest"}),
  ({"generator.upsample": "bilinear_conv"}, {"up_params": (1160, 292), "resize": "bilinear"}),
  ({"generator.upsample": "pixel_shuffle"}, {"up_params": (4640, 1168), "shuffle": True}),
  ({"generator.name": "resnet_9"}, {"blocks": 9}),
  ({"discriminator.name": "pixel"}, {"d_shapes": [(1, 32, 32, 1)]}),
  ({"discriminator.name": "patch", "discriminator.n_layers": 2}, {"d_shapes": [(1, 6, 6, 1)]}),
  ({"discriminator.name": "patch", "discriminator.n_layers": 3}, {"d_shapes": [(1, 2, 2, 1)]}),
  (
    {
      "discriminator.name": "multiscale",
      "discriminator.num_d": 2,
      "data.crop_size": 64,
      "data.load_size": 64,
    },
    {"d_shapes": [(1, 6, 6, 1), (1, 2, 2, 1)]},  # 64 px, then 32 px
  ),
  ({"loss.d_noise_std": 0.1, "loss.d_noise_decay_steps": 100}, {"d_noise": 0.1}),
  (
    {"generator.name": "unet_128", "data.crop_size": 128, "data.load_size": 128},
    {"unet_downs": 7},  # official unet_128: num_downs 7, a 1x1 bottleneck at 128 px
  ),
]


def _check_generator(G: keras.Model, x: tf.Tensor, expect: dict) -> None:
  names = {layer.name: layer for layer in G.layers}
  if "up_params" in expect:
    for i, params in enumerate(expect["up_params"], start=1):
      assert names[f"up{i}"].count_params() == params
      resize = names.get(f"up{i}_resize")
      assert (resize.interpolation if resize else None) == expect.get("resize")
      assert (f"up{i}_shuffle" in names) == expect.get("shuffle", False)
      transposed = isinstance(names[f"up{i}"], keras.layers.Conv2DTranspose)
      assert transposed == (set(expect) == {"up_params"})
  if "blocks" in expect:
    n = expect["blocks"]
    assert f"block{n}_add" in names and f"block{n + 1}_add" not in names
  if "unet_downs" in expect:
    n = expect["unet_downs"]
    bottleneck = keras.Model(G.inputs, names[f"down{n}"].output)(x)  # [1, 1, 1, 8 ngf]
    assert tuple(bottleneck.shape[:3]) == (1, 1, 1) and f"down{n + 1}" not in names


@pytest.mark.parametrize(
  "overrides,expect",
  OPTIONS,
  ids=[",".join(f"{k.split('.')[1]}={v}" for k, v in o.items()) for o, _ in OPTIONS],
)
def test_each_option_trains_one_step(overrides, expect, monkeypatch):
  config, trainer = _model(**overrides)
  model = trainer.model
  batch = _batch(config)
  want_d = _hand_d_losses(trainer, batch) if "loss.gan_mode" in overrides else None
  seen = {name: _Recorder(getattr(model, name)) for name in ("D_A", "D_B")}
  for name, recorder in seen.items():
    monkeypatch.setattr(model, name, recorder)
  g_nets, d_nets = (model.G_AB, model.G_BA), (seen["D_A"].net, seen["D_B"].net)
  g_before, d_before = _weights(g_nets), _weights(d_nets)
  logs = trainer.train_step(batch)
  assert set(logs) == set(cycle_gan.LOSS_NAMES)
  assert all(np.isfinite(float(v)) for v in logs.values())
  assert _changed(g_before, g_nets) and _changed(d_before, d_nets)
  assert int(model.step.numpy()) == 1
  assert {name: int(opt.iterations.numpy()) for name, opt in trainer.optimizers.items()} == {
    "G": 1,
    "D": 1,
  }
  if want_d is not None:
    for name, value in want_d.items():
      np.testing.assert_allclose(float(logs[name]), value, rtol=1e-5, err_msg=name)
  # D's inputs: G's phase judges this step's fake, then D's phase the real (+ instance noise)
  # and the pooled fake, which is that same fake (the pool is filling) and never noised.
  std = expect.get("d_noise", 0.0)
  for name, real in (("D_A", batch[0]), ("D_B", batch[1])):
    g_fake, d_real, d_fake = seen[name].inputs[:3]
    np.testing.assert_array_equal(d_fake, g_fake)
    if std == 0.0:
      np.testing.assert_array_equal(d_real, real.numpy())  # unchanged without noise
    else:  # step 0: the full std
      noise = d_real - real.numpy()
      assert abs(noise.std() - std) < 0.005 and abs(noise.mean()) < 0.01
  if std:
    assert not np.array_equal(seen["D_A"].inputs[1] - batch[0], seen["D_B"].inputs[1] - batch[1])
  _check_generator(model.G_AB, batch[0], expect)
  if "d_shapes" in expect:
    for net in d_nets:
      outputs = net(batch[0], training=False)
      outputs = outputs if isinstance(outputs, list) else [outputs]
      assert [tuple(o.shape) for o in outputs] == expect["d_shapes"]


def test_generator_step_leaves_discriminators_alone():
  config, trainer = _model()
  model = trainer.model
  trainer.optimizers["D"].learning_rate = lambda: 0.0  # only G's optimizer moves weights
  d_before, g_before = _weights((model.D_A, model.D_B)), _weights((model.G_AB, model.G_BA))
  trainer.train_step(_batch(config))
  assert not _changed(d_before, (model.D_A, model.D_B))
  assert _changed(g_before, (model.G_AB, model.G_BA))


def test_identity_weight_zero_logs_zero_identity_loss():
  config, trainer = _model(**{"loss.lambda_identity": 0.0})
  logs = trainer.train_step(_batch(config))
  assert float(logs["idt_A"]) == 0.0 and float(logs["idt_B"]) == 0.0
  np.testing.assert_allclose(
    float(logs["G_total"]),
    sum(float(logs[k]) for k in ("G_AB_adv", "G_BA_adv", "cycle_A", "cycle_B")),
    rtol=1e-5,
  )


def test_identity_loss_weight_is_lambda_times_lambda_identity():
  config, trainer = _model()
  real_a, real_b = _batch(config)
  logs = trainer.train_step((real_a, real_b))
  # Recompute idt_A with the pre-step G_AB: 10 * 0.5 * |G_AB(b) - b|
  _, before = _model()  # same seed: the weights before the step
  G_AB = before.model.G_AB
  expected = 5.0 * float(tf.reduce_mean(tf.abs(G_AB(real_b, training=True) - real_b)))
  np.testing.assert_allclose(float(logs["idt_A"]), expected, rtol=1e-4)


def test_d_noise_decays_linearly_to_zero():
  config, trainer = _model(**{"loss.d_noise_std": 0.2, "loss.d_noise_decay_steps": 100})
  images = tf.constant(np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)), tf.float32)
  for step, std in ((0, 0.2), (50, 0.1), (100, 0.0), (150, 0.0)):
    noised = trainer.model._d_noise(images, tf.constant(step), tf.constant([0, step])).numpy()
    noise = noised - images.numpy()
    np.testing.assert_allclose(noise.std(), std, atol=0.01)
    if std == 0.0:  # decayed: the input passes unchanged
      np.testing.assert_array_equal(noised, images.numpy())
  # std 0 (the default, official CycleGAN has no noise): the input itself comes back.
  _, plain = _model()
  assert plain.model._d_noise(images, tf.constant(0), tf.constant([0, 0])) is images
  # Only D's real inputs get it: test_each_option_trains_one_step records D's inputs.
