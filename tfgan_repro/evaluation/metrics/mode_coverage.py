"""Mode-collapse measures against known modes: the 2-D mixtures (data/procedural/mixtures.py) and
the 1000 modes of stacked shapes (data/procedural/stacked_shapes.py).

2-D mixtures (VEEGAN, Srivastava et al. 2017, Sec. 5.1; PacGAN, Lin et al. 2018, Sec. 4.1): a
sample is "high quality" when it lies within 3 standard deviations of its nearest mode; a mode is
covered when it is the nearest mode of at least one high-quality sample.
Discrete modes (stacked MNIST, VEEGAN Sec. 5.2; PacGAN Sec. 4.2): a mode is covered when at
least one sample is judged to be of it, and KL(p_gen || uniform) = sum_k p_k log(K p_k) (natural
log, 0 log 0 = 0) of the generated mode histogram p.
"""

from __future__ import annotations

import numpy as np

HIGH_QUALITY_STDS = 3.0  # VEEGAN Sec. 5.1: within three standard deviations of the nearest mode


def nearest_modes(points: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """(int64 [N] index of each point's nearest mean, float64 [N] Euclidean distance to it)."""
  points = np.asarray(points, np.float64)
  means = np.asarray(means, np.float64)
  if points.ndim != 2 or means.ndim != 2 or points.shape[1] != means.shape[1]:
    raise ValueError(
      f"points [N, D] and means [K, D] must agree, got {points.shape}, {means.shape}"
    )
  if not len(points) or not len(means):
    raise ValueError(f"points and means must be non-empty, got {points.shape}, {means.shape}")
  d2 = ((points[:, None, :] - means[None, :, :]) ** 2).sum(-1)  # [N, K]
  nearest = d2.argmin(axis=1)
  return nearest, np.sqrt(d2[np.arange(len(points)), nearest])


def mixture_scores(
  points: np.ndarray, means: np.ndarray, std: float, num_stds: float = HIGH_QUALITY_STDS
) -> dict:
  """VEEGAN's 2-D measures of `points` [N, 2] against the mixture (means [K, 2], std):
  "modes" covered (int), "high_quality" fraction of points within num_stds * std of their
  nearest mean, and "mode_counts" (high-quality points per mode, a list of K ints)."""
  if std <= 0 or num_stds <= 0:
    raise ValueError(f"std and num_stds must be > 0, got {std!r}, {num_stds!r}")
  nearest, dist = nearest_modes(points, means)
  good = dist <= num_stds * std
  counts = np.bincount(nearest[good], minlength=len(means))  # [K]
  return {
    "modes": int((counts > 0).sum()),
    "high_quality": float(good.mean()),
    "mode_counts": [int(c) for c in counts],
  }


def mode_histogram(mode_ids: np.ndarray, num_modes: int) -> np.ndarray:
  """int64 [num_modes]: how many of `mode_ids` (ints in [0, num_modes)) fall on each mode."""
  ids = np.asarray(mode_ids).reshape(-1)
  if num_modes < 1:
    raise ValueError(f"num_modes must be >= 1, got {num_modes!r}")
  if not len(ids):
    raise ValueError("mode_ids is empty")
  if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= num_modes:
    raise ValueError(f"mode_ids must be ints in [0, {num_modes}), got {ids.dtype} {ids.min()}..")
  return np.bincount(ids, minlength=num_modes)


def modes_covered(mode_ids: np.ndarray, num_modes: int) -> int:
  """Modes with at least one sample (stacked MNIST: VEEGAN Sec. 5.2, PacGAN Sec. 4.2)."""
  return int((mode_histogram(mode_ids, num_modes) > 0).sum())


def kl_to_uniform(mode_ids: np.ndarray, num_modes: int) -> float:
  """KL(p || uniform) = sum_k p_k log(num_modes p_k) in nats of the empirical mode distribution
  p of `mode_ids` (VEEGAN Sec. 5.2); 0 when every mode is equally frequent, log(num_modes) when
  one mode holds every sample."""
  p = mode_histogram(mode_ids, num_modes) / len(np.asarray(mode_ids).reshape(-1))
  nz = p > 0
  return float((p[nz] * np.log(num_modes * p[nz])).sum())


def discrete_mode_scores(mode_ids: np.ndarray, num_modes: int) -> dict:
  """{"modes": modes covered, "kl": KL(p || uniform)} of judged mode ids."""
  return {"modes": modes_covered(mode_ids, num_modes), "kl": kl_to_uniform(mode_ids, num_modes)}
