import keras
import numpy as np
import pytest

from tests.biggan_weights import set_sn
from tfgan_repro.layers import SelfAttention, SpectralNormalization
from tfgan_repro.nets import biggan_discriminator, biggan_generator

TINY_G = {"image_size": 32, "ch": 4, "dim_z": 8, "shared_dim": 4, "n_classes": 3, "attention": 16}
TINY_D = {"image_size": 32, "ch": 4, "n_classes": 3, "attention": 0}


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize(
  "ch, g_count, d_count",
  [(96, 70_433_988, 87_982_370), (64, 31_978_628, 39_448_258)],  # docs/official_counts.md
)
def test_paper_size_counts_at_128_px(ch, g_count, d_count):
  # init "N02": the counts do not depend on the init, and orthogonal QRs of the 1536-wide kernels
  # take seconds each.
  G = biggan_generator(ch=ch, init="N02")
  D = biggan_discriminator(ch=ch, init="N02")
  assert _trainable(G) == g_count
  assert _trainable(D) == d_count
  assert G.get_layer("shared").embeddings.shape == (1000, 128)  # 128,000 of G's count
  for net in (G, D):
    trainable = {id(w) for w in net.trainable_weights}
    sn = [layer for layer in net._flatten_layers() if isinstance(layer, SpectralNormalization)]
    assert sn and not any(id(w) in trainable for layer in sn for w in (layer.u, layer.v))


def test_generator_hierarchy_attention_and_output():
  keras.utils.set_random_seed(0)
  G = biggan_generator(**TINY_G)
  names = [layer.name for layer in G.layers]
  # 3 blocks: z in 4 chunks of 2; chunk 0 -> linear, chunks 1..3 with shared(y) -> block BNs.
  assert [G.get_layer(f"z{i}").output.shape[-1] for i in range(4)] == [2, 2, 2, 2]
  assert [G.get_layer(f"y{i}").output.shape[-1] for i in range(3)] == [6, 6, 6]
  assert G.get_layer("linear").layer.kernel.shape == (2, 4 * 4 * 16)
  assert [n for n in names if n.endswith("attention")] == ["block1_attention"]  # at 16 px
  assert G.get_layer("block0_bn1").gain.layer.kernel.shape == (6, 16)
  z = np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32)
  out = np.asarray(G([z, np.array([0, 2], np.int32)], training=False))
  assert out.shape == (2, 32, 32, 3) and np.abs(out).max() <= 1.0
  other = np.asarray(G([z, np.array([1, 2], np.int32)], training=False))
  assert not np.allclose(out[0], other[0]) and np.allclose(out[1], other[1])


def test_orthogonal_init_and_pytorch_default_biases():
  keras.utils.set_random_seed(0)
  G = biggan_generator(**TINY_G)
  kernel = G.get_layer("linear").layer.kernel.numpy()  # [2, 256]: orthonormal rows
  np.testing.assert_allclose(kernel @ kernel.T, np.eye(2), atol=1e-5)
  bias = G.get_layer("block0_conv1").layer.bias.numpy()  # U(+-1/sqrt(16 * 9)) = U(+-1/12)
  assert np.abs(bias).max() <= 1 / 12 and np.abs(bias).max() > 0


def test_discriminator_blocks_and_projection():
  keras.utils.set_random_seed(0)
  D = biggan_discriminator(**TINY_D)
  names = {layer.name for layer in D.layers}
  # Block 0 has no pre-activation and pools before its shortcut conv; blocks 2, 3 keep 8 x 8.
  assert "block0_relu1" not in names and "block1_relu1" in names
  assert D.get_layer("block0_conv_sc").input.shape[1] == 16  # avgpool, then conv1
  assert D.get_layer("block1_conv_sc").input.shape[1] == 16  # conv1, then avgpool
  assert {"block2_pool", "block3_pool", "block2_conv_sc"} & names == set()
  x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
  a = np.asarray(D([x, np.array([0, 0], np.int32)], training=False))
  b = np.asarray(D([x, np.array([2, 0], np.int32)], training=False))
  h = np.asarray(keras.Model(D.inputs, D.get_layer("sum").output)([x, np.array([0, 0])]))
  embed = D.get_layer("embed")
  v = np.asarray(embed.normalized_kernel()).T  # [classes, 16]
  assert a.shape == (2, 1)
  np.testing.assert_allclose(b[0, 0] - a[0, 0], h[0] @ (v[2] - v[0]), rtol=1e-4)
  np.testing.assert_allclose(b[1], a[1], rtol=1e-6)


def test_attention_placement_of_the_official_d_arch():
  D = biggan_discriminator(image_size=64, ch=8, n_classes=2, attention=(8, 32), init="N02")
  names = [layer.name for layer in D.layers if layer.name.endswith("attention")]
  assert names == ["block0_attention", "block2_attention"]  # D_arch[64] resolutions 32, 16, 8


def test_bad_arguments_raise():
  with pytest.raises(
    ValueError, match=r"image_size must be one of \[32, 64, 128, 256, 512\], got 48"
  ):
    biggan_generator(image_size=48)
  with pytest.raises(ValueError, match="dim_z must be a multiple of 6 .hier: blocks . 1., got 100"):
    biggan_generator(dim_z=100)
  with pytest.raises(ValueError, match="unknown init 'xavier'; valid: ortho, N02, glorot"):
    biggan_discriminator(init="xavier")
  with pytest.raises(ValueError, match="attention must be resolutions"):
    biggan_discriminator(attention=-64)


def _conv(state: dict, path: str) -> np.ndarray:
  return state[f"{path}.weight"].transpose(2, 3, 1, 0)  # (O, I, kH, kW) -> (kH, kW, I, O)


def test_discriminator_equals_the_official_reference_in_eval_mode():
  torch = pytest.importorskip("torch")
  from tfgan_repro.torch_reference import biggan as official_torch

  torch.manual_seed(0)
  net = official_torch.Discriminator(ch=4, resolution=32, attention=(16,), n_classes=3)
  with torch.no_grad():
    for name, param in net.named_parameters():
      if name.endswith("gamma"):
        param.fill_(0.5)
  net.eval()
  state = {k: v.numpy() for k, v in net.state_dict().items()}
  D = biggan_discriminator(image_size=32, ch=4, n_classes=3, attention=16, init="N02")
  for layer in D.layers:
    block, _, part = layer.name.partition("_")
    if isinstance(layer, SelfAttention):  # after every block: D_arch[32] resolutions are all 16
      path = f"blocks.{block[len('block') :]}.1"
      for conv in ("theta", "phi", "g", "o"):
        set_sn(getattr(layer, conv), state, f"{path}.{conv}", _conv(state, f"{path}.{conv}"))
      layer.gamma.assign(state[f"{path}.gamma"])
    elif layer.name == "linear":
      set_sn(layer, state, "linear", state["linear.weight"].T)
    elif layer.name == "embed":
      set_sn(layer, state, "embed", state["embed.weight"].T)  # kernel [C, classes]
    elif isinstance(layer, SpectralNormalization):
      path = f"blocks.{block[len('block') :]}.0.{part}"
      set_sn(layer, state, path, _conv(state, path))
  x = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 3)).astype(np.float32)
  y = np.array([2, 0, 1], np.int32)
  with torch.no_grad():
    want = net(torch.from_numpy(x.transpose(0, 3, 1, 2)), torch.from_numpy(y).long()).numpy()
  got = np.asarray(D([x, y], training=False))
  assert np.abs(want).min() > 1e-2  # logits away from 0: the comparison means something
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
