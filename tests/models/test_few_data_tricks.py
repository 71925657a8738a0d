"""The few-data tricks of configs/conditional.py (FEW_DATA_TRICKS) on the class-conditional
model: the tiny config with every trick on (and other combinations) trains 2 steps on its
bbox-cropped data with finite losses and moved weights; sampling with truncation; label
smoothing refused without a loss that has a target."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import conditional
from tfgan_repro import losses
from tfgan_repro.models.conditional_synthesis import ConditionalSynthesis
from tfgan_repro.models.contract import StepContext
from tfgan_repro.training import run

NAMES = tuple(name for name, _ in conditional.FEW_DATA_TRICKS)


def _trained(names: tuple[str, ...]) -> tuple[ConditionalSynthesis, dict, list, list]:
  """(model, fit history, G's and D's weights before) after 2 steps of the tiny config with
  the tricks `names`."""
  config = conditional.get_config("tiny")
  conditional.with_tricks(config, names)
  config.loss.instance_noise_decay_steps = 100  # noise on at the 2 steps
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=2)
  trainer.compile(run_eagerly=True)  # eager: no step tracing (the traced step: test_conformance)
  model = trainer.model
  before = [[v.numpy() for v in net.trainable_variables] for net in (model.G, model.D)]
  data = run.train_dataset(config, trainer.contract.sampler, seed=0)
  history = trainer.fit(data, epochs=1, steps_per_epoch=2, verbose=0).history
  return model, history, *before


def _moved(before: list[np.ndarray], net: keras.Model) -> float:
  return max(
    float(np.abs(a - b.numpy()).max()) for a, b in zip(before, net.trainable_variables, strict=True)
  )


def test_every_trick_on_trains_two_steps():
  model, history, g_before, d_before = _trained(NAMES)
  assert model.gan_mode == "ralsgan" and model.conditioning == "acgan"
  assert model.real_label == 0.9 and model.instance_noise_dist == "uniform"
  assert model.diff_augment == "color,translation,cutout"
  assert {"D_real", "D_fake", "D_reg", "D_cls", "G_adv", "G_cls"} <= set(history)
  assert all(np.isfinite(v).all() for v in history.values())
  assert _moved(g_before, model.G) > 0.0 and _moved(d_before, model.D) > 0.0
  shipped = model.shipped_generators["G"]
  assert shipped is not model.G  # the EMA copy of G
  images = model.sample(4, seed=1, truncation=0.6, classes=[0, 11])
  assert images.shape == (4, 16, 16, 3) and np.isfinite(images).all()
  z = model.latents(4, seed=1, truncation=0.6)
  assert np.abs(z).max() <= 0.6


@pytest.mark.parametrize(
  "names",
  [
    ("ralsgan_acgan",),  # the first row of the table
    # every other trick on the projection D and hinge loss of shapes32
    tuple(n for n in NAMES if n not in ("ralsgan_acgan", "label_smoothing")),
  ],
)
def test_other_combinations_train(names):
  model, history, g_before, _ = _trained(names)
  assert all(np.isfinite(v).all() for v in history.values())
  assert _moved(g_before, model.G) > 0.0


def test_label_smoothing_needs_a_loss_with_a_target():
  config = conditional.get_config("tiny")  # hinge: no target to smooth
  conditional.with_tricks(config, ("label_smoothing",))
  with pytest.raises(ValueError, match="real_label applies to .* got 0.9 with 'hinge'"):
    run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=2)


def test_uniform_noise_reaches_every_d_input_and_decays():
  config = conditional.get_config("tiny")
  conditional.with_tricks(config, ("uniform_noise",))
  model = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=2).model
  zeros = tf.zeros([2, 16, 16, 3])
  ctx = StepContext(
    batch=(zeros, tf.constant([0, 1])),
    step=tf.constant(1500, tf.int64),  # half of decay_steps 3000: std 0.025
    global_batch_size=2,
    seed=lambda salt: tf.constant([7, salt], tf.int32),
    batch_seed=lambda salt: tf.constant([7, salt], tf.int32),
    shared={},
  )
  got = model._d_input(zeros, ctx, 4, 2).numpy()
  want = losses.add_instance_noise(zeros, 0.025, ctx.seed(2), "uniform").numpy()
  np.testing.assert_allclose(got, want, rtol=1e-6)
  assert np.abs(got).max() <= 0.025 * np.sqrt(3.0) + 1e-7 and got.std() > 0.02
  config.loss.instance_noise_dist = "laplace"
  with pytest.raises(ValueError, match="instance_noise_dist must be one of .* got 'laplace'"):
    run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=2)


def test_unknown_trick_names_the_valid_ones():
  with pytest.raises(ValueError, match="unknown few-data trick 'mixup'; valid: ralsgan_acgan"):
    conditional.with_tricks(conditional.get_config("tiny"), ("mixup",))


def test_shapes32_few_is_a_tenth_of_shapes32_for_as_many_steps():
  few, full = conditional.get_config("shapes32_few"), conditional.get_config("shapes32")
  assert few.data.num_train * 10 == full.data.num_train == 12_000
  steps = lambda c: c.data.num_train * c.optimizer.n_epochs_decay // c.batch_size  # noqa: E731
  assert steps(few) == steps(full) == 3000


def test_variant_names_add_tricks_in_order():
  config = conditional.get_config("shapes32_few+ralsgan_acgan+label_smoothing+bbox_crop")
  assert (config.loss.gan_mode, config.conditioning.mode) == ("ralsgan", "acgan")
  assert config.loss.real_label == 0.9 and config.data.bbox_crop is True
  assert config.loss.diff_augment == "" and config.ema.decay == 0.0
  assert config.data.num_train == 1_200
  with pytest.raises(ValueError, match="unknown few-data trick 'mixup'"):
    conditional.get_config("shapes32_few+mixup")
  with pytest.raises(ValueError, match="unknown conditional config variant 'few'"):
    conditional.get_config("few+ema")
