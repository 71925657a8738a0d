"""Improved precision and recall (Kynkaanniemi et al. 2019, Sec. 2): each set's manifold is the
union of balls around its samples, each ball's radius the distance to the sample's k-th nearest
neighbour within its own set (itself excluded; k = 3, Sec. 4). Precision is the fraction of fake
samples inside the real manifold, recall the fraction of real samples inside the fake one
(inside: distance <= radius, as the official precision_recall.py and torch-fidelity's
metric_prc.py).

Distances are computed in float64 blocks of `batch_size` x `batch_size`, so memory stays
O(batch_size^2 + N k) whatever N is.
"""

from __future__ import annotations

import numpy as np

from tfgan_repro.evaluation.metrics.activations import as_pair

K = 3  # Kynkaanniemi et al. 2019, Sec. 4 (official nhood_size=3, torch-fidelity prc_neighborhood)
BATCH_SIZE = 2000  # this repo's: one block of distances is 2000^2 float64 = 32 MB


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
  """Squared Euclidean distances [len(a), len(b)], clipped at 0 against round-off."""
  d = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * (a @ b.T)
  return np.maximum(d, 0.0)


def knn_radii(x: np.ndarray, k: int = K, batch_size: int = BATCH_SIZE) -> np.ndarray:
  """Distance [N] from each row of x [N, D] to its k-th nearest other row."""
  n = len(x)
  if not 1 <= k < n:
    raise ValueError(f"k must be in [1, N - 1 = {n - 1}], got {k}")
  radii = np.empty(n)
  for start in range(0, n, batch_size):
    rows = x[start : start + batch_size]
    best = np.empty((len(rows), 0))  # the k + 1 smallest squared distances so far (self included)
    for col in range(0, n, batch_size):
      best = np.concatenate([best, _sq_dists(rows, x[col : col + batch_size])], axis=1)
      if best.shape[1] > k + 1:
        best = np.partition(best, k, axis=1)[:, : k + 1]
    radii[start : start + len(rows)] = np.sqrt(best.max(axis=1))  # the (k + 1)-th with self
  return radii


def _inside(query: np.ndarray, ref: np.ndarray, radii: np.ndarray, batch_size: int) -> np.ndarray:
  """[len(query)] bool: is the row within radii[j] of some ref row j."""
  out = np.zeros(len(query), bool)
  for start in range(0, len(query), batch_size):
    rows = query[start : start + batch_size]
    for col in range(0, len(ref), batch_size):
      d = np.sqrt(_sq_dists(rows, ref[col : col + batch_size]))
      out[start : start + len(rows)] |= (d <= radii[None, col : col + batch_size]).any(axis=1)
  return out


def precision_recall(
  real: np.ndarray, fake: np.ndarray, k: int = K, batch_size: int = BATCH_SIZE
) -> tuple[float, float]:
  """(precision, recall) of fake [N_g, D] against real [N_r, D]."""
  real, fake = as_pair(real, fake, min_samples=k + 1)
  if batch_size < 1:
    raise ValueError(f"batch_size must be >= 1, got {batch_size}")
  precision = _inside(fake, real, knn_radii(real, k, batch_size), batch_size).mean()
  recall = _inside(real, fake, knn_radii(fake, k, batch_size), batch_size).mean()
  return float(precision), float(recall)
