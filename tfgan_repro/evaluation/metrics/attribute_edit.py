"""Attribute-editing scores: what a classifier reads from the edits, and fidelity to the true edits.

An edit of image x_n for attribute i asks G for the target y_n^i = the source attributes y_n with
attribute i flipped. With a classifier's probabilities p[n, i, j] (edit i of image n, attribute j):
- flip accuracy of i: the fraction of images whose edit i is classified as the flipped value,
  [p[n, i, i] > threshold] == 1 - y[n, i] (as StarGAN and AttGAN score edits: the accuracy of an
  attribute classifier on them);
- keep accuracy of i: the fraction of (image, other attribute j != i) pairs whose value the edit i
  keeps, [p[n, i, j] > threshold] == y[n, j] (the attributes not asked to change must stay).
The procedural faces know each edit's true render, so PSNR / SSIM of G(x, y^i) against it measure
its fidelity, and PSNR / SSIM of G(x, y) against x its reconstruction (metrics.image_quality).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfgan_repro.evaluation.metrics.image_quality import VALUE_RANGE, Images, paired_scores

THRESHOLD = 0.5  # a sigmoid probability above it reads as "has the attribute"


def flip_targets(attributes: np.ndarray) -> np.ndarray:
  """float32 [N, A, A] in {0, 1}: entry (n, i) is attributes[n] ({0, 1} [N, A]) with attribute i
  flipped, the target of edit i."""
  y = _binary(attributes, "attributes")
  n, a = y.shape
  eye = np.eye(a, dtype=bool)[None]  # [1, A, A]: the flipped attribute of each edit
  return np.where(eye, 1.0 - y[:, None, :], y[:, None, :]).astype(np.float32)  # [N, A, A]


def attribute_accuracy(
  probabilities: np.ndarray, attributes: np.ndarray, threshold: float = THRESHOLD
) -> np.ndarray:
  """float64 [A]: per attribute, the fraction of images whose probability [N, A] reads as their
  true {0, 1} attribute [N, A]."""
  p, y = np.asarray(probabilities), _binary(attributes, "attributes")
  if p.shape != y.shape:
    raise ValueError(f"probabilities {p.shape} and attributes {y.shape} shapes differ")
  return np.mean((p > threshold) == (y > 0.5), axis=0)


def edit_accuracy(
  probabilities: np.ndarray, attributes: np.ndarray, threshold: float = THRESHOLD
) -> dict[str, list[float] | float]:
  """Flip and keep accuracy (module doc) from the classifier's probabilities of the edits
  [N, A (edited), A (judged)] and the source attributes [N, A] in {0, 1}: per edited attribute
  ("flip_accuracy", "keep_accuracy", [A]) and their means over attributes ("mean_flip_accuracy",
  "mean_keep_accuracy"; keep is None when A == 1: there is no other attribute)."""
  p, y = np.asarray(probabilities), _binary(attributes, "attributes")
  n, a = y.shape
  if p.shape != (n, a, a):
    raise ValueError(
      f"probabilities must be [N, A, A] = {(n, a, a)} for attributes {y.shape}, got {p.shape}"
    )
  correct = (p > threshold) == (flip_targets(y) > 0.5)  # [N, A, A]
  eye = np.eye(a, dtype=bool)
  flip = correct[:, eye].mean(axis=0)  # [A]: the diagonal, edit i judged on attribute i
  keep = [float(correct[:, i, ~eye[i]].mean()) if a > 1 else None for i in range(a)]
  return {
    "flip_accuracy": [float(v) for v in flip],
    "keep_accuracy": keep,
    "mean_flip_accuracy": float(flip.mean()),
    "mean_keep_accuracy": float(np.mean(keep)) if a > 1 else None,
  }


def edit_fidelity(
  edits: Images, true_edits: Images, value_range: tuple[float, float] = VALUE_RANGE
) -> dict[str, list[float] | float]:
  """PSNR / SSIM of the edits [N, A, H, W, 3] against the true renders of the same edits: per
  edited attribute ("psnr", "ssim", [A]) and their means ("mean_psnr", "mean_ssim")."""
  x, t = tf.convert_to_tensor(edits, tf.float32), tf.convert_to_tensor(true_edits, tf.float32)
  if x.shape.rank != 5 or x.shape != t.shape:
    raise ValueError(f"edits and true_edits must both be [N, A, H, W, C], got {x.shape}, {t.shape}")
  scores = [paired_scores(x[:, i], t[:, i], value_range) for i in range(x.shape[1])]
  psnr, ssim = [s["psnr"] for s in scores], [s["ssim"] for s in scores]
  return {
    "psnr": psnr,
    "ssim": ssim,
    "mean_psnr": float(np.mean(psnr)),
    "mean_ssim": float(np.mean(ssim)),
  }


def reconstruction_scores(
  reconstructions: Images, images: Images, value_range: tuple[float, float] = VALUE_RANGE
) -> dict[str, float]:
  """PSNR / SSIM of G(x, y) (each image with its own attributes) against x, both [N, H, W, C]."""
  if tuple(np.shape(reconstructions)) != tuple(np.shape(images)):
    raise ValueError(
      f"reconstructions {np.shape(reconstructions)} and images {np.shape(images)} shapes differ"
    )
  return paired_scores(reconstructions, images, value_range)


def _binary(attributes: np.ndarray, name: str) -> np.ndarray:
  y = np.asarray(attributes, np.float32)
  if y.ndim != 2 or not np.isin(y, (0.0, 1.0)).all():
    raise ValueError(f"{name} must be [N, A] with values in {{0, 1}}, got shape {y.shape}")
  return y
