"""Scores of class-conditional generators: intra-class FID, per-class precision / recall, and a
judge network's accuracy on the class each image was asked for.

- intra-class FID (Miyato & Koyama 2018, Sec. 5.1; official sngan_projection
  evaluations/calc_intra_FID.py): the FID of each class's generated images against that class's
  real images, averaged over the classes;
- per-class precision / recall (Kynkäänniemi et al. 2019, metric_pr.py) within each class;
- judge accuracy: the fraction of generated images a classifier assigns to the requested class
  (the "classification accuracy" of generated samples, ACGAN, Odena et al. 2017, Sec. 4.1).
Classes with fewer than `min_samples` images on either side are skipped (reported as None).
"""

from __future__ import annotations

import numpy as np

from tfgan_repro.evaluation.metrics import metric_pr
from tfgan_repro.evaluation.metrics.activations import as_pair
from tfgan_repro.evaluation.metrics.metric_fid import fid

MIN_SAMPLES = 2  # a covariance needs two samples (metric_fid.gaussian_stats)


def _labels(labels: np.ndarray, count: int, num_classes: int, name: str) -> np.ndarray:
  labels = np.asarray(labels).reshape(-1)
  if len(labels) != count:
    raise ValueError(f"{name} must have one label per row ({count}), got {len(labels)}")
  if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
    raise ValueError(f"{name} must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}")
  return labels.astype(np.int64)


def _per_class(real, real_labels, fake, fake_labels, num_classes, min_samples):
  """(class, real rows, fake rows) of every class with >= min_samples images on both sides."""
  if num_classes < 1:
    raise ValueError(f"num_classes must be >= 1, got {num_classes!r}")
  real, fake = as_pair(real, fake)
  real_labels = _labels(real_labels, len(real), num_classes, "real_labels")
  fake_labels = _labels(fake_labels, len(fake), num_classes, "fake_labels")
  for c in range(num_classes):
    r, f = real[real_labels == c], fake[fake_labels == c]
    yield c, (r, f) if min(len(r), len(f)) >= min_samples else None


def intra_class_fid(
  real: np.ndarray,
  real_labels: np.ndarray,
  fake: np.ndarray,
  fake_labels: np.ndarray,
  num_classes: int,
  min_samples: int = MIN_SAMPLES,
) -> dict[str, object]:
  """{"mean": the mean of the per-class FIDs scored, "per_class": [FID or None] * num_classes,
  "classes_scored"} of activations real [N_r, D] / fake [N_g, D] with their class labels."""
  per_class: list[float | None] = []
  for _, pair in _per_class(real, real_labels, fake, fake_labels, num_classes, min_samples):
    per_class.append(None if pair is None else fid(*pair))
  scored = [v for v in per_class if v is not None]
  return {
    "mean": float(np.mean(scored)) if scored else None,
    "per_class": per_class,
    "classes_scored": len(scored),
  }


def per_class_precision_recall(
  real: np.ndarray,
  real_labels: np.ndarray,
  fake: np.ndarray,
  fake_labels: np.ndarray,
  num_classes: int,
  k: int = metric_pr.K,
) -> dict[str, list[float | None]]:
  """{"precision": [...], "recall": [...]} per class: improved precision / recall with k nearest
  neighbours (k capped at the class's smaller side - 1) within the class; None for a class with
  fewer than 2 images on either side."""
  out: dict[str, list[float | None]] = {"precision": [], "recall": []}
  for _, pair in _per_class(real, real_labels, fake, fake_labels, num_classes, 2):
    if pair is None:
      out["precision"].append(None)
      out["recall"].append(None)
      continue
    r, f = pair
    p, rc = metric_pr.precision_recall(r, f, min(k, len(r) - 1, len(f) - 1))
    out["precision"].append(p)
    out["recall"].append(rc)
  return out


def judge_accuracy(
  predicted: np.ndarray, requested: np.ndarray, num_classes: int
) -> dict[str, object]:
  """{"accuracy": mean(predicted == requested), "per_class": that accuracy per requested class
  (None for a class never requested)} of int class ids [N]."""
  predicted, requested = np.asarray(predicted).reshape(-1), np.asarray(requested).reshape(-1)
  if len(predicted) != len(requested) or not len(predicted):
    raise ValueError(
      f"predicted and requested must be non-empty and of one length, got {len(predicted)}, "
      f"{len(requested)}"
    )
  requested = _labels(requested, len(requested), num_classes, "requested")
  correct = predicted == requested
  per_class = [
    float(correct[requested == c].mean()) if (requested == c).any() else None
    for c in range(num_classes)
  ]
  return {"accuracy": float(correct.mean()), "per_class": per_class}
