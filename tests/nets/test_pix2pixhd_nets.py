"""pix2pixHD's networks: official counts at label2city, intermediate features, G1 inside G."""

import numpy as np
import pytest

from tfgan_repro.layers import ExcludePadAveragePooling2D
from tfgan_repro.layers.pytorch_conv import CroppedConv2DTranspose
from tfgan_repro.nets import NETWORKS, build, global_layers, load_global_weights


def _trainable(model):
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_official_counts_with_instance_features_and_three_scales():
  # label2city: 35 one-hot labels + 1 boundary map + 3 instance features = 39 G input channels;
  # D sees 35 + 1 + 3 image channels = 39 (docs/official_counts.md; the 36-channel G counts:
  # test_registry.py).
  assert _trainable(build("global_generator", input_channels=39)) == 182_556_163
  three = build("multiscale", input_channels=39, num_d=3, padding=2, intermediate_features=True)
  assert _trainable(three) == 8_404_803


def test_multiscale_returns_every_scales_intermediate_features():
  model = build("multiscale", ndf=4, num_d=3, padding=2, intermediate_features=True)
  shapes = model.compute_output_shape((1, 64, 128, 3))
  # padw 2, k4: stride 2 gives floor(H / 2) + 1, stride 1 gives H + 1 (official shapes).
  assert shapes == [
    [(1, 33, 65, 4), (1, 17, 33, 8), (1, 9, 17, 16), (1, 10, 18, 32), (1, 11, 19, 1)],
    [(1, 17, 33, 4), (1, 9, 17, 8), (1, 5, 9, 16), (1, 6, 10, 32), (1, 7, 11, 1)],
    [(1, 9, 17, 4), (1, 5, 9, 8), (1, 3, 5, 16), (1, 4, 6, 32), (1, 5, 7, 1)],
  ]
  x = np.random.default_rng(0).uniform(-1, 1, (1, 64, 128, 3)).astype("float32")
  plain = build("multiscale", ndf=4, num_d=3, padding=2)
  plain.set_weights(model.get_weights())
  for features, logits in zip(model(x), plain(x), strict=True):
    np.testing.assert_array_equal(np.asarray(features[-1]), np.asarray(logits))


def test_global_generator_is_the_official_layout():
  model = build("global_generator", ngf=2, input_channels=5)
  assert model.compute_output_shape((1, 32, 64, 5)) == (1, 32, 64, 3)
  assert [model.get_layer(f"down{i}").filters for i in range(1, 5)] == [4, 8, 16, 32]
  assert len([layer for layer in model.layers if layer.name.endswith("_add")]) == 9
  up = model.get_layer("up1")  # ConvTranspose2d(k3, s2, p1, output_padding 1)
  assert isinstance(up, CroppedConv2DTranspose) and up.crop == (1, 0)
  assert model.get_layer("tanh").output is model.outputs[0]
  with pytest.raises(ValueError, match="divisible by 16"):
    build("global_generator", image_size=40)


def test_local_enhancer_sums_g1_features_of_the_pooled_input():
  model = build("local_enhancer", ngf=2, input_channels=5)
  pool = model.get_layer("downsample")
  assert isinstance(pool, ExcludePadAveragePooling2D)
  assert (pool.pool_size, pool.strides, pool.padding) == (3, 2, 1)
  assert model.get_layer("global_conv_in_pad").input is pool.output
  summed = model.get_layer("local_sum").input
  assert summed[1] is model.get_layer("global_up4_relu").output  # G1's last feature map
  assert summed[0] is model.get_layer("local_down1_relu").output
  names = {layer.name for layer in model.layers}
  assert "global_conv_out" not in names and "local_conv_out" in names
  assert model.compute_output_shape((1, 64, 128, 5)) == (1, 64, 128, 3)


def test_trained_g1_loads_into_the_enhancer():
  g1 = NETWORKS.get("global_generator").build(ngf=4, input_channels=5, n_blocks=2, name="G_core")
  enhancer = build("local_enhancer", ngf=2, input_channels=5, n_blocks_global=2)
  assert load_global_weights(enhancer, g1) == len([x for x in global_layers(enhancer) if x.weights])
  for layer in global_layers(enhancer):
    theirs = g1.get_layer(layer.name[len("global_") :]).get_weights()
    for mine, want in zip(layer.get_weights(), theirs, strict=True):
      np.testing.assert_array_equal(mine, want)


def test_encoder_pools_its_output_per_instance():
  model = build("instance_encoder", nef=2)
  ids = np.zeros((1, 32, 32, 1), np.float32)  # 32 px: a 2x2 bottleneck (1x1 normalises to 0)
  ids[:, 8:24, 2:9] = 26001  # a car instance (class 26 * 1000 + 1) on road (class id 7)
  ids[:, :8] = 7
  x = np.concatenate([np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)), ids], -1)
  out = np.asarray(model(x.astype("float32")))
  for i in (0, 7, 26001):
    region = out[ids[..., 0] == i]  # [pixels, 3]
    np.testing.assert_allclose(region, np.broadcast_to(region[:1], region.shape), atol=1e-6)
  assert not np.allclose(out[0, 0, 0], out[0, 16, 4])
