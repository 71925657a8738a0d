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
  return config, run.build_compiled(config, tf.distribute.get_strategy(), steps_per_epoch=10)


def _batch(config, seed=0):
  size = config.data.crop_size
  rng = np.random.default_rng(seed)
  return tuple(tf.constant(rng.uniform(-1, 1, (1, size, size, 3)), tf.float32) for _ in range(2))


def _weights(nets):
  return [v.numpy().copy() for net in nets for v in net.trainable_variables]


def _changed(before, nets) -> bool:
  return any(not np.array_equal(a, b) for a, b in zip(before, _weights(nets), strict=True))


@pytest.mark.parametrize(
  "overrides",
  [
    {"loss.gan_mode": "vanilla"},
    {"loss.gan_mode": "hinge"},
    {"loss.gan_mode": "wgangp"},
    {"generator.upsample": "nearest_conv"},
    {"generator.upsample": "bilinear_conv"},
    {"generator.upsample": "pixel_shuffle"},
    {"generator.name": "resnet_9"},
    {"discriminator.name": "pixel"},
    {"discriminator.name": "patch", "discriminator.n_layers": 2},
    {
      "discriminator.name": "multiscale",
      "discriminator.num_d": 2,
      "data.crop_size": 64,
      "data.load_size": 64,
    },
    {"loss.d_noise_std": 0.1, "loss.d_noise_decay_steps": 100},
    {"generator.name": "unet_128", "data.crop_size": 128, "data.load_size": 128},
  ],
  ids=lambda o: ",".join(f"{k.split('.')[1]}={v}" for k, v in o.items()),
)
def test_each_option_trains_one_step(overrides):
  config, model = _model(**overrides)
  g_nets, d_nets = (model.G_AB, model.G_BA), (model.D_A, model.D_B)
  g_before, d_before = _weights(g_nets), _weights(d_nets)
  logs = model.train_step(_batch(config))
  assert set(logs) == set(cycle_gan.LOSS_NAMES)
  assert all(np.isfinite(float(v)) for v in logs.values())
  assert _changed(g_before, g_nets) and _changed(d_before, d_nets)
  assert int(model.step.numpy()) == 1


def test_generator_step_leaves_discriminators_alone():
  config, model = _model()
  model.d_optimizer = keras.optimizers.Adam(learning_rate=0.0)  # only G's optimizer moves weights
  model.d_optimizer.build(model.player_variables("D"))
  d_before, g_before = _weights((model.D_A, model.D_B)), _weights((model.G_AB, model.G_BA))
  model.train_step(_batch(config))
  assert not _changed(d_before, (model.D_A, model.D_B))
  assert _changed(g_before, (model.G_AB, model.G_BA))


def test_identity_weight_zero_logs_zero_identity_loss():
  config, model = _model(**{"loss.lambda_identity": 0.0})
  logs = model.train_step(_batch(config))
  assert float(logs["idt_A"]) == 0.0 and float(logs["idt_B"]) == 0.0
  np.testing.assert_allclose(
    float(logs["G_total"]),
    sum(float(logs[k]) for k in ("G_AB_adv", "G_BA_adv", "cycle_A", "cycle_B")),
    rtol=1e-5,
  )


def test_identity_loss_weight_is_lambda_times_lambda_identity():
  config, model = _model()
  real_a, real_b = _batch(config)
  logs = model.train_step((real_a, real_b))
  # Recompute idt_A with the pre-step G_AB: 10 * 0.5 * |G_AB(b) - b|
  _, model2 = _model()  # same seed: the weights before the step
  expected = 5.0 * float(tf.reduce_mean(tf.abs(model2.G_AB(real_b, training=True) - real_b)))
  np.testing.assert_allclose(float(logs["idt_A"]), expected, rtol=1e-4)


def test_d_noise_decays_linearly_to_zero():
  config, model = _model(**{"loss.d_noise_std": 0.2, "loss.d_noise_decay_steps": 100})
  zeros = tf.zeros([4, 32, 32, 3])
  for step, std in ((0, 0.2), (50, 0.1), (100, 0.0), (150, 0.0)):
    noise = model._d_noise(zeros, tf.constant(step), salt=1).numpy()
    np.testing.assert_allclose(noise.std(), std, atol=0.01)
