"""StarGAN nets: official counts, the label broadcast, layer placement, output shapes, init."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from tfgan_repro.layers import ConcatCondition, InstanceNormalization
from tfgan_repro.nets import NETWORKS, stargan_discriminator, stargan_generator


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(v.shape)) for v in model.trainable_variables)


def test_official_counts_at_the_celeba_config():
  # Official model.py at --image_size 128 --c_dim 5, conv_dim 64, repeat_num 6 (G and D):
  # G: 7*7*8*64 + 4*4*(64*128 + 128*256) + 6 * 2 * 3*3*256*256 + 4*4*(256*128 + 128*64)
  #    + 7*7*64*3 convs (no bias) + 2 * (64 + 128 + 256 + 12 * 256 + 128 + 64) IN affine.
  g = 25_088 + 655_360 + 7_077_888 + 655_360 + 9_408 + 2 * (64 + 128 + 256 + 3_072 + 128 + 64)
  # D: six k4 convs with bias (3 -> 64 -> ... -> 2048), src 3*3*2048, cls 2*2*2048*5, no bias.
  widths = [3, 64, 128, 256, 512, 1024, 2048]
  d = sum(16 * c_in * c_out + c_out for c_in, c_out in zip(widths, widths[1:], strict=False))
  d += 9 * 2048 + 4 * 2048 * 5
  assert (g, d) == (8_430_528, 44_762_048)
  for name, count in (("stargan_generator", g), ("stargan_discriminator", d)):
    spec = NETWORKS.get(name)
    assert spec.official_params == count
    assert _trainable(spec.build(**spec.paper_kwargs)) == count


def test_generator_broadcasts_the_labels_after_the_image_channels():
  G = stargan_generator(conv_dim=4, c_dim=3, repeat_num=1)
  assert [t.name for t in G.inputs] == ["image", "attributes"]
  assert isinstance(G.get_layer("concat_condition"), ConcatCondition)
  concat = keras.Model(G.inputs, G.get_layer("concat_condition").output)
  image = np.random.default_rng(0).uniform(-1, 1, (2, 8, 12, 3)).astype(np.float32)
  labels = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]], np.float32)
  x = np.asarray(concat([image, labels]))
  assert x.shape == (2, 8, 12, 6)
  np.testing.assert_array_equal(x[..., :3], image)
  np.testing.assert_array_equal(x[..., 3:], np.broadcast_to(labels[:, None, None], (2, 8, 12, 3)))
  assert G.get_layer("conv_in").kernel.shape == (7, 7, 6, 4)  # official Conv2d(3 + c_dim, ...)


def test_generator_layout_output_and_label_dependence():
  G = stargan_generator(conv_dim=4, c_dim=2, repeat_num=2)
  kinds = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
  convs = [layer for layer in G.layers if isinstance(layer, kinds)]
  assert len(convs) == 1 + 2 + 2 * 2 + 2 + 1 and not any(c.use_bias for c in convs)
  assert [G.get_layer(f"down{i}").strides for i in (1, 2)] == [(2, 2)] * 2
  assert [G.get_layer(f"up{i}").filters for i in (1, 2)] == [8, 4]
  norms = [layer for layer in G.layers if isinstance(layer, InstanceNormalization)]
  assert len(norms) == 1 + 2 + 2 * 2 + 2 and all(n.affine for n in norms)
  image = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
  y0 = np.asarray(G([image, np.zeros((2, 2), np.float32)]))
  y1 = np.asarray(G([image, np.ones((2, 2), np.float32)]))
  assert y0.shape == (2, 16, 16, 3) and np.abs(y0).max() <= 1.0
  assert np.abs(y0 - y1).max() > 1e-4  # the labels reach the output


def test_discriminator_outputs_src_patches_and_class_logits():
  D = stargan_discriminator(image_size=32, conv_dim=4, c_dim=3, repeat_num=4)
  src, cls = D(np.zeros((2, 32, 32, 3), np.float32))
  assert src.shape == (2, 2, 2, 1) and cls.shape == (2, 3)  # 32 / 2^4 = 2
  assert D.get_layer("cls").kernel.shape == (2, 2, 32, 3)  # kernel = image_size / 2^repeat_num
  assert D.get_layer("src").kernel.shape == (3, 3, 32, 1)
  assert not D.get_layer("src").use_bias and not D.get_layer("cls").use_bias
  assert all(D.get_layer(f"conv{i}").use_bias for i in range(1, 5))
  assert D.get_layer("conv1_lrelu").negative_slope == pytest.approx(0.01)
  assert D.get_layer("conv4").filters == 32  # conv_dim * 2^(repeat_num - 1)


def test_official_sizes_at_paper_config():
  D = NETWORKS.get("stargan_discriminator").build()
  assert [tuple(t.shape) for t in D.outputs] == [(None, 2, 2, 1), (None, 5)]


def test_pytorch_default_init():
  G = stargan_generator(conv_dim=8, c_dim=5, repeat_num=1)
  kernel = np.asarray(G.get_layer("block1_conv1").kernel)  # fan_in 3 * 3 * 32
  bound = 1.0 / math.sqrt(3 * 3 * 32)  # kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), ..)
  assert np.abs(kernel).max() <= bound
  assert kernel.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
  gamma, beta = (np.asarray(w) for w in G.get_layer("block1_conv1_norm").weights)
  np.testing.assert_array_equal(gamma, 1.0)
  np.testing.assert_array_equal(beta, 0.0)


def test_invalid_arguments_raise():
  with pytest.raises(
    ValueError, match="image_size must be an int divisible by 2\\^repeat_num = 64"
  ):
    stargan_discriminator(image_size=96)
  with pytest.raises(ValueError, match="c_dim must be >= 1, got 0"):
    stargan_generator(c_dim=0)
  with pytest.raises(ValueError, match="divisible by 4, got 30"):
    stargan_generator(image_size=30)
