import dataclasses
import inspect

import keras
import numpy as np
import pytest

from tfgan_repro import nets
from tfgan_repro.nets import NETWORKS, build, register_network

NAMES = [
  "global_generator",
  "instance_encoder",
  "local_enhancer",
  "multiscale",
  "patch",
  "pixel",
  "resnet_6",
  "resnet_9",
  "unet_128",
  "unet_256",
]


def _trainable(model):
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_registered_networks_and_roles():
  assert NETWORKS.names() == NAMES
  roles = {name: NETWORKS.get(name).role for name in NAMES}
  assert [n for n, r in roles.items() if r == "encoder"] == ["instance_encoder"]
  assert [n for n, r in roles.items() if r == "generator"] == [
    "global_generator",
    "local_enhancer",
    "resnet_6",
    "resnet_9",
    "unet_128",
    "unet_256",
  ]


@pytest.mark.parametrize("name", NAMES)
def test_official_parameter_count(name):
  spec = NETWORKS.get(name)
  assert _trainable(build(name, **spec.paper_kwargs)) == spec.official_params


def test_official_counts_are_those_of_notes():
  counts = {name: NETWORKS.get(name).official_params for name in NAMES}
  assert counts == {
    "global_generator": 182_546_755,
    "instance_encoder": 788_803,
    "local_enhancer": 182_857_059,
    "multiscale": 5_603_202,
    "patch": 2_764_737,
    "pixel": 8_705,
    "resnet_6": 7_837_699,
    "resnet_9": 11_378_179,
    "unet_128": 41_828_995,
    "unet_256": 54_413_955,
  }


@pytest.mark.parametrize("name", NAMES)
def test_tiny_config_round_trip_gives_same_outputs(name):
  spec = NETWORKS.get(name)
  model = build(name, **spec.tiny_kwargs)
  clone = keras.Model.from_config(model.get_config())
  clone.set_weights(model.get_weights())
  x = np.random.default_rng(0).uniform(-1, 1, (1, *spec.tiny_input_shape)).astype("float32")
  outputs = keras.tree.flatten(model(x, training=False))
  clone_outputs = keras.tree.flatten(clone(x, training=False))
  assert len(outputs) == len(clone_outputs) == (2 if name == "multiscale" else 1)
  for a, b in zip(outputs, clone_outputs, strict=True):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  if spec.role == "generator":
    assert tuple(outputs[0].shape) == (1, *spec.tiny_input_shape)


def test_unknown_network_lists_the_valid_names():
  with pytest.raises(
    ValueError, match="unknown network 'resnet_9blocks'; valid: global_generator, instance_encoder"
  ):
    build("resnet_9blocks")


def test_duplicate_registration_and_bad_role_raise():
  kwargs = dict(
    official_name="x",
    paper_kwargs={},
    official_params=None,
    tiny_kwargs={},
    tiny_input_shape=(8, 8, 3),
  )
  with pytest.raises(ValueError, match="network 'patch' is already registered"):
    register_network("patch", role="discriminator", **kwargs)(nets.patch)
  with pytest.raises(
    ValueError, match="unknown role 'critic'; valid: generator, discriminator, encoder"
  ):
    register_network("critic_net", role="critic", **kwargs)
  assert "critic_net" not in NETWORKS


def test_spec_is_frozen_and_builds():
  spec = NETWORKS.get("pixel")
  with pytest.raises(dataclasses.FrozenInstanceError):
    spec.role = "generator"
  assert spec.official_name == "pixel"
  assert spec.build(ndf=2).name == "pixel"


@pytest.mark.parametrize("name", NAMES)
def test_builders_have_explicit_keyword_signatures(name):
  # models.registry.network_from_config passes only the config keys a builder's signature names.
  params = inspect.signature(NETWORKS.get(name).builder).parameters
  assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
  assert {"image_size", "name", "norm"} <= set(params)
  assert params["name"].default == name


@pytest.mark.parametrize(
  "name, generic",
  [
    ("resnet_9", nets.resnet_generator),
    ("resnet_6", nets.resnet_generator),
    ("unet_256", nets.unet_generator),
    ("unet_128", nets.unet_generator),
  ],
)
def test_registered_generators_keep_the_generic_defaults(name, generic):
  fixed = {"name", "n_blocks", "num_downs"}
  registered = inspect.signature(NETWORKS.get(name).builder).parameters
  general = inspect.signature(generic).parameters
  assert set(registered) == set(general) - {"n_blocks", "num_downs"}
  assert {k: p.default for k, p in registered.items() if k not in fixed} == {
    k: p.default for k, p in general.items() if k not in fixed
  }
