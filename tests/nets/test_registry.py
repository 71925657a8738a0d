import dataclasses
import inspect

import keras
import numpy as np
import pytest

from tfgan_repro import nets
from tfgan_repro.nets import NETWORKS, build, register_network

NAMES = [
  "biggan_discriminator",
  "biggan_generator",
  "dcgan_discriminator",
  "dcgan_generator",
  "fader_autoencoder",
  "fader_gan_discriminator",
  "fader_latent_discriminator",
  "fader_patch_discriminator",
  "global_generator",
  "instance_encoder",
  "local_enhancer",
  "mlp_discriminator",
  "mlp_generator",
  "multiscale",
  "pacgan_discriminator",
  "pacgan_generator",
  "patch",
  "pggan_discriminator",
  "pggan_generator",
  "pixel",
  "resnet_6",
  "resnet_9",
  "sngan_resnet_discriminator",
  "sngan_resnet_generator",
  "stargan_discriminator",
  "stargan_generator",
  "stylegan2_discriminator",
  "stylegan2_generator",
  "triple_gan_classifier",
  "unet_128",
  "unet_256",
  "unet_64",
]
# Nets with no official counterpart (docs/official_counts.md): FaderGAN's D, the 64 px U-Net.
UNOFFICIAL = ("fader_gan_discriminator", "mlp_discriminator", "mlp_generator", "unet_64")
# Nets of noise -> image synthesis: z [N, z_dim] in, images (or 2-D points) out.
LATENT_INPUT = (
  "biggan_generator",
  "dcgan_generator",
  "mlp_generator",
  "pacgan_generator",
  "pggan_generator",
  "sngan_resnet_generator",
  "stylegan2_generator",
)
# Nets of two outputs: [patch logits, per-scale features] / [source, attribute classes].
TWO_OUTPUTS = ("fader_gan_discriminator", "multiscale", "stargan_discriminator")


def _trainable(model):
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_registered_networks_and_roles():
  assert NETWORKS.names() == NAMES
  roles = {name: NETWORKS.get(name).role for name in NAMES}
  assert [n for n, r in roles.items() if r == "encoder"] == ["instance_encoder"]
  assert [n for n, r in roles.items() if r == "generator"] == [
    "biggan_generator",
    "dcgan_generator",
    "fader_autoencoder",
    "global_generator",
    "local_enhancer",
    "mlp_generator",
    "pacgan_generator",
    "pggan_generator",
    "resnet_6",
    "resnet_9",
    "sngan_resnet_generator",
    "stargan_generator",
    "stylegan2_generator",
    "unet_128",
    "unet_256",
    "unet_64",
  ]
  conditioned = {n: NETWORKS.get(n).tiny_condition_size for n in NAMES}
  assert {n: k for n, k in conditioned.items() if k} == {
    "biggan_discriminator": 3,
    "biggan_generator": 3,
    "fader_autoencoder": 2,
    "stargan_generator": 2,
  }


@pytest.mark.parametrize("name", [n for n in NAMES if n not in UNOFFICIAL])
def test_official_parameter_count(name):
  spec = NETWORKS.get(name)
  assert _trainable(build(name, **spec.paper_kwargs)) == spec.official_params


def test_official_counts_are_those_of_docs_official_counts():
  counts = {name: NETWORKS.get(name).official_params for name in NAMES}
  assert counts == {
    "biggan_discriminator": 87_982_370,
    "biggan_generator": 70_433_988,
    "dcgan_discriminator": 2_765_568,
    "dcgan_generator": 3_576_704,
    "fader_autoencoder": 14_032_352,
    "fader_gan_discriminator": None,
    "fader_latent_discriminator": 8_656_388,
    "fader_patch_discriminator": 695_137,
    "global_generator": 182_546_755,
    "instance_encoder": 788_803,
    "local_enhancer": 182_857_059,
    "mlp_discriminator": None,
    "mlp_generator": None,
    "multiscale": 5_603_202,
    "pacgan_discriminator": 405_201,
    "pacgan_generator": 484_802,
    "patch": 2_764_737,
    "pggan_discriminator": 23_087_249,
    "pggan_generator": 23_079_115,
    "pixel": 8_705,
    "resnet_6": 7_837_699,
    "resnet_9": 11_378_179,
    "sngan_resnet_discriminator": 1_053_825,
    "sngan_resnet_generator": 4_276_739,
    "stargan_discriminator": 44_762_048,
    "stargan_generator": 8_430_528,
    "stylegan2_discriminator": 28_864_129,
    "stylegan2_generator": 30_034_338,
    "triple_gan_classifier": 3_121_812,
    "unet_128": 41_828_995,
    "unet_256": 54_413_955,
    "unet_64": None,
  }


@pytest.mark.parametrize("name", NAMES)
def test_tiny_config_round_trip_gives_same_outputs(name):
  spec = NETWORKS.get(name)
  model = build(name, **spec.tiny_kwargs)
  clone = keras.Model.from_config(model.get_config())
  clone.set_weights(model.get_weights())
  rng = np.random.default_rng(0)
  x = rng.uniform(-1, 1, (1, *spec.tiny_input_shape)).astype("float32")
  if spec.tiny_condition_size and "int" in str(model.inputs[1].dtype):  # class ids int32 [N]
    x = [x, rng.integers(0, spec.tiny_condition_size, (1,)).astype("int32")]
  elif spec.tiny_condition_size:
    x = [x, rng.uniform(0, 1, (1, spec.tiny_condition_size)).astype("float32")]
  outputs = keras.tree.flatten(model(x, training=False))
  clone_outputs = keras.tree.flatten(clone(x, training=False))
  assert len(outputs) == len(clone_outputs) == (2 if name in TWO_OUTPUTS else 1)
  for a, b in zip(outputs, clone_outputs, strict=True):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  if spec.role == "generator" and name not in LATENT_INPUT:
    assert tuple(outputs[0].shape) == (1, *spec.tiny_input_shape)


def test_unknown_network_lists_the_valid_names():
  with pytest.raises(
    ValueError, match="unknown network .resnet_9blocks.; valid: biggan_discriminator, biggan_gen"
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
  assert {"image_size", "name"} <= set(params)
  assert params["name"].default == name
  # The CycleGAN / pix2pix / pix2pixHD nets take official --norm, and so do the synthesis nets
  # with batch norm; StarGAN's, Fader's and BigGAN's fix it; the MLPs (but PacGAN's G), SNGAN's
  # D and the Progressive GAN / StyleGAN2 nets (pixel norm, modulation: no norm option) have none.
  fixed = name.startswith(("fader", "stargan", "mlp", "biggan", "pggan", "stylegan2")) or name in (
    "pacgan_discriminator",
    "sngan_resnet_discriminator",
  )
  assert ("norm" in params) == (not fixed)


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
