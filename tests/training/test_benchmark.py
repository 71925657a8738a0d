"""The speed comparison measures identical work: the PyTorch reference has the official counts and,
given our weights and batch, computes our CycleGAN step's losses; the bench reports consistent
figures and refuses configs it has no counterpart for."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from configs import cyclegan, dcgan, pix2pix
from tfgan_repro import convert, models
from tfgan_repro.torch_reference import cycle_gan, networks
from tfgan_repro.training import benchmark
from tfgan_repro.training.trainer import Trainer

INSTANCE = networks.get_norm_layer("instance")


def _count(net: torch.nn.Module) -> int:
  return sum(p.numel() for p in net.parameters())


def test_reference_nets_have_the_official_parameter_counts():
  assert _count(networks.ResnetGenerator(3, 3, 64, INSTANCE, n_blocks=9)) == 11_378_179
  assert _count(networks.ResnetGenerator(3, 3, 64, INSTANCE, n_blocks=6)) == 7_837_699
  assert _count(networks.NLayerDiscriminator(3, 64, 3, INSTANCE)) == 2_764_737
  out = networks.NLayerDiscriminator(3, 64, 3, INSTANCE)(torch.zeros(1, 3, 256, 256))
  assert tuple(out.shape) == (1, 1, 30, 30)


def test_reference_image_pool_fills_then_swaps_half_the_time():
  pool = cycle_gan.ImagePool(2)
  first = [pool.query(torch.full((1, 1), float(i))).item() for i in range(2)]
  assert first == [0.0, 1.0]  # filling: the new image comes back
  outs = [pool.query(torch.full((1, 1), 10.0 + i)).item() for i in range(200)]
  swapped = sum(o < 10.0 + i for i, o in enumerate(outs))  # an older image came back
  assert 70 < swapped < 130
  assert sorted(o.item() for o in pool.images) != [0.0, 1.0]


def _tiny_config():
  config = cyclegan.get_config("tiny")
  config.train.pool_size = 50  # both pools fill during the two steps: no random swap
  return config


def _copy_torch_weights(ours, theirs: cycle_gan.CycleGANModel, config) -> None:
  """Official netG_A -> G_AB, netG_B -> G_BA, netD_A (judges B) -> D_B, netD_B -> D_A."""
  pairs = {"G_AB": "G_A", "G_BA": "G_B", "D_B": "D_A", "D_A": "D_B"}
  for mine, official in pairs.items():
    arch = config.generator.name if mine.startswith("G") else "patch"
    state = {k: v.detach().numpy() for k, v in theirs.nets[official].state_dict().items()}
    convert.assign_state_dict(getattr(ours, mine), state, arch=arch)


def test_our_step_computes_the_official_pytorch_step():
  config = _tiny_config()
  torch.manual_seed(0)
  theirs = benchmark.TORCH_COUNTERPARTS["cycle_gan"](config, 3)
  ours = models.build_model(config)
  trainer = Trainer(ours, steps_per_epoch=1000)  # Adam of config.optimizer (its builder)
  _copy_torch_weights(ours, theirs, config)
  rng = np.random.default_rng(0)
  for _ in range(2):  # the second step's losses check the first step's Adam updates
    batch = [rng.uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32) for _ in range(2)]
    trainer.reset_metrics()
    logs = trainer.train_step(tuple(batch))
    official = theirs.optimize_parameters(
      *[torch.from_numpy(b.transpose(0, 3, 1, 2)) for b in batch]
    )
    got = {"G": logs["G_total"], "D_A": logs["D_B"], "D_B": logs["D_A"]}
    for name, value in official.items():
      # Measured: <= 1.3e-5 (Adam's first step is lr * sign(g), and float noise on the exactly-zero
      # gradients of biases before instance norm flips signs); D at half the lr differs by 2e-2.
      np.testing.assert_allclose(float(got[name]), value, rtol=5e-5, err_msg=name)


def test_our_pix2pix_step_computes_the_official_pytorch_step():
  config = pix2pix.get_config("tiny")
  config.generator.dropout = 0.0  # random masks cannot match across frameworks
  torch.manual_seed(0)
  ours = models.build_model(config)
  channels = ours.G.input_shape[-1]
  theirs = benchmark.TORCH_COUNTERPARTS["pix2pix"](config, channels)
  assert theirs.num_parameters() == sum(int(np.prod(v.shape)) for v in ours.trainable_variables)
  trainer = Trainer(ours, steps_per_epoch=1000)  # Adam of config.optimizer (its builder)
  for mine, arch in ((ours.G, config.generator.name), (ours.D, "patch")):
    state = theirs.nets[mine.name].state_dict()
    convert.assign_state_dict(mine, {k: v.numpy() for k, v in state.items()}, arch=arch)
  rng = np.random.default_rng(0)
  size = config.data.crop_size
  for _ in range(2):  # the second step's losses check the first step's Adam updates
    labels = np.eye(channels, dtype=np.float32)[rng.integers(0, channels, (1, size, size))]
    photo = rng.uniform(-1, 1, (1, size, size, 3)).astype(np.float32)
    trainer.reset_metrics()
    logs = trainer.train_step((labels, photo))
    official = theirs.optimize_parameters(
      *[torch.from_numpy(b.transpose(0, 3, 1, 2).copy()) for b in (labels, photo)]
    )
    got = {"G": logs["G_total"], "G_L1": logs["G_L1"]}
    got["D"] = 0.5 * (logs["D_real"] + logs["D_fake"])
    for name, value in official.items():
      # Measured: <= 1.5e-6; D at half the lr differs by 7e-5 to 1.1e-4.
      np.testing.assert_allclose(float(got[name]), value, rtol=1e-5, err_msg=name)


def test_compare_torch_reports_both_sides_of_one_architecture():
  config = _tiny_config()
  result = benchmark.compare_torch(config, steps=2, warmup=1)
  official = benchmark.TORCH_COUNTERPARTS["cycle_gan"](config, 3)
  assert result["parameters"] == official.num_parameters() == 86_912
  assert result["ratio"] == pytest.approx(result["torch_ms_per_step"] / result["ours_ms_per_step"])
  assert result["ours_images_per_s"] == pytest.approx(1000.0 / result["ours_ms_per_step"])
  assert 0.0 < result["ours_mfu"] < 1.5 and 0.0 <= result["input_wait"] < 1.0
  assert "ratio" in benchmark.format_compare([result]).splitlines()[0]


def test_compare_torch_reports_both_sides_of_dcgan():
  config = dcgan.get_config("tiny")
  result = benchmark.compare_torch(config, steps=2, warmup=1)
  official = benchmark.TORCH_COUNTERPARTS["dcgan"](config, 3)
  assert result["model"] == "dcgan" and result["image_size"] == 16
  assert result["parameters"] == official.num_parameters() == 2_600
  assert result["ratio"] == pytest.approx(result["torch_ms_per_step"] / result["ours_ms_per_step"])
  assert result["ours_images_per_s"] == pytest.approx(2000.0 / result["ours_ms_per_step"])
  assert result["train_gflop_per_step"] > 0.0 and 0.0 <= result["input_wait"] < 1.0


@pytest.mark.parametrize(
  "key, value, named",
  [("loss.gan_mode", "hinge", "loss"), ("train.n_critic", 5, "train"), ("ema.decay", 0.999, "ema")],
)
def test_compare_torch_refuses_dcgan_configs_without_an_identical_counterpart(key, value, named):
  config = dcgan.get_config("tiny")
  section, field = key.split(".")
  config[section][field] = value
  with pytest.raises(ValueError, match=f"config.{named} differs"):
    benchmark.TORCH_COUNTERPARTS["dcgan"](config, 3)


@pytest.mark.parametrize(
  "key, value, named",
  [("loss.gan_mode", "vanilla", "loss"), ("generator.upsample", "nearest", "generator")],
)
def test_compare_torch_refuses_configs_without_an_identical_counterpart(key, value, named):
  config = _tiny_config()
  section, field = key.split(".")
  config[section][field] = value
  with pytest.raises(ValueError, match=f"config.{named} differs"):
    benchmark.TORCH_COUNTERPARTS["cycle_gan"](config, 3)


def test_benchmark_figures_agree_and_the_profile_is_written(tmp_path):
  result = benchmark.benchmark(_tiny_config(), steps=2, warmup=1, profile_dir=str(tmp_path))
  seconds = result["ms_per_step"] / 1000.0
  assert result["images_per_s"] == pytest.approx(1.0 / seconds)
  assert result["mfu"] == pytest.approx(
    result["train_gflop_per_step"] / seconds / result["matmul_peak_gflops"]
  )
  assert result["train_gflop_per_step"] > 0.0
  assert list(tmp_path.glob("plugins/profile/*/*.xplane.pb"))  # TensorBoard's Profile tab reads it
