"""Segmentation scores from a confusion matrix (the FCN-score of pix2pix Sec. 4.2 / CycleGAN Sec. 5.1).

Long et al. 2015 (FCN, Sec. 5) define them over n_ij, the pixels of true class i predicted as j,
and t_i = sum_j n_ij: pixel accuracy sum_i n_ii / sum_i t_i; mean accuracy (1/n_cl) sum_i n_ii / t_i;
mean IU (1/n_cl) sum_i n_ii / (t_i + sum_j n_ji - n_ii). As the FCN and Cityscapes evaluation code
(nanmean over classes), a class whose ratio is 0 / 0 is left out of its mean: a class absent from
both truth and prediction counts in neither mean, one only predicted counts 0 in the mean IoU.
"""

from __future__ import annotations

import numpy as np

SCORES = ("pixel_accuracy", "mean_class_accuracy", "mean_iou")


def confusion_matrix(truth: np.ndarray, prediction: np.ndarray, num_classes: int) -> np.ndarray:
  """int64 [num_classes, num_classes]: entry (i, j) counts pixels of true class i predicted as j.

  truth, prediction: integer class ids of one shape, in [0, num_classes).
  """
  truth, prediction = np.asarray(truth), np.asarray(prediction)
  if truth.shape != prediction.shape:
    raise ValueError(f"truth {truth.shape} and prediction {prediction.shape} shapes differ")
  for name, ids in (("truth", truth), ("prediction", prediction)):
    if ids.size and (ids.min() < 0 or ids.max() >= num_classes):
      raise ValueError(f"{name} has class ids outside [0, {num_classes}): {ids.min()}..{ids.max()}")
  flat = truth.astype(np.int64).ravel() * num_classes + prediction.astype(np.int64).ravel()
  return np.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def _mean_defined(numerator: np.ndarray, denominator: np.ndarray) -> float:
  defined = denominator > 0
  if not defined.any():
    raise ValueError("the confusion matrix is empty: no pixel to score")
  return float(np.mean(numerator[defined] / denominator[defined]))


def per_class_iou(confusion: np.ndarray) -> np.ndarray:
  """float64 [num_classes]: IoU of each class, NaN for a class absent from truth and prediction."""
  c = np.asarray(confusion, np.float64)
  union = c.sum(0) + c.sum(1) - np.diag(c)
  return np.divide(np.diag(c), union, out=np.full(len(c), np.nan), where=union > 0)


def segmentation_scores(confusion: np.ndarray) -> dict[str, float]:
  """Per-pixel accuracy, mean per-class accuracy and mean IoU of a confusion matrix (module doc)."""
  c = np.asarray(confusion, np.float64)
  if c.ndim != 2 or c.shape[0] != c.shape[1]:
    raise ValueError(f"confusion must be a square matrix, got shape {c.shape}")
  hits, true_count = np.diag(c), c.sum(1)
  union = true_count + c.sum(0) - hits
  return {
    "pixel_accuracy": _mean_defined(np.array([hits.sum()]), np.array([c.sum()])),
    "mean_class_accuracy": _mean_defined(hits, true_count),
    "mean_iou": _mean_defined(hits, union),
  }
