"""CycleCGAN: the domain condition of each view, the no-op and cycle terms, one step of the tiny
config, the edit contract."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from configs import cycle_cgan as cycle_cgan_configs
from tfgan_repro.layers import ConcatCondition
from tfgan_repro.models import cycle_cgan, cycle_gan
from tfgan_repro.nets import conditional_network, patch
from tfgan_repro.training import run
from tfgan_repro.training.trainer import Trainer

SIZE = 32  # the tiny 70x70 PatchGAN needs >= 32 px (a 2x2 map)


def _tiny_d() -> keras.Model:
  return conditional_network(patch(input_channels=4, ndf=4), condition_size=1, name="D")


def _model(G: keras.Model, D: keras.Model | None = None) -> cycle_cgan.CycleCGAN:
  return cycle_cgan.CycleCGAN(G=G, D=D or _tiny_d(), image_shape=(SIZE, SIZE, 3), pool_size=2)


def _condition_echo(name: str) -> keras.Model:
  """[image, c] -> c at every pixel, on 3 channels: shows the condition a view passes."""
  image, c = keras.Input((None, None, 3), name="image"), keras.Input((1,), name="attributes")
  x = ConcatCondition()([image, c])  # (N, H, W, 4)
  out = keras.layers.Conv2D(3, 1, use_bias=False, kernel_initializer="zeros", name="echo")(x)
  model = keras.Model([image, c], out, name=name)
  kernel = np.zeros((1, 1, 4, 3), np.float32)
  kernel[..., 3, :] = 1.0  # every output channel = the condition channel
  model.get_layer("echo").kernel.assign(kernel)
  return model


def _identity_generator() -> keras.Model:
  """G(x, c) = x + conv(x, c) with the conv at zero: the identity, with weights to train."""
  image, c = keras.Input((None, None, 3), name="image"), keras.Input((1,), name="attributes")
  delta = keras.layers.Conv2D(3, 1, kernel_initializer="zeros")(ConcatCondition()([image, c]))
  return keras.Model([image, c], keras.layers.Add()([image, delta]), name="G")


def _images(seed: int, n: int = 1, size: int = SIZE) -> tf.Tensor:
  return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 3)), tf.float32)


def test_views_pass_plus_one_for_b_and_minus_one_for_a():
  model = _model(_condition_echo("G"))
  x = _images(0, n=2)
  np.testing.assert_array_equal(model.G_AB(x).numpy(), 1.0)  # G(x, +1): A -> B
  np.testing.assert_array_equal(model.G_BA(x).numpy(), -1.0)
  D = _condition_echo("D")
  model = _model(_identity_generator(), D)
  np.testing.assert_array_equal(model.D_B(x).numpy(), 1.0)  # D_B judges domain B: c = +1
  np.testing.assert_array_equal(model.D_A(x).numpy(), -1.0)


def test_no_op_and_cycle_terms_vanish_for_an_identity_generator():
  trainer = Trainer(_model(_identity_generator()), steps_per_epoch=1)
  logs = trainer.train_step((_images(1), _images(2)))
  for name in ("idt_A", "idt_B", "cycle_A", "cycle_B"):
    assert float(logs[name]) == 0.0
  assert float(logs["G_AB_adv"]) > 0.0 and float(logs["D_A"]) > 0.0


def _tiny():
  config = cycle_cgan_configs.get_config("tiny")
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=10)
  return config, trainer.model, trainer


def test_no_op_terms_use_the_target_domain_condition():
  config, model, trainer = _tiny()
  x, y = _images(3, size=64), _images(4, size=64)
  one = tf.ones([1, 1])
  # 10 * 0.5 * |G(y, +1) - y| and |G(x, -1) - x| with the weights before the step.
  idt_a = 5.0 * float(tf.reduce_mean(tf.abs(model.G([y, one], training=True) - y)))
  idt_b = 5.0 * float(tf.reduce_mean(tf.abs(model.G([x, -one], training=True) - x)))
  logs = trainer.train_step((x, y))
  np.testing.assert_allclose(float(logs["idt_A"]), idt_a, rtol=1e-4)
  np.testing.assert_allclose(float(logs["idt_B"]), idt_b, rtol=1e-4)


def test_one_step_of_the_tiny_config_trains_the_shared_nets():
  config, model, trainer = _tiny()
  assert config.data.attributes == "glasses" and config.eval.slider == (-3.0, 3.0)
  assert [t.name for t in model.G.inputs] == ["image", "attributes"]
  assert model.G.get_layer("G_net").input_shape == (None, None, None, 4)  # 3 + 1 channels
  assert model.D.get_layer("D_net").input_shape == (None, None, None, 4)
  nets = (model.G, model.D)
  g_vars = trainer.contract.player("G").variables
  assert len({id(v) for v in g_vars}) == len(g_vars) == len(model.G.trainable_variables)
  before = {net.name: [v.numpy().copy() for v in net.trainable_variables] for net in nets}
  logs = trainer.train_step((_images(5, size=64), _images(6, size=64)))
  assert set(logs) == set(cycle_gan.LOSS_NAMES)
  assert all(np.isfinite(float(v)) for v in logs.values())
  for net in nets:
    after = [v.numpy() for v in net.trainable_variables]
    assert any(not np.array_equal(a, b) for a, b in zip(before[net.name], after, strict=True))
  assert int(model.step.numpy()) == 1


def test_generators_directions_and_edit_condition():
  config, model, _ = _tiny()
  assert model.generators == {"G": model.G}
  assert model.directions == {"G": ("A", "A")}  # images edited (AttributeEditor)
  x = _images(7, size=64)
  np.testing.assert_array_equal(
    model.edit(x, tf.ones([1, 1])).numpy(), model.G([x, tf.ones([1, 1])], training=False).numpy()
  )
  np.testing.assert_array_equal(
    model.edit_condition(tf.constant([[0.0], [1.0], [0.5]])).numpy(), [[-1.0], [1.0], [0.0]]
  )


def test_default_config_holds_cyclegans_training_defaults():
  config = cycle_cgan_configs.get_config()
  assert (config.model, config.generator.name, config.data.crop_size) == (
    "cycle_cgan",
    "unet_64",
    64,
  )
  assert (config.data.source, config.data.attributes) == ("faces", "glasses")
  loss = config.loss
  assert (loss.gan_mode, loss.lambda_a, loss.lambda_b, loss.lambda_identity) == (
    "lsgan",
    10.0,
    10.0,
    0.5,
  )
  assert (config.optimizer.lr, config.optimizer.beta1, config.batch_size) == (2e-4, 0.5, 1)
  assert config.train.pool_size == 50 and config.eval.slider == (-3.0, 3.0)
