"""Triple-GAN (registry "triple_gan"): each loss term on hand-made D and C outputs, R_L blind to
unlabelled rows, R_P's start step, the option errors, two trainer steps that move C, G and D,
the row means over the replicas' rows, 2 replicas == 1 device, and C's held-out accuracy in the
evaluation result."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import triple_gan as triple_gan_config
from tfgan_repro import data
from tfgan_repro.models.contract import StepContext
from tfgan_repro.models.triple_gan import TripleGAN, rows_mean_weights, unsup_rampup
from tfgan_repro.nets.triple_gan_classifier import triple_gan_classifier
from tfgan_repro.tasks import synthesis
from tfgan_repro.training import run

K = 12  # the tiny config's class shapes
SIZE = 16
# Replica 0 of 2 gets 2 labelled rows, replica 1 one: only global row counts give one step.
BATCH = (
  np.random.default_rng(0).uniform(-1, 1, (4, SIZE, SIZE, 3)).astype(np.float32),
  np.array([2, 7, 5, -1], np.int32),
)


def _softplus(v: float) -> float:
  return math.log1p(math.exp(v))


def _const(outputs: np.ndarray, conditional_input: bool) -> keras.Model:
  """A net of x (and class ids) whose outputs are `outputs` for every input (a bias on zeros)."""
  x = keras.Input((SIZE, SIZE, 3))
  dense = keras.layers.Dense(len(outputs), kernel_initializer="zeros")
  out = dense(keras.layers.GlobalAveragePooling2D()(x))
  dense.bias.assign(outputs)
  if not conditional_input:
    return keras.Model(x, out)
  return keras.Model([x, keras.Input((), dtype="int32")], out)


@pytest.fixture(scope="module")
def trained():
  """(config, trainer, weights, history) of the tiny config with SGD 0.1 (Adam's first step,
  lr * sign(g), would turn float noise into full-size differences between strategies): weights
  {"initial", "one_step"} (all trainable variables) and per role before any step; one step on
  BATCH, then one on the pipeline's first batch (its history)."""
  config = triple_gan_config.get_config("tiny")
  config.optimizer.name, config.optimizer.lr, config.optimizer.c_lr = "sgd", 0.1, 0.1
  config.optimizer.n_epochs_decay = 0
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=12)
  nets = trainer.model.networks
  weights = {role: [v.numpy() for v in net.trainable_variables] for role, net in nets.items()}
  weights["initial"] = [v.numpy() for v in trainer.model.trainable_variables]
  trainer.fit(tf.data.Dataset.from_tensors(BATCH), epochs=1, steps_per_epoch=1, verbose=0)
  weights["one_step"] = [v.numpy() for v in trainer.model.trainable_variables]
  dataset = run.train_dataset(config, trainer.contract.sampler, seed=0)
  history = trainer.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0).history
  return config, trainer, weights, history


def _model(trained, D=None, C=None, **kwargs) -> TripleGAN:
  _, trainer, _, _ = trained
  return TripleGAN(
    G=trainer.model.G,
    D=D if D is not None else trainer.model.D,
    C=C if C is not None else trainer.model.C,
    num_classes=K,
    global_batch_size=4,
    **kwargs,
  )


def _ctx(x, labels, step: int = 0) -> StepContext:
  y_fake = tf.constant([1, 2, 3, 4])
  return StepContext(
    batch=(tf.constant(x), tf.constant(labels, tf.int32)),
    step=tf.constant(step, tf.int64),
    global_batch_size=4,
    seed=lambda salt: tf.constant([7, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([7, salt], tf.int32),
    shared={"fake": tf.zeros((4, SIZE, SIZE, 3)), "fake_classes": y_fake},
  )


def test_rows_mean_weights_average_over_the_masked_rows():
  w = rows_mean_weights(tf.constant([True, False, True, False]), 4)
  np.testing.assert_allclose(w, [2.0, 0.0, 2.0, 0.0])
  np.testing.assert_allclose(rows_mean_weights(tf.constant([False, False]), 2), [0.0, 0.0])


def test_each_loss_term_on_hand_made_outputs(trained):
  a = 0.7  # D's logit for every pair
  class_logits = np.zeros(K, np.float32)
  class_logits[5], class_logits[2] = 2.0, 1.0  # C's logits for every image: argmax 5
  model = _model(
    trained,
    D=_const(np.array([a], np.float32), True),
    C=_const(class_logits, False),
    alpha=0.25,
    alpha_cla_adv=0.1,
    alpha_p=0.3,
    alpha_p_start_step=0,
  )
  x = np.zeros((4, SIZE, SIZE, 3), np.float32)
  ctx = _ctx(x, [3, 5, -1, -1])
  log_z = math.log(np.exp(class_logits).sum())
  ce = lambda k: log_z - class_logits[k]  # noqa: E731
  p_max = math.exp(class_logits[5] - log_z)

  total, logs = model._d_loss(ctx)
  # Means over the 2 labelled / 2 unlabelled rows of the batch of 4: per-row weight 2 on them.
  np.testing.assert_allclose(logs["D_real"], [2 * _softplus(-a)] * 2 + [0, 0], rtol=1e-5)
  np.testing.assert_allclose(logs["D_fake_c"], [0, 0] + [0.25 * 2 * _softplus(a)] * 2, rtol=1e-5)
  np.testing.assert_allclose(logs["D_fake_g"], [0.75 * _softplus(a)] * 4, rtol=1e-5)
  np.testing.assert_allclose(total, logs["D_real"] + logs["D_fake_c"] + logs["D_fake_g"])

  total, logs = model._g_loss(ctx)
  np.testing.assert_allclose(logs["G_adv"], [0.75 * _softplus(-a)] * 4, rtol=1e-5)

  total, logs = model._c_loss(ctx)
  want_adv = [0, 0] + [0.1 * 0.25 * 2 * p_max * _softplus(-a)] * 2
  np.testing.assert_allclose(logs["C_adv"], want_adv, rtol=1e-5)
  np.testing.assert_allclose(logs["C_label"], [2 * ce(3), 2 * ce(5), 0, 0], rtol=1e-5)
  np.testing.assert_allclose(logs["C_pseudo"], [0.3 * ce(k) for k in (1, 2, 3, 4)], rtol=1e-5)
  np.testing.assert_array_equal(logs["C_unsup"], [0.0] * 4)  # a deterministic C agrees with itself
  np.testing.assert_allclose(total, logs["C_adv"] + logs["C_label"] + logs["C_pseudo"], rtol=1e-6)


def test_consistency_term_ramps_up_on_unlabelled_rows(trained):
  np.testing.assert_allclose(
    [unsup_rampup(tf.constant(s), 80).numpy() for s in (0, 40, 80, 200)],
    [math.exp(-5.0), math.exp(-5.0 * 0.25), 1.0, 1.0],
    rtol=1e-6,
  )
  keras.utils.set_random_seed(0)
  noisy = triple_gan_classifier(num_classes=K, image_size=SIZE, width=0.0625, norm="none")
  model = _model(trained, C=noisy, unsup_weight=100.0, unsup_rampup_steps=80)
  x = np.random.default_rng(2).uniform(-1, 1, (4, SIZE, SIZE, 3)).astype(np.float32)
  got = model._c_loss(_ctx(x, [0, 1, -1, -1], step=80))[1]["C_unsup"].numpy()
  assert (got[:2] == 0).all() and (got[2:] > 0).all()  # two passes of noise and dropout differ


def test_pseudo_term_starts_at_its_step(trained):
  model = _model(trained, alpha_p_start_step=5)
  x = np.random.default_rng(0).uniform(-1, 1, (4, SIZE, SIZE, 3)).astype(np.float32)
  assert (model._c_loss(_ctx(x, [0, 1, -1, -1], step=4))[1]["C_pseudo"].numpy() == 0).all()
  assert (model._c_loss(_ctx(x, [0, 1, -1, -1], step=5))[1]["C_pseudo"].numpy() > 0).all()


def test_unlabelled_rows_never_enter_r_l(trained):
  model = _model(trained)  # the tiny C: no noise, dropout or batch statistics
  rng = np.random.default_rng(1)
  x = rng.uniform(-1, 1, (4, SIZE, SIZE, 3)).astype(np.float32)
  other = x.copy()
  other[2:] = rng.uniform(-1, 1, (2, SIZE, SIZE, 3))  # new unlabelled images
  r_l = model._c_loss(_ctx(x, [0, 7, -1, -1]))[1]["C_label"].numpy()
  np.testing.assert_array_equal(r_l[2:], [0.0, 0.0])
  np.testing.assert_allclose(model._c_loss(_ctx(other, [0, 7, -1, -1]))[1]["C_label"], r_l)
  # All rows labelled: R_L is the mean over 4 rows, weight 1 each.
  full = model._c_loss(_ctx(x, [0, 7, 3, 3]))[1]["C_label"].numpy()
  np.testing.assert_allclose(full[:2], r_l[:2] / 2, rtol=1e-5)


def test_two_steps_move_every_player_and_log_every_term(trained):
  _, trainer, weights, history = trained
  for role, net in trainer.model.networks.items():
    moved = max(
      float(np.max(np.abs(v.numpy() - w)))
      for v, w in zip(net.trainable_variables, weights[role], strict=True)
    )
    assert moved > 1e-5, role
  names = ("D_real", "D_fake_g", "D_fake_c", "G_adv", "C_adv", "C_label", "C_pseudo", "C_unsup")
  assert set(names) <= set(history)
  assert all(np.isfinite(history[name][0]) for name in names)
  assert set(trainer.model.ema_copies) == {"C"}


def test_evaluation_reports_the_classifier_accuracy(trained):
  config, trainer, _, _ = trained
  model = trainer.model
  result = synthesis.evaluate(config, model, extractor="")
  real, labels = data.image_arrays(config.data, "test", config.eval.num_images)
  logits = model.ema_copies["C"](real, training=False)
  want = float(np.mean(np.argmax(np.asarray(logits), -1) == labels))
  scores = result["model_scores"]["classifier"]
  assert scores["accuracy"] == pytest.approx(want)
  assert scores["num_images"] == 4 and scores["weights"] == "EMA copy"
  assert "classifier: accuracy" in synthesis.format_eval(result)


def test_row_means_count_the_rows_of_every_replica(two_replicas):
  # Replica 0 holds 1 labelled row of its 2, replica 1 holds 2: the mean is over all 3, so 2
  # replicas weigh each labelled row as one device does (global batch 4: weight 4 / 3).
  masks = (tf.constant([True, False]), tf.constant([True, True]))
  values = two_replicas.experimental_distribute_values_from_function(
    lambda ctx: masks[ctx.replica_id_in_sync_group]
  )
  per_replica = tf.function(lambda v: two_replicas.run(rows_mean_weights, args=(v, 4)))(values)
  got = [t.numpy() for t in two_replicas.experimental_local_results(per_replica)]
  np.testing.assert_allclose(np.concatenate(got), [4 / 3, 0.0, 4 / 3, 4 / 3], rtol=1e-6)


def test_step_on_two_replicas_equals_one_device(trained, two_replicas):
  config, _, weights, _ = trained
  trainer = run.build_trainer(config, two_replicas, steps_per_epoch=12)
  for var, value in zip(trainer.model.trainable_variables, weights["initial"], strict=True):
    var.assign(value)
  trainer.fit(tf.data.Dataset.from_tensors(BATCH), epochs=1, steps_per_epoch=1, verbose=0)
  one = weights["one_step"]
  moved = [np.max(np.abs(a - w)) for a, w in zip(one, weights["initial"], strict=True)]
  assert max(moved) > 1e-3
  for a, b in zip(one, trainer.model.trainable_variables, strict=True):
    np.testing.assert_allclose(b.numpy(), a, atol=1e-5, rtol=0)


def test_bad_options_raise(trained):
  with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\], got 1.5"):
    _model(trained, alpha=1.5)
  with pytest.raises(ValueError, match="alpha_p must be >= 0, got -0.1"):
    _model(trained, alpha_p=-0.1)
  with pytest.raises(ValueError, match="once a step, got n_critic 2"):
    _model(trained, n_critic=2)
  with pytest.raises(ValueError, match="gan_mode must be 'nonsaturating'.* got 'hinge'"):
    _model(trained, gan_mode="hinge")
  with pytest.raises(ValueError, match="r1_gamma is not an option of Triple-GAN, got 1.0"):
    _model(trained, r1_gamma=1.0)
  with pytest.raises(ValueError, match="C must map images to 12 class logits"):
    _model(trained, C=_const(np.zeros(3, np.float32), False))
  with pytest.raises(ValueError, match="unsup_weight must be >= 0, got -1.0"):
    _model(trained, unsup_weight=-1.0)
  with pytest.raises(ValueError, match="alpha_p_start_step must be >= 0, got -1"):
    _model(trained, alpha_p_start_step=-1)


def test_configs_hold_the_official_settings():
  c = triple_gan_config.get_config("paper")  # official x2y_yz2x_xy2p_ssl_cifar10.py
  assert (c.model, c.batch_size, c.data.num_labelled, c.data.labelled_per_batch) == (
    "triple_gan",
    200,
    4000,
    100,
  )
  assert (c.loss.alpha, c.loss.alpha_cla_adv, c.loss.alpha_p, c.loss.alpha_p_start_step) == (
    0.5,
    0.01,
    0.1,
    100_000,
  )
  assert (c.loss.unsup_weight, c.loss.unsup_rampup_steps) == (100.0, 40_000)
  assert (c.optimizer.lr, c.optimizer.beta1, c.optimizer.c_lr, c.optimizer.c_beta1) == (
    3e-4,
    0.5,
    3e-3,
    0.9,
  )
  assert (c.ema.c_decay, c.classifier.name, c.data.name, c.generator.z_dim) == (
    0.99,
    "triple_gan_classifier",
    "cifar10",
    100,
  )
  s = triple_gan_config.get_config("shapes32")
  assert (s.data.source, s.conditioning.num_classes, s.data.num_labelled, s.batch_size) == (
    "class_shapes",
    12,
    120,
    64,
  )
