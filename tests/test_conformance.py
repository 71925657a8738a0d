"""Shared conformance tests driven by the registries: registering a network or a model enrols it.

Networks: checkpoint round trip; SavedModel and TFLite outputs equal to Keras (generators,
through the export library). Models: one train step on 2 replicas (MirroredStrategy) and on 2
worker processes (MultiWorkerMirroredStrategy) equals one step on 1 device;
parameter counts at the paper config equal the official ones each model declares
(register_model paper_counts; docs/official_counts.md); `summary` (bin/summary) of the tiny and
paper configs totals the networks' parameters.
"""

from __future__ import annotations

import functools
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import export
from export import inputs as export_inputs
from tests import cluster
from tests.tiny_models import TRAINABLE, conformance_config, one_step, random_batch, seed_weights
from tfgan_repro import models, nets
from tfgan_repro.data.latents import CLASS_KEY
from tfgan_repro.models import model_summary

NETWORKS = [nets.NETWORKS.get(name) for name in nets.NETWORKS.names()]
GENERATORS = [spec for spec in NETWORKS if spec.role == "generator"]
# Generators of 2-D points (the mixture benchmarks' MLP), not images: export's gates score images.
POINT_GENERATORS = ("mlp_generator", "pacgan_generator")
IMAGE_GENERATORS = [spec for spec in GENERATORS if spec.name not in POINT_GENERATORS]


def _served_with_class_ids(model: keras.Model) -> keras.Model:
  """A net of [x, class ids int32 [N]] as the synthesis task serves its G
  (tasks.synthesis.serving_generator): named inputs x ("latents" or "image") and "class_ids"
  float32 [N, 1]."""
  first = model.inputs[0]
  name = export_inputs.LATENT_KEY if len(first.shape) == 2 else "image"
  x = keras.Input(first.shape[1:], name=name)
  ids = keras.Input((1,), name=CLASS_KEY)
  out = model([x, keras.ops.cast(keras.ops.round(ids[:, 0]), "int32")])
  return keras.Model([x, ids], out, name=f"{model.name}_served")


def _tiny(spec, seed: int = 0) -> tuple[keras.Model, np.ndarray | dict[str, np.ndarray]]:
  """The tiny net and a batch of 2 for it: images, or for a net with a condition input the
  named inputs (export.inputs) {"images", <condition>: uniform in [0, 2]}; a class-conditional
  net (second input int class ids) served with ids in [0, tiny_condition_size)."""
  keras.utils.set_random_seed(seed)
  model = spec.build(**spec.tiny_kwargs)
  rng = np.random.default_rng(seed)
  x = rng.uniform(-1, 1, (2, *spec.tiny_input_shape)).astype(np.float32)
  if len(model.inputs) == 2 and "int" in str(model.inputs[1].dtype):
    served = _served_with_class_ids(model)
    ids = rng.integers(0, spec.tiny_condition_size, (2, 1)).astype(np.float32)  # [2, 1]
    return served, dict(zip(export_inputs.input_shapes(served), (x, ids), strict=True))
  if len(spec.tiny_input_shape) == 1:  # noise -> image: z [N, z_dim], served as "latents"
    return model, {export_inputs.LATENT_KEY: x}
  if not spec.tiny_condition_size:
    return model, x
  condition = rng.uniform(0, 2, (2, spec.tiny_condition_size)).astype(np.float32)
  keys = list(export_inputs.input_shapes(model))
  assert keys[0] == export.INPUT_KEY and len(keys) == 2, keys
  return model, {keys[0]: x, keys[1]: condition}


def _outputs(model, x) -> list[np.ndarray]:
  out = model(export_inputs.model_inputs(x) if isinstance(x, dict) else x, training=False)
  return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("spec", NETWORKS, ids=lambda s: s.name)
def test_checkpoint_round_trip_restores_outputs(spec, tmp_path):
  model, x = _tiny(spec, seed=0)
  path = tf.train.Checkpoint(net=model).write(str(tmp_path / "ckpt"))
  other, _ = _tiny(spec, seed=1)
  before = _outputs(other, x)
  tf.train.Checkpoint(net=other).read(path).assert_existing_objects_matched()
  for want, got, old in zip(_outputs(model, x), _outputs(other, x), before, strict=True):
    assert not np.allclose(old, want)  # the two seeds really differ
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("spec", IMAGE_GENERATORS, ids=lambda s: s.name)
def test_saved_model_and_tflite_equal_keras(spec, tmp_path):
  model, x = _tiny(spec)
  size = spec.tiny_input_shape[0]
  rows = export.export_version({"G": model}, str(tmp_path), {"G": x}, tflite_size=size)
  by_artifact = {r.artifact: r for r in rows}
  assert set(by_artifact) == {"saved_model", "tflite_float32"}
  assert by_artifact["saved_model"].max_abs <= 1e-5
  assert by_artifact["tflite_float32"].max_abs <= 1e-4
  served = tf.saved_model.load(str(tmp_path / "G" / "1")).signatures[export.SIGNATURE_KEY]
  named = x if isinstance(x, dict) else {export.INPUT_KEY: x}
  got = served(**{k: tf.constant(v) for k, v in named.items()})[export.OUTPUT_KEY].numpy()
  np.testing.assert_allclose(got, _outputs(model, x)[0], atol=1e-5)


@functools.cache
def _one_device_step(name: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
  """(the seed-0 weights, the weights after one step on one device) of model `name`'s
  conformance config on its random batch."""
  config = conformance_config(name)
  weights = seed_weights(config)
  one = one_step(config, tf.distribute.OneDeviceStrategy("/cpu:0"), weights, random_batch(config))
  moved = max(float(np.max(np.abs(a - w))) for a, w in zip(one, weights, strict=True))
  assert moved > 1e-3  # the step changed the weights
  return weights, one


def _assert_same_step(name: str, got: list[np.ndarray]) -> None:
  """`got` are model `name`'s weights after the one-device step, to float noise."""
  _, one = _one_device_step(name)
  assert len(got) == len(one)
  for a, b in zip(one, got, strict=True):
    np.testing.assert_allclose(b, a, atol=1e-5, rtol=0)  # float noise; a mis-scaled step is ~1e-3


# Each collective's limit on the 2 workers (train.collective_timeout): the workers trace each step
# at their own pace on the shared cores before its first collective.
COLLECTIVE_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
  """Every trainable model stepped once on 2 worker processes (MultiWorkerMirroredStrategy,
  tests/cluster.py), started by the first test that needs it; each test computes its one-device
  step while the workers step."""
  base = str(tmp_path_factory.mktemp("two_workers"))
  stepped = cluster.SteppedModels(base, TRAINABLE, timeout_s=COLLECTIVE_TIMEOUT_S)
  try:
    yield stepped
  finally:
    stepped.cluster.kill_all()


@pytest.mark.parametrize("name", TRAINABLE)
def test_multi_worker_step_on_two_workers_equals_step_on_one_device(name, two_workers):
  _one_device_step(name)  # while the workers step
  _assert_same_step(name, two_workers.weights(name))


@pytest.mark.parametrize("name", TRAINABLE)
def test_step_on_two_replicas_equals_step_on_one_device(name, two_replicas):
  weights, _ = _one_device_step(name)
  config = conformance_config(name)
  _assert_same_step(name, one_step(config, two_replicas, weights, random_batch(config)))


MODEL_NAMES = models.MODELS.names()


def _trainable_params(net: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in {id(w): w for w in net.trainable_weights}.values())


@pytest.fixture(scope="module", params=MODEL_NAMES)
def paper_model(request):
  """(name, config, model) of a registered model at its paper_config(): built once (paper-size
  nets, not trained) for the count and the summary tests."""
  config = models.MODELS.get(request.param).paper_config()
  return request.param, config, models.build_model(config)


def test_paper_parameter_counts_equal_the_declared_official_ones(paper_model):
  name, _, model = paper_model
  declared = models.MODELS.get(name).paper_counts
  counts = {role: _trainable_params(net) for role, net in model.networks.items()}
  if declared is not None:
    assert counts == declared
    return
  # No official code (register_model paper_counts=None): every network has parameters and the
  # networks are the whole model, so the summary's totals are the model's size.
  assert counts and all(count > 0 for count in counts.values()), counts
  assert _trainable_params(model) == sum(counts.values())


def _assert_summary_totals(model, config) -> None:
  result = model_summary.summary(model, config)
  assert list(result["networks"]) == list(model.networks)
  for role, net in model.networks.items():
    got = result["networks"][role]
    assert got["trainable_params"] == _trainable_params(net), role
    assert got["trainable_params"] + got["non_trainable_params"] == net.count_params(), role
    # Every layer has its row, those of nested nets included.
    assert sum(row["params"] for row in got["layers"]) == got["trainable_params"], role
    assert got["flops"] == sum(row["flops"] for row in got["layers"]) > 0, role
  total = result["total"]
  counted = sum(net.count_params() for net in model.networks.values())
  assert total["trainable_params"] + total["non_trainable_params"] == counted
  assert total["model_trainable_params"] == _trainable_params(model)
  assert json.loads(json.dumps(result))["model"] == config.model  # bin/summary --json


@pytest.mark.parametrize("name", TRAINABLE)
def test_summary_of_the_tiny_config_totals_count_params(name):
  config = models.MODELS.get(name).config("tiny")
  _assert_summary_totals(models.build_model(config), config)


def test_summary_of_the_paper_config_totals_count_params(paper_model):
  _, config, model = paper_model
  _assert_summary_totals(model, config)
