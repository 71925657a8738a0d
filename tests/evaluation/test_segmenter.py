"""The FCN-score segmenter: its command, determinism, loading errors and the eval integration."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from configs import pix2pix
from tfgan_repro import data
from tfgan_repro.data.procedural import city
from tfgan_repro.evaluation import judge_training, segmenter
from tfgan_repro.models.pretrained import PretrainedGenerator
from tfgan_repro.tasks import translation as evaluation

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCORE_KEYS = ("pixel_accuracy", "mean_class_accuracy", "mean_iou")


@pytest.fixture(scope="module")
def trained_32px(tmp_path_factory) -> str:
  """The command's output: 2 steps at 32 px on 4 scenes, scored on 2 held-out scenes."""
  out = str(tmp_path_factory.mktemp("seg") / "seg32.keras")
  cmd = [sys.executable, "-m", "bin.train_segmenter", "--size=32", "--steps=2"]
  cmd += ["--batch_size=2", "--num_train=4", "--num_test=2", "--log_every=1", f"--out={out}"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
  assert done.returncode == 0, done.stderr[-3000:]
  assert "segmenter step 2/2" in done.stdout
  return out


def test_the_command_writes_the_model_and_a_consistent_accuracy_json(trained_32px):
  with open(segmenter.accuracy_path(trained_32px)) as f:
    saved = json.load(f)
  assert saved["input_shape"] == [32, 32, 3] and saved["classes"] == list(city.CLASSES)
  assert saved["steps"] == 2 and saved["num_test"] == 2
  model = segmenter.load_segmenter(trained_32px, 32, 32)
  assert model.output_shape == (None, 32, 32, len(city.CLASSES))
  test = city.city_arrays("test", 32, 2)
  again = segmenter.score(model, test.photos / 127.5 - 1.0, test.labels)
  for key in SCORE_KEYS:
    assert 0.0 <= saved["test"][key] <= 1.0
    assert again[key] == pytest.approx(saved["test"][key], abs=1e-6)
  assert len(saved["test"]["class_iou"]) == len(city.CLASSES)


def test_training_is_deterministic_by_seed(tmp_path, monkeypatch):
  initial, weights = [], []

  def train_judge(net, *args, **kwargs):  # records the weights the fit starts from
    initial.append(net.get_weights())
    return judge_training.train_judge(net, *args, **kwargs)

  monkeypatch.setattr(segmenter, "train_judge", train_judge)
  for name in ("a", "b"):
    path = str(tmp_path / f"{name}.keras")
    segmenter.train_segmenter(path, size=16, steps=2, batch=2, num_train=2, num_test=1)
    weights.append(keras.models.load_model(path).get_weights())
  assert len(weights[0]) > 10
  for x, y in zip(*weights, strict=True):
    np.testing.assert_array_equal(x, y)
  for x, y in zip(*initial, strict=True):  # the same seed: the same initial weights
    np.testing.assert_array_equal(x, y)
  # Two Adam steps move every kernel, gamma, beta and bias; batch norm's running statistics too.
  for start, trained in zip(initial[0], weights[0], strict=True):
    assert start.shape == trained.shape and not np.array_equal(start, trained)


def test_a_missing_or_wrong_shaped_segmenter_is_refused_with_its_name(trained_32px, tmp_path):
  missing = str(tmp_path / "none.keras")
  with pytest.raises(ValueError, match=f"segmenter file '{missing}' does not exist.*size=128"):
    segmenter.load_segmenter(missing, 128, 128)
  with pytest.raises(ValueError, match=r"takes input \(None, 32, 32, 3\).*\(None, 128, 128, 3\)"):
    segmenter.load_segmenter(trained_32px, 128, 128)
  with pytest.raises(ValueError, match="out must end with .keras"):
    segmenter.train_segmenter(str(tmp_path / "seg.h5"))


def _class_mean_painter(config) -> PretrainedGenerator:
  """pix2pix-shaped G: each one-hot class painted in its mean training colour."""
  inputs = keras.Input((None, None, len(city.CLASSES)))
  paint = keras.layers.Dense(3, use_bias=False)
  G = keras.Model(inputs, paint(inputs))
  paint.kernel.assign(evaluation.class_mean_colors(config))
  return PretrainedGenerator(G=G)


def test_eval_reports_the_segmentation_score_of_generated_and_true_photos(tmp_path):
  config = pix2pix.get_config("tiny")  # 128 px, 4 test scenes
  model = _class_mean_painter(config)
  off = evaluation.evaluate(config, model)
  assert (
    off["segmentation"]["segmenter"] is None and "eval.segmenter" in off["segmentation"]["reason"]
  )
  assert "segmentation" not in off["G"] and "segmentation score: off" in evaluation.format_eval(off)

  path = str(tmp_path / "seg128.keras")
  segmenter.train_segmenter(path, size=128, steps=2, batch=2, num_train=4, num_test=1)
  config.eval.segmenter = path
  result = evaluation.evaluate(config, model)
  assert result["segmentation"]["segmenter"] == path
  a, b = data.paired_test_arrays(config.data, 4)
  net, labels = segmenter.load_segmenter(path, 128, 128), np.argmax(a, axis=-1)
  want = {
    "true_photos": segmenter.score(net, b, labels),
    "G": segmenter.score(net, model.translate("G", a).numpy(), labels),
  }
  got = {"true_photos": result["segmentation"]["true_photos"], "G": result["G"]["segmentation"]}
  for which in ("true_photos", "G"):
    for key in SCORE_KEYS:
      assert 0.0 <= got[which][key] <= 1.0
      assert got[which][key] == pytest.approx(want[which][key], abs=1e-6)
  assert result["G"]["psnr"] == pytest.approx(off["G"]["psnr"], abs=1e-6)
  table = evaluation.format_eval(result)
  assert "true photo" in table and f"{got['G']['mean_iou']:.3f}" in table
  json.dumps(result)  # eval.json can hold it


@pytest.mark.parametrize("label_format", ["onehot", "color", "onehot_instance"])
def test_the_true_class_ids_are_read_back_from_every_label_format(label_format):
  config = pix2pix.get_config("tiny")
  config.data.label_format = label_format
  a, _ = data.paired_test_arrays(config.data, 2)
  want = city.city_arrays("test", 128, 4).labels[:2]  # tiny: 4 test scenes rendered at 128 px
  np.testing.assert_array_equal(evaluation.city_label_ids(config, a), want)
