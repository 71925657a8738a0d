"""Class-conditional scores on hand-made features: intra-class FID, per-class precision / recall,
judge accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro.evaluation.metrics import class_conditional


def test_intra_class_fid_of_hand_made_features():
  # class 0: real {0, 2} (mean 1, var 2), fake {1, 3} (mean 2, var 2): FID = 1 + (2 + 2 - 2 * 2)
  # class 1: identical sets: FID 0; class 2: one real image only: skipped
  real = np.array([[0.0], [2.0], [5.0], [7.0], [9.0]])
  real_labels = np.array([0, 0, 1, 1, 2])
  fake = np.array([[1.0], [3.0], [5.0], [7.0]])
  fake_labels = np.array([0, 0, 1, 1])
  out = class_conditional.intra_class_fid(real, real_labels, fake, fake_labels, 3)
  assert out["per_class"][0] == pytest.approx(1.0, abs=1e-9)
  assert out["per_class"][1] == pytest.approx(0.0, abs=1e-9)
  assert out["per_class"][2] is None and out["classes_scored"] == 2
  assert out["mean"] == pytest.approx(0.5, abs=1e-9)


def test_per_class_precision_recall():
  rng = np.random.default_rng(0)
  a = rng.normal(0.0, 1.0, (6, 2))
  real, fake = np.concatenate([a, a + 100.0]), np.concatenate([a, a + 200.0])
  labels = np.array([0] * 6 + [1] * 6)
  out = class_conditional.per_class_precision_recall(real, labels, fake, labels, 2, k=3)
  assert out["precision"] == [1.0, 0.0] and out["recall"] == [1.0, 0.0]


def test_judge_accuracy_per_requested_class():
  out = class_conditional.judge_accuracy([0, 1, 1, 2], [0, 1, 2, 2], 4)
  assert out["accuracy"] == 0.75
  assert out["per_class"] == [1.0, 1.0, 0.5, None]
  with pytest.raises(ValueError, match="requested must lie in"):
    class_conditional.judge_accuracy([0], [4], 4)
  with pytest.raises(ValueError, match="fake_labels must have one label per row"):
    class_conditional.intra_class_fid(np.zeros((2, 1)), [0, 0], np.zeros((2, 1)), [0], 1)
