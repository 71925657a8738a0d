"""FCN-score metrics on hand-made confusion cases (metrics/segmentation.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro.evaluation.metrics import confusion_matrix, per_class_iou, segmentation_scores


def test_confusion_matrix_counts_truth_rows_and_prediction_columns():
  truth = np.array([[0, 0, 1], [2, 2, 2]])
  prediction = np.array([[0, 1, 1], [2, 0, 2]])
  want = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
  np.testing.assert_array_equal(confusion_matrix(truth, prediction, 3), want)


def test_a_perfect_prediction_scores_one():
  scores = segmentation_scores(np.diag([5, 3, 2]))
  assert scores == {"pixel_accuracy": 1.0, "mean_class_accuracy": 1.0, "mean_iou": 1.0}


def test_an_all_wrong_prediction_scores_zero():
  scores = segmentation_scores(np.array([[0, 4], [6, 0]]))
  assert scores == {"pixel_accuracy": 0.0, "mean_class_accuracy": 0.0, "mean_iou": 0.0}


def test_hand_computed_scores():
  # truth 0: 3 right, 1 as 1; truth 1: 2 right, 2 as 0. IoU 0 = 3 / (4 + 5 - 3), IoU 1 = 2 / 5.
  scores = segmentation_scores(np.array([[3, 1], [2, 2]]))
  assert scores["pixel_accuracy"] == pytest.approx(5 / 8)
  assert scores["mean_class_accuracy"] == pytest.approx((3 / 4 + 2 / 4) / 2)
  assert scores["mean_iou"] == pytest.approx((3 / 6 + 2 / 5) / 2)


def test_a_class_absent_from_truth_and_prediction_is_left_out_of_the_means():
  with_absent = np.array([[3, 0, 1], [0, 0, 0], [2, 0, 2]])  # class 1 nowhere
  without = np.array([[3, 1], [2, 2]])
  assert segmentation_scores(with_absent) == pytest.approx(segmentation_scores(without))
  assert np.isnan(per_class_iou(with_absent)[1])


def test_a_class_only_predicted_counts_zero_iou_but_no_class_accuracy():
  # Class 1 has no true pixel; 2 pixels of class 0 are predicted as 1.
  scores = segmentation_scores(np.array([[2, 2], [0, 0]]))
  assert scores["pixel_accuracy"] == pytest.approx(0.5)
  assert scores["mean_class_accuracy"] == pytest.approx(0.5)  # class 0 only
  assert scores["mean_iou"] == pytest.approx((2 / 4 + 0.0) / 2)


def test_bad_inputs_are_refused():
  with pytest.raises(ValueError, match="outside"):
    confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)
  with pytest.raises(ValueError, match="shapes differ"):
    confusion_matrix(np.zeros(2, int), np.zeros(3, int), 3)
  with pytest.raises(ValueError, match="empty"):
    segmentation_scores(np.zeros((2, 2)))
