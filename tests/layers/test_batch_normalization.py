"""Batch norm against torch.nn.BatchNorm2d: running statistics, training and inference outputs."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
import torch  # the test extra (pyproject.toml)

from tfgan_repro.layers import BatchNormalization, normalization

SHAPE = (4, 3, 3, 5)  # NHWC: n = 4 * 3 * 3 = 36 values per channel


def _batch(seed: int = 0) -> np.ndarray:
  rng = np.random.default_rng(seed)
  return (rng.normal(0.5, 2.0, SHAPE) * rng.uniform(0.1, 3.0, SHAPE[-1])).astype(np.float32)


def _pair(seed: int = 1) -> tuple[keras.layers.Layer, torch.nn.BatchNorm2d]:
  """normalization("batch") and BatchNorm2d (eps 1e-5, momentum 0.1) with the same gamma, beta
  and non-trivial running statistics."""
  rng = np.random.default_rng(seed)
  channels = SHAPE[-1]
  gamma, beta = rng.normal(1, 0.3, channels), rng.normal(0, 0.3, channels)
  mean, var = rng.normal(0, 1, channels), rng.uniform(0.5, 2.0, channels)
  ours = normalization("batch", name="bn")
  ours.build((None, *SHAPE[1:]))
  for variable, value in zip(ours.weights, (gamma, beta, mean, var), strict=True):
    variable.assign(value.astype(np.float32))
  theirs = torch.nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)
  with torch.no_grad():
    for tensor, value in zip(
      (theirs.weight, theirs.bias, theirs.running_mean, theirs.running_var),
      (gamma, beta, mean, var),
      strict=True,
    ):
      tensor.copy_(torch.from_numpy(value.astype(np.float32)))
  return ours, theirs


def _nchw(x: np.ndarray) -> torch.Tensor:
  return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def _nhwc(y: torch.Tensor) -> np.ndarray:
  return y.detach().numpy().transpose(0, 2, 3, 1)


def _running(module: torch.nn.BatchNorm2d) -> tuple[np.ndarray, np.ndarray]:
  return module.running_mean.numpy(), module.running_var.numpy()


def test_a_training_call_moves_the_running_statistics_as_torch():
  x = _batch()
  ours, theirs = _pair()
  before = ours.moving_variance.numpy().astype(np.float64)
  out = ours(x, training=True).numpy()
  want = theirs.train()(_nchw(x))
  np.testing.assert_allclose(out, _nhwc(want), atol=1e-5)  # normalized by the biased variance
  mean, var = _running(theirs)
  np.testing.assert_allclose(ours.moving_mean.numpy(), mean, atol=1e-6)
  np.testing.assert_allclose(ours.moving_variance.numpy(), var, atol=1e-6)
  # Independently of torch: 0.9 old + 0.1 v n / (n - 1), v the biased variance, n = 36.
  v = x.astype(np.float64).var(axis=(0, 1, 2))
  np.testing.assert_allclose(ours.moving_variance.numpy(), 0.9 * before + 0.1 * v * 36 / 35, 1e-6)
  # Keras' own layer moves it by v: a difference the tolerance above sees (docs/pitfalls.md).
  assert np.min(np.abs(0.1 * v * (36 / 35 - 1))) > 1e-4
  # Inference: the affine map of the running statistics, as torch's eval().
  x2 = _batch(seed=2)
  np.testing.assert_allclose(
    ours(x2, training=False).numpy(), _nhwc(theirs.eval()(_nchw(x2))), atol=1e-5
  )


def test_synchronized_over_two_replicas_moves_them_as_torch_on_the_global_batch(two_replicas):
  x = _batch()
  with two_replicas.scope():
    ours, theirs = _pair()
  assert ours.synchronized

  @tf.function
  def step(local: tf.Tensor) -> tf.Tensor:
    return two_replicas.run(lambda x: ours(x, training=True), args=(local,))

  def half(ctx: tf.distribute.experimental.ValueContext) -> tf.Tensor:
    start = 2 * ctx.replica_id_in_sync_group
    return tf.constant(x[start : start + 2])  # [2, 3, 3, 5] per replica

  halves = two_replicas.experimental_distribute_values_from_function(half)
  out = np.concatenate([t.numpy() for t in two_replicas.experimental_local_results(step(halves))])
  np.testing.assert_allclose(out, _nhwc(theirs.train()(_nchw(x))), atol=1e-5)
  mean, var = _running(theirs)  # n = 36 over both replicas, not 18 on each
  for variable, want in ((ours.moving_mean, mean), (ours.moving_variance, var)):
    copies = two_replicas.experimental_local_results(variable.value)
    assert len(copies) == 2
    for copy in copies:
      np.testing.assert_allclose(copy.numpy(), want, atol=1e-6)


def test_it_round_trips_through_its_config_and_a_keras_file(tmp_path):
  ours, _ = _pair()
  again = keras.layers.deserialize(keras.layers.serialize(ours))
  assert type(again) is BatchNormalization
  assert (again.epsilon, again.momentum, again.synchronized) == (1e-5, 0.9, False)
  inputs = keras.Input(SHAPE[1:])
  model = keras.Model(inputs, ours(inputs))
  path = str(tmp_path / "bn.keras")
  model.save(path)
  loaded = keras.models.load_model(path)
  assert type(loaded.get_layer("bn")) is BatchNormalization
  x = _batch(seed=3)
  np.testing.assert_array_equal(loaded(x, training=False).numpy(), model(x, training=False).numpy())
