"""StyleGAN2 model: the official phases and lazy-regularisation optimizers, the configs of the
official cfg_specs, style mixing, and the path-length and w_avg bookkeeping of a step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import stylegan2 as configs
from tests.tiny_models import random_batch, tiny_config
from tfgan_repro import models
from tfgan_repro.models import stylegan2
from tfgan_repro.models.contract import Optimizer
from tfgan_repro.training import run


def test_lazy_optimizer_scales_lr_and_betas_by_k_over_k_plus_1():
  g = stylegan2.lazy_optimizer(stylegan2.OPTIMIZER, 4)
  assert g.lr == pytest.approx(0.002 * 0.8) and g.beta_1 == 0.0
  assert g.beta_2 == pytest.approx(0.99**0.8) and g.epsilon == 1e-8
  d = stylegan2.lazy_optimizer(Optimizer(lr=0.0025, beta_1=0.5, beta_2=0.99), 16)
  assert d.lr == pytest.approx(0.0025 * 16 / 17) and d.beta_1 == pytest.approx(0.5 ** (16 / 17))
  with pytest.raises(ValueError, match="reg_interval must be >= 1, got 0"):
    stylegan2.lazy_optimizer(stylegan2.OPTIMIZER, 0)


def test_configs_hold_the_official_cfg_specs():
  f, p = configs.get_config("config_f"), configs.get_config("paper256")
  assert (f.batch_size, f.optimizer.lr, f.loss.r1_gamma, f.ema.half_life_kimg) == (
    32,
    0.002,
    10,
    10,
  )
  assert (f.generator.channel_base, f.discriminator.mbstd_group_size, f.ema.rampup) == (32768, 4, 0)
  assert (p.batch_size, p.optimizer.lr, p.loss.r1_gamma, p.ema.half_life_kimg) == (
    64,
    0.0025,
    1,
    20,
  )
  assert (p.generator.channel_base, p.discriminator.channel_base) == (16384, 16384)
  assert p.discriminator.mbstd_group_size == 8
  assert (f.optimizer.beta1, f.optimizer.beta2, f.generator.mapping_layers) == (0.0, 0.99, 8)
  assert (f.loss.pl_weight, f.loss.style_mixing_prob, f.loss.g_reg_interval) == (2.0, 0.9, 4)
  assert f.loss.d_reg_interval == 16 and f.train.max_steps == 25_000_000 // 32
  assert models.MODELS.get("stylegan2").paper_config().data.crop_size == 256
  with pytest.raises(ValueError, match="valid: config_f, faces64, paper256, tiny"):
    configs.get_config("ffhq")


def _model(**loss):
  config = tiny_config("stylegan2")
  config.loss.update(loss)
  keras.utils.set_random_seed(0)
  return config, run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)


def test_contract_is_the_official_phases_with_lazy_optimizers():
  config, trainer = _model()
  phases = [(p.name, p.players, p.interval, p.lazy) for p in trainer.contract.phases]
  assert phases == [
    ("Gmain", ("G",), 1, False),
    ("Greg", ("G",), 4, True),
    ("Dmain", ("D",), 1, False),
    ("Dreg", ("D",), 16, True),
  ]
  lr = config.optimizer.lr
  assert trainer.contract.player("G").optimizer.lr == pytest.approx(lr * 4 / 5)
  assert trainer.contract.player("D").optimizer.lr == pytest.approx(lr * 16 / 17)
  ema = trainer.contract.ema[0]
  assert (ema.network, ema.half_life_kimg, ema.rampup) == ("G", 5.0, 0.05)
  _, without = _model(pl_weight=0.0, r1_gamma=0.0)
  assert [p.name for p in without.contract.phases] == ["Gmain", "Dmain"]


def test_style_mixing_cutoff_follows_the_probability():
  _, trainer = _model()
  model = trainer.model
  ctx = trainer._context(tuple(tf.constant(x) for x in random_batch(tiny_config("stylegan2"))))
  model.style_mixing_prob = 1.0
  cutoffs = {int(model._mixing_cutoff(ctx, salt)) for salt in range(40)}
  assert cutoffs == set(range(1, model.num_ws))  # uniform in [1, num_ws)
  model.style_mixing_prob = 0.0
  assert {int(model._mixing_cutoff(ctx, salt)) for salt in range(5)} == {model.num_ws}


def test_a_regularised_step_moves_pl_mean_and_w_avg_as_the_official_loss():
  config, trainer = _model(g_reg_interval=1, d_reg_interval=1)
  model = trainer.model
  # a tf.function: an eager tape through the up-sampling crashes TF on CPU (docs/pitfalls.md)
  step = tf.function(trainer.train_step)
  logs = step(tuple(tf.constant(x) for x in random_batch(config)))
  # batch 2, pl_batch_shrink 2: one path length, spread over the 2 rows (x 2, then 0): the
  # logged mean over the rows is the length itself
  length = float(logs["pl_length"])
  pl_mean = float(model.pl_mean.numpy())
  assert length > 0 and pl_mean == pytest.approx(0.01 * length, rel=1e-5)  # lerp from 0
  assert float(logs["G_pl"]) == pytest.approx(2.0 * (length - pl_mean) ** 2, rel=1e-4)
  assert float(logs["D_reg"]) > 0
  w_avg = model.truncation.w_avg.numpy()
  assert np.all(np.isfinite(w_avg)) and np.any(w_avg != 0)  # moved by the three G passes
  ema = trainer.ema_copies["G"].get_layer("truncation").w_avg.numpy()
  np.testing.assert_allclose(ema, w_avg)  # buffers are copied into the EMA copy


def test_options_out_of_range_raise_naming_them():
  config = tiny_config("stylegan2")
  config.loss.style_mixing_prob = 1.5
  with pytest.raises(ValueError, match="style_mixing_prob must be in"):
    models.build_model(config)
  config = tiny_config("stylegan2")
  config.generator.name = "dcgan_generator"
  with pytest.raises(ValueError, match="G must be a stylegan2_generator"):
    models.build_model(config)
