"""StarGAN: the gradient penalty and classification loss values, the target labels, the n_critic
schedule (weights, step counters, learning rate), one step of the tiny config, 2 replicas."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import stargan as stargan_configs
from tfgan_repro import losses
from tfgan_repro.models import stargan
from tfgan_repro.training import run


def _model(
  strategy=None,
  n_critic: int = 2,
  sgd: bool = False,
  batch_size: int = 2,
  steps_per_epoch: int = 10,
) -> tuple:
  """The tiny config's model in its Trainer: Adam from the config (lr constant for
  `steps_per_epoch` steps, then decaying to 0 over as many), or SGD(0.1) (the replica test:
  Adam's first step is lr * sign(g), which turns float noise on zero gradients into full-size
  differences). Returns (config, trainer); the StarGAN is trainer.model."""
  config = stargan_configs.get_config("tiny")
  config.train.n_critic = n_critic
  config.batch_size = batch_size
  if sgd:
    config.optimizer.name, config.optimizer.lr, config.optimizer.n_epochs_decay = "sgd", 0.1, 0
  keras.utils.set_random_seed(0)
  strategy = strategy or tf.distribute.get_strategy()
  return config, run.build_trainer(config, strategy, steps_per_epoch)


def _batch(config, seed: int = 0, batch: int | None = None) -> tuple[tf.Tensor, tf.Tensor]:
  """The data contract: images [B, S, S, 3] in [-1, 1], attributes [B, A] in {0, 1}."""
  rng = np.random.default_rng(seed)
  size, n = config.data.crop_size, batch or config.batch_size
  images = rng.uniform(-1, 1, (n, size, size, 3)).astype(np.float32)
  attributes = rng.integers(0, 2, (n, 4)).astype(np.float32)
  return tf.constant(images), tf.constant(attributes)


def _weights(net: keras.Model) -> list[np.ndarray]:
  return [v.numpy().copy() for v in net.trainable_variables]


def _changed(before: list[np.ndarray], net: keras.Model) -> bool:
  return any(not np.array_equal(a, b) for a, b in zip(before, _weights(net), strict=True))


def test_gradient_penalty_of_a_linear_critic_is_norm_minus_one_squared():
  # D_src(x) = sum(w * x): its gradient is w at every x_hat, so GP = (||w||_2 - 1)^2 exactly.
  w = np.random.default_rng(0).normal(size=(4, 4, 3, 1)).astype(np.float32)
  image = keras.Input((4, 4, 3))
  src = keras.layers.Conv2D(1, 4, use_bias=False, name="src")(image)  # (N, 1, 1, 1)
  cls = keras.layers.Reshape((1,))(src)
  D = keras.Model(image, [src, cls])
  D.get_layer("src").kernel.assign(w)
  rng = np.random.default_rng(1)
  real, fake = (tf.constant(rng.uniform(-1, 1, (3, 4, 4, 3)), tf.float32) for _ in range(2))
  alpha = tf.constant([0.0, 0.3, 1.0], shape=(3, 1, 1, 1))
  gp = stargan.src_gradient_penalty(D, real, fake, alpha).numpy()
  expected = (np.linalg.norm(w) - 1.0) ** 2
  np.testing.assert_allclose(gp, [expected] * 3, rtol=1e-5)


def test_classification_loss_is_bce_summed_over_labels_averaged_over_the_batch():
  logits = tf.constant([[0.0, 2.0], [-1.0, 0.0]])
  labels = tf.constant([[1.0, 0.0], [1.0, 1.0]])
  # ln 2 + ln(1 + e^2); ln(1 + e) + ln 2 (official BCE with size_average=False, per example)
  expected = [np.log(2) + np.log1p(np.e**2), np.log1p(np.e) + np.log(2)]
  np.testing.assert_allclose(losses.attribute_bce(logits, labels), expected, rtol=1e-6)
  # The model's D_cls: that loss of D_cls(x) against the true labels, averaged over the batch.
  config, trainer = _model()
  images, attributes = _batch(config)
  _, cls_real = trainer.model.D(images, training=True)
  want = float(tf.reduce_mean(losses.attribute_bce(cls_real, attributes)))
  assert float(trainer.train_step((images, attributes))["D_cls"]) == pytest.approx(want, rel=1e-5)


def test_target_labels_permute_the_batch_and_change_with_the_step():
  model = _model()[1].model
  labels = tf.constant(np.arange(8 * 2, dtype=np.float32).reshape(8, 2))
  targets = [model.target_labels(labels, tf.constant(step)).numpy() for step in (0, 0, 1)]
  assert sorted(map(tuple, targets[0])) == sorted(map(tuple, labels.numpy()))
  np.testing.assert_array_equal(targets[0], targets[1])  # a function of (seed, step)
  assert not np.array_equal(targets[0], targets[2])


def test_generator_steps_once_every_n_critic_steps():
  config, trainer = _model(n_critic=5)
  model = trainer.model
  step = tf.function(trainer.train_step)  # graph mode, as fit runs it
  for i in range(1, 6):
    g_before, d_before = _weights(model.G), _weights(model.D)
    logs = step(_batch(config, seed=i))
    assert _changed(d_before, model.D)  # official: D every iteration
    assert _changed(g_before, model.G) == (i == 5)  # official: (i + 1) % n_critic == 0, 0-based
    assert (float(logs["G_rec"]) > 0.0) == (i == 5)  # G's means count its steps only
    assert int(trainer.step.numpy()) == int(model.step.numpy()) == i  # training steps
    assert int(trainer.optimizers["G"].iterations.numpy()) == (i == 5)


def test_generator_schedule_is_indexed_by_the_training_step():
  # tiny: lr 1e-4 for one "epoch" of 2 steps (steps_per_epoch=2), then halved, then 0.
  _, trainer = _model(n_critic=2, steps_per_epoch=2)
  g, d = trainer.optimizers["G"], trainer.optimizers["D"]
  rates = []
  for g_steps, step in ((0, 1), (1, 3), (2, 5)):  # G's k-th update happens at step 2(k + 1) - 1
    g.iterations.assign(g_steps)
    d.iterations.assign(step)
    trainer.step.assign(step)
    rates.append(float(d.learning_rate))
    assert float(g.learning_rate) == pytest.approx(rates[-1])
  np.testing.assert_allclose(rates, [1e-4, 5e-5, 0.0], atol=1e-12)


def test_one_step_of_the_tiny_config_trains_both_players():
  config, trainer = _model(n_critic=1)
  model = trainer.model
  g_before, d_before = _weights(model.G), _weights(model.D)
  logs = trainer.train_step(_batch(config))
  assert set(logs) == set(stargan.LOSS_NAMES)
  assert all(np.isfinite(float(v)) for v in logs.values())
  assert _changed(g_before, model.G) and _changed(d_before, model.D)
  assert model.generators == {"G": model.G}
  assert [t.name for t in model.G.inputs] == ["image", "attributes"]


def test_edit_condition_and_display_columns():
  config, trainer = _model()
  model = trainer.model
  a = tf.constant([[0.0, 1.0, 1.0, 0.0]])
  np.testing.assert_array_equal(model.edit_condition(a).numpy(), a.numpy())
  images, attributes = _batch(config)
  grids = model.display_images(images, attributes)
  assert list(grids["edits"]) == [
    "input",
    "reconstruction",
    "flip_glasses",
    "flip_smile",
    "flip_dark_hair",
    "flip_beard",
  ]
  assert all(v.shape == images.shape for v in grids["edits"].values())


def test_two_replicas_step_equals_one_device(two_replicas):
  # Targets and alpha are drawn over the global batch, and the G phase (interval n_critic) is gated
  # by the trainer under MirroredStrategy: the same steps on 1 and on 2 replicas.
  results = []
  for strategy in (
    tf.distribute.OneDeviceStrategy("/cpu:0"),
    two_replicas,
  ):
    config, trainer = _model(strategy, n_critic=2, sgd=True, batch_size=4)
    data = tf.data.Dataset.from_tensors(_batch(config, batch=4)).repeat()
    trainer.fit(data, epochs=1, steps_per_epoch=2, shuffle=False, verbose=0)
    assert int(trainer.optimizers["G"].iterations.numpy()) == 1
    results.append([v.numpy() for v in trainer.model.trainable_variables])
  for one, two in zip(*results, strict=True):
    np.testing.assert_allclose(one, two, atol=1e-5)


def test_paper_config_holds_the_official_celeba_defaults():
  config = stargan_configs.get_config("paper")
  assert (config.batch_size, config.train.n_critic, config.data.crop_size) == (16, 5, 128)
  assert (config.optimizer.lr, config.optimizer.beta1, config.optimizer.beta2) == (1e-4, 0.5, 0.999)
  assert dict(config.loss) == {"lambda_cls": 1.0, "lambda_rec": 10.0, "lambda_gp": 10.0}
  # num_iters 200000 = (n_epochs + n_epochs_decay) "epochs" of lr_update_step 1000 iterations
  assert run.make_schedule(config).total_steps == 200_000
  assert config.data.attributes.split(",") == [
    "Black_Hair",
    "Blond_Hair",
    "Brown_Hair",
    "Male",
    "Young",
  ]
  default = stargan_configs.get_config()
  assert default.data.source == "faces" and default.eval.slider == (0.0, 5.0)
  assert 64 // 2**default.discriminator.repeat_num == 2  # the official 2x2 last map of D
