"""pix2pix: the update order, the losses' values, dropout at test time, the assembled networks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import pix2pix
from tfgan_repro import data, models
from tfgan_repro.models.pix2pix import LOSS_NAMES
from tfgan_repro.training import run


def _model(**overrides):
  config = pix2pix.get_config("tiny")
  for key, value in overrides.items():
    section, field = key.split(".")
    config[section][field] = value
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=10)
  return config, trainer.model, trainer


def _batch(config):
  return next(iter(data.make_dataset(config.data, "test", 1, training=False, seed=0)))


def _weights(net):
  return [v.numpy().copy() for v in net.trainable_variables]


def _trainable(net) -> int:
  return sum(int(np.prod(v.shape)) for v in net.trainable_variables)


def _changed(before, net) -> bool:
  return any(not np.array_equal(a, b) for a, b in zip(before, _weights(net), strict=True))


def test_one_step_updates_both_players_and_logs_the_official_losses():
  config, model, trainer = _model()
  g_before, d_before = _weights(model.G), _weights(model.D)
  logs = trainer.train_step(_batch(config))
  assert set(logs) == set(LOSS_NAMES)
  assert all(np.isfinite(float(v)) for v in logs.values())
  assert _changed(g_before, model.G) and _changed(d_before, model.D)
  assert int(model.step.numpy()) == 1
  assert model.D.input_shape[-1] == 8 + 3  # conditional D: one-hot labels + photo


def test_losses_and_update_order_match_the_official_step():
  # No dropout and G frozen (lr 0), so G(a) can be recomputed exactly after the step.
  config, model, trainer = _model(**{"generator.dropout": 0.0})
  trainer.optimizers["G"].learning_rate = lambda: 0.0
  real_a, real_b = _batch(config)
  fake_b = model.G(real_a, training=True)
  d_before = keras.models.clone_model(model.D)
  d_before.set_weights(model.D.get_weights())
  logs = trainer.train_step((real_a, real_b))

  def judged(D, b):  # D's logits on (a, b)
    return D(tf.concat([real_a, b], axis=-1), training=True)

  # D step on the D before the update (official backward_D): BCE with logits.
  want_real = float(tf.reduce_mean(tf.nn.softplus(-judged(d_before, real_b))))
  want_fake = float(tf.reduce_mean(tf.nn.softplus(judged(d_before, fake_b))))
  np.testing.assert_allclose(float(logs["D_real"]), want_real, rtol=1e-5)
  np.testing.assert_allclose(float(logs["D_fake"]), want_fake, rtol=1e-5)
  # G step on the UPDATED D (official: optimizer_D.step() before backward_G()).
  want_gan = float(tf.reduce_mean(tf.nn.softplus(-judged(model.D, fake_b))))
  stale_gan = float(tf.reduce_mean(tf.nn.softplus(-judged(d_before, fake_b))))
  np.testing.assert_allclose(float(logs["G_GAN"]), want_gan, rtol=1e-5)
  assert abs(want_gan - stale_gan) > 1e-4
  # L1 term: lambda_L1 (100) times the mean absolute difference.
  want_l1 = 100.0 * float(tf.reduce_mean(tf.abs(fake_b - real_b)))
  np.testing.assert_allclose(float(logs["G_L1"]), want_l1, rtol=1e-5)
  np.testing.assert_allclose(float(logs["G_total"]), want_gan + want_l1, rtol=1e-5)


def test_dropout_is_on_at_test_time_and_eval_mode_turns_it_off():
  config, model, _ = _model()
  real_a, _ = _batch(config)
  stats = [v.numpy().copy() for v in model.G.non_trainable_variables]
  first, second = model.translate("G", real_a), model.translate("G", real_a)
  assert float(tf.reduce_max(tf.abs(first - second))) > 1e-3  # dropout draws a new mask
  for before, after in zip(stats, model.G.non_trainable_variables, strict=True):
    np.testing.assert_array_equal(before, after.numpy())  # running statistics left alone
  # The generator itself keeps dropout at inference (InferenceDropout), whatever `training`.
  dropout = keras.Model(model.G.inputs, model.G.get_layer("up5_dropout").output)
  x, y = dropout(real_a, training=False), dropout(real_a, training=False)
  assert float(tf.reduce_mean(tf.cast(tf.equal(x, 0.0), tf.float32))) > 0.3  # ~half dropped
  assert not np.array_equal(x.numpy(), y.numpy())
  model.eval_mode = True  # official --eval: deterministic
  np.testing.assert_array_equal(model.translate("G", real_a), model.translate("G", real_a))


def test_display_shows_one_hot_labels_in_their_palette_colours():
  config, model, _ = _model()
  real_a, real_b = _batch(config)
  grids = model.display_images(real_a, real_b)["A_to_B"]
  assert list(grids) == ["real_A", "G(A)", "real_B"]
  palette = data.label_palette(config.data)
  np.testing.assert_allclose(grids["real_A"].numpy(), palette[np.argmax(real_a, axis=-1)])
  assert grids["G(A)"].shape == real_b.shape


@pytest.mark.parametrize(
  "variant,g_params,d_params",
  [
    ("paper", 54_413_955, 2_768_705),  # official unet_256 and conditional PatchGAN (6 channels)
    ("city", None, None),
  ],
)
def test_variants_assemble_the_official_networks(variant, g_params, d_params):
  config = pix2pix.get_config(variant)
  model = models.build_model(config)
  channels = data.domain_channels(config.data)
  assert model.G.input_shape[-1] == channels[0] and model.D.input_shape[-1] == sum(channels)
  if g_params is not None:
    assert _trainable(model.G) == g_params and _trainable(model.D) == d_params
  else:
    assert channels == (8, 3) and config.generator.name == "unet_128"


def test_summary_reports_the_networks_with_their_input_channels():
  root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  cmd = [sys.executable, "-m", "bin.summary", "--config=configs/pix2pix.py:tiny", "--json"]
  done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)
  assert done.returncode == 0, done.stderr[-2000:]
  summaries = json.loads(done.stdout)["networks"]
  assert summaries["generator"]["input_shape"] == [128, 128, 8]  # one-hot city labels
  assert summaries["discriminator"]["input_shape"] == [128, 128, 11]  # labels + photo
  config = pix2pix.get_config("tiny")
  model = models.build_model(config)
  assert summaries["discriminator"]["trainable_params"] == _trainable(model.D)
