"""ADA in the synthesis model: the p controller's official step (models/ada_controller.py), its
checkpointed state, D seeing every image through the pipeline (losses and R1), the option checks,
and a trainer step with ADA on 2 replicas equal to 1 device."""

from __future__ import annotations

import keras
import ml_collections
import numpy as np
import pytest
import tensorflow as tf

from configs import dcgan
from tests.tiny_models import random_batch
from tfgan_repro import losses, models
from tfgan_repro.models import synthesis
from tfgan_repro.models.ada_controller import AdaController
from tfgan_repro.models.contract import StepContext
from tfgan_repro.training import run


def _stats(ada: AdaController) -> tuple[float, float, float]:
  return tuple(float(tf.convert_to_tensor(v)) for v in (ada.p, ada.signs, ada.count))


def test_controller_moves_p_by_the_official_step_every_interval():
  ada = AdaController(target=0.6, interval=2, kimg=500.0, global_batch_size=4)
  step = 4 * 2 / 500_000  # batch x interval / (ada_kimg x 1000)
  per_example = ada.observe(tf.constant([[1.0], [2.0], [0.5], [-3.0]]))
  np.testing.assert_array_equal(per_example, [1, 1, 1, -1])
  ada.update(tf.constant(0, tf.int64))  # step 0: (0 + 1) % 2 != 0, nothing
  assert _stats(ada) == (0.0, 2.0, 4.0)
  ada.observe(tf.ones([4, 1]))
  ada.update(tf.constant(1, tf.int64))  # r_t = 6 / 8 = 0.75 > 0.6: up, statistic restarted
  np.testing.assert_allclose(_stats(ada), (step, 0.0, 0.0), atol=1e-9)
  for i in (2, 3):
    ada.observe(-tf.ones([4, 1]))
    ada.update(tf.constant(i, tf.int64))
  assert _stats(ada) == (0.0, 0.0, 0.0)  # r_t = -1: down by one step to 0
  for i in (4, 5):
    ada.observe(tf.constant([[1.0], [1.0], [1.0], [-1.0]]))  # r_t = 0.5 < 0.6
    ada.update(tf.constant(i, tf.int64))
  assert _stats(ada) == (0.0, 0.0, 0.0)  # clipped at 0
  # A patch D: the mean sign of each example, the statistic over every logit.
  np.testing.assert_array_equal(ada.observe(tf.constant([[1.0, -1.0], [1.0, 1.0]])), [0.0, 1.0])
  assert _stats(ada)[1:] == (2.0, 4.0)


def test_fixed_p_stays_and_keeps_no_statistic():
  ada = AdaController(target=0.0, p=0.3, global_batch_size=4)
  ada.observe(tf.ones([4, 1]))
  ada.update(tf.constant(3, tf.int64))
  np.testing.assert_allclose(_stats(ada), (0.3, 0.0, 0.0))
  with pytest.raises(ValueError, match="p is the fixed probability, for target 0"):
    AdaController(target=0.6, p=0.3, global_batch_size=4)


def _config(**loss) -> ml_collections.ConfigDict:
  config = dcgan.get_config("tiny")
  config.loss.update(loss)
  return config


def test_p_and_statistic_survive_a_checkpoint_round_trip(tmp_path):
  strategy = tf.distribute.get_strategy()
  trainer = run.build_trainer(_config(ada_target=0.6), strategy, steps_per_epoch=1)
  ada = trainer.model.ada
  ada.p.assign(0.25)
  ada.signs.assign(3.0)
  ada.count.assign(4.0)
  path = tf.train.Checkpoint(**trainer.checkpoint_items()).write(str(tmp_path / "ckpt"))
  other = run.build_trainer(_config(ada_target=0.6), strategy, steps_per_epoch=1)
  assert _stats(other.model.ada) == (0.0, 0.0, 0.0)
  tf.train.Checkpoint(**other.checkpoint_items()).read(path).assert_existing_objects_matched()
  assert _stats(other.model.ada) == (0.25, 3.0, 4.0)


def _softplus(x):
  return np.log1p(np.exp(x))


def test_d_sees_real_and_fake_through_ada_in_both_steps_and_r1():
  config = _config(ada_p=1.0, ada_pipeline="bgc", r1_gamma=4.0)
  keras.utils.set_random_seed(0)
  model = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1).model
  rng = np.random.default_rng(0)
  real, fake = (tf.constant(rng.uniform(-1, 1, (2, 16, 16, 3)), tf.float32) for _ in range(2))
  ctx = StepContext(
    batch=(real,),
    step=tf.constant(3, tf.int64),
    global_batch_size=2,
    seed=lambda salt: tf.constant([7, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([7, salt], tf.int32),
    shared={"fake": fake},
  )

  def seen(x, salt):  # the pipeline at p = 1, the step's batch seed of salt, ADA stream
    seed = tf.random.experimental.stateless_fold_in(ctx.batch_seed(salt), synthesis._ADA_STREAM)
    return losses.ada_augment(x, 1.0, seed, "bgc")

  def logits(x):
    return np.asarray(model.D(x, training=True)).reshape(-1)

  total, logs = model._d_loss(ctx)
  aug_real = seen(real, synthesis._AUG_REAL)
  assert np.abs(aug_real - real).max() > 0.1  # really augmented
  np.testing.assert_allclose(logs["D_real"], _softplus(-logits(aug_real)), rtol=1e-5)
  np.testing.assert_allclose(
    logs["D_fake"], _softplus(logits(seen(fake, synthesis._AUG_FAKE))), rtol=1e-5
  )
  np.testing.assert_array_equal(logs["signs_real"], np.sign(logits(aug_real)))
  np.testing.assert_array_equal(logs["augment_p"], [1.0, 1.0])
  # R1 on the un-augmented reals, through the augmentation (official run_D inside R1).
  with tf.GradientTape() as tape:
    tape.watch(real)
    out = tf.reduce_sum(model.D(seen(real, synthesis._AUG_REAL), training=True))
  grad_sq = np.sum(np.square(tape.gradient(out, real).numpy()).reshape(2, -1), axis=1)
  np.testing.assert_allclose(logs["D_reg"], 0.5 * 4.0 * grad_sq, rtol=1e-4)
  np.testing.assert_allclose(total, logs["D_real"] + logs["D_fake"] + logs["D_reg"], rtol=1e-5)
  _, g_logs = model._g_loss(ctx)
  np.testing.assert_allclose(
    g_logs["G_adv"], _softplus(-logits(seen(fake, synthesis._AUG_G))), rtol=1e-5
  )
  contract = model.contract()
  assert contract.phases[0].logs == synthesis.D_LOSS_NAMES + synthesis.ADA_LOG_NAMES
  assert contract.phases[1].after is not None  # p's update after the step's last phase


@pytest.mark.parametrize(
  "variant, loss, match",
  [
    ("tiny", {"ada_target": 0.6, "diff_augment": "color"}, "diff_augment and ADA"),
    ("tiny", {"ada_target": 0.6, "ada_p": 0.2}, "p is the fixed probability, for target 0"),
    ("tiny", {"ada_target": 0.6, "ada_pipeline": "bgcfnc"}, "pipeline must be one of"),
    ("tiny", {"ada_target": 1.5}, r"target must be in \[0, 1\], got 1.5"),
    ("ring8", {"ada_target": 0.6}, "ADA augments images; G makes points"),
  ],
)
def test_bad_ada_options_raise(variant, loss, match):
  config = dcgan.get_config(variant)
  config.loss.update(loss)
  with pytest.raises(ValueError, match=match):
    run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)


def _two_steps(config, strategy, weights, batch) -> tuple[list[np.ndarray], float, dict]:
  """Two SGD steps (as tests/test_conformance.py) from `weights` with p starting at 0.5."""
  trainer = run.build_trainer(config, strategy, steps_per_epoch=2)
  model = trainer.model
  for var, value in zip(model.trainable_variables, weights, strict=True):
    var.assign(value)
  model.ada.p.assign(0.5)
  history = trainer.fit(
    tf.data.Dataset.from_tensors(batch).repeat(), epochs=1, steps_per_epoch=2, verbose=0
  )
  return [v.numpy() for v in model.trainable_variables], _stats(model.ada)[0], history.history


def test_steps_with_ada_on_two_replicas_equal_steps_on_one_device(two_replicas):
  config = _config(ada_target=0.6, ada_interval=1, ada_kimg=0.004)  # p moves 2 / 4 per step
  config.generator.ngf = config.discriminator.ndf = 16  # as tests/test_conformance.py
  config.optimizer.name, config.optimizer.lr, config.optimizer.n_epochs_decay = "sgd", 0.1, 0
  keras.utils.set_random_seed(0)
  weights = [v.numpy() for v in models.build_model(config).trainable_variables]
  batch = random_batch(config)
  one = _two_steps(config, tf.distribute.OneDeviceStrategy("/cpu:0"), weights, batch)
  two = _two_steps(config, two_replicas, weights, batch)
  assert one[1] in (0.0, 0.5, 1.5) and one[1] == two[1]  # p: 0.5 +- 0.5 twice, clipped at 0
  np.testing.assert_allclose(two[2]["augment_p"], one[2]["augment_p"])  # p of the steps' D
  np.testing.assert_allclose(two[2]["signs_real"], one[2]["signs_real"])
  for a, b in zip(one[0], two[0], strict=True):
    np.testing.assert_allclose(b, a, atol=1e-5, rtol=0)
