"""A rerun into an existing workdir resumes only with the run's own config: config.json is
written once, a changed key is refused naming it (old -> new), --resume_changed takes keys safe to
change, --overwrite starts afresh keeping export/; default workdirs differ by data."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bin import cli
from configs import cyclegan
from tfgan_repro.training import run, run_dir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _tiny(**overrides):
  config = cyclegan.get_config("tiny")
  config.export.enabled = False
  config.train.max_steps = 4
  for key, value in overrides.items():
    section, field = key.split(".")
    config[section][field] = value
  return config


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> str:
  """A tiny run trained to step 4 (one checkpoint)."""
  workdir = str(tmp_path_factory.mktemp("run"))
  run.train(_tiny(), workdir)
  return workdir


def _state(workdir: str) -> tuple[str, list[str]]:
  with open(os.path.join(workdir, "config.json")) as f:
    text = f.read()
  return text, sorted(os.listdir(os.path.join(workdir, "checkpoints")))


def test_changed_loss_weight_is_refused_by_the_binary_naming_old_and_new(trained):
  before = _state(trained)
  cmd = [
    sys.executable,
    "-m",
    "bin.train",
    "--config=configs/cyclegan.py:tiny",
    f"--workdir={trained}",
    "--config.train.max_steps=4",
    "--config.export.enabled=False",
    "--config.loss.lambda_a=3",
  ]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
  assert done.returncode != 0
  assert "loss.lambda_a: 10.0 -> 3.0" in done.stderr, done.stderr[-2000:]
  assert "loss.lambda_a cannot change on resume" in done.stderr
  assert "train.max_steps" in done.stderr and "--overwrite" in done.stderr  # the way out
  assert _state(trained) == before  # config.json and checkpoints untouched


def test_resume_changed_refuses_a_key_that_is_not_safe(trained):
  before = _state(trained)
  with pytest.raises(ValueError, match=r"--resume_changed lists loss.lambda_a, which cannot"):
    run.train(_tiny(**{"loss.lambda_a": 3.0}), trained, resume_changed=("loss.lambda_a",))
  with pytest.raises(run_dir.ConfigChangedError, match=r"optimizer.lr: 0.0002 -> 0.001"):
    run.train(_tiny(**{"optimizer.lr": 1e-3}), trained, resume_changed=("train.max_steps",))
  assert _state(trained) == before


def test_every_changed_key_is_named_and_safe_ones_are_suggested(tmp_path):
  config = _tiny()
  run_dir.open_run(config, str(tmp_path))
  changed = _tiny(**{"train.max_steps": 8, "eval.num_images": 2})
  with pytest.raises(run_dir.ConfigChangedError) as error:
    run_dir.open_run(changed, str(tmp_path))
  message = str(error.value)
  assert "train.max_steps: 4 -> 8" in message and "eval.num_images: 4 -> 2" in message
  assert "--resume_changed=eval.num_images,train.max_steps resumes" in message
  assert run_dir.open_run(changed, str(tmp_path), resume_changed=["train.max_steps", "eval.*"]) == (
    "resume_changed"
  )
  stored = json.loads((tmp_path / "config.json").read_text())
  assert stored["train"]["max_steps"] == 8 and stored["eval"]["num_images"] == 2
  assert run_dir.open_run(changed, str(tmp_path)) == "resume"  # now identical


def test_overwrite_starts_afresh_and_keeps_exports(tmp_path, capsys):
  workdir = str(tmp_path)
  run.train(_tiny(), workdir)
  (tmp_path / "eval.json").write_text("{}")
  (tmp_path / "samples.png").write_bytes(b"png")
  (tmp_path / "export" / "G_AB" / "1").mkdir(parents=True)
  run.train(_tiny(**{"loss.lambda_a": 3.0}), workdir, overwrite=True)
  assert "from step 0 " in capsys.readouterr().out
  assert json.loads((tmp_path / "config.json").read_text())["loss"]["lambda_a"] == 3.0
  assert not (tmp_path / "eval.json").exists() and not (tmp_path / "samples.png").exists()
  assert (tmp_path / "export" / "G_AB" / "1").is_dir()  # served versions stay


def test_changed_crop_size_is_refused_up_front_not_at_restore(trained):
  with pytest.raises(run_dir.ConfigChangedError, match=r"data.crop_size: 32 -> 16"):
    run.train(_tiny(**{"data.crop_size": 16, "data.load_size": 16}), trained)
  with pytest.raises(run_dir.ConfigChangedError, match=r"train.pool_size: 4 -> 3"):
    run.train(_tiny(**{"train.pool_size": 3}), trained)


def test_default_workdirs_differ_by_data_path_and_tfds_name():
  def folder(path: str, **data):
    config = _tiny()
    config.data.source = "folder"
    config.data.path = path
    for key, value in data.items():
      config.data[key] = value
    return cli.default_workdir(config)

  assert folder("/data/horses") != folder("/data/zebras")
  assert folder("/data/horses") == folder("/data/horses/")  # the same folder
  assert folder("/data/horses") != folder("/data/horses", crop_size=16, load_size=16)
  name = os.path.basename(folder("/data/horses"))
  assert name.startswith("cycle_gan-folder-32px-") and len(name.rsplit("-", 1)[1]) == 8
  tfds = _tiny()
  tfds.data.source = "tfds"
  other = _tiny()
  other.data.source = "tfds"
  other.data.name = "cycle_gan/apple2orange"
  assert cli.default_workdir(tfds) != cli.default_workdir(other)
  assert cli.default_workdir(_tiny()) == cli.default_workdir(_tiny())


def test_resume_changed_max_steps_continues_from_the_checkpoint(trained, capsys):
  # last: it moves the shared run on to step 8
  run.train(_tiny(**{"train.max_steps": 8}), trained, resume_changed=("train.max_steps",))
  assert "from step 4 " in capsys.readouterr().out
  assert json.loads(open(os.path.join(trained, "config.json")).read())["train"]["max_steps"] == 8
  assert "ckpt-8.index" in _state(trained)[1]
