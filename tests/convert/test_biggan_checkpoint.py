"""Official BigGAN-PyTorch G state_dicts -> Keras: eval-mode parity, key layout, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tfgan_repro.convert import biggan_checkpoint
from tfgan_repro.nets import biggan_generator
from tfgan_repro.torch_reference import biggan as official_torch

# 32 px (official G_arch[32]: 3 blocks of 4 ch), attention at 16 px, hier z of 4 chunks of 2.
KWARGS = {"ch": 4, "dim_z": 8, "shared_dim": 4, "n_classes": 3}
KERAS_KWARGS = {**KWARGS, "image_size": 32, "attention": 16}


@pytest.fixture(scope="module")
def official(tmp_path_factory):
  """The official G (reference) with random weights, BN statistics and attention gains, one
  training-mode call (moves u0, sv0 and the stored statistics as training does), then eval mode;
  its state_dict saved as G_ema.pth."""
  torch.manual_seed(0)
  net = official_torch.Generator(resolution=32, attention=(16,), **KWARGS)
  with torch.no_grad():
    for name, param in net.named_parameters():
      if name.endswith(("gamma", "output_layer.0.gain", "output_layer.0.bias")):
        param.uniform_(0.5, 1.5)
    net(torch.randn(4, 8), net.shared(torch.tensor([0, 1, 2, 1])))
    for name, buffer in net.named_buffers():
      if name.endswith("stored_var"):
        buffer.uniform_(0.5, 2.0)
  net.eval()
  path = str(tmp_path_factory.mktemp("biggan") / "G_ema.pth")
  torch.save(net.state_dict(), path)
  return net, path


def test_imported_generator_equals_the_official_in_eval_mode(official):
  net, path = official
  G = biggan_checkpoint.load_generator(path, **KERAS_KWARGS)
  rng = np.random.default_rng(0)
  z = rng.normal(size=(4, 8)).astype(np.float32)
  y = np.array([2, 0, 1, 2], np.int32)
  with torch.no_grad():
    want = net(torch.from_numpy(z), net.shared(torch.from_numpy(y).long()))
  want = want.numpy().transpose(0, 2, 3, 1)  # NCHW -> NHWC
  got = np.asarray(G([z, y], training=False))
  assert 0.1 < np.abs(want).mean() < 0.9  # not saturated: the comparison means something
  np.testing.assert_allclose(got, want, atol=1e-4, rtol=0)
  # The imported sigma of the first linear is the official eval-mode sigma from u0.
  w = net.linear.weight.detach().numpy().astype(np.float64)
  u0 = net.linear.u0.numpy()[0].astype(np.float64)
  v = w.T @ u0 / np.linalg.norm(w.T @ u0)
  sigma = np.linalg.norm(w @ v)
  linear = G.get_layer("linear")
  kernel = linear.layer.kernel.numpy()
  np.testing.assert_allclose(kernel / linear.normalized_kernel().numpy(), sigma, rtol=1e-5)


def test_official_keys_are_the_reference_state_dict(official):
  net, _ = official
  G = biggan_generator(**KERAS_KWARGS, init="N02")
  want = {k: tuple(v.shape) for k, v in net.state_dict().items()}
  assert biggan_checkpoint.official_keys(G) == want
  assert len(want) == 110  # linear 4, 3 blocks x 28, attention 13, output 4 + 4, shared 1


def test_mismatching_state_dicts_raise_naming_the_keys(official):
  net, _ = official
  state = {k: v.numpy() for k, v in net.state_dict().items()}
  G = biggan_generator(**KERAS_KWARGS, init="N02")
  before = G.get_layer("shared").embeddings.numpy()
  missing = {k: v for k, v in state.items() if k != "blocks.1.1.gamma"}
  with pytest.raises(ValueError, match=r"missing keys \[blocks\.1\.1\.gamma\]"):
    biggan_checkpoint.assign_state_dict(G, missing)
  with pytest.raises(ValueError, match=r"unexpected keys \[blocks\.9\.0\.conv1\.weight\]"):
    biggan_checkpoint.assign_state_dict(G, {**state, "blocks.9.0.conv1.weight": np.zeros(1)})
  wide = biggan_generator(**{**KERAS_KWARGS, "ch": 8}, init="N02")
  with pytest.raises(ValueError, match=r"shape differences \[linear\.weight: checkpoint"):
    biggan_checkpoint.assign_state_dict(wide, state)
  np.testing.assert_array_equal(G.get_layer("shared").embeddings.numpy(), before)
