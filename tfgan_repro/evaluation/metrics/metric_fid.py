"""Frechet Inception Distance (Heusel et al. 2017, Eq. 6):

  FID = ||mu_r - mu_g||^2 + tr(S_r + S_g - 2 (S_r S_g)^(1/2)),

the Frechet distance of the Gaussians N(mu, S) fitted to two sets of activations (S the unbiased
covariance, N - 1, as pytorch-fid's calculate_activation_statistics). Only the FID Inception
network (TF's 2015-12-05 graph; pytorch-fid's pt_inception-2015-12-05 weights) gives values
comparable with published FIDs.

tr (S1 S2)^(1/2) is computed without a non-symmetric matrix square root: S1 S2 has the
eigenvalues of the symmetric PSD matrix M = S1^(1/2) S2 S1^(1/2), so
tr (S1 S2)^(1/2) = sum_i sqrt(lambda_i(M)), with S1^(1/2) from a symmetric eigen-decomposition.
Round-off negative eigenvalues are clipped to 0, so singular covariances (N <= D) need no offset;
should an eigen-decomposition fail or give non-finite values, eps I is added to both covariances
and it is retried, as pytorch-fid's calculate_frechet_distance does after scipy's sqrtm.
"""

from __future__ import annotations

import numpy as np

from tfgan_repro.evaluation.metrics.activations import as_activations, as_pair

FID_EPS = 1e-6  # pytorch-fid calculate_frechet_distance(eps=1e-6)


def gaussian_stats(activations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """(mu [D], sigma [D, D]) of activations [N, D], float64; sigma is unbiased (N - 1)."""
  x = as_activations(activations, "activations")
  return x.mean(axis=0), np.cov(x, rowvar=False)  # [D], [D, D]


def _sqrt_psd(s: np.ndarray) -> np.ndarray:
  """Symmetric square root of a symmetric PSD matrix; round-off negative eigenvalues -> 0."""
  w, v = np.linalg.eigh(s)
  return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
  """tr (sigma1 sigma2)^(1/2) = sum sqrt(eig(sigma1^(1/2) sigma2 sigma1^(1/2)))."""
  root1 = _sqrt_psd(sigma1)
  m = root1 @ sigma2 @ root1
  w = np.linalg.eigvalsh((m + m.T) / 2)  # symmetrised against round-off
  return float(np.sqrt(np.clip(w, 0.0, None)).sum())


def frechet_distance(
  mu1: np.ndarray,
  sigma1: np.ndarray,
  mu2: np.ndarray,
  sigma2: np.ndarray,
  eps: float = FID_EPS,
) -> float:
  """||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr (sigma1 sigma2)^(1/2), float64."""
  mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
  sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
  sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
  d = mu1.shape[0]
  if mu1.shape != (d,) or mu2.shape != (d,):
    raise ValueError(f"mu1 and mu2 must be [D] with one D, got {mu1.shape} and {mu2.shape}")
  if sigma1.shape != (d, d) or sigma2.shape != (d, d):
    raise ValueError(f"sigma1 and sigma2 must be [{d}, {d}], got {sigma1.shape} and {sigma2.shape}")
  for name, value in (("mu1", mu1), ("sigma1", sigma1), ("mu2", mu2), ("sigma2", sigma2)):
    if not np.isfinite(value).all():
      raise ValueError(f"{name} has NaN / inf values")
  try:
    tr_covmean = trace_sqrt_product(sigma1, sigma2)
  except np.linalg.LinAlgError:
    tr_covmean = np.nan
  if not np.isfinite(tr_covmean):
    offset = np.eye(d) * eps  # pytorch-fid: eps added to the diagonal of both covariances
    tr_covmean = trace_sqrt_product(sigma1 + offset, sigma2 + offset)
  diff = mu1 - mu2
  return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)


def fid(real: np.ndarray, fake: np.ndarray, eps: float = FID_EPS) -> float:
  """FID between activations real [N_r, D] and fake [N_g, D]."""
  real, fake = as_pair(real, fake)
  return frechet_distance(*gaussian_stats(real), *gaussian_stats(fake), eps=eps)
