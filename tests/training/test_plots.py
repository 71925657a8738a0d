"""The scalar curves (training/plots.py): tf.summary scalars read back, kimg, round ticks, the
chart's size and its lines' pixels, the table; bin/plot_scalars end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_repro.training import plots

RUN_A = [(0, 80.5), (100, 60.25), (200, 41.0), (300, 35.125)]
RUN_B = [(0, 90.0), (100, 70.0), (200, 58.5)]


def _write_run(root: str, points: list[tuple[int, float]], tag: str = "eval/fid") -> str:
  """A run directory whose tensorboard/ holds `points` of `tag` (and a loss at every step)."""
  writer = tf.summary.create_file_writer(os.path.join(root, "tensorboard"))
  with writer.as_default():
    for step, value in points:
      tf.summary.scalar(tag, value, step=step)
      tf.summary.scalar("loss/G_adv", 1.0, step=step)
  writer.close()
  return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, str]:
  root = tmp_path_factory.mktemp("runs")
  return {
    "a": _write_run(str(root / "a"), RUN_A),
    "b": _write_run(str(root / "b"), RUN_B),
  }


def test_scalars_read_back_equal(runs):
  assert plots.read_scalars(runs["a"], "eval/fid") == RUN_A
  assert plots.read_scalars(runs["b"], "eval/fid") == RUN_B  # values exact in float32
  assert plots.read_scalars(os.path.join(runs["a"], "tensorboard"), "eval/fid") == RUN_A
  with pytest.raises(ValueError, match=r"tag 'eval/kid' is not .* \['eval/fid', 'loss/G_adv'\]"):
    plots.read_scalars(runs["a"], "eval/kid")


def test_a_resumed_run_keeps_the_later_value(tmp_path):
  _write_run(str(tmp_path), [(0, 5.0), (10, 4.0)])
  _write_run(str(tmp_path), [(10, 3.0), (20, 2.0)])  # a second event file
  assert plots.read_scalars(str(tmp_path), "eval/fid") == [(0, 5.0), (10, 3.0), (20, 2.0)]


def test_kimg_and_ticks():
  assert plots.to_kimg([(100, 1.0), (250, 2.0)], 64) == [(6.4, 1.0), (16.0, 2.0)]
  assert plots.nice_ticks(0.0, 300.0) == [0.0, 100.0, 200.0, 300.0]
  assert plots.nice_ticks(35.125, 90.0) == [20.0, 40.0, 60.0, 80.0, 100.0]  # 13.7 apart -> 20
  assert plots.nice_ticks(0.13, 0.61) == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
  with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
    plots.to_kimg(RUN_A, 0)


def test_chart_has_the_size_and_the_lines(tmp_path):
  path = str(tmp_path / "fid.png")
  series = {"run a": RUN_A, "run b": RUN_B}
  drawn = plots.plot_lines(series, path, width=480, height=300, title="eval/fid")
  image = np.asarray(Image.open(path).convert("RGB")).astype(int)
  assert image.shape == (300, 480, 3)
  for i, name in enumerate(series):
    color = np.array(plots.COLORS[i])
    points = drawn[name]
    # every point, and the middle of every segment, is drawn in the run's colour
    mids = [
      ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2) for a, b in zip(points[:-1], points[1:], strict=True)
    ]
    for column, row in points + mids:
      patch = image[row - 1 : row + 2, column - 1 : column + 2].reshape(-1, 3)
      assert (np.abs(patch - color).sum(axis=1) < 60).any(), (name, column, row)
  # x runs from 0 to 300 over the plot's width, left to right; y = 90 at the top tick
  assert (
    drawn["run a"][0][0] < drawn["run a"][-1][0] and drawn["run b"][0][1] < drawn["run b"][-1][1]
  )
  # axis tick labels and the legend: dark pixels in the left and bottom margins, both colours
  assert (image[:, :40].sum(axis=-1) < 200).any() and (image[-30:].sum(axis=-1) < 200).any()


def test_table_lists_each_x_once():
  table = plots.format_table({"a": [(0.0, 1.5), (6.4, 1.25)], "b": [(6.4, 2.0)]}, "kimg")
  assert table.splitlines() == ["kimg     a  b", "   0   1.5   ", " 6.4  1.25  2"]


def test_binary_writes_the_png_and_prints_the_table(runs, tmp_path):
  out = str(tmp_path / "curves.png")
  env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
  result = subprocess.run(
    [sys.executable, "-m", "bin.plot_scalars", f"--workdir={runs['a']},{runs['b']}"]
    + ["--tag=eval/fid", "--batch_size=64", f"--out={out}", "--width=320", "--height=200"],
    capture_output=True,
    text=True,
    check=True,
    env=env,
    cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
  )
  lines = result.stdout.splitlines()
  assert lines[0].split() == ["kimg", "a", "b"]
  assert lines[3].split() == ["12.8", "41", "58.5"]  # step 200 x 64 images
  assert Image.open(out).size == (320, 200)
