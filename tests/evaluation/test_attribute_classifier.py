"""The attribute classifier: its command, its JSON, predict, and the loading checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from tfgan_repro import data
from tfgan_repro.data.procedural import faces
from tfgan_repro.evaluation import attribute_classifier, judge_training
from tfgan_repro.evaluation.metrics.attribute_edit import attribute_accuracy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def trained_16px(tmp_path_factory) -> str:
  """The command's output: 2 steps at 16 px on 8 faces of two attributes, scored on 4."""
  out = str(tmp_path_factory.mktemp("cls") / "cls16.keras")
  cmd = [sys.executable, "-m", "bin.train_attribute_classifier", "--size=16", "--steps=2"]
  cmd += ["--batch_size=4", "--num_train=8", "--num_test=4", "--log_every=1"]
  cmd += ["--attributes=smile,glasses", f"--out={out}"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
  assert done.returncode == 0, done.stderr[-3000:]
  assert "classifier step 1/2, loss " in done.stdout and "classifier step 2/2" in done.stdout
  return out


def test_the_command_writes_the_model_and_a_consistent_accuracy_json(trained_16px):
  with open(attribute_classifier.accuracy_path(trained_16px)) as f:
    saved = json.load(f)
  assert saved["attributes"] == ["smile", "glasses"] and saved["input_shape"] == [16, 16, 3]
  assert saved["steps"] == 2 and saved["source"] == "faces"
  assert saved["test"]["num_images"] == 4 and saved["true_edits"]["num_images"] == 8  # 4 x 2
  net = attribute_classifier.load_classifier(trained_16px, ["smile", "glasses"], 16)
  cfg = attribute_classifier.classifier_data_config(16, "smile,glasses", 8, 4)
  images, attributes, _ = data.attribute_test_arrays(cfg, 4)
  probabilities = attribute_classifier.predict(net, images)
  assert probabilities.shape == (4, 2)
  assert np.all((probabilities > 0) & (probabilities < 1))
  again = attribute_accuracy(probabilities, attributes)
  assert list(saved["test"]["accuracy"]) == ["smile", "glasses"]
  np.testing.assert_allclose(list(saved["test"]["accuracy"].values()), again, atol=1e-6)
  assert saved["test"]["mean_accuracy"] == pytest.approx(float(np.mean(again)))


def test_the_classifier_has_one_logit_per_attribute():
  net = attribute_classifier.build_classifier(64, len(faces.ATTRIBUTES))
  assert net.input_shape == (None, 64, 64, 3) and net.output_shape == (None, 4)
  assert net.get_layer("conv4").output.shape == (None, 4, 4, 256)  # 64 / 2**4, 16 * 2**4
  with pytest.raises(ValueError, match="size must be a multiple of 16"):
    attribute_classifier.build_classifier(24, 4)
  with pytest.raises(
    ValueError, match=r"images must be \[N, \*\(64, 64, 3\)\], got \(2, 32, 32, 3\)"
  ):
    attribute_classifier.predict(net, np.zeros((2, 32, 32, 3)))


def test_training_is_deterministic_by_seed(trained_16px, tmp_path, monkeypatch):
  """The library call with the command's arguments (but log_every), in this process, gives the
  same weights, which training moved away from the initial ones."""
  initial = []

  def train_judge(net, *args, **kwargs):  # records the weights the fit starts from
    initial.append(net.get_weights())
    return judge_training.train_judge(net, *args, **kwargs)

  monkeypatch.setattr(attribute_classifier, "train_judge", train_judge)
  path = str(tmp_path / "again.keras")
  attribute_classifier.train_classifier(
    path, size=16, attributes="smile,glasses", steps=2, batch=4, num_train=8, num_test=4
  )
  want, got = (
    keras.models.load_model(trained_16px).get_weights(),
    keras.models.load_model(path).get_weights(),
  )
  assert len(want) > 10
  for x, y in zip(want, got, strict=True):
    np.testing.assert_array_equal(x, y)
  # Two Adam steps move every kernel, gamma, beta and bias; batch norm's running statistics too.
  (start,) = initial
  for before, trained in zip(start, got, strict=True):
    assert before.shape == trained.shape and not np.array_equal(before, trained)


def test_a_classifier_serves_any_subset_of_its_attributes_in_the_runs_order(trained_16px):
  images = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
  both = attribute_classifier.load_classifier(trained_16px, ["smile", "glasses"], 16)
  swapped = attribute_classifier.load_classifier(trained_16px, ["glasses", "smile"], 16)
  glasses = attribute_classifier.load_classifier(trained_16px, ["glasses"], 16)
  want = attribute_classifier.predict(both, images)  # [3, 2]: smile, glasses
  np.testing.assert_array_equal(attribute_classifier.predict(swapped, images), want[:, ::-1])
  np.testing.assert_array_equal(attribute_classifier.predict(glasses, images), want[:, 1:])


def test_a_classifier_of_other_attributes_or_size_is_refused_with_its_name(trained_16px, tmp_path):
  with pytest.raises(
    ValueError, match=r"judges attributes \['smile', 'glasses'\].*edits \['glasses', 'beard'\]"
  ):
    attribute_classifier.load_classifier(trained_16px, ["glasses", "beard"], 16)
  with pytest.raises(ValueError, match=r"takes input \(None, 16, 16, 3\).*at 64x64 px.*--size=64"):
    attribute_classifier.load_classifier(trained_16px, ["smile", "glasses"], 64)
  missing = str(tmp_path / "none.keras")
  with pytest.raises(
    ValueError, match=f"classifier file '{missing}' does not exist.*--attributes=smile"
  ):
    attribute_classifier.load_classifier(missing, ["smile"], 64)
  with pytest.raises(ValueError, match="out must end with .keras"):
    attribute_classifier.train_classifier(str(tmp_path / "cls.h5"))
