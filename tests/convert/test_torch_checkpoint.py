"""Official PyTorch generator checkpoints -> Keras: exact outputs, key layout, bad input."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from configs import pretrained
from tfgan_repro import convert, models
from tfgan_repro.torch_reference import networks as official_torch
from tfgan_repro.training.checkpointing import load_run

RESNET_NGF, RESNET_SIZE = 8, 32  # resnet_6, ngf 8: 32 px (multiple of 4)
UNET_NGF, UNET_SIZE = 4, 128  # unet_128, ngf 4: 128 px (2^7, the bottleneck is 1x1)


def _images(size: int, seed: int = 0) -> np.ndarray:
  return np.random.default_rng(seed).uniform(-1, 1, (2, size, size, 3)).astype(np.float32)


def _torch_output(net: torch.nn.Module, images: np.ndarray) -> np.ndarray:
  with torch.no_grad():
    out = net(torch.from_numpy(images.transpose(0, 3, 1, 2)))  # NHWC -> NCHW
  return out.numpy().transpose(0, 2, 3, 1)  # NCHW -> NHWC


def _config(arch: str, **generator):
  config = pretrained.get_config(arch)
  config.generator.update(generator)
  return config


@pytest.fixture(scope="module")
def resnet(tmp_path_factory):
  """Official ResnetGenerator (6 blocks, instance norm, no dropout), random weights, eval mode;
  its state_dict saved plain and as DataParallel saves it (`module.` prefix)."""
  torch.manual_seed(0)
  net = official_torch.ResnetGenerator(
    3, 3, RESNET_NGF, official_torch.get_norm_layer("instance"), use_dropout=False, n_blocks=6
  ).eval()
  folder = tmp_path_factory.mktemp("resnet")
  plain, prefixed = str(folder / "latest_net_G.pth"), str(folder / "data_parallel.pth")
  torch.save(net.state_dict(), plain)
  torch.save(torch.nn.DataParallel(net).state_dict(), prefixed)
  return net, plain, prefixed


@pytest.mark.parametrize("which", ["plain", "module_prefix"])
def test_resnet_6_output_equals_official(resnet, which):
  net, plain, prefixed = resnet
  model = convert.convert_torch_checkpoint(
    plain if which == "plain" else prefixed, _config("resnet_6", ngf=RESNET_NGF)
  )
  x = _images(RESNET_SIZE)
  want = _torch_output(net, x)
  got = model(x).numpy()
  assert got.shape == want.shape == (2, RESNET_SIZE, RESNET_SIZE, 3)
  assert np.std(want) > 0.1  # a real signal, not a saturated or zero output
  assert np.max(np.abs(got - want)) <= 1e-4


def test_unet_128_batch_norm_dropout_equals_official_in_eval_mode(tmp_path):
  # pix2pix: norm batch + dropout 0.5. Both sides in eval mode: BatchNorm uses the running stats,
  # dropout is off (official test.py --eval; without --eval pix2pix keeps both in train mode).
  torch.manual_seed(1)
  net = official_torch.UnetGenerator(
    3, 3, 7, UNET_NGF, official_torch.get_norm_layer("batch"), use_dropout=True
  )
  with torch.no_grad():  # running stats and affine parameters far from their initial 0 / 1
    for m in net.modules():
      if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 2.0)
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.5, 0.5)
  net.eval()
  path = str(tmp_path / "latest_net_G.pth")
  torch.save(net.state_dict(), path)
  config = _config("unet_128", ngf=UNET_NGF)
  assert (config.generator.norm, config.generator.dropout) == ("batch", 0.5)  # pix2pix defaults
  model = convert.convert_torch_checkpoint(path, config)
  x = _images(UNET_SIZE)
  want = _torch_output(net, x)
  got = model(x, training=False).numpy()
  assert got.shape == (2, UNET_SIZE, UNET_SIZE, 3)
  assert np.std(want) > 0.1
  assert np.max(np.abs(got - want)) <= 1e-4
  bn = model.G.get_layer("down2_norm")  # official model.model.1.model.2
  np.testing.assert_array_equal(
    bn.moving_variance.numpy(), net.model.model[1].model[2].running_var.numpy()
  )


def test_official_module_paths_are_the_official_state_dict_keys():
  resnet_9 = convert.official_module_paths("resnet_9")
  # Official resnet_9blocks checkpoints: blocks model.10-18, ConvTranspose2d model.19 and
  # model.22, last conv model.26.
  assert (resnet_9["block1_conv1"], resnet_9["block9_conv2"]) == (
    "model.10.conv_block.1",
    "model.18.conv_block.5",
  )
  assert (resnet_9["up1"], resnet_9["up2"], resnet_9["conv_out"]) == (
    "model.19",
    "model.22",
    "model.26",
  )
  # With dropout the second conv of a block moves one index (Dropout is conv_block.4).
  assert convert.official_module_paths("resnet_6", dropout=True)["block1_conv2"] == (
    "model.10.conv_block.6"
  )
  unet_256 = convert.official_module_paths("unet_256")
  innermost = "model.model.1.model." + "3.model." * 6  # level 8 of 8
  assert (unet_256["down1"], unet_256["up1"]) == ("model.model.0", "model.model.3")
  assert (unet_256["down8"], unet_256["up8"], unet_256["up8_norm"]) == (
    innermost + "1",
    innermost + "3",
    innermost + "4",
  )
  assert unet_256["up2_norm"] == "model.model.1.model.6"
  # 8 down convs + 6 down norms + 8 up convs + 7 up norms, in official state_dict order.
  assert len(unet_256) == 29
  assert list(unet_256)[:3] == ["down1", "down2", "down2_norm"]
  assert list(unet_256)[-3:] == ["up2", "up2_norm", "up1"]


def _module_order(net: torch.nn.Module) -> list[str]:
  """Module paths of a state_dict's tensors, in its order."""
  return list(dict.fromkeys(key.rsplit(".", 1)[0] for key in net.state_dict()))


@pytest.mark.parametrize("arch", ["resnet_6", "unet_128"])
def test_module_paths_follow_the_official_state_dict_order(arch):
  norm = official_torch.get_norm_layer("batch")  # every norm has tensors, so every path shows
  if arch == "resnet_6":
    net = official_torch.ResnetGenerator(3, 3, 2, norm, use_dropout=True, n_blocks=6)
  else:
    net = official_torch.UnetGenerator(3, 3, 7, 2, norm, use_dropout=True)
  paths = convert.official_module_paths(arch, dropout=True)
  assert list(paths.values()) == _module_order(net)


@pytest.mark.parametrize(
  ("arch", "norm", "dropout", "params"),
  [
    ("resnet_9", "instance", False, 11_378_179),  # official CycleGAN G (docs/official_counts.md)
    ("unet_256", "batch", True, 54_413_955),  # official pix2pix G (docs/official_counts.md)
  ],
)
def test_paper_size_official_state_dicts_fill_every_weight(arch, norm, dropout, params):
  torch.manual_seed(0)
  layer = official_torch.get_norm_layer(norm)
  if arch == "resnet_9":
    net = official_torch.ResnetGenerator(3, 3, 64, layer, use_dropout=dropout, n_blocks=9)
  else:
    net = official_torch.UnetGenerator(3, 3, 8, 64, layer, use_dropout=dropout)
  state = {k: v.numpy() for k, v in net.state_dict().items()}
  keras_net = models.build_model(_config(arch)).G  # the variant's defaults are the official ones
  count = convert.assign_state_dict(keras_net, state, arch=arch, dropout=dropout)
  assert sum(int(np.prod(v.shape)) for v in keras_net.trainable_weights) == params
  tensors = len([k for k in state if not k.endswith("num_batches_tracked")])
  assert count == tensors
  kernel = keras_net.get_layer("conv_in" if arch == "resnet_9" else "down1").kernel.numpy()
  first = "model.1.weight" if arch == "resnet_9" else "model.model.0.weight"
  np.testing.assert_array_equal(kernel, state[first].transpose(2, 3, 1, 0))  # OIHW -> HWIO


def test_every_official_key_is_mapped(resnet):
  net, plain, _ = resnet
  # resnet_6, instance norm: 3 + 2 * 6 + 3 convs with weight and bias = 36 tensors.
  keras_net = models.build_model(_config("resnet_6", ngf=RESNET_NGF)).G
  state = convert.load_state_dict(plain)
  assert convert.assign_state_dict(keras_net, state, arch="resnet_6") == 36 == len(state)
  assert len(net.state_dict()) == 36


def test_import_writes_a_workdir_that_load_run_returns(resnet, tmp_path):
  net, plain, _ = resnet
  workdir = str(tmp_path / "run")
  model, path = convert.import_torch_checkpoint(plain, _config("resnet_6", ngf=RESNET_NGF), workdir)
  assert path == os.path.join(workdir, "checkpoints", "ckpt-0")
  config, loaded, step = load_run(workdir)
  assert (config.model, step, list(loaded.generators)) == ("pretrained", 0, ["G"])
  with open(plain, "rb") as f:
    assert config.imported_from.sha256 == hashlib.sha256(f.read()).hexdigest()
  x = _images(RESNET_SIZE, seed=1)
  np.testing.assert_array_equal(loaded.generators["G"](x).numpy(), model(x).numpy())
  assert np.max(np.abs(loaded(x).numpy() - _torch_output(net, x))) <= 1e-4
  # Importing the same architecture again replaces the checkpoint.
  assert convert.import_torch_checkpoint(plain, config, workdir)[1] == path


def test_missing_and_unexpected_keys_are_listed(resnet, tmp_path):
  _, plain, _ = resnet
  state = torch.load(plain, weights_only=True)
  del state["model.1.weight"]
  state["model.99.weight"] = torch.zeros(3)
  bad = str(tmp_path / "bad.pth")
  torch.save(state, bad)
  workdir = str(tmp_path / "run")
  with pytest.raises(ValueError) as err:
    convert.import_torch_checkpoint(bad, _config("resnet_6", ngf=RESNET_NGF), workdir)
  message = str(err.value)
  assert "missing keys [model.1.weight]" in message
  assert "unexpected keys [model.99.weight]" in message
  assert "shape differences" not in message
  assert not os.path.exists(workdir)  # nothing written for a mismatching file


def test_wrong_ngf_lists_shape_differences(resnet):
  _, plain, _ = resnet
  with pytest.raises(ValueError) as err:
    convert.convert_torch_checkpoint(plain, _config("resnet_6", ngf=4))
  message = str(err.value)
  # Every conv's shapes differ: 2 * (3 + 12 + 3) = 36 - 1 (conv_out bias keeps 3) = 35.
  assert "shape differences [model.1.weight: checkpoint (8, 3, 7, 7) vs resnet_6 (4, 3, 7, 7)" in (
    message
  )
  assert "(35 in all)" in message
  assert "missing keys" not in message


def test_wrong_arch_lists_first_mismatching_keys(resnet):
  _, plain, _ = resnet
  with pytest.raises(ValueError) as err:
    convert.convert_torch_checkpoint(plain, _config("resnet_9", ngf=RESNET_NGF))
  message = str(err.value)
  # resnet_9 expects blocks 7-9 at model.16-18, where resnet_6 has its ConvTranspose2d / conv_out.
  assert "missing keys [model.16.conv_block.1.weight, model.16.conv_block.1.bias," in message
  assert "unexpected keys [model.16.weight, model.16.bias, model.23.weight, model.23.bias]" in (
    message
  )
  # model.19 is up2 of resnet_6 (16 -> 8 channels) and up1 of resnet_9 (32 -> 16).
  assert "model.19.weight: checkpoint (16, 8, 3, 3) vs resnet_9 (32, 16, 3, 3)" in message
  assert "arch='resnet_9'" in message


def test_wrong_norm_lists_batch_norm_keys(resnet):
  _, plain, _ = resnet
  with pytest.raises(ValueError) as err:  # an instance-norm checkpoint read as batch norm
    convert.convert_torch_checkpoint(plain, _config("resnet_6", ngf=RESNET_NGF, norm="batch"))
  message = str(err.value)
  assert "missing keys [model.2.weight, model.2.bias, model.2.running_mean," in message
  assert "unexpected keys [model.1.bias," in message  # no conv bias before batch norm


def test_stale_instance_norm_statistics_are_dropped(resnet, tmp_path):
  net, plain, _ = resnet
  state = torch.load(plain, weights_only=True)  # as checkpoints of PyTorch < 0.4 carry
  state["model.2.running_mean"] = torch.zeros(RESNET_NGF)
  state["model.2.running_var"] = torch.ones(RESNET_NGF)
  old = str(tmp_path / "old.pth")
  torch.save(state, old)
  model = convert.convert_torch_checkpoint(old, _config("resnet_6", ngf=RESNET_NGF))
  x = _images(RESNET_SIZE)
  assert np.max(np.abs(model(x).numpy() - _torch_output(net, x))) <= 1e-4


class _Payload:
  """Unpickling this would create `path`: weights_only loading must refuse it."""

  def __init__(self, path: str):
    self.path = path

  def __reduce__(self):
    return (open, (self.path, "w"))


def test_arbitrary_pickled_objects_are_refused(tmp_path):
  marker = tmp_path / "unpickled"
  path = str(tmp_path / "evil.pth")
  torch.save({"model.1.weight": _Payload(str(marker))}, path)
  with pytest.raises(ValueError, match="weights_only=True"):
    convert.load_state_dict(path)
  assert not marker.exists()


def test_files_that_are_not_state_dicts_raise(tmp_path):
  garbage = tmp_path / "garbage.pth"
  garbage.write_bytes(b"not a checkpoint")
  with pytest.raises(ValueError, match="garbage.pth"):
    convert.load_state_dict(str(garbage))
  nested = str(tmp_path / "nested.pth")
  torch.save({"state_dict": {"model.1.weight": torch.zeros(1)}}, nested)
  with pytest.raises(ValueError, match="holds a dict, not a state_dict"):
    convert.load_state_dict(nested)
  with pytest.raises(ValueError, match="is not a file"):
    convert.load_state_dict(str(tmp_path / "absent.pth"))


def test_missing_torch_names_the_install_command(monkeypatch, tmp_path):
  monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
  with pytest.raises(ImportError, match=r"pip install torch==2\.13\.0"):
    convert.load_state_dict(str(tmp_path / "latest_net_G.pth"))


def _config_of_model(name: str):
  config = pretrained.get_config("resnet_6")
  config.model = name
  return config


def test_config_checks_name_the_field():
  with pytest.raises(ValueError, match="config.model must be 'pretrained'"):
    convert.convert_torch_checkpoint("x.pth", _config_of_model("cycle_gan"))
  with pytest.raises(ValueError, match="config.generator.upsample must be 'transpose'"):
    convert.convert_torch_checkpoint("x.pth", _config("resnet_6", upsample="pixel_shuffle"))


def test_config_variants_are_the_importable_architectures():
  assert pretrained.VARIANTS == pretrained.ARCHITECTURES == convert.ARCHITECTURES
  with pytest.raises(ValueError, match="unknown pretrained config variant 'tiny'"):
    pretrained.get_config("tiny")


def test_pretrained_model_refuses_training():
  model = models.build_model(_config("resnet_6", ngf=4))
  assert (model.optimizers, int(model.step.numpy())) == ({}, 0)
  with pytest.raises(ValueError, match="not trained here"):
    model.compile()
  with pytest.raises(ValueError, match="not trained here"):
    model.train_step(None)


def test_import_torch_binary(resnet, tmp_path):
  _, plain, _ = resnet
  workdir = str(tmp_path / "run")
  command = [sys.executable, "-m", "bin.import_torch", f"--checkpoint={plain}"]
  command += ["--arch=resnet_6", f"--ngf={RESNET_NGF}", f"--workdir={workdir}"]
  done = subprocess.run(command, capture_output=True, text=True, check=False)
  assert done.returncode == 0, done.stderr
  assert f"into {workdir}" in done.stdout
  assert load_run(workdir)[0].generator.ngf == RESNET_NGF
