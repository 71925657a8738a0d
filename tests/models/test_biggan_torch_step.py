"""BigGAN against the official training step in PyTorch (torch_reference/biggan_training.py,
ajbrock/BigGAN-PyTorch train_fns.GAN_training_function): equal parameter counts, and two steps
from the same weights on the same real batches, with the z and fake classes our step draws, log
the official hinge losses. The weights are the official init moved off orthogonality (all
singular values 1 would make every spectral norm 1 whatever its power iteration) and the SN
vectors u0 converged, so that the number of power-iteration steps per step (ours: one per D call,
real and fake apart; official: one per G_D call) does not matter; attention gains 0.3 (0 at init
would hide the attention blocks)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch  # the test extra (pyproject.toml)
from torch.nn import functional as F

from configs import conditional as conditional_configs
from tests.biggan_weights import set_sn
from tests.torch_steps import one_core  # noqa: F401 (fixture)
from tfgan_repro import models
from tfgan_repro.convert import biggan_checkpoint
from tfgan_repro.layers.self_attention import SelfAttention
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.models import conditional_synthesis
from tfgan_repro.training import benchmark
from tfgan_repro.training.trainer import Trainer

BATCH, SIZE, CLASSES = 4, 32, 12
# Measured here: relative differences <= 1.6e-5 at step 0 and <= 7.8e-5 at step 1 (after one
# update of each Adam; SN, batch norm and attention in float32 on both sides).
RTOL = 1e-3


def _config():
  """BigGAN (conditional.py:biggan: hinge, Adam 1e-4 / 4e-4 (0, 0.999) eps 1e-6, EMA from step
  20,000) at 32 px, ch 4, attention at 16 px in G and D, on the tiny class-shapes data."""
  config = conditional_configs.get_config("tiny")
  big = conditional_configs.get_config("biggan")
  for section in ("generator", "discriminator", "optimizer", "ema", "loss"):
    config[section] = big[section]
  config.generator.update({"ch": 4, "dim_z": 8, "shared_dim": 4, "attention": 16})
  config.discriminator.update({"ch": 4, "attention": 16})
  config.conditioning.num_classes = CLASSES
  config.data.crop_size = config.data.load_size = SIZE
  config.batch_size = BATCH
  return config


def _spread_and_converge(net: torch.nn.Module, gen: torch.Generator) -> None:
  """Every SN weight plus N(0, (0.5 std)^2), attention gains 0.3, then u0 := the top left
  singular vector (100 power-iteration steps)."""
  with torch.no_grad():
    for name, param in net.named_parameters():
      if name.endswith("gamma"):
        param.fill_(0.3)
    for m in net.modules():
      if hasattr(m, "u0"):
        w = m.weight
        w.add_(0.5 * w.std() * torch.randn(w.shape, generator=gen))
        matrix = w.view(w.size(0), -1)  # [out, fan_in]
        u = m.u0
        for _ in range(100):
          u = F.normalize(F.normalize(u @ matrix, dim=1) @ matrix.t(), dim=1)
        m.u0.copy_(u)


def _copy_discriminator(D: torch.nn.Module, ours: keras.Model) -> int:
  """The official D's state -> our D (layer names: nets/biggan.py); returns the SN layers set."""
  state = {k: v.numpy() for k, v in D.state_dict().items()}
  # conv weights (O, I, k, k) -> kernels (k, k, I, O)
  conv = lambda path: state[f"{path}.weight"].transpose(2, 3, 1, 0)  # noqa: E731
  count = 0
  for layer in ours.layers:
    block, _, part = layer.name.partition("_")
    if isinstance(layer, SelfAttention):
      path = f"blocks.{block[len('block') :]}.1"
      for name in ("theta", "phi", "g", "o"):
        set_sn(getattr(layer, name), state, f"{path}.{name}", conv(f"{path}.{name}"))
        count += 1
      layer.gamma.assign(state[f"{path}.gamma"])
    elif layer.name in ("linear", "embed"):
      set_sn(layer, state, layer.name, state[f"{layer.name}.weight"].T)
      count += 1
    elif isinstance(layer, SpectralNormalization):
      path = f"blocks.{block[len('block') :]}.0.{part}"
      set_sn(layer, state, path, conv(path))
      count += 1
  return count


@pytest.fixture(scope="module")
def two_steps():
  config = _config()
  keras.utils.set_random_seed(0)
  torch.manual_seed(0)
  model = models.build_model(config)
  trainer = Trainer(model, steps_per_epoch=1000)  # rates constant over these steps
  trainer.compile()
  theirs = benchmark.TORCH_COUNTERPARTS["conditional_gan"](config, 3)  # the bench's counterpart
  assert theirs.num_parameters() == sum(int(np.prod(v.shape)) for v in model.trainable_variables)
  gen = torch.Generator().manual_seed(1)
  _spread_and_converge(theirs.G, gen)
  _spread_and_converge(theirs.D, gen)
  theirs.G_ema.load_state_dict(theirs.G.state_dict())
  biggan_checkpoint.assign_state_dict(
    model.G, {k: v.numpy() for k, v in theirs.G.state_dict().items()}
  )
  sn_modules = sum(1 for m in theirs.D.modules() if hasattr(m, "u0"))
  assert _copy_discriminator(theirs.D, model.D) == sn_modules
  trainer.reset_ema()
  rng = np.random.default_rng(10)
  steps = []
  for i in range(2):
    images = rng.uniform(-1, 1, (BATCH, SIZE, SIZE, 3)).astype(np.float32)
    labels = rng.integers(0, CLASSES, BATCH).astype(np.int32)
    batch, step = (tf.constant(images), tf.constant(labels)), tf.constant(i, tf.int64)
    # The (z, y~) our step draws; with n_critic 1 one G(z, y~) serves D's and G's step, so the
    # official D and G steps are given the same draw.
    z = torch.from_numpy(trainer.latent(batch, step, conditional_synthesis._Z).numpy())
    y = torch.from_numpy(trainer.classes(batch, step, conditional_synthesis._Z).numpy())
    trainer.reset_metrics()
    logs = {k: float(v) for k, v in trainer.train_step(batch).items()}
    nchw = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    official = theirs.optimize_parameters(nchw, torch.from_numpy(labels), ((z, y), (z, y)))
    steps.append((logs, official))
  return steps


def test_two_steps_log_the_official_hinge_losses(two_steps):
  # D's logits are tens (sum pooling): a hinge term may be 0 in a step, but each is compared
  # away from 0 in one of the two
  for name in ("D_real", "D_fake", "G_adv"):
    assert max(abs(official[name]) for _, official in two_steps) > 0.1, name
  for i, (ours, official) in enumerate(two_steps):
    assert set(official) == {"D_real", "D_fake", "G_adv"}
    for name, value in official.items():
      np.testing.assert_allclose(ours[name], value, rtol=RTOL, err_msg=f"{name} step {i}")


@pytest.mark.usefixtures("one_core")
def test_compare_torch_runs_the_biggan_step():
  config = _config()
  # no attention blocks: tracing our step twice (train function, FLOPs) with the five of them
  # takes most of a minute here (they are compared above)
  config.generator.attention = config.discriminator.attention = 0
  result = benchmark.compare_torch(config, steps=1, warmup=0)
  official = benchmark.TORCH_COUNTERPARTS["conditional_gan"](config, 3)
  assert result["parameters"] == official.num_parameters()
  assert result["threads"] == 1
  for key in ("ours_ms_per_step", "torch_ms_per_step", "train_gflop_per_step"):
    assert np.isfinite(result[key]) and result[key] > 0, key


@pytest.mark.parametrize(
  "section, field, value, named",
  [
    ("loss", "ortho_reg", 1e-4, "loss"),
    ("conditioning", "mode", "concat", "conditioning"),
    ("ema", "half_life_kimg", 10.0, "ema"),
    ("generator", "init", "N02", "generator"),
  ],
)
def test_compare_torch_refuses_biggan_configs_it_does_not_reproduce(section, field, value, named):
  config = _config()
  config[section][field] = value
  with pytest.raises(ValueError, match=f"config.{named} differs"):
    benchmark.TORCH_COUNTERPARTS["conditional_gan"](config, 3)


def test_compare_torch_refuses_conditional_nets_other_than_biggan():
  with pytest.raises(ValueError, match="config.generator/discriminator differs"):
    benchmark.TORCH_COUNTERPARTS["conditional_gan"](conditional_configs.get_config("tiny"), 3)
