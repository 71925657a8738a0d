"""The noise -> image nets: DCGAN (official pytorch/examples dcgan main.py), SNGAN's 32 px ResNet
and the MLPs of the 2-D mixtures: parameter counts, shapes, layer order, initialisation."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfgan_repro import nets
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.nets import profiling


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize(
  "size, g_count, d_count",
  [
    (64, 3_576_704, 2_765_568),  # official main.py at 64 px (docs/official_counts.md)
    # 32 px, one block fewer: G 100*256*16 + 256*128*16 + 128*64*16 + 64*3*16 + BN 2*(256+128+64);
    # D 3*64*16 + 64*128*16 + 128*256*16 + 256*16 + BN 2*(128+256).
    (32, 1_068_928, 663_296),
  ],
)
def test_dcgan_counts_and_shapes(size, g_count, d_count):
  g = nets.dcgan_generator(image_size=size)
  d = nets.dcgan_discriminator(image_size=size)
  assert (_trainable(g), _trainable(d)) == (g_count, d_count)
  z = np.random.default_rng(0).standard_normal((2, 100)).astype(np.float32)
  images = np.asarray(g(z, training=False))
  assert images.shape == (2, size, size, 3) and np.abs(images).max() <= 1.0
  assert tuple(d(images, training=False).shape) == (2, 1)


def test_dcgan_layer_order_is_the_official_sequential():
  g, d = nets.dcgan_generator(), nets.dcgan_discriminator()
  g_layers = [(layer.name, type(layer).__name__) for layer in g.layers[2:]]  # after Input, Reshape
  block = ["Conv2DTranspose", "BatchNormalization", "ReLU"]
  assert g_layers == [
    (f"main_{i}", cls) for i, cls in enumerate(block * 4 + ["Conv2DTranspose", "Activation"])
  ]
  d_layers = [  # PyTorch's padding=1 is a ZeroPadding2D "main_<i>_pad" before its conv
    (layer.name, type(layer).__name__)
    for layer in d.layers
    if layer.name.startswith("main_") and not layer.name.endswith("_pad")
  ]
  convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
  assert [c.filters for c in convs] == [64, 128, 256, 512, 1]
  assert [c.strides for c in convs] == [(2, 2)] * 4 + [(1, 1)]
  d_block = ["Conv2D", "BatchNormalization", "LeakyReLU"]
  assert [cls for _, cls in d_layers] == ["Conv2D", "LeakyReLU", *d_block * 3, "Conv2D"]
  assert [n for n, _ in d_layers] == [f"main_{i}" for i in range(12)]
  assert not any(getattr(layer, "use_bias", False) for layer in g.layers + d.layers)  # bias=False
  assert d.get_layer("main_1").negative_slope == pytest.approx(0.2)


def test_dcgan_weights_init_is_the_official_one():
  g = nets.dcgan_generator()
  kernel = g.get_layer("main_3").kernel.numpy()
  assert abs(kernel.mean()) < 1e-3 and kernel.std() == pytest.approx(0.02, rel=0.02)
  bn = g.get_layer("main_1")
  assert bn.gamma.numpy().mean() == pytest.approx(1.0, abs=0.005)
  assert bn.gamma.numpy().std() == pytest.approx(0.02, rel=0.2)
  assert not bn.beta.numpy().any()
  assert (bn.epsilon, bn.momentum) == (1e-5, 0.9)  # PyTorch BatchNorm2d eps 1e-5, momentum 0.1


def test_dcgan_rejects_sizes_that_are_not_powers_of_two():
  with pytest.raises(ValueError, match="image_size must be a power of 2 >= 8, got 48"):
    nets.dcgan_generator(image_size=48)


def test_sngan_resnet_counts_shapes_and_spectral_norm():
  g, d = nets.sngan_resnet_generator(), nets.sngan_resnet_discriminator()
  assert (_trainable(g), _trainable(d)) == (4_276_739, 1_053_825)
  z = np.random.default_rng(0).standard_normal((2, 128)).astype(np.float32)
  images = g(z, training=False)
  assert tuple(images.shape) == (2, 32, 32, 3)
  assert tuple(d(images, training=False).shape) == (2, 1)
  # Table 3: every conv and the linear layer normalised: 3 + 2 + 1 + 2 + 2 convs, 1 linear.
  assert sum(isinstance(layer, SpectralNormalization) for layer in d.layers) == 11
  plain = nets.sngan_resnet_discriminator(spectral_norm=False)
  assert _trainable(plain) == 1_053_825
  assert not any(isinstance(layer, SpectralNormalization) for layer in plain.layers)


def test_mlp_counts_and_input_scaling():
  g, d = nets.mlp_generator(), nets.mlp_discriminator()
  # G 256*128+128 + 128*128+128 + 128*2+2; D 2*128+128 + 128+1 (Unrolled GAN App. A).
  assert (_trainable(g), _trainable(d)) == (49_666, 513)
  assert tuple(g(np.zeros((3, 256), np.float32)).shape) == (3, 2)
  x = np.random.default_rng(0).normal(size=(3, 2)).astype(np.float32)
  h = np.maximum(x / 4.0 @ d.get_layer("hidden_0").kernel.numpy(), 0.0)
  want = h @ d.get_layer("logits_dense").kernel.numpy()
  np.testing.assert_allclose(np.asarray(d(x)), want, rtol=1e-5, atol=1e-6)
  kernel = g.get_layer("hidden_1").kernel.numpy()
  np.testing.assert_allclose(kernel.T @ kernel, 0.64 * np.eye(128), atol=1e-4)  # orthogonal, 0.8


def test_summary_counts_the_layers_inside_spectral_normalisation():
  sn = profiling.network_summary(nets.sngan_resnet_discriminator(), (32, 32, 3))
  plain = profiling.network_summary(
    nets.sngan_resnet_discriminator(spectral_norm=False), (32, 32, 3)
  )
  assert sn["trainable_params"] == plain["trainable_params"] == 1_053_825
  assert sn["flops"] == plain["flops"] > 0
  assert sum(row["params"] for row in sn["layers"]) == 1_053_825


def test_spectral_norm_wraps_every_conv_of_d_and_keeps_its_weights():
  plain = nets.dcgan.dcgan_discriminator(ndf=8, image_size=32, norm="none")
  sn = nets.dcgan.dcgan_discriminator(ndf=8, image_size=32, norm="none", spectral_norm=True)
  wrapped = [layer for layer in sn.layers if isinstance(layer, SpectralNormalization)]
  # 32 px: main_0, two stride-2 convs (official indices: a BN slot each), the last conv; 3*4*4*8 + 8*16*16 + 16*32*16 + 32*16.
  assert [layer.name for layer in wrapped] == ["main_0", "main_2", "main_5", "main_8"]
  counts = [int(np.prod(v.shape)) for v in sn.trainable_weights]
  assert sum(counts) == 384 + 2048 + 8192 + 512 == plain.count_params()
