"""Fader Networks nets: official counts, attribute injection and encodings, layer placement,
PyTorch's default init, the latent / patch / FaderGAN discriminators."""

from __future__ import annotations

import functools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import AttributeEncoding, ConcatCondition
from tfgan_repro.nets import (
  NETWORKS,
  fader_autoencoder,
  fader_gan_discriminator,
  fader_latent_discriminator,
  fader_patch_discriminator,
)


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(v.shape)) for v in model.trainable_variables)


@functools.cache
def _paper(name: str) -> keras.Model:
  return NETWORKS.get(name).build(**NETWORKS.get(name).paper_kwargs)


@pytest.mark.parametrize(
  "name,count",
  [
    ("fader_autoencoder", 14_032_352),  # official AutoEncoder, --attr Smiling,Male (4 channels)
    ("fader_latent_discriminator", 8_656_388),  # official LatentDiscriminator
    ("fader_patch_discriminator", 695_137),  # official PatchDiscriminator
  ],
)
def test_official_parameter_counts(name, count):
  assert NETWORKS.get(name).official_params == count
  assert _trainable(_paper(name)) == count


def test_paper_shapes_latent_4x4x512_and_discriminator_outputs():
  encoder = _paper("fader_autoencoder").get_layer("encoder")
  assert encoder.compute_output_shape((2, 256, 256, 3)) == (2, 4, 4, 512)
  lat_dis = _paper("fader_latent_discriminator")
  assert lat_dis.input_shape == (None, 4, 4, 512)
  assert lat_dis.output_shape == (None, 4)  # 2 classes x 2 attributes
  # The latent discriminator continues the encoder: layers 7 and 8 of 8 (256 px -> 1x1).
  assert [layer.name for layer in lat_dis.layers if layer.name in ("lat7", "lat8")] == [
    "lat7",
    "lat8",
  ]
  assert lat_dis.get_layer("lat8").output.shape == (None, 1, 1, 512)
  assert lat_dis.get_layer("lat7_dropout").rate == pytest.approx(0.3)
  assert lat_dis.get_layer("fc1").units == 512 and lat_dis.get_layer("fc2").units == 4
  patch = _paper("fader_patch_discriminator")
  assert patch.compute_output_shape((2, 256, 256, 3)) == (2, 30, 30, 1)


def test_attributes_enter_every_decoder_layer():
  model = fader_autoencoder(num_attributes=3, n_layers=3, init_fm=4, max_fm=8)
  decoder = model.get_layer("decoder")
  # latent 8 channels; dummy encoding 2 x 3 = 6 channels at each decoder input
  assert [decoder.get_layer(f"dec{j}_cat").output.shape[-1] for j in (1, 2, 3)] == [14, 14, 10]
  assert [decoder.get_layer(f"dec{j}").filters for j in (1, 2, 3)] == [8, 4, 3]
  assert not any(decoder.get_layer(f"dec{j}").use_bias for j in (1, 2, 3))  # official bias=False
  names = {layer.name for layer in decoder.layers}
  assert {"dec1_norm", "dec2_norm"} <= names and "dec3_norm" not in names  # tanh layer: no BN
  encoder = model.get_layer("encoder")
  names = {layer.name for layer in encoder.layers}
  assert "enc1_norm" not in names and {"enc2_norm", "enc3_norm"} <= names
  assert encoder.get_layer("enc1").use_bias  # official nn.Conv2d default bias
  assert encoder.get_layer("enc1_lrelu").negative_slope == pytest.approx(0.2)


def test_dummy_and_plain_encodings():
  a = tf.constant([[0.0, 1.0], [0.25, 3.0]])
  np.testing.assert_allclose(
    AttributeEncoding("dummy")(a), [[1.0, 0.0, 0.0, 1.0], [0.75, 0.25, -2.0, 3.0]]
  )
  np.testing.assert_allclose(AttributeEncoding("plain")(a), a)
  with pytest.raises(ValueError, match="onehot"):
    AttributeEncoding("onehot")
  plain = fader_autoencoder(
    num_attributes=2, n_layers=2, init_fm=4, max_fm=8, attr_encoding="plain"
  )
  cat = plain.get_layer("decoder").get_layer("dec1_cat")
  assert cat.output.shape[-1] == 8 + 2
  x = tf.zeros((2, 3, 5, 4))
  tiled = ConcatCondition()([x, tf.constant([[1.0, 2.0], [3.0, 4.0]])])
  assert tiled.shape == (2, 3, 5, 6)
  np.testing.assert_array_equal(tiled[1, 2, 4], [0, 0, 0, 0, 3, 4])


def test_output_depends_on_the_attributes_and_any_multiple_size_works():
  keras.utils.set_random_seed(0)
  model = fader_autoencoder(n_layers=2, init_fm=4, max_fm=8)
  x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (1, 24, 16, 3)), tf.float32)
  y0 = model([x, tf.constant([[0.0, 0.0]])], training=False)
  y1 = model([x, tf.constant([[1.0, 0.0]])], training=False)
  assert y0.shape == (1, 24, 16, 3)
  assert float(tf.reduce_max(tf.abs(y0 - y1))) > 1e-4
  assert float(tf.reduce_max(tf.abs(y0))) < 1.0  # tanh


def test_pytorch_default_initialization():
  keras.utils.set_random_seed(0)
  model = fader_autoencoder(n_layers=2, init_fm=16, max_fm=32)
  enc2 = model.get_layer("encoder").get_layer("enc2")
  bound = 1.0 / math.sqrt(16 * 4 * 4)  # kaiming_uniform(a=sqrt(5)): 1 / sqrt(fan_in)
  kernel, bias = enc2.kernel.numpy(), enc2.bias.numpy()
  assert 0.95 * bound < np.abs(kernel).max() <= bound
  assert 0.5 * bound < np.abs(bias).max() <= bound
  dec1 = model.get_layer("decoder").get_layer("dec1")  # 32 + 4 -> 16; fan_in: out * k * k
  t_bound = 1.0 / math.sqrt(16 * 4 * 4)
  assert 0.95 * t_bound < np.abs(dec1.kernel.numpy()).max() <= t_bound
  gamma = model.get_layer("encoder").get_layer("enc2_norm").gamma.numpy()
  np.testing.assert_array_equal(gamma, np.ones(32))  # BatchNorm2d weight 1
  assert model.get_layer("encoder").get_layer("enc2_norm").epsilon == pytest.approx(1e-5)


def test_latent_discriminator_sizes_and_checks():
  lat_dis = fader_latent_discriminator(
    num_attributes=3, image_size=32, n_layers=3, init_fm=4, max_fm=64, hid_dim=8
  )
  assert lat_dis.input_shape == (None, 4, 4, 16)  # 32 / 2^3, C_2 = 16
  assert lat_dis.get_layer("lat5").output.shape == (None, 1, 1, 64)  # layers 4, 5 of log2(32)
  assert lat_dis.output_shape == (None, 6)
  with pytest.raises(ValueError, match="n_layers"):
    fader_latent_discriminator(image_size=32, n_layers=6)
  with pytest.raises(ValueError, match="power of 2"):
    fader_latent_discriminator(image_size=48)


def _heads_reading(model: keras.Model) -> tuple[set, set]:
  """Names of the variables with a nonzero gradient from each head's output."""
  x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
  reading = []
  for head in range(2):
    with tf.GradientTape() as tape:
      out = model(x, training=True)[head]
      loss = tf.reduce_sum(out)
    grads = tape.gradient(loss, model.trainable_variables)
    reading.append(
      {
        v.path
        for v, g in zip(model.trainable_variables, grads, strict=True)
        if g is not None and float(tf.reduce_max(tf.abs(g))) > 0
      }
    )
  return reading[0], reading[1]


def test_fader_gan_discriminator_separate_or_shared_layers():
  keras.utils.set_random_seed(0)
  kwargs = {"num_attributes": 3, "image_size": 16, "init_fm": 4, "max_fm": 8, "hid_dim": 8}
  separate = fader_gan_discriminator(**kwargs)  # default shared_layers 0
  assert [tuple(o.shape) for o in separate.outputs] == [(None, 1), (None, 3)]
  adv, cls = _heads_reading(separate)
  assert adv and cls and not adv & cls  # two separate networks
  shared = fader_gan_discriminator(shared_layers=2, **kwargs)
  adv, cls = _heads_reading(shared)
  both = adv & cls
  assert {p.split("/")[0] for p in both} == {"shared1", "shared2", "shared2_norm"}
  assert len(both) == 6  # two conv kernels and biases, the BN's gamma and beta
  # 4 conv layers to 1x1 in all: separate towers have 4 each, shared 2 + 2 each.
  assert _trainable(separate) > _trainable(shared)
  with pytest.raises(ValueError, match="shared_layers"):
    fader_gan_discriminator(shared_layers=5, **kwargs)


def test_patch_discriminator_layers():
  patch = fader_patch_discriminator(init_fm=4, max_fm=8)
  strides = [patch.get_layer(f"patch{i}").strides[0] for i in range(1, 6)]
  assert strides == [2, 2, 2, 1, 1]
  assert [patch.get_layer(f"patch{i}").filters for i in range(1, 6)] == [4, 8, 8, 8, 1]
  assert "patch1_norm" not in {layer.name for layer in patch.layers}
  assert patch.compute_output_shape((1, 64, 64, 3)) == (1, 6, 6, 1)
