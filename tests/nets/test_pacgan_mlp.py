import numpy as np
import pytest

from tfgan_repro import nets


def _trainable(model):
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_pacgan_nets_have_the_official_layer_list():
  g, d = nets.pacgan_generator(), nets.pacgan_discriminator()
  # G: 2*400 + 3 * 400*400 + 400*2 + 2 (no hidden bias) + 4 * 2*400 (BN scale, shift).
  assert _trainable(g) == 800 + 480_000 + 800 + 2 + 3_200 == 484_802
  # D: 3 maxout layers of 200 x 5 pieces with bias, then a linear logit.
  assert _trainable(d) == 3_000 + 2 * 201_000 + 201 == 405_201
  assert [layer.name for layer in g.layers if "bn" in layer.name] == [
    f"hidden_{i}_bn" for i in range(4)
  ]
  bn = g.get_layer("hidden_0_bn")
  assert (bn.momentum, bn.epsilon) == (0.95, 1e-4)
  assert g.get_layer("hidden_0").bias is None and g.get_layer("points_dense").bias is not None
  z = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
  points = g(z, training=False)
  assert tuple(points.shape) == (5, 2) and tuple(d(points).shape) == (5, 1)


def test_pacgan_weights_start_normal_with_std_0_02():
  d = nets.pacgan_discriminator()
  kernel = d.get_layer("maxout_1").linear.kernel.numpy()
  assert abs(kernel.std() - 0.02) < 0.001 and abs(kernel.mean()) < 0.001
  assert not d.get_layer("maxout_1").linear.bias.numpy().any()


def test_pacgan_discriminator_is_maxout_then_linear():
  d = nets.pacgan_discriminator(hidden=3, n_hidden=1, pieces=2)
  x = np.random.default_rng(1).normal(size=(4, 2)).astype(np.float32)
  kernel, bias = (w.numpy() for w in d.get_layer("maxout_0").linear.weights)
  h = x @ kernel + bias
  want = np.maximum(h[:, 0::2], h[:, 1::2]) @ d.get_layer("logits_dense").kernel.numpy()
  np.testing.assert_allclose(np.asarray(d(x)), want, rtol=1e-5, atol=1e-6)


def test_pacgan_generator_rejects_a_bad_norm_and_an_image_size():
  with pytest.raises(ValueError, match="norm must be one of"):
    nets.pacgan_generator(norm="instance")
  with pytest.raises(ValueError, match="makes points"):
    nets.pacgan_generator(image_size=32)
