"""StyleGAN2 against the official training step in PyTorch (torch_reference/stylegan2_training.py,
NVlabs/stylegan2-ada-pytorch training/loss.py StyleGAN2Loss and training_loop.py): equal
parameter counts (the official D counts at 256 px), the same D logits from our weights, and two
iterations on our weights, the same real batches, the same z of each phase and the same
path-length noise log the official losses of all four phases (Gmain, Greg, Dmain, Dreg, both
intervals 2 here) and leave the same G_ema. Style mixing is off in the
comparison: our mixing z and cutoff are stateless draws that the official run_G cannot be given.
The stored noise (tiny config: noise_mode const) makes G deterministic."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch  # the test extra (pyproject.toml)

from configs import stylegan2 as stylegan2_configs
from tests.torch_steps import one_core  # noqa: F401 (fixture)
from tfgan_repro import models
from tfgan_repro.convert import stylegan2_checkpoint
from tfgan_repro.layers.equalized_conv2d import EqualizedConv2D
from tfgan_repro.layers.equalized_dense import EqualizedDense
from tfgan_repro.models import stylegan2 as ours_lib
from tfgan_repro.torch_reference import stylegan2_training
from tfgan_repro.training import benchmark
from tfgan_repro.training.trainer import Trainer

BATCH, SIZE = 4, 16
# Measured here: relative differences <= 1.5e-7 at step 0 and <= 6.5e-6 at step 1 (D_reg; the
# others <= 2.4e-6), after one update of each Adam.
RTOL = 1e-4
PHASE_SALTS = {"Gmain": ours_lib._Z_GMAIN, "Greg": ours_lib._Z_GREG, "Dmain": ours_lib._Z_DMAIN}


def _config():
  config = stylegan2_configs.get_config("tiny")  # 16 px, channels <= 8, stored noise
  config.batch_size = BATCH
  config.loss.style_mixing_prob = 0.0  # module docstring
  config.loss.g_reg_interval = config.loss.d_reg_interval = 2  # every phase within two steps
  config.discriminator.mbstd_group_size = 2  # groups of 2 of the 4 examples
  return config


def _nchw(x: np.ndarray) -> torch.Tensor:
  return torch.from_numpy(np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))))


def _perturb_zeros(net: keras.Model, seed: int) -> None:
  """Biases and noise strengths start at 0, which would hide a mistake in their use: N(0, 0.2^2)."""
  rng = np.random.default_rng(seed)
  for v in net.trainable_variables:
    if not np.any(v.numpy()):
      v.assign(0.2 * rng.standard_normal(v.shape).astype(np.float32))


def _copy_generator(G: keras.Model, theirs: torch.nn.Module) -> None:
  """Our G's weights -> the official state dict (convert/stylegan2_checkpoint.py's map inverted)."""
  state = theirs.state_dict()
  targets = stylegan2_checkpoint.keras_targets(G)
  with torch.no_grad():
    for key, target in targets.items():
      value = target.variable.numpy()
      if target.permute is not None:
        value = np.transpose(value, np.argsort(target.permute))
      state[key].copy_(torch.from_numpy(np.ascontiguousarray(value)).reshape(state[key].shape))
  assert {k for k in state if not k.endswith("resample_filter")} == set(targets)


def _copy_discriminator(D: keras.Model, theirs: torch.nn.Module) -> None:
  """b{R}_{part} -> b{R}.{part}: conv kernels (k, k, I, O) -> (O, I, k, k), dense (I, O) ->
  (O, I), biases as they are."""
  state, copied = theirs.state_dict(), set()
  with torch.no_grad():
    for layer in D.layers:
      if not isinstance(layer, (EqualizedConv2D, EqualizedDense)):
        continue
      path = layer.name.replace("_", ".", 1)
      kernel = layer.kernel.numpy()
      kernel = kernel.transpose(3, 2, 0, 1) if kernel.ndim == 4 else kernel.T
      state[f"{path}.weight"].copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
      copied.add(f"{path}.weight")
      if layer.bias is not None:
        state[f"{path}.bias"].copy_(torch.from_numpy(layer.bias.numpy()))
        copied.add(f"{path}.bias")
  assert copied == {name for name, _ in theirs.named_parameters()}


@pytest.mark.parametrize(
  "channel_base, mbstd_group_size, count",
  [(32768, 4, 28_864_129), (16384, 8, 24_001_089)],  # cfg stylegan2 / paper256 at 256 px
)
def test_reference_discriminator_has_the_official_count(channel_base, mbstd_group_size, count):
  net = stylegan2_training.Discriminator(
    img_resolution=256, channel_base=channel_base, mbstd_group_size=mbstd_group_size
  )
  assert sum(p.numel() for p in net.parameters()) == count  # docs/official_counts.md


def test_reference_discriminator_computes_ours_from_our_weights():
  config = _config()
  keras.utils.set_random_seed(3)
  D = models.build_model(config).D
  _perturb_zeros(D, 4)
  theirs = benchmark.TORCH_COUNTERPARTS["stylegan2"](config, 3).D
  _copy_discriminator(D, theirs)
  images = np.random.default_rng(5).uniform(-1, 1, (BATCH, SIZE, SIZE, 3)).astype(np.float32)
  with torch.no_grad():
    want = theirs(_nchw(images)).numpy()
  assert np.abs(want).min() > 1e-2  # logits away from 0: the comparison means something
  np.testing.assert_allclose(D(images, training=True).numpy(), want, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def two_steps():
  """(our logs, the official iteration's losses) of iterations 0 and 1, and both G_ema."""
  config = _config()
  keras.utils.set_random_seed(0)
  torch.manual_seed(0)
  model = models.build_model(config)
  trainer = Trainer(model, steps_per_epoch=1000)  # rate constant over these steps
  trainer.compile()
  theirs = benchmark.TORCH_COUNTERPARTS["stylegan2"](config, 3)  # the bench's counterpart
  ours_count = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
  assert theirs.num_parameters() == ours_count
  _perturb_zeros(model.G, 1)
  _perturb_zeros(model.D, 2)
  trainer.reset_ema()
  _copy_generator(model.G, theirs.G)
  _copy_generator(model.G, theirs.G_ema)
  _copy_discriminator(model.D, theirs.D)
  rng = np.random.default_rng(10)
  # a tf.function: an eager tape through the up-sampling crashes TF on CPU (docs/pitfalls.md)
  train_step = tf.function(trainer.train_step)
  steps = []
  for i in range(2):
    images = rng.uniform(-1, 1, (BATCH, SIZE, SIZE, 3)).astype(np.float32)
    step = tf.constant(i, tf.int64)
    # The z of each phase and the path-length noise our step i draws, given to the official
    # iteration in place of its torch.randn draws.
    latents = {
      name: torch.from_numpy(trainer.latent((images,), step, salt).numpy())
      for name, salt in PHASE_SALTS.items()
    }
    shape = [BATCH // config.loss.pl_batch_shrink, SIZE, SIZE, 3]
    pl_noise = tf.random.stateless_normal(shape, trainer.seed_of(step, ours_lib._PL_NOISE))
    trainer.reset_metrics()
    logs = {k: float(v) for k, v in train_step(tf.constant(images)).items()}
    official = theirs.optimize_parameters(_nchw(images), latents, _nchw(pl_noise.numpy()))
    steps.append((logs, official))
  return steps, trainer.ema_copies["G"], theirs.G_ema


def test_two_iterations_log_the_official_losses_of_every_phase(two_steps):
  steps, _, _ = two_steps
  assert set(steps[0][1]) == {"G_adv", "D_real", "D_fake"}
  assert set(steps[1][1]) == {"G_adv", "G_pl", "pl_length", "D_real", "D_fake", "D_reg"}
  assert steps[1][1]["G_pl"] > 0 and steps[1][1]["D_reg"] > 0
  for i, (ours, official) in enumerate(steps):
    for name, value in official.items():
      np.testing.assert_allclose(ours[name], value, rtol=RTOL, err_msg=f"{name} step {i}")


def test_two_iterations_leave_the_official_g_ema(two_steps):
  _, ours, official = two_steps
  state = official.state_dict()
  targets = stylegan2_checkpoint.keras_targets(ours)
  for key in ("mapping.fc0.weight", "synthesis.b16.conv1.weight", "mapping.w_avg"):
    target = targets[key]
    value = target.variable.numpy()
    if target.permute is not None:
      value = np.transpose(value, np.argsort(target.permute))
    np.testing.assert_allclose(value, state[key].numpy(), rtol=1e-3, atol=1e-5, err_msg=key)


@pytest.mark.usefixtures("one_core")
def test_compare_torch_runs_the_stylegan2_step():
  config = stylegan2_configs.get_config("tiny")
  # Gmain and Dmain only: tracing the regularisers' second-order gradients takes most of a
  # minute here (they are compared above)
  config.loss.pl_weight = config.loss.r1_gamma = 0.0
  result = benchmark.compare_torch(config, steps=1, warmup=0)
  assert result["parameters"] == 6_463  # the tiny G 3,042 + D 3,421
  assert result["threads"] == 1
  for key in ("ours_ms_per_step", "torch_ms_per_step", "train_gflop_per_step"):
    assert np.isfinite(result[key]) and result[key] > 0, key


@pytest.mark.parametrize(
  "section, field, value, named",
  [
    ("loss", "diff_augment", "color", "loss"),
    ("ema", "decay", 0.999, "ema"),
    ("generator", "noise_mode", "none", "generator"),
    ("latent", "distribution", "uniform", "latent"),
  ],
)
def test_compare_torch_refuses_stylegan2_configs_it_does_not_reproduce(
  section, field, value, named
):
  config = stylegan2_configs.get_config("tiny")
  config[section][field] = value
  with pytest.raises(ValueError, match=f"config.{named} differs"):
    benchmark.TORCH_COUNTERPARTS["stylegan2"](config, 3)
