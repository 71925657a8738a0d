"""Kernel Inception Distance (Binkowski et al. 2018, Sec. 4 / App. D): the unbiased estimate of
MMD^2 between activations under the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3,

  MMD^2 = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
          - 2 sum_{i, j} k(x_i, y_j) / m^2,

averaged over `num_subsets` random subsets of `subset_size` samples of each set (mean and std).
This is the official MMD-GAN compute_scores.py mmd2(mmd_est="unbiased"), as torch-fidelity's
kid_features_to_metric. The subsets are drawn as torch-fidelity draws them
(np.random.RandomState(seed); per subset, `subset_size` fake rows then `subset_size` real rows
without replacement; fake is its input1), so equal seeds give torch-fidelity's numbers.
"""

from __future__ import annotations

import numpy as np

from tfgan_repro.evaluation.metrics.activations import as_pair

KID_SUBSETS = 100  # torch-fidelity defaults.py kid_subsets
KID_SUBSET_SIZE = 1000  # torch-fidelity defaults.py kid_subset_size
KID_DEGREE = 3  # Binkowski et al. 2018, Sec. 4: (x.y / d + 1)^3
SEED = 2020  # torch-fidelity defaults.py rng_seed


def polynomial_kernel(x: np.ndarray, y: np.ndarray, degree: int = KID_DEGREE) -> np.ndarray:
  """k(x, y) = (x.y / d + 1)^degree for rows x [N, d], y [M, d] -> [N, M], float64."""
  return (x @ y.T / x.shape[1] + 1.0) ** degree


def mmd2_unbiased(x: np.ndarray, y: np.ndarray, degree: int = KID_DEGREE) -> float:
  """The unbiased MMD^2 of the module docstring between x [m, d] and y [m, d] (one m)."""
  m = x.shape[0]
  if y.shape[0] != m or m < 2:
    raise ValueError(f"x and y must have one number m >= 2 of rows, got {x.shape} and {y.shape}")
  k_xx, k_yy = polynomial_kernel(x, x, degree), polynomial_kernel(y, y, degree)  # [m, m]
  k_xy = polynomial_kernel(x, y, degree)  # [m, m]
  off_xx = k_xx.sum() - np.trace(k_xx)
  off_yy = k_yy.sum() - np.trace(k_yy)
  return float((off_xx + off_yy) / (m * (m - 1)) - 2.0 * k_xy.sum() / (m * m))


def kid(
  real: np.ndarray,
  fake: np.ndarray,
  num_subsets: int = KID_SUBSETS,
  subset_size: int = KID_SUBSET_SIZE,
  seed: int = SEED,
) -> tuple[float, float]:
  """(mean, std) of the unbiased MMD^2 over `num_subsets` subsets of `subset_size` rows of each
  set; std is the population std (ddof 0), as torch-fidelity."""
  real, fake = as_pair(real, fake)
  if num_subsets < 1:
    raise ValueError(f"num_subsets must be >= 1, got {num_subsets}")
  if subset_size < 2:
    raise ValueError(f"subset_size must be >= 2, got {subset_size}")
  most = min(len(real), len(fake))
  if subset_size > most:
    raise ValueError(
      f"KID subset_size {subset_size} exceeds the samples (real {len(real)}, fake {len(fake)}): "
      f"pass subset_size <= {most} (bin.metrics: --kid_subset_size={most}) or more samples"
    )
  rng = np.random.RandomState(seed)
  mmds = np.zeros(num_subsets)
  for i in range(num_subsets):
    f = fake[rng.choice(len(fake), subset_size, replace=False)]  # torch-fidelity: input1 first
    r = real[rng.choice(len(real), subset_size, replace=False)]
    mmds[i] = mmd2_unbiased(f, r)
  return float(mmds.mean()), float(mmds.std())
