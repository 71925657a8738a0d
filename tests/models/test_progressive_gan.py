import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import pggan
from tests.tiny_models import random_batch
from tfgan_repro import models
from tfgan_repro.models.contract import StepContext
from tfgan_repro.models.progressive_gan import GrowthSchedule, process_reals
from tfgan_repro.models.progressive_gan_builder import schedule_from_config
from tfgan_repro.nets.pggan import lod_variable
from tfgan_repro.training import run

# Official celebahq at 1024 px, batch 16: lod 8 at 4x4; 600k images per phase.
OFFICIAL = GrowthSchedule(resolution_log2=10, global_batch_size=16)


def test_lod_is_the_official_training_schedule_of_images_shown():
  lod = lambda step: float(OFFICIAL.lod_at(step))  # noqa: E731
  assert OFFICIAL.max_lod == 8 and lod(0) == 8.0
  assert lod(37_500) == 8.0  # 600k images: the 8x8 fade starts
  # step 56,250 (900k images) reads the schedule at its group's start, step 56,248
  assert lod(56_250) == pytest.approx(8.0 - (56_248 * 16 - 600_000) / 600_000)
  assert lod(56_252) == pytest.approx(7.5 - 32 / 600_000)  # 900,032 images: alpha ~ 0.5
  assert lod(75_000) == 7.0  # 1200k: 8x8 stable
  assert lod(37_504) == pytest.approx(8.0 - 64 / 600_000)  # the first step of the next group
  assert lod(37_503) == lod(37_500)  # read every minibatch_repeats = 4 steps
  assert lod(1_000_000) == 0.0  # 16M images: full resolution, clamped at 0
  paper = pggan.get_config("paper")
  paper.schedule.phase_kimg = 800.0  # the paper's 800k images per phase
  paper_schedule = schedule_from_config(paper)
  assert float(paper_schedule.lod_at(1_200_000 // 16)) == 7.5
  assert float(paper_schedule.lod_at(800_000 // 16)) == 8.0


def test_optimizers_reset_when_a_fade_starts_or_ends():
  tiny = schedule_from_config(pggan.get_config("tiny"))
  lods = [float(tiny.lod_at(step)) for step in range(11)]
  assert lods == [2.0, 2.0, 2.0, 1.75, 1.5, 1.25, 1.0, 1.0, 1.0, 0.75, 0.5]
  assert [s for s in range(11) if tiny.resets_optimizers_at(s)] == [3, 6, 9]
  assert OFFICIAL.resets_optimizers_at(37_504) and not OFFICIAL.resets_optimizers_at(37_508)


def test_adam_restarts_at_the_step_a_fade_starts():
  config = pggan.get_config("tiny")
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  model = trainer.model
  ds = tf.data.Dataset.from_tensors(random_batch(config)).repeat()
  callbacks = model.training_callbacks(config)
  trainer.fit(ds, epochs=1, steps_per_epoch=4, shuffle=False, verbose=0, callbacks=callbacks)
  # steps 0-3 ran; the 8x8 fade starts at step 3 (lod 1.75): Adam was reset before it.
  assert int(trainer.step.numpy()) == 4
  assert {name: int(opt.iterations.numpy()) for name, opt in trainer.optimizers.items()} == {
    "D": 1,
    "G": 1,
  }
  assert float(lod_variable(model.G)) == 1.75
  config.schedule.reset_opt_for_new_lod = False
  assert models.build_model(config).training_callbacks(config) == []


def test_reals_are_box_filtered_and_faded_to_the_lod():
  x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)  # max lod 2 at 4 px
  two = np.array([[2.5, 4.5], [10.5, 12.5]], np.float32)  # 2x2 box means
  two_up = np.repeat(np.repeat(two, 2, 0), 2, 1)
  got = lambda lod: process_reals(x, lod, 2).numpy()[0, :, :, 0]  # noqa: E731
  np.testing.assert_allclose(got(0.0), x[0, :, :, 0])
  np.testing.assert_allclose(got(1.0), two_up)
  np.testing.assert_allclose(got(2.0), np.full((4, 4), 7.5))
  np.testing.assert_allclose(got(0.25), 0.75 * x[0, :, :, 0] + 0.25 * two_up)
  np.testing.assert_allclose(got(1.5), 0.5 * two_up + 0.5 * 7.5)


def test_d_loss_is_the_official_wgan_gp_with_drift():
  config = pggan.get_config("tiny")
  keras.utils.set_random_seed(0)
  model = models.build_model(config)
  rng = np.random.default_rng(0)
  x = tf.constant(rng.uniform(-1, 1, (2, 16, 16, 3)), tf.float32)
  z = tf.constant(rng.normal(size=(2, 8)), tf.float32)
  ctx = StepContext(
    batch=(x,),
    step=tf.constant(4, tf.int64),  # lod 1.5
    global_batch_size=2,
    seed=lambda salt: tf.constant([0, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([0, salt], tf.int32),
    latent=lambda salt: z,
  )
  model._forward(ctx)
  assert float(lod_variable(model.G)) == float(lod_variable(model.D)) == 1.5
  total, logs = model._d_loss(ctx)

  xs = x.numpy()
  box2 = np.repeat(np.repeat(xs.reshape(2, 8, 2, 8, 2, 3).mean((2, 4)), 2, 1), 2, 2)
  box4 = np.repeat(np.repeat(xs.reshape(2, 4, 4, 4, 4, 3).mean((2, 4)), 4, 1), 4, 2)
  reals = tf.constant(0.5 * box2 + 0.5 * box4)  # lod 1.5: between 8x8 and 4x4
  fakes = model.G(z, training=True)
  d = lambda images: model.D(images, training=True)[:, 0]  # noqa: E731
  u = model._mixing_factors(ctx, 2)
  mixed = reals + (fakes - reals) * u  # official lerp(reals, fakes, mixing_factors)
  with tf.GradientTape() as tape:
    tape.watch(mixed)
    mixed_scores = tf.reduce_sum(d(mixed))
  norms = tf.sqrt(tf.reduce_sum(tf.square(tape.gradient(mixed_scores, mixed)), axis=[1, 2, 3]))
  want = d(fakes) - d(reals) + 10.0 * tf.square(norms - 1.0) + 0.001 * tf.square(d(reals))
  np.testing.assert_allclose(total.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(logs["D_real"].numpy(), -d(reals).numpy(), rtol=1e-5, atol=1e-6)
  assert 0.0 < float(tf.reduce_min(u)) and float(tf.reduce_max(u)) < 1.0


def test_paper_config_holds_the_official_defaults():
  c = pggan.get_config("paper")
  assert (c.generator.name, c.generator.latent_size, c.discriminator.mbstd_group_size) == (
    "pggan_generator",
    512,
    4,
  )
  assert (c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2, c.optimizer.epsilon) == (
    0.001,
    0.0,
    0.99,
    1e-8,
  )
  assert (c.loss.wgan_lambda, c.loss.wgan_target, c.loss.wgan_epsilon, c.ema.decay) == (
    10.0,
    1.0,
    0.001,
    0.999,
  )
  assert (c.schedule.lod_training_kimg, c.schedule.lod_transition_kimg) == (600.0, 600.0)
  assert (c.data.crop_size, c.data.flip, c.train.max_steps) == (1024, True, 750_000)
  with pytest.raises(ValueError, match="unknown pggan config variant 'celeba'"):
    pggan.get_config("celeba")


def _train(workdir, max_steps: int) -> models.GANModel:
  config = pggan.get_config("tiny")
  config.train.max_steps, config.train.checkpoint_every = max_steps, 4
  config.train.log_every = config.train.image_every = 8  # fewer TensorBoard writes
  return run.train(config, str(workdir), resume_changed=("train.max_steps",))


def test_a_run_stopped_mid_fade_resumes_at_the_same_lod_and_weights(tmp_path):
  straight = _train(tmp_path / "straight", 8)
  first = _train(tmp_path / "broken", 4)
  assert int(first.step) == 4 and float(lod_variable(first.G)) == 1.75  # stopped mid-fade
  resumed = _train(tmp_path / "broken", 8)
  assert int(resumed.step) == int(straight.step) == 8
  for model in (straight, resumed):
    ema = model.ema_copies["G"]
    assert float(lod_variable(model.G)) == float(lod_variable(model.D)) == 1.0
    assert float(lod_variable(ema)) == 1.0  # the shipped G runs at the lod too
  for want, got in zip(straight.weights, resumed.weights, strict=True):
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6, err_msg=want.path)
  for want, got in zip(
    straight.ema_copies["G"].weights, resumed.ema_copies["G"].weights, strict=True
  ):
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
