"""StyleGAN2 nets: official parameter counts (docs/official_counts.md), shapes, truncation, the
w_avg update, and the name layout a weight import follows."""

import math

import keras
import numpy as np
import pytest

from tfgan_repro import nets
from tfgan_repro.nets import stylegan2


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize(
  "kwargs, g_count, d_count",
  [
    ({}, 30_034_338, 28_864_129),  # stylegan2-ada train.py --cfg stylegan2 (config F), 256 px
    ({"channel_base": 16384}, 24_767_458, 24_001_089),  # --cfg paper256 (fmaps 0.5)
    ({"image_size": 1024}, 30_370_060, 29_012_513),  # config F at 1024 px (FFHQ)
  ],
  ids=["config_f_256", "paper256", "config_f_1024"],
)
def test_paper_size_counts_are_the_official_ones(kwargs, g_count, d_count):
  G = stylegan2.stylegan2_generator(**kwargs)
  assert _trainable(G) == g_count
  assert _trainable(G.get_layer("mapping")) == 2_101_248  # 8 x (512 * 512 + 512)
  assert _trainable(stylegan2.stylegan2_discriminator(**kwargs)) == d_count


def test_registered_counts_are_config_f_at_256_px():
  assert nets.NETWORKS.get("stylegan2_generator").official_params == 30_034_338
  assert nets.NETWORKS.get("stylegan2_discriminator").official_params == 28_864_129


def test_tiny_generator_layout_and_shapes():
  G = nets.build("stylegan2_generator", **nets.NETWORKS.get("stylegan2_generator").tiny_kwargs)
  synthesis = G.get_layer("synthesis")
  assert stylegan2.num_ws(16) == 6 == synthesis.inputs[0].shape[1]
  names = {layer.name for layer in synthesis.layers}
  assert {
    "b4_const",
    "b4_conv1",
    "b4_conv1_noise",
    "b4_torgb",
    "b8_conv0",
    "b8_conv0_noise",
  } <= names
  assert "b4_conv0" not in names and "b16_torgb" in names
  dense = [layer.name for layer in G.get_layer("mapping").layers if hasattr(layer, "kernel")]
  assert dense == ["mapping_fc0", "mapping_fc1"]
  z = np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32)
  images = G(z, training=False).numpy()
  assert images.shape == (2, 16, 16, 3) and images.dtype == np.float32
  # channels min(channel_base // res, channel_max): b16 min(64 // 16, 8) = 4, b4 min(16, 8) = 8
  assert synthesis.get_layer("b16_conv1").kernel.shape == (3, 3, 4, 4)
  assert synthesis.get_layer("b4_const").const.shape == (4, 4, 8)


def test_truncation_psi_zero_gives_the_w_avg_image_and_training_moves_w_avg():
  kwargs = dict(nets.NETWORKS.get("stylegan2_generator").tiny_kwargs, truncation_psi=0.0)
  keras.utils.set_random_seed(0)
  G = stylegan2.stylegan2_generator(**kwargs)
  z = np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32)
  truncation = G.get_layer("truncation")
  np.testing.assert_array_equal(truncation.w_avg.numpy(), np.zeros(8))
  G(z, training=True)  # official: w_avg <- lerp(mean w, w_avg, 0.995)
  w = G.get_layer("mapping")(z).numpy()
  np.testing.assert_allclose(truncation.w_avg.numpy(), 0.005 * w.mean(0), rtol=1e-4, atol=1e-7)
  images = G(z, training=False).numpy()
  np.testing.assert_allclose(images[0], images[1], atol=1e-6)  # psi 0: every z -> w_avg


def test_tiny_discriminator_and_its_clone_agree():
  spec = nets.NETWORKS.get("stylegan2_discriminator")
  D = nets.build("stylegan2_discriminator", **spec.tiny_kwargs)
  x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 3)).astype(np.float32)
  logits = D(x).numpy()
  assert logits.shape == (4, 1)
  assert [layer.name for layer in D.layers if layer.name.endswith(("skip", "fromrgb"))] == [
    "b16_fromrgb",
    "b16_skip",
    "b8_skip",
  ]
  clone = keras.models.clone_model(D)  # the trainer's EMA / checkpoint path
  clone.set_weights(D.get_weights())
  np.testing.assert_array_equal(clone(x).numpy(), logits)


def test_bad_sizes_raise_naming_the_argument():
  with pytest.raises(ValueError, match="image_size must be a power of 2 >= 4, got 48"):
    stylegan2.stylegan2_generator(image_size=48)
  with pytest.raises(ValueError, match="image_size must be >= 8"):
    stylegan2.stylegan2_discriminator(image_size=4)
  with pytest.raises(ValueError, match="mbstd_num_channels must be >= 0"):
    stylegan2.stylegan2_discriminator(mbstd_num_channels=-1)


def test_tiny_discriminator_equals_the_official_behaviour_in_torch():
  """D of the official 'resnet' architecture written in torch (NCHW) from the Keras weights:
  fromrgb, per block skip (FIR + stride 2, x sqrt(0.5)) + conv0 + conv1 (FIR + stride 2,
  x sqrt(0.5)), mbstd (group 4), conv, fc on the C, H, W flatten, out."""
  torch = pytest.importorskip("torch")
  F = torch.nn.functional
  keras.utils.set_random_seed(3)
  D = stylegan2.stylegan2_discriminator(image_size=16, channel_base=64, channel_max=8)
  for layer in D.layers:  # biases that show
    if getattr(layer, "bias", None) is not None:
      layer.bias.assign(np.random.default_rng(1).normal(size=layer.bias.shape) * 0.1)
  x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 3)).astype(np.float32)
  f = torch.tensor([1.0, 3.0, 3.0, 1.0])
  f = (f[:, None] * f[None, :]) / 64.0

  def blur(h, pad):
    return F.conv2d(
      F.pad(h, [pad] * 4), f[None, None].repeat(h.shape[1], 1, 1, 1), groups=h.shape[1]
    )

  def weight(name):
    layer = D.get_layer(name)
    w = torch.from_numpy(layer.kernel.numpy().transpose(3, 2, 0, 1).copy()) * layer.weight_gain
    b = None if layer.bias is None else torch.from_numpy(layer.bias.numpy())
    return w, b

  def act(h, gain=1.0):
    return F.leaky_relu(h, 0.2) * math.sqrt(2.0) * gain

  h = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
  h = act(F.conv2d(h, *weight("b16_fromrgb")))
  for res in (16, 8):
    w, _ = weight(f"b{res}_skip")
    skip = F.conv2d(blur(h, 1)[:, :, ::2, ::2], w) * math.sqrt(0.5)
    h = act(F.conv2d(h, *weight(f"b{res}_conv0"), padding=1))
    h = act(F.conv2d(blur(h, 2), *weight(f"b{res}_conv1"), stride=2), math.sqrt(0.5))
    h = skip + h
  n, c, hh, ww = h.shape  # minibatch stddev over the group of 4 (official group_size 4)
  y = h.reshape(4, -1, 1, c, hh, ww)
  y = ((y - y.mean(0)) ** 2).mean(0).add(1e-8).sqrt().mean([2, 3, 4]).reshape(-1, 1, 1, 1)
  h = torch.cat([h, y.repeat(4, 1, hh, ww)], 1)
  h = act(F.conv2d(h, *weight("b4_conv"), padding=1)).flatten(1)
  for name, activate in (("b4_fc", True), ("b4_out", False)):
    layer = D.get_layer(name)
    kernel = torch.from_numpy(layer.kernel.numpy()) * layer.weight_gain
    h = h @ kernel + torch.from_numpy(layer.bias.numpy())
    h = act(h) if activate else h
  np.testing.assert_allclose(D(x).numpy(), h.numpy(), atol=1e-4)
