"""The noise -> image model (registry "dcgan"): each config option's effect on values, computed
by hand from D's outputs; one trainer step of each variant; sampling."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import dcgan
from tfgan_repro import losses
from tfgan_repro.models import synthesis
from tfgan_repro.models.contract import StepContext
from tfgan_repro.models.synthesis_builder import ema_from_config
from tfgan_repro.training import run


def _config(variant: str = "tiny", **overrides):
  config = dcgan.get_config(variant)
  config.update_from_flattened_dict(overrides)
  return config


def _trainer(variant: str = "tiny", **overrides):
  config = _config(variant, **overrides)
  keras.utils.set_random_seed(0)
  return config, run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=10)


def _images(config, seed: int = 0) -> tf.Tensor:
  size = config.data.crop_size
  x = np.random.default_rng(seed).uniform(-1, 1, (config.batch_size, size, size, 3))
  return tf.constant(x, tf.float32)


def _ctx(model, real: tf.Tensor, fake: tf.Tensor, step: int = 0) -> StepContext:
  """A step context with G(z) = `fake` already computed (as `forward` leaves it)."""
  return StepContext(
    batch=(real,),
    step=tf.constant(step, tf.int64),
    global_batch_size=int(real.shape[0]),
    seed=lambda salt: tf.constant([7, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([7, salt], tf.int32),
    shared={"fake": fake},
  )


def _logits(model, x) -> np.ndarray:
  return np.asarray(model.D(x, training=True)).reshape(-1)


def _softplus(x):
  return np.log1p(np.exp(x))


def _hand_terms(
  mode: str, r: np.ndarray, f: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """(D_real, D_fake, G_adv) per example from D's logits r = D(x), f = D(G(z))."""
  relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
  if mode in ("vanilla", "nonsaturating"):
    return _softplus(-r), _softplus(f), _softplus(-f)
  if mode == "minimax":
    return _softplus(-r), _softplus(f), -_softplus(f)
  if mode == "lsgan":
    return (r - 1) ** 2, f**2, (f - 1) ** 2
  if mode == "hinge":
    return relu(1 - r), relu(1 + f), -f
  if mode in ("wgan", "wgangp"):
    return -r, f, -f
  dr, df = r - f.mean(), f - r.mean()
  if mode == "rasgan":
    return 0.5 * _softplus(-dr), 0.5 * _softplus(df), 0.5 * _softplus(-df) + 0.5 * _softplus(dr)
  if mode == "ralsgan":
    return 0.5 * (dr - 1) ** 2, 0.5 * (df + 1) ** 2, 0.5 * (df - 1) ** 2 + 0.5 * (dr + 1) ** 2
  assert mode == "rahinge"
  return 0.5 * relu(1 - dr), 0.5 * relu(1 + df), 0.5 * relu(1 - df) + 0.5 * relu(1 + dr)


@pytest.mark.parametrize("mode", losses.ALL_GAN_MODES)
def test_d_and_g_losses_of_each_gan_mode_equal_the_hand_values(mode):
  config, trainer = _trainer(**{"loss.gan_mode": mode, "batch_size": 4})
  model = trainer.model
  real, fake = _images(config, 0), _images(config, 1)
  total, logs = model._d_loss(_ctx(model, real, fake))
  r, f = _logits(model, real), _logits(model, fake)
  d_real, d_fake, g_adv = _hand_terms(mode, r, f)
  np.testing.assert_allclose(logs["D_real"], d_real, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(logs["D_fake"], d_fake, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(total, d_real + d_fake, rtol=1e-5, atol=1e-6)
  g_total, g_logs = model._g_loss(_ctx(model, real, fake))
  np.testing.assert_allclose(g_total, g_adv, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(g_logs["G_adv"], g_adv, rtol=1e-5, atol=1e-6)


def test_one_sided_label_smoothing_changes_the_real_target():
  config, trainer = _trainer(**{"loss.real_label": 0.9})
  model = trainer.model
  real, fake = _images(config, 0), _images(config, 1)
  _, logs = model._d_loss(_ctx(model, real, fake))
  r, f = _logits(model, real), _logits(model, fake)
  want = 0.9 * _softplus(-r) + 0.1 * _softplus(r)  # BCE against 0.9
  np.testing.assert_allclose(logs["D_real"], want, rtol=1e-5)
  np.testing.assert_allclose(logs["D_fake"], _softplus(f), rtol=1e-5)  # one-sided: fake target 0
  with pytest.raises(ValueError, match="real_label applies to the cross-entropy gan_modes"):
    _trainer(**{"loss.real_label": 0.9, "loss.gan_mode": "hinge"})


def _grad_sq(model, x: tf.Tensor) -> np.ndarray:
  with tf.GradientTape() as tape:
    tape.watch(x)
    out = tf.reduce_sum(model.D(x, training=True))
  return np.sum(np.square(tape.gradient(out, x).numpy()).reshape(len(x), -1), axis=1)


@pytest.mark.parametrize("key, on", [("loss.r1_gamma", "real"), ("loss.r2_gamma", "fake")])
def test_r1_and_r2_add_gamma_over_2_squared_gradient_norm(key, on):
  config, trainer = _trainer(**{key: 4.0})
  model = trainer.model
  real, fake = _images(config, 0), _images(config, 1)
  total, logs = model._d_loss(_ctx(model, real, fake))
  want = 0.5 * 4.0 * _grad_sq(model, real if on == "real" else fake)
  np.testing.assert_allclose(logs["D_reg"], want, rtol=1e-4)
  np.testing.assert_allclose(total, logs["D_real"] + logs["D_fake"] + want, rtol=1e-4)


def test_gradient_penalty_is_lambda_times_squared_distance_of_the_norm_from_1():
  config, trainer = _trainer(**{"loss.gan_mode": "wgangp", "loss.gp_lambda": 10.0})
  model = trainer.model
  real, fake = _images(config, 0), _images(config, 1)
  ctx = _ctx(model, real, fake)
  _, logs = model._d_loss(ctx)
  alpha = tf.random.stateless_uniform([2, 1, 1, 1], ctx.batch_seed(synthesis._GP))
  x_hat = alpha * real + (1.0 - alpha) * fake
  want = 10.0 * (np.sqrt(_grad_sq(model, x_hat)) - 1.0) ** 2
  np.testing.assert_allclose(logs["D_reg"], want, rtol=1e-4)


def test_instance_noise_on_every_d_input_decays_linearly():
  config, trainer = _trainer(
    **{"loss.instance_noise_std": 0.5, "loss.instance_noise_decay_steps": 10}
  )
  model = trainer.model
  real = _images(config)
  ctx = _ctx(model, real, real, step=5)
  got = model._d_input(real, ctx, 1, 2) - real
  want = 0.25 * tf.random.stateless_normal(real.shape, ctx.seed(2))  # 0.5 * (1 - 5 / 10)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
  late = _ctx(model, real, real, step=10)
  np.testing.assert_array_equal(model._d_input(real, late, 1, 2), real)


def test_diff_augment_applies_the_policy_to_real_and_fake_with_own_draws():
  config, trainer = _trainer(**{"loss.diff_augment": "color,translation"})
  model = trainer.model
  real, fake = _images(config, 0), _images(config, 1)
  ctx = _ctx(model, real, fake)
  _, logs = model._d_loss(ctx)
  aug_real = losses.diff_augment(real, "color,translation", ctx.seed(synthesis._AUG_REAL))
  aug_fake = losses.diff_augment(fake, "color,translation", ctx.seed(synthesis._AUG_FAKE))
  np.testing.assert_allclose(logs["D_real"], _softplus(-_logits(model, aug_real)), rtol=1e-5)
  np.testing.assert_allclose(logs["D_fake"], _softplus(_logits(model, aug_fake)), rtol=1e-5)
  with pytest.raises(ValueError, match="unknown diff_augment policy"):
    _trainer(**{"loss.diff_augment": "rotate"})


def test_weight_clipping_bounds_d_weights_after_a_step():
  config, trainer = _trainer(**{"loss.gan_mode": "wgan", "loss.clip_value": 0.01})
  model = trainer.model
  trainer.train_step((_images(config),))
  d_max = max(float(np.abs(v.numpy()).max()) for v in model.D.trainable_variables)
  assert d_max == pytest.approx(0.01)  # N(0, 0.02) weights exceed it: clipped to exactly c
  assert max(float(np.abs(v.numpy()).max()) for v in model.G.trainable_variables) > 0.01


def test_n_critic_steps_g_every_n_critic_steps():
  config, trainer = _trainer(**{"train.n_critic": 2})
  model = trainer.model
  g0 = [v.numpy().copy() for v in model.G.trainable_variables]
  trainer.train_step((_images(config),))
  assert all(
    np.array_equal(a, v.numpy()) for a, v in zip(g0, model.G.trainable_variables, strict=True)
  )
  trainer.train_step((_images(config, 1),))
  iterations = {name: int(opt.iterations.numpy()) for name, opt in trainer.optimizers.items()}
  assert iterations == {"D": 2, "G": 1}
  assert trainer.contract.forward is None  # each phase draws its own z


def test_ttur_gives_g_and_d_their_own_rates():
  _, trainer = _trainer(**{"optimizer.g_lr": 1e-4, "optimizer.d_lr": 4e-4})
  rates = {name: float(opt.learning_rate) for name, opt in trainer.optimizers.items()}
  assert rates == pytest.approx({"G": 1e-4, "D": 4e-4})
  _, trainer = _trainer()
  rates = {name: float(opt.learning_rate) for name, opt in trainer.optimizers.items()}
  assert rates == pytest.approx({"G": 2e-4, "D": 2e-4})  # official --lr 0.0002 for both


def test_ema_of_g_is_the_formula_after_one_step_and_lags_after_two():
  config, trainer = _trainer(**{"ema.decay": 0.5})
  model = trainer.model
  before = [v.numpy().copy() for v in model.G.weights]
  trainer.train_step((_images(config),))
  copy = model.ema_copies["G"]
  for old, var, ema in zip(before, model.G.weights, copy.weights, strict=True):  # clone's order
    if var.trainable:  # ema = beta ema + (1 - beta) w, ema = w0 before the step, beta 0.5
      np.testing.assert_allclose(ema.numpy(), 0.5 * old + 0.5 * var.numpy(), rtol=1e-6)
    else:  # batch-norm statistics are copied
      np.testing.assert_array_equal(ema.numpy(), var.numpy())
  trainer.train_step((_images(config, 1),))
  assert not np.allclose(copy.get_weights()[0], model.G.get_weights()[0])
  assert model.shipped_generators["G"] is copy


def test_ema_options_map_to_the_contract():
  assert ema_from_config(_config()) is None  # off by default (not in DCGAN)
  ema = ema_from_config(
    _config(**{"ema.half_life_kimg": 10.0, "ema.rampup": 0.05, "ema.start_step": 100})
  )
  assert (ema.network, ema.decay, ema.half_life_kimg, ema.rampup, ema.start_step) == (
    "G",
    None,
    10.0,
    0.05,
    100,
  )
  with pytest.raises(ValueError, match="decay or half_life_kimg, not both"):
    ema_from_config(_config(**{"ema.decay": 0.999, "ema.half_life_kimg": 10.0}))


def test_contract_and_synthesis_interface():
  config, trainer = _trainer(**{"latent.distribution": "uniform"})
  model = trainer.model
  contract = trainer.contract
  assert [p.name for p in contract.phases] == ["D", "G"]  # official: D's step, then G's
  assert (contract.sampler.kind, contract.sampler.z_dim, contract.sampler.distribution) == (
    "latent",
    8,
    "uniform",
  )
  assert (model.task, model.z_dim, model.latent_distribution, model.num_classes) == (
    "synthesis",
    8,
    "uniform",
    0,
  )
  assert list(model.generators) == ["G"]
  z = model.latents(5, seed=3, truncation=0.5)
  assert z.shape == (5, 8) and np.abs(z).max() <= 0.5
  images = model.sample(5, seed=3)
  assert images.shape == (5, 16, 16, 3) and np.abs(images).max() <= 1.0
  np.testing.assert_array_equal(images, model.sample(5, seed=3))
  shown = model.display_images(_images(config))
  assert list(shown) == ["samples"] and list(shown["samples"]) == ["real", "G(z)"]
  assert shown["samples"]["G(z)"].shape == (2, 16, 16, 3)


def test_truncated_normal_latents_are_redrawn_inside_the_bound():
  _, trainer = _trainer()
  z = trainer.model.latents(1000, seed=0, truncation=1.0)
  assert np.abs(z).max() <= 1.0 and z.std() == pytest.approx(0.54, abs=0.02)  # N(0,1) in [-1,1]


TINY_VARIANTS = {
  "tiny": {},
  "shapes32": {
    "data.crop_size": 16,
    "data.load_size": 16,
    "generator.ngf": 4,
    "discriminator.ndf": 4,
    "batch_size": 2,
  },
  "wgan": {
    "data.crop_size": 16,
    "data.load_size": 16,
    "generator.ngf": 4,
    "discriminator.ndf": 4,
    "batch_size": 2,
    "train.n_critic": 1,
  },
  "sngan32": {
    "data.crop_size": 16,
    "data.load_size": 16,
    "generator.ch": 8,
    "generator.z_dim": 8,
    "discriminator.ch": 8,
    "batch_size": 2,
    "train.n_critic": 1,
  },
  "wgan_gp32": {
    "data.crop_size": 16,
    "data.load_size": 16,
    "generator.ch": 8,
    "generator.z_dim": 8,
    "discriminator.ch": 8,
    "batch_size": 2,
    "train.n_critic": 1,
  },
  "ring8": {
    "generator.z_dim": 8,
    "generator.hidden": 8,
    "discriminator.hidden": 8,
    "batch_size": 4,
  },
  "grid25": {
    "generator.z_dim": 8,
    "generator.hidden": 8,
    "discriminator.hidden": 8,
    "batch_size": 4,
  },
}


@pytest.mark.parametrize("variant", TINY_VARIANTS)
def test_one_step_of_each_variant_is_finite_and_moves_both_nets(variant):
  config, trainer = _trainer(variant, **TINY_VARIANTS[variant])
  model = trainer.model
  if config.data.dataset_mode == "points":
    batch = next(iter(run.train_dataset(config, trainer.contract.sampler, seed=0)))
    assert tuple(batch.shape) == (4, 2)
  else:
    batch = _images(config)
  nets = (model.G, model.D)
  before = [[v.numpy().copy() for v in net.trainable_variables] for net in nets]
  logs = trainer.train_step((batch,))
  assert set(logs) == set(synthesis.LOSS_NAMES)
  assert all(np.isfinite(float(v)) for v in logs.values())
  for net, old in zip(nets, before, strict=True):
    assert any(
      not np.array_equal(a, v.numpy()) for a, v in zip(old, net.trainable_variables, strict=True)
    )
  shown = model.display_images(batch)
  assert all(np.asarray(v).ndim == 4 for v in shown["samples"].values())


def test_paper_config_holds_the_official_defaults():
  c = dcgan.get_config("paper")
  assert (c.generator.name, c.generator.nz, c.generator.ngf, c.discriminator.ndf) == (
    "dcgan_generator",
    100,
    64,
    64,
  )
  assert (c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2, c.batch_size) == (
    2e-4,
    0.5,
    0.999,
    128,
  )
  assert (c.loss.gan_mode, c.data.crop_size, c.data.source, c.data.name) == (
    "nonsaturating",
    64,
    "tfds",
    "celeb_a",
  )
  with pytest.raises(ValueError, match="unknown dcgan config variant 'dcgan'; valid: faces64"):
    dcgan.get_config("dcgan")
