"""Checkpoints under faults: a kill during a save, a truncated newest checkpoint, a read-only
workdir, a full disk. The previous checkpoint always restores; errors name the path."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import subprocess
import sys

import pytest
import tensorflow as tf
from tensorflow.python.checkpoint import checkpoint_management

from configs import cyclegan
from tfgan_repro.training import checkpointing, run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKPOINT_MB = 1.2  # one tiny CycleGAN checkpoint


def _tiny(max_steps: int = 8):
  config = cyclegan.get_config("tiny")  # 8 steps per epoch, a checkpoint every 4
  config.export.enabled = False
  config.train.max_steps = max_steps
  return config


def _drive(spec: dict) -> subprocess.CompletedProcess:
  cmd = [sys.executable, "-m", "tests.faults.run_driver", json.dumps(spec)]
  return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _latest(workdir) -> str:
  return tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints"))


@pytest.mark.parametrize("half_written", [False, True], ids=["files_done", "data_half_written"])
def test_kill_during_a_checkpoint_write_resumes_from_the_previous_one(half_written, tmp_path):
  """SIGKILL after ckpt-8's files (one of them half written) but before the `checkpoint` state
  file names it: the rerun restores ckpt-4 and writes ckpt-8 anew."""
  workdir = str(tmp_path)
  spec = {"workdir": workdir, "overrides": {"train.max_steps": 8}}
  killed = _drive({**spec, "kill_before_commit": 8, "truncate_before_kill": half_written})
  assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
  assert _latest(workdir).endswith("ckpt-4")
  assert checkpointing.checkpoint_problem(_latest(workdir)) is None
  resumed = _drive(spec)
  assert resumed.returncode == 0, resumed.stderr[-3000:]
  assert "from step 4 " in resumed.stdout and "final step 8" in resumed.stdout
  assert _latest(workdir).endswith("ckpt-8")
  assert checkpointing.checkpoint_problem(_latest(workdir)) is None


def _truncate(path: str) -> None:
  data = tf.io.gfile.glob(path + ".data-*")[0]
  with open(data, "r+b") as f:
    f.truncate(os.path.getsize(data) // 2)


def test_truncated_newest_checkpoint_falls_back_to_the_previous_with_a_warning(
  tmp_path, capsys, caplog
):
  workdir = str(tmp_path)
  run.train(_tiny(), workdir)
  bad = _latest(workdir)
  assert bad.endswith("ckpt-8")
  _truncate(bad)
  with caplog.at_level(logging.WARNING):  # a reader (export, generate) loads ckpt-4, moves nothing
    _, _, step = checkpointing.load_run(workdir)
  assert step == 4 and any("skipped unreadable" in r.getMessage() for r in caplog.records)
  assert _latest(workdir) == bad and checkpointing.checkpoint_problem(bad) is not None
  capsys.readouterr()
  with caplog.at_level(logging.WARNING):
    run.train(_tiny(), workdir)
  assert any(bad in r.getMessage() and "cannot be read" in r.getMessage() for r in caplog.records)
  assert "from step 4 " in capsys.readouterr().out
  assert _latest(workdir) == bad and checkpointing.checkpoint_problem(bad) is None  # retrained
  corrupt = os.path.join(workdir, "checkpoints", "corrupt")
  assert sorted(os.listdir(corrupt)) == ["ckpt-8.data-00000-of-00001", "ckpt-8.index"]
  _, _, step = checkpointing.load_run(workdir)
  assert step == 8


def test_every_checkpoint_unreadable_is_an_error_not_a_fresh_start(tmp_path):
  workdir = str(tmp_path)
  run.train(_tiny(4), workdir)
  _truncate(_latest(workdir))
  with pytest.raises(ValueError, match=r"no checkpoint in .*checkpoints can be read"):
    run.train(_tiny(4), workdir)


def _mount(*args: str) -> None:
  done = subprocess.run(["mount", *args], capture_output=True, text=True)
  if done.returncode != 0:
    pytest.skip(f"mount {' '.join(args)} failed (needs root): {done.stderr.strip()}")


@pytest.fixture
def mount_point(tmp_path):
  """An empty folder to mount on, unmounted afterwards."""
  point = tmp_path / "mnt"
  point.mkdir()
  yield point
  subprocess.run(["umount", str(point)], capture_output=True)


def test_read_only_workdir_is_refused_naming_it_before_training(tmp_path, mount_point, capsys):
  source = tmp_path / "source"
  source.mkdir()
  _mount("--bind", str(source), str(mount_point))
  _mount("-o", "remount,ro,bind", str(mount_point))
  workdir = str(mount_point / "run")
  with pytest.raises(OSError, match=r"workdir '.*/mnt' is not writable \(Read-only file system\)"):
    run.train(_tiny(4), str(mount_point))
  assert "Training" not in capsys.readouterr().out
  with pytest.raises(OSError, match=r"workdir '.*/mnt/run' is not writable"):
    run.train(_tiny(4), workdir)


def test_full_disk_fails_the_save_clearly_and_keeps_the_good_checkpoint(mount_point):
  _mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point))
  workdir = str(mount_point)
  run.train(_tiny(4), workdir)
  used_kb = int(subprocess.check_output(["du", "-sk", workdir]).split()[0])
  free_kb = int(CHECKPOINT_MB * 1024 / 2)  # half a checkpoint
  _mount("-o", f"remount,size={used_kb + free_kb}k", str(mount_point))
  with pytest.raises(checkpointing.CheckpointWriteError) as error:
    run.train(_tiny(8), workdir, resume_changed=("train.max_steps",))
  message = str(error.value)
  assert f"into {workdir}/checkpoints" in message and "ckpt-4" in message
  assert _latest(workdir).endswith("ckpt-4")
  assert checkpointing.checkpoint_problem(_latest(workdir)) is None
  assert not [n for n in os.listdir(os.path.join(workdir, "checkpoints")) if "ckpt-8" in n]

  # config.json is replaced whole or not at all
  before = open(os.path.join(workdir, "config.json")).read()
  with open(os.path.join(workdir, "filler"), "wb") as f:
    with pytest.raises(OSError):
      while True:
        f.write(b"\0" * 65536)
        f.flush()
  with pytest.raises(OSError) as error:
    run.train(_tiny(12), workdir, resume_changed=("train.max_steps",))
  assert error.value.errno == errno.ENOSPC
  assert open(os.path.join(workdir, "config.json")).read() == before
  assert not [n for n in os.listdir(workdir) if n.startswith(".config.json")]


def test_failed_checkpoint_write_is_named_and_leaves_no_partial_files(tmp_path, monkeypatch):
  """Without root: the write of the `checkpoint` state file fails with ENOSPC."""
  workdir = str(tmp_path)
  run.train(_tiny(4), workdir)
  original = checkpoint_management.update_checkpoint_state_internal

  def full(save_dir, model_checkpoint_path, *args, **kwargs):
    if model_checkpoint_path.endswith("ckpt-8"):
      raise OSError(errno.ENOSPC, "No space left on device")
    return original(save_dir, model_checkpoint_path, *args, **kwargs)

  monkeypatch.setattr(checkpoint_management, "update_checkpoint_state_internal", full)
  with pytest.raises(checkpointing.CheckpointWriteError, match=r"No space left.*kept: .*ckpt-4"):
    run.train(_tiny(8), workdir, resume_changed=("train.max_steps",))
  names = os.listdir(os.path.join(workdir, "checkpoints"))
  assert not [n for n in names if "ckpt-8" in n]
  assert _latest(workdir).endswith("ckpt-4")
