"""Checks shared by the synthesis metrics: activations are finite float64 [N, D] arrays."""

from __future__ import annotations

import numpy as np


def as_activations(x: np.ndarray, name: str, *, min_samples: int = 2) -> np.ndarray:
  """`x` as a finite float64 [N, D] array with N >= min_samples; ValueError naming `name`."""
  x = np.asarray(x)
  if x.ndim != 2:
    raise ValueError(f"{name} must be [N, D] activations, got shape {x.shape}")
  if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
    raise ValueError(f"{name} must be real numbers, got dtype {x.dtype}")
  x = x.astype(np.float64)
  if not np.isfinite(x).all():
    bad = np.argwhere(~np.isfinite(x))[0]
    raise ValueError(
      f"{name} has {int((~np.isfinite(x)).sum())} NaN / inf values (first at row {bad[0]}, "
      f"column {bad[1]})"
    )
  if x.shape[0] < min_samples:
    raise ValueError(f"{name} needs at least {min_samples} samples, got {x.shape[0]}")
  return x


def as_pair(
  real: np.ndarray, fake: np.ndarray, *, min_samples: int = 2
) -> tuple[np.ndarray, np.ndarray]:
  """Both sets checked by `as_activations`, with one feature dimension D."""
  real = as_activations(real, "real", min_samples=min_samples)
  fake = as_activations(fake, "fake", min_samples=min_samples)
  if real.shape[1] != fake.shape[1]:
    raise ValueError(
      f"real and fake must have one feature dimension, got real {real.shape} and fake {fake.shape}"
    )
  return real, fake
