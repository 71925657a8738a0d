"""The stacked-shapes judge: its command, its JSON, channel order of the modes, loading checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from tfgan_repro.data.procedural import stacked_shapes
from tfgan_repro.evaluation import shape_judge

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def trained_16px(tmp_path_factory) -> str:
  """The command's output: 2 steps at 16 px on 4 images (12 channels), scored on 3."""
  out = str(tmp_path_factory.mktemp("judge") / "judge16.keras")
  cmd = [sys.executable, "-m", "bin.train_shape_judge", "--size=16", "--steps=2"]
  cmd += ["--batch_size=4", "--num_train=4", "--num_test=3", "--log_every=1", f"--out={out}"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
  assert done.returncode == 0, done.stderr[-3000:]
  assert "shape_judge step 2/2" in done.stdout
  return out


def test_the_command_writes_the_judge_and_a_consistent_json(trained_16px):
  with open(shape_judge.accuracy_path(trained_16px)) as f:
    saved = json.load(f)
  assert saved["input_shape"] == [16, 16, 1] and saved["classes"] == list(stacked_shapes.SHAPES)
  assert saved["steps"] == 2 and saved["num_test"] == 3
  judge = shape_judge.load_shape_judge(trained_16px, 16)
  images, ids = stacked_shapes.stacked_shapes_arrays("test", 16, 3)
  predicted = shape_judge.classify_channels(judge, images / 127.5 - 1.0)
  correct = predicted == stacked_shapes.mode_classes(ids)
  assert saved["test"]["channel_accuracy"] == pytest.approx(list(correct.mean(axis=0)))
  assert saved["test"]["mode_accuracy"] == pytest.approx(correct.all(axis=1).mean())


def _level_judge(size: int) -> keras.Model:
  """A hand-set judge: a channel of constant value -1 + 2 k / 9 is class k (the logits
  k (9 (m + 1)) - k^2 of its mean m peak at k = 9 (m + 1) / 2)."""
  inputs = keras.Input((size, size, 1))
  mean = keras.layers.GlobalAveragePooling2D()(inputs)  # [N, 1]
  dense = keras.layers.Dense(10)
  logits = dense(mean)
  k = np.arange(10, dtype=np.float32)
  dense.set_weights([9.0 * k[None], 9.0 * k - k**2])
  return keras.Model(inputs, logits)


def test_modes_read_channels_in_rgb_order():
  judge = _level_judge(16)
  classes = np.array([[3, 0, 7], [9, 1, 1], [3, 0, 7]])  # [N, 3]
  images = np.broadcast_to((-1.0 + 2.0 * classes / 9.0)[:, None, None, :], (3, 16, 16, 3))
  np.testing.assert_array_equal(shape_judge.classify_channels(judge, images), classes)
  np.testing.assert_array_equal(shape_judge.classify_modes(judge, images), [307, 911, 307])
  scores = shape_judge.mode_scores(judge, images)
  assert scores["modes"] == 2
  # p = (2/3, 1/3) on 2 of 1000 modes
  assert scores["kl"] == pytest.approx(2 / 3 * np.log(2000 / 3) + 1 / 3 * np.log(1000 / 3))


def test_loading_checks_file_and_size(trained_16px, tmp_path):
  with pytest.raises(ValueError, match="does not exist; train one with"):
    shape_judge.load_shape_judge(str(tmp_path / "none.keras"), 16)
  with pytest.raises(ValueError, match=r"takes input \(None, 16, 16, 1\)"):
    shape_judge.load_shape_judge(trained_16px, 32)
  with pytest.raises(ValueError, match=r"images must be \[N, 16, 16, 3\]"):
    shape_judge.classify_modes(_level_judge(16), np.zeros((2, 16, 16, 1)))
