"""2-D Gaussian mixtures with known modes: the ring of 8 and the grid of 25.

ring8: 8 isotropic Gaussians with means evenly spaced on a circle of radius 2 and std 0.02
(Metz et al. 2017, Unrolled GAN, Sec. 3.1; VEEGAN, Srivastava et al. 2017, Sec. 5.1).
grid25: 25 isotropic Gaussians with means on the 5x5 grid {-4, -2, 0, 2, 4}^2 and std 0.05
(VEEGAN Sec. 5.1; PacGAN, Lin et al. 2018, Sec. 4.1). Every mode has equal weight. Samples are
deterministic given the seed; the measures (modes covered, high-quality fraction) are in
evaluation/metrics/mode_coverage.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np

RING_MODES, RING_RADIUS, RING_STD = 8, 2.0, 0.02  # Unrolled GAN Sec. 3.1; VEEGAN Sec. 5.1
GRID_SIDE, GRID_SPACING, GRID_STD = 5, 2.0, 0.05  # VEEGAN Sec. 5.1; PacGAN Sec. 4.1
_STREAMS = {"train": 0, "test": 1}


@dataclasses.dataclass(frozen=True)
class Mixture:
  """An equal-weight mixture of isotropic 2-D Gaussians."""

  name: str
  means: np.ndarray  # float64 [K, 2]
  std: float

  @property
  def num_modes(self) -> int:
    return len(self.means)


def ring(
  num_modes: int = RING_MODES, radius: float = RING_RADIUS, std: float = RING_STD
) -> Mixture:
  """Means (radius cos(2 pi k / K), radius sin(2 pi k / K)), k = 0..K-1."""
  if num_modes < 1 or radius <= 0 or std <= 0:
    raise ValueError(f"need num_modes >= 1, radius > 0, std > 0; got {num_modes}, {radius}, {std}")
  angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
  means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # [K, 2]
  return Mixture(f"ring{num_modes}", means, float(std))


def grid(side: int = GRID_SIDE, spacing: float = GRID_SPACING, std: float = GRID_STD) -> Mixture:
  """Means on a side x side grid centred at 0 (side 5, spacing 2: {-4, -2, 0, 2, 4}^2), mode
  k = side * row + column with x = the column's coordinate, y = the row's."""
  if side < 1 or spacing <= 0 or std <= 0:
    raise ValueError(f"need side >= 1, spacing > 0, std > 0; got {side}, {spacing}, {std}")
  coords = spacing * (np.arange(side) - (side - 1) / 2.0)
  ys, xs = np.meshgrid(coords, coords, indexing="ij")
  means = np.stack([xs.ravel(), ys.ravel()], axis=-1)  # [side * side, 2]
  return Mixture(f"grid{side * side}", means, float(std))


MIXTURES = {"ring8": ring, "grid25": grid}


def mixture(name: str) -> Mixture:
  """The named standard mixture: "ring8" | "grid25"."""
  if name not in MIXTURES:
    raise ValueError(f"unknown mixture {name!r}; valid: {', '.join(sorted(MIXTURES))}")
  return MIXTURES[name]()


def sample(
  m: Mixture, num_samples: int, seed: int = 0, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
  """(points float32 [N, 2], mode ids int32 [N]): N draws of `m`, a mode uniformly then its
  Gaussian. The same (seed, split) gives the same points; the splits draw disjoint streams."""
  if split not in _STREAMS:
    raise ValueError(f"split must be one of {tuple(_STREAMS)}, got {split!r}")
  if not isinstance(num_samples, int | np.integer) or num_samples < 1:
    raise ValueError(f"num_samples must be a positive int, got {num_samples!r}")
  rng = np.random.default_rng((int(seed), _STREAMS[split]))
  modes = rng.integers(m.num_modes, size=num_samples)
  points = m.means[modes] + m.std * rng.standard_normal((num_samples, 2))
  return points.astype(np.float32), modes.astype(np.int32)
