"""import_torch refuses a state_dict holding NaN or inf, naming the key, and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from configs import pretrained
from tfgan_repro import convert
from tfgan_repro.torch_reference import networks as official_torch

NGF = 4
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _checkpoint(path: str, key: str, value: float) -> str:
  torch.manual_seed(0)
  net = official_torch.ResnetGenerator(
    3, 3, NGF, official_torch.get_norm_layer("instance"), use_dropout=False, n_blocks=6
  )
  state = net.state_dict()
  state[key].view(-1)[0] = value  # one element
  torch.save(state, path)
  return path


@pytest.mark.parametrize(
  "key, value", [("model.10.conv_block.1.weight", float("nan")), ("model.1.bias", float("inf"))]
)
def test_binary_refuses_non_finite_tensor_and_writes_no_workdir(tmp_path, key, value):
  checkpoint = _checkpoint(str(tmp_path / "latest_net_G.pth"), key, value)
  workdir = tmp_path / "run"
  command = [sys.executable, "-m", "bin.import_torch", f"--checkpoint={checkpoint}"]
  command += ["--arch=resnet_6", f"--ngf={NGF}", f"--workdir={workdir}"]
  done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
  assert done.returncode == 1, done.stderr[-2000:]
  assert "non-finite" in done.stderr and key in done.stderr
  assert not workdir.exists()


def test_library_names_every_non_finite_key(tmp_path):
  checkpoint = _checkpoint(str(tmp_path / "bad.pth"), "model.7.weight", float("-inf"))
  config = pretrained.get_config("resnet_6")
  config.generator.ngf = NGF
  with pytest.raises(ValueError, match=r"non-finite tensors: \[model\.7\.weight \(0 NaN, 1 inf\)"):
    convert.import_torch_checkpoint(checkpoint, config, str(tmp_path / "run"))
  assert not (tmp_path / "run").exists()
