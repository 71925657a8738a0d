"""A run killed (SIGKILL) after a checkpoint and resumed ends as the uninterrupted run: the same
batches in the same order and the same final weights."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from configs import cyclegan, dcgan, fader, pix2pix
from tfgan_repro import data
from tfgan_repro.data.epochs import shuffled_epochs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# tiny CycleGAN: 8 scenes per domain, batch 1 -> 8 steps per epoch; step 10 is in epoch 2.
OVERRIDES = {"train.max_steps": 10, "train.checkpoint_every": 5}


def _drive(spec: dict) -> subprocess.CompletedProcess:
  cmd = [sys.executable, "-m", "tests.faults.run_driver", json.dumps(spec)]
  return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _hashes(path) -> list[str]:
  return path.read_text().split()


def _weights(workdir) -> dict:
  return json.loads((workdir / "final_weights.json").read_text())


def test_killed_and_resumed_run_sees_the_same_batches_and_ends_with_the_same_weights(tmp_path):
  straight, broken = tmp_path / "straight", tmp_path / "broken"
  done = _drive({"workdir": str(straight), "overrides": OVERRIDES, "record": str(tmp_path / "s")})
  assert done.returncode == 0, done.stderr[-3000:]

  killed = _drive(
    {
      "workdir": str(broken),
      "overrides": OVERRIDES,
      "record": str(tmp_path / "k1"),
      "kill_after_save": 5,
    }
  )
  assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
  resumed = _drive({"workdir": str(broken), "overrides": OVERRIDES, "record": str(tmp_path / "k2")})
  assert resumed.returncode == 0, resumed.stderr[-3000:]
  assert "from step 5 " in resumed.stdout

  # Batches are hashed as the pipeline produces them (prefetch runs ahead of the steps): the
  # first 5 of each session are the ones its steps took.
  seen = _hashes(tmp_path / "s")[:10]
  assert len(set(seen)) == 10
  assert _hashes(tmp_path / "k1")[:5] + _hashes(tmp_path / "k2")[:5] == seen
  want, got = _weights(straight), _weights(broken)
  assert sorted(got) == sorted(want)
  for name in want:
    np.testing.assert_allclose(got[name], want[name], rtol=1e-4, atol=1e-5, err_msg=name)


def test_a_stream_started_anywhere_is_the_tail_of_the_stream_from_zero():
  ds = tf.data.Dataset.range(7)
  full = [(int(i), int(x)) for i, x in shuffled_epochs(ds, 7, 3, seed=5).take(30)]
  assert [i for i, _ in full] == list(range(30))
  epochs = [sorted(x for _, x in full[e * 7 : e * 7 + 7]) for e in range(4)]
  assert all(e == list(range(7)) for e in epochs)  # every epoch holds each example once
  assert [x for _, x in full[:7]] != [x for _, x in full[7:14]]  # and is shuffled anew
  for start in (1, 7, 10, 23):
    tail = [(int(i), int(x)) for i, x in shuffled_epochs(ds, 7, 3, 5, start).take(30 - start)]
    assert tail == full[start:]


@pytest.mark.parametrize("module", [cyclegan, pix2pix, fader, dcgan], ids=lambda m: m.__name__)
def test_every_training_pipeline_resumes_at_its_batch(module):
  """Unpaired, paired, attribute and image pipelines: batches from `skip_batches` on are the
  ones the stream from 0 has there (crops and flips included)."""
  config = module.get_config("tiny")
  batch = config.batch_size

  def batches(skip: int, n: int) -> list:
    ds = data.make_dataset(config.data, "train", batch, training=True, seed=3, skip_batches=skip)
    return [tf.nest.map_structure(np.asarray, b) for b in ds.take(n)]

  full, tail = batches(0, 13), batches(9, 4)  # past the end of the first epoch
  for want, got in zip(full[9:], tail, strict=True):
    tf.nest.map_structure(np.testing.assert_array_equal, got, want)
