"""config.train.precision: every registered model's tiny config trains under mixed_bfloat16 with
float32 weights and bfloat16 compute; mixed_float16 scales the loss (LossScaleOptimizer) and
takes the float32 step; the custom layers compute under a mixed policy; the bench times each
precision. A toy of scalar nets (net(x) = w x, batch x = [1, 2], dL/dw = mean(x) = 1.5) makes
the loss-scaled SGD updates numbers computed by hand."""

from __future__ import annotations

import keras
import ml_collections
import numpy as np
import pytest
import tensorflow as tf

from configs import common
from tests.tiny_models import TRAINABLE, random_batch, tiny_config
from tfgan_repro import layers, models
from tfgan_repro.models.contract import Contract, Optimizer, Phase, Player, Sampler
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.training import benchmark, precision, run
from tfgan_repro.training.trainer import Trainer


def _tiny_config(name: str, precision_name: str) -> ml_collections.ConfigDict:
  config = tiny_config(name)
  config.train.precision = precision_name
  return config


def _steps(trainer: Trainer, batch: tuple, steps: int) -> dict[str, float]:
  """`steps` calls of the trainer's train_step as a tf.function (an eager tape through a
  transposed conv crashes TF on CPU, docs/pitfalls.md); the logs of the last."""
  batch = tuple(tf.constant(x) for x in batch)
  step = tf.function(trainer.train_step)
  for _ in range(steps):
    logs = step(batch)
  return {name: float(value) for name, value in logs.items()}


def _fit(trainer: Trainer, batch: tuple, steps: int) -> dict[str, float]:
  ds = tf.data.Dataset.from_tensors(batch).repeat()
  history = trainer.fit(ds, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
  return {name: values[-1] for name, values in history.history.items()}


@pytest.mark.parametrize("name", TRAINABLE)
def test_mixed_bfloat16_trains_the_tiny_config_with_float32_weights(name):
  config = _tiny_config(name, "mixed_bfloat16")
  keras.utils.set_random_seed(0)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  assert keras.mixed_precision.dtype_policy().name == "float32"  # restored after the build
  networks = [net for player in trainer.contract.players for net in player.networks]
  weighted = [
    layer
    for net in networks
    for layer in net._flatten_layers(include_self=False)
    if layer.weights and not isinstance(layer, keras.Model)
  ]
  assert weighted and {layer.compute_dtype for layer in weighted} == {"bfloat16"}
  assert {layer.variable_dtype for layer in weighted} == {"float32"}
  # Images and logits leave the nets in float32 (pix2pixHD's D features: the losses cast them).
  assert {net.outputs[-1].dtype for net in networks} == {"float32"}
  before = [v.numpy() for v in trainer.model.trainable_variables]

  logs = _steps(trainer, random_batch(config), steps=2)

  assert logs and all(np.isfinite(value) for value in logs.values()), logs
  assert {v.dtype for v in trainer.model.trainable_variables} == {"float32"}
  floats = [v.numpy() for v in trainer.model.weights if v.dtype == "float32"]
  assert all(np.all(np.isfinite(value)) for value in floats)
  after = [v.numpy() for v in trainer.model.trainable_variables]
  moved = max(float(np.max(np.abs(a - b))) for a, b in zip(after, before, strict=True))
  assert moved > 0.0


def _sgd_step(config: ml_collections.ConfigDict, weights: list, batch: tuple):
  """One SGD step (lr 0.1) of `config` from `weights`, through fit; loss scales 2^8."""
  config = ml_collections.ConfigDict(config.to_dict())
  config.optimizer.name, config.optimizer.lr, config.optimizer.n_epochs_decay = "sgd", 0.1, 0
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  for var, value in zip(trainer.model.trainable_variables, weights, strict=True):
    var.assign(value)
  for opt in trainer.optimizers.values():
    if isinstance(opt, keras.optimizers.LossScaleOptimizer):
      # Keras' initial 2^15 overflows float16 here (measured: one player's first update was
      # skipped and its scale halved, as dynamic loss scaling does); 2^8 does not.
      opt.dynamic_scale.assign(2.0**8)
  logs = _fit(trainer, batch, steps=1)
  return trainer, logs, [v.numpy() for v in trainer.model.trainable_variables]


def test_mixed_float16_scales_the_loss_and_takes_the_float32_step():
  config = _tiny_config("dcgan", "float32")
  keras.utils.set_random_seed(0)
  weights = [v.numpy() for v in models.build_model(config).trainable_variables]
  batch = random_batch(config)
  _, _, want = _sgd_step(config, weights, batch)
  config.train.precision = "mixed_float16"
  trainer, logs, got = _sgd_step(config, weights, batch)

  assert trainer.optimizers and all(
    isinstance(opt, keras.optimizers.LossScaleOptimizer)
    and isinstance(opt.inner_optimizer, keras.optimizers.SGD)
    and opt.initial_scale == 2.0**15
    for opt in trainer.optimizers.values()
  )
  assert all(np.isfinite(value) for value in logs.values()), logs
  for opt in trainer.optimizers.values():  # finite gradients: the scale was kept
    assert float(opt.scale_loss(1.0)) == 2.0**8
  # The float32 step, up to float16 rounding; a gradient left scaled would move 2^8 times as far.
  step_want = np.concatenate([(w - v).ravel() for w, v in zip(want, weights, strict=True)])
  step_got = np.concatenate([(g - v).ravel() for g, v in zip(got, weights, strict=True)])
  assert np.linalg.norm(step_want) > 1e-3
  assert np.linalg.norm(step_got - step_want) < 0.05 * np.linalg.norm(step_want)


def test_an_unknown_precision_is_refused_naming_the_key():
  assert common.train_config().precision == "float32"  # the default
  config = _tiny_config("dcgan", "float16")
  with pytest.raises(ValueError, match=r"config\.train\.precision .*'mixed_bfloat16'.*'float16'"):
    run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  assert keras.mixed_precision.dtype_policy().name == "float32"


def test_the_policy_is_restored_when_the_build_fails():
  with pytest.raises(RuntimeError), precision.dtype_policy("mixed_float16"):
    assert keras.mixed_precision.dtype_policy().name == "mixed_float16"
    raise RuntimeError("build failed")
  assert keras.mixed_precision.dtype_policy().name == "float32"


# ---- the custom layers under a mixed policy -------------------------------------------------
def _layer_cases() -> dict:
  dense = lambda: keras.layers.Dense(4, name="dense")  # noqa: E731
  return {
    "instance_norm": (lambda: layers.InstanceNormalization(affine=True), (2, 4, 4, 8)),
    "batch_norm": (lambda: layers.BatchNormalization(), (2, 4, 4, 8)),
    "spectral_norm": (lambda: layers.SpectralNormalization(dense()), (2, 8)),
    "self_attention": (lambda: layers.SelfAttention(), (2, 4, 4, 8)),
    "maxout": (lambda: layers.Maxout(4, 3), (2, 8)),
  }


@pytest.mark.parametrize("case", sorted(_layer_cases()))
def test_custom_layers_compute_in_bfloat16_with_float32_variables(case):
  build, shape = _layer_cases()[case]
  with precision.dtype_policy("mixed_bfloat16"):
    layer = build()
  x = tf.constant(np.random.default_rng(0).normal(3.0, 2.0, shape), tf.float32)
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = layer(x, training=True)
    loss = tf.reduce_sum(tf.cast(y, tf.float32) ** 2)
  grads = tape.gradient(loss, [x, *layer.trainable_variables])
  assert y.dtype == tf.bfloat16 and y.shape == layer.compute_output_shape(shape)
  assert layer.weights and {v.dtype for v in layer.weights} == {"float32"}
  assert all(np.all(np.isfinite(tf.cast(t, tf.float32).numpy())) for t in [y, *grads])
  if case in ("instance_norm", "batch_norm"):  # normalised in float32: mean 0, variance 1
    moments = tf.nn.moments(
      tf.cast(y, tf.float32), axes=[1, 2] if case == "instance_norm" else [0, 1, 2]
    )
    np.testing.assert_allclose(moments[0].numpy(), 0.0, atol=2e-2)
    np.testing.assert_allclose(moments[1].numpy(), 1.0, atol=2e-2)


def test_instance_ids_are_compared_in_float32_under_a_mixed_policy():
  ids = np.array([26001.0, 26001.0, 26002.0, 26002.0], np.float32) / 2.0**16  # car 1, car 2
  assert tf.cast(ids[1], tf.bfloat16) == tf.cast(ids[2], tf.bfloat16)  # bfloat16 merges them
  with precision.dtype_policy("mixed_bfloat16"):
    edges = layers.InstanceEdges()
    pool = layers.InstanceAveragePooling()
  ids = tf.reshape(tf.constant(ids), [1, 1, 4, 1])
  np.testing.assert_array_equal(tf.reshape(edges(ids), [-1]).numpy(), [0.0, 1.0, 1.0, 0.0])
  features = tf.reshape(tf.constant([1.0, 3.0, 5.0, 9.0]), [1, 1, 4, 1])
  np.testing.assert_array_equal(tf.reshape(pool([features, ids]), [-1]).numpy(), [2, 2, 7, 7])


# ---- loss scaling in the trainer, by hand ----------------------------------------------------
X = np.array([[1.0], [2.0]], np.float32)  # the batch: dL/dw = mean(x) = 1.5 for the loss w x


def _scalar_net(name: str) -> keras.Model:
  x = keras.Input((1,))
  w = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", name="w")
  return keras.Model(x, w(x), name=name)


class _Toy(GANModel):
  """Scalar nets G, H, D: phase GH (players G and H, loss (w_G + w_H) x, G clipped to
  `clip_norm`), then D (loss w_D x) every second step."""

  def __init__(self, clip_norm: float):
    super().__init__(global_batch_size=2, seed=0)
    self.G, self.H, self.D = _scalar_net("G"), _scalar_net("H"), _scalar_net("D")
    self.clip_norm = clip_norm

  def _w(self, net: keras.Model) -> tf.Tensor:
    return net.get_layer("w").kernel[0, 0]

  def contract(self) -> Contract:
    sgd = Optimizer(lr=0.1, name="sgd")
    clipped = Optimizer(lr=0.1, name="sgd", clip_norm=self.clip_norm)

    def gh(ctx):
      value = (self._w(self.G) + self._w(self.H)) * ctx.batch[0][:, 0]
      return value, {"GH": value}

    def d(ctx):
      value = self._w(self.D) * ctx.batch[0][:, 0]
      return value, {"D": value}

    return Contract(
      players=(
        Player("G", (self.G,), clipped),
        Player("H", (self.H,), sgd),
        Player("D", (self.D,), sgd),
      ),
      phases=(Phase("GH", ("G", "H"), gh, logs=("GH",)), Phase("D", ("D",), d, 2, logs=("D",))),
      sampler=Sampler("paired"),
    )

  def call(self, x, training=False):
    return self.G(x, training=training)


def _toy_weights(trainer: Trainer) -> list[float]:
  return [
    float(trainer.model._w(net)) for net in (trainer.model.G, trainer.model.H, trainer.model.D)
  ]


@pytest.mark.parametrize("loss_scaling,replicas", [(False, 1), (True, 1), (True, 2)])
def test_loss_scaled_updates_equal_the_unscaled_ones(loss_scaling, replicas, two_replicas):
  strategy = two_replicas if replicas == 2 else tf.distribute.get_strategy()
  with strategy.scope():
    trainer = Trainer(_Toy(clip_norm=0.5), steps_per_epoch=1, loss_scaling=loss_scaling)
    trainer.compile()
  if loss_scaling:  # H's optimizer at another scale than the phase's (G's): grads rescaled
    trainer.optimizers["H"].dynamic_scale.assign(2.0**3)
  _fit(trainer, (X, X), steps=2)
  # G: clipped to 0.5 twice; H: 2 x 0.1 x 1.5; D: once, at step 1.
  assert _toy_weights(trainer) == pytest.approx([1.0 - 0.1, 1.0 - 0.3, 1.0 - 0.15])


def test_a_non_finite_scaled_gradient_skips_the_update_and_halves_the_scale():
  trainer = Trainer(_Toy(clip_norm=0.0), steps_per_epoch=1, loss_scaling=True)
  trainer.compile()
  trainer.optimizers["G"].dynamic_scale.assign(2.0**127)  # dL/dw = 6 at x = [4, 8]: 6 x 2^127 = inf
  _fit(trainer, (4.0 * X, 4.0 * X), steps=1)
  assert _toy_weights(trainer)[:2] == [1.0, 1.0]
  assert float(trainer.optimizers["G"].scale_loss(1.0)) == 2.0**126


# ---- the bench -------------------------------------------------------------------------------
def test_bench_reports_a_row_per_precision(monkeypatch):
  monkeypatch.setattr(benchmark, "matmul_peak_flops", lambda: 1e11)  # not what is tested here
  config = _tiny_config("dcgan", "float32")
  results = benchmark.benchmark_precisions(config, ["float32", "mixed_bfloat16"], steps=2, warmup=1)
  assert [r["precision"] for r in results] == ["float32", "mixed_bfloat16"]
  assert all(r["ms_per_step"] > 0.0 and r["images_per_s"] > 0.0 for r in results)
  assert results[0]["train_gflop_per_step"] > 0.0
  table = benchmark.format_bench(results).splitlines()
  assert "precision" in table[0] and len(table) == 3
  assert "float32" in table[1] and "mixed_bfloat16" in table[2]
  with pytest.raises(ValueError, match=r"precision"):
    benchmark.benchmark_precisions(config, ["float64"], steps=1, warmup=0)
