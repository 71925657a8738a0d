"""The class-conditional SNGAN ResNet nets: the official counts of sngan_projection's CIFAR-10
pair, the projection logit by hand, the ACGAN and concat heads, option errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.nets import conditional_sngan_resnet as nets


def _count(model: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_official_counts_of_the_cifar10_projection_pair():
  # docs/official_counts.md: official ResNetGenerator(n_classes=10), SNResNetProjectionDiscriminator
  assert _count(nets.conditional_sngan_resnet_generator()) == 4_304_387
  assert _count(nets.conditional_sngan_resnet_discriminator()) == 1_055_104


def _tiny_d(condition: str, **kw) -> keras.Model:
  keras.utils.set_random_seed(0)
  return nets.conditional_sngan_resnet_discriminator(
    num_classes=3, ch=8, image_size=16, condition=condition, **kw
  )


def test_projection_logit_is_psi_plus_inner_product():
  D = _tiny_d("projection", spectral_norm=False)
  x = tf.random.stateless_uniform((2, 16, 16, 3), (1, 2), -1.0, 1.0)
  y = tf.constant([2, 0])
  phi = keras.Model(D.inputs, D.get_layer("sum").output)([x, y]).numpy()  # [2, 8]
  l5 = D.get_layer("l5").get_weights()[0]  # [8, 1], no bias
  embed = D.get_layer("l_y").get_weights()[0]  # [3, 8]
  want = phi @ l5[:, 0] + np.sum(embed[[2, 0]] * phi, axis=1)
  np.testing.assert_allclose(D([x, y]).numpy()[:, 0], want, rtol=1e-5, atol=1e-5)
  other = D([x, tf.constant([1, 1])]).numpy()[:, 0]
  np.testing.assert_allclose(other - want, np.sum((embed[[1, 1]] - embed[[2, 0]]) * phi, 1), 1e-4)


def test_heads_of_acgan_and_concat():
  x = tf.zeros((2, 16, 16, 3))
  acgan = _tiny_d("acgan", attention=8)
  assert tuple(acgan([x, tf.constant([0, 1])]).shape) == (2, 4)  # logit + 3 class logits
  np.testing.assert_array_equal(acgan([x, tf.constant([0, 1])]), acgan([x, tf.constant([2, 2])]))
  concat = _tiny_d("concat")
  assert concat.get_layer("block1_c1").input.shape[-1] == 3 + 3  # x and the one-hot maps
  a, b = concat([x, tf.constant([0, 0])]), concat([x, tf.constant([1, 1])])
  assert not np.allclose(a, b)


def test_generator_conditions_and_errors():
  z, y = tf.random.stateless_normal((2, 8), (3, 4)), tf.constant([0, 2])
  for condition in nets.G_CONDITIONS:
    keras.utils.set_random_seed(0)
    G = nets.conditional_sngan_resnet_generator(
      num_classes=3, z_dim=8, ch=8, image_size=16, condition=condition, attention=8
    )
    out = G([z, y], training=False).numpy()
    assert out.shape == (2, 16, 16, 3) and np.abs(out).max() <= 1.0
  with pytest.raises(ValueError, match="unknown condition 'film'"):
    nets.conditional_sngan_resnet_generator(condition="film")
  with pytest.raises(ValueError, match="attention must be 0 or a block resolution"):
    nets.conditional_sngan_resnet_discriminator(attention=12)
  with pytest.raises(ValueError, match="num_classes must be >= 1, got 0"):
    nets.conditional_sngan_resnet_discriminator(num_classes=0)
