"""The Triple-GAN classifier C (official triple-gan CIFAR-10 build_network): its official parameter
count, its layer shapes, what its options change, and its errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_repro.nets import build
from tfgan_repro.nets.triple_gan_classifier import triple_gan_classifier


@pytest.fixture(scope="module")
def paper() -> keras.Model:
  return build("triple_gan_classifier")


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_official_count_and_shapes(paper):
  assert _trainable(paper) == 3_121_812  # docs/official_counts.md
  shapes = {
    name: tuple(paper.get_layer(name).output.shape[1:])
    for name in ("conv1c", "pool1", "conv2c", "pool2", "conv3a", "conv3c", "pool3", "dense")
  }
  assert shapes == {
    "conv1c": (32, 32, 128),
    "pool1": (16, 16, 128),
    "conv2c": (16, 16, 256),
    "pool2": (8, 8, 256),
    "conv3a": (6, 6, 512),
    "conv3c": (6, 6, 128),
    "pool3": (128,),
    "dense": (10,),
  }
  # Every conv and the dense: kernel (no bias) + g + b of its weight norm.
  assert paper.get_layer("conv1a").count_params() == 3 * 3 * 3 * 128 + 2 * 128 + 128


def test_noise_and_dropout_act_in_training_only():
  keras.utils.set_random_seed(0)
  net = triple_gan_classifier(width=0.125, image_size=16, num_classes=12)
  x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 3)).astype(np.float32)
  assert net(x).shape == (4, 12)
  np.testing.assert_array_equal(net(x, training=False), net(x, training=False))
  assert not np.allclose(net(x, training=True), net(x, training=True))
  plain = triple_gan_classifier(width=0.125, image_size=16, noise_std=0.0, dropout=0.0, norm="none")
  assert {type(layer).__name__ for layer in plain.layers}.isdisjoint(
    {"GaussianNoise", "Dropout", "MeanOnlyWeightNorm"}
  )


def test_bad_options_raise():
  with pytest.raises(ValueError, match="norm must be one of .* got 'batch'"):
    triple_gan_classifier(norm="batch")
  with pytest.raises(ValueError, match="image_size must be a multiple of 4 and >= 12, got 10"):
    triple_gan_classifier(image_size=10)
  with pytest.raises(ValueError, match="width must be > 0, got 0"):
    triple_gan_classifier(width=0)
