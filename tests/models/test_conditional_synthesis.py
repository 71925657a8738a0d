"""The class-conditional model (registry "conditional_gan"): the losses of each conditioning on
hand-made logits, the orthogonal penalty by hand, the trainer's class draw, one trainer step of
each conditioning (and of BigGAN's nets with ortho_reg and two D steps), sampling."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import conditional
from tfgan_repro.models import conditional_synthesis as cs
from tfgan_repro.models.contract import StepContext
from tfgan_repro.training import run

K = 12  # the tiny config's class shapes


def _config(variant: str = "tiny", **overrides):
  config = conditional.get_config(variant)
  config.update_from_flattened_dict(overrides)
  return config


def _trainer(config):
  keras.utils.set_random_seed(0)
  return run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=10)


def _const_d(outputs: np.ndarray, size: int = 16) -> keras.Model:
  """A D of [x, y] whose outputs are `outputs` [C] for every input (a bias on zeros)."""
  x = keras.Input((size, size, 3))
  y = keras.Input((), dtype="int32")
  zero = keras.layers.GlobalAveragePooling2D()(x)
  dense = keras.layers.Dense(len(outputs), kernel_initializer="zeros")
  out = dense(zero)
  dense.bias.assign(outputs)
  return keras.Model([x, y], out)


def test_class_cross_entropy_value():
  got = cs.class_cross_entropy(tf.constant([[0.0, math.log(3.0)], [0.0, 0.0]]), tf.constant([1, 0]))
  np.testing.assert_allclose(got, [math.log(4.0 / 3.0), math.log(2.0)], rtol=1e-6)


def test_acgan_losses_on_hand_made_logits():
  trainer = _trainer(_config(**{"loss.gan_mode": "nonsaturating"}))
  logits = np.zeros(1 + K, np.float32)
  logits[0], logits[1 + 3], logits[1 + 5] = 0.5, 2.0, 1.0  # D(x) = 0.5, class logits
  model = cs.ConditionalSynthesis(
    G=trainer.model.G,
    D=_const_d(logits),
    num_classes=K,
    conditioning="acgan",
    ac_weight=0.5,
    global_batch_size=2,
    gan_mode="nonsaturating",
  )
  real = tf.zeros((2, 16, 16, 3))
  y_real, y_fake = tf.constant([3, 0]), tf.constant([5, 3])
  ctx = StepContext(
    batch=(real, y_real),
    step=tf.constant(0, tf.int64),
    global_batch_size=2,
    seed=lambda salt: tf.constant([7, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([7, salt], tf.int32),
    shared={"fake": real, "fake_classes": y_fake},
  )
  log_z = np.log(np.exp(logits[1:]).sum())
  ce = lambda k: log_z - logits[1 + k]  # noqa: E731
  softplus = lambda v: math.log1p(math.exp(v))  # noqa: E731
  total, logs = model._d_loss(ctx)
  np.testing.assert_allclose(logs["D_real"], [softplus(-0.5)] * 2, rtol=1e-5)
  np.testing.assert_allclose(logs["D_fake"], [softplus(0.5)] * 2, rtol=1e-5)
  want_cls = 0.5 * np.array([ce(3) + ce(5), ce(0) + ce(3)])
  np.testing.assert_allclose(logs["D_cls"], want_cls, rtol=1e-5)
  np.testing.assert_allclose(total, softplus(-0.5) + softplus(0.5) + want_cls, rtol=1e-5)
  g_total, g_logs = model._g_loss(ctx)
  np.testing.assert_allclose(g_logs["G_cls"], 0.5 * np.array([ce(5), ce(3)]), rtol=1e-5)
  np.testing.assert_allclose(g_total, softplus(-0.5) + g_logs["G_cls"], rtol=1e-5)
  assert model.contract().phases[0].logs == ("D_real", "D_fake", "D_reg", "D_cls")


def test_projection_d_sees_each_example_with_its_own_class():
  config = _config(**{"discriminator.spectral_norm": False})
  model = _trainer(config).model
  real = tf.random.stateless_uniform((2, 16, 16, 3), (1, 1), -1.0, 1.0)
  ctx = StepContext(
    batch=(real, tf.constant([0, 7])),
    step=tf.constant(0, tf.int64),
    global_batch_size=2,
    seed=lambda salt: tf.constant([7, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([7, salt], tf.int32),
    shared={"fake": real, "fake_classes": tf.constant([7, 0])},
  )
  _, logs = model._d_loss(ctx)
  r = model.D([real, tf.constant([0, 7])], training=True).numpy()[:, 0]
  f = model.D([real, tf.constant([7, 0])], training=True).numpy()[:, 0]
  np.testing.assert_allclose(logs["D_real"], np.maximum(1.0 - r, 0.0), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(logs["D_fake"], np.maximum(1.0 + f, 0.0), rtol=1e-5, atol=1e-6)


def test_orthogonal_penalty_by_hand():
  w = tf.Variable([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]])  # Keras [in 3, out 2] -> W [2, 3]
  m = np.array([[1.0, 3.0, 0.0], [2.0, 4.0, 1.0]])
  off = (m @ m.T)[0, 1]  # 14
  np.testing.assert_allclose(cs.orthogonal_penalty([w]), 0.5 * 2 * off**2, rtol=1e-6)


def test_the_trainer_draws_classes_per_step_and_salt():
  trainer = _trainer(_config())
  batch = (tf.zeros((64, 16, 16, 3)), tf.zeros((64,), tf.int32))
  a = trainer.classes(batch, tf.constant(3, tf.int64), 0).numpy()
  assert a.dtype == np.int32 and a.min() >= 0 and a.max() < K and len(set(a)) > 6
  np.testing.assert_array_equal(a, trainer.classes(batch, tf.constant(3, tf.int64), 0))
  assert not np.array_equal(a, trainer.classes(batch, tf.constant(3, tf.int64), 1))
  assert not np.array_equal(a, trainer.classes(batch, tf.constant(4, tf.int64), 0))


def _biggan_config():
  config = _config("biggan", batch_size=2, **{"loss.ortho_reg": 1e-4, "train.n_critic": 2})
  config.generator.update(ch=4, dim_z=8, shared_dim=4, attention=16)
  config.discriminator.update(ch=4, attention=0)
  config.conditioning.num_classes = 3
  config.data.crop_size = 32
  config.ema.start_step = 0
  return config


@pytest.mark.parametrize("mode", ["concat", "acgan", "projection", "biggan"])
def test_one_step_of_each_conditioning_has_finite_losses(mode):
  if mode == "biggan":
    config = _biggan_config()
  else:
    variant = {"concat": "cgan", "acgan": "acgan", "projection": "tiny"}[mode]
    config = _config(variant)
    if variant != "tiny":  # the tiny widths and data
      tiny = _config()
      config.update(
        batch_size=2,
        data=tiny.data,
        generator={**config.generator, "ch": 8, "z_dim": 8},
      )
      config.discriminator.ch = 8
      config.conditioning.num_classes = K
  trainer = _trainer(config)
  trainer.compile(run_eagerly=True)  # eager: no step tracing (the traced step: test_conformance)
  size, classes = config.data.crop_size, config.conditioning.num_classes
  x = np.random.default_rng(0).uniform(-1, 1, (2, size, size, 3)).astype(np.float32)
  data = tf.data.Dataset.from_tensors((x, np.array([0, classes - 1], np.int32))).repeat()
  before = [v.numpy() for v in trainer.model.G.trainable_variables]
  history = trainer.fit(data, epochs=1, steps_per_epoch=2, verbose=0).history
  want = {"D_real", "D_fake", "D_reg", "G_adv"} | ({"D_cls", "G_cls"} if mode == "acgan" else set())
  assert want <= set(history)
  assert all(np.isfinite(v[-1]) for v in history.values())
  moved = max(
    float(np.abs(a - b.numpy()).max())
    for a, b in zip(before, trainer.model.G.trainable_variables, strict=True)
  )
  assert moved > 0.0  # G took its step (biggan: at step 2 of n_critic 2)
  model = trainer.model
  assert model.contract().sampler.num_classes == classes
  images = model.sample(3, seed=1, classes=[classes - 1])
  assert images.shape == (3, size, size, 3) and np.isfinite(images).all()


def test_option_errors_name_the_value():
  trainer = _trainer(_config())
  G, D = trainer.model.G, trainer.model.D
  with pytest.raises(ValueError, match="conditioning must be one of .* got 'film'"):
    cs.ConditionalSynthesis(G=G, D=D, num_classes=K, conditioning="film", global_batch_size=2)
  with pytest.raises(ValueError, match="D gives 1 outputs; conditioning 'acgan'"):
    cs.ConditionalSynthesis(G=G, D=D, num_classes=K, conditioning="acgan", global_batch_size=2)
  with pytest.raises(ValueError, match="ADA"):
    cs.ConditionalSynthesis(G=G, D=D, num_classes=K, global_batch_size=2, ada_p=0.2)


def test_training_data_must_carry_labels():
  config = _config(**{"data.dataset_mode": "images"})
  with pytest.raises(
    ValueError, match="trains on 'latent_class' batches: set it to 'labelled_images'"
  ):
    run.train_dataset(config, _trainer(_config()).contract.sampler, seed=0)
