"""Raster helpers the procedural renderers share: colours, noise, anti-aliased shapes, caching.

Shapes are signed distance fields (< 0 inside) in the renderer's own units; `cover` turns one into
anti-aliased coverage given the pixel size in the same units.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable

import numpy as np

from tfgan_repro.util.atomic import write_bytes_atomic


def jitter(
  rng: np.random.Generator, color: tuple[float, float, float], spread: float
) -> np.ndarray:
  """`color` plus a uniform offset in [-spread, spread] per channel, clipped to 0..255."""
  return np.clip(np.asarray(color, np.float64) + rng.uniform(-spread, spread, 3), 0.0, 255.0)


def color_matrix(rng: np.random.Generator) -> np.ndarray:
  """[3, 3] white balance x brightness x hue rotation x saturation (YIQ): a per-scene camera."""
  to_yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
  angle = np.deg2rad(rng.uniform(-10.0, 10.0))
  sat = rng.uniform(0.85, 1.15)
  c, s = np.cos(angle) * sat, np.sin(angle) * sat
  rot = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
  white_balance = np.diag(rng.uniform(0.88, 1.12, 3))
  return rng.uniform(0.75, 1.25) * white_balance @ np.linalg.inv(to_yiq) @ rot @ to_yiq


def interp_weights(coords: np.ndarray, cells: int) -> np.ndarray:
  """Interpolation weights [len(coords), cells + 1] sampling a lattice at unit coordinates."""
  pos = np.clip(coords, 0.0, 1.0) * cells
  i0 = np.minimum(np.floor(pos).astype(np.int64), cells - 1)
  frac = pos - i0
  frac = frac * frac * (3.0 - 2.0 * frac)  # smooth fade: no creases at lattice lines
  w = np.zeros((len(coords), cells + 1))
  rows = np.arange(len(coords))
  w[rows, i0] = 1.0 - frac
  w[rows, i0 + 1] = frac
  return w


def noise(lattice: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
  """Value noise [len(ys), len(xs)] in [0, 1]: separable smooth interpolation of the lattice
  [rows + 1, cols + 1] at unit coordinates ys, xs."""
  rows, cols = lattice.shape[0] - 1, lattice.shape[1] - 1
  return interp_weights(ys, rows) @ lattice @ interp_weights(xs, cols).T


def smoothstep(lo: float, hi: float, v: np.ndarray) -> np.ndarray:
  t = np.clip((v - lo) / (hi - lo), 0.0, 1.0)
  return t * t * (3.0 - 2.0 * t)


def cover(dist: np.ndarray, pixel: float) -> np.ndarray:
  """Anti-aliased coverage [..., 1] of a shape given its signed distance (< 0 inside)."""
  return np.clip(0.5 - dist / pixel, 0.0, 1.0)[..., None]


def ellipse(x: np.ndarray, y: np.ndarray, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
  """Approximate signed distance to an axis-aligned ellipse."""
  return (np.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2) - 1.0) * min(rx, ry)


def box(x: np.ndarray, y: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
  """Signed distance (Chebyshev) to the axis-aligned box [x0, x1] x [y0, y1]."""
  return np.maximum(np.maximum(x0 - x, x - x1), np.maximum(y0 - y, y - y1))


def cached_npz(
  path: str | None, make: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
  """`make()`'s arrays, read from the .npz `path` when it exists, else made and saved there
  atomically (path None: made, not saved)."""
  if path and os.path.exists(path):
    with np.load(path) as f:
      return {k: f[k] for k in f.files}
  arrays = make()
  if path:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())
  return arrays


def cached_readonly(
  cache_dir: str, name: str, make: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
  """`cached_npz` at cache_dir/name ("" cache_dir: not saved), every array made read-only: they
  are shared by every caller through an in-memory cache."""
  arrays = cached_npz(os.path.join(cache_dir, name) if cache_dir else None, make)
  for a in arrays.values():
    a.setflags(write=False)
  return arrays


def drawn_rows(
  draw: Callable[[int], dict[str, np.ndarray]], rows: int, block_rows: int
) -> dict[str, np.ndarray]:
  """The first `rows` rows of draw(0), draw(1), ... (each `block_rows` rows) concatenated, so the
  first rows do not depend on how many are asked for."""
  blocks = [draw(b) for b in range(-(-rows // block_rows))]
  return {k: np.concatenate([b[k] for b in blocks])[:rows] for k in blocks[0]}


def check_split_args(
  split: str, size: int, num_examples: int, splits: tuple[str, ...], min_size: int, max_size: int
) -> None:
  """ValueError unless split is one of `splits`, size an int in [min_size, max_size] and
  num_examples a positive int."""
  if split not in splits:
    raise ValueError(f"split must be one of {splits}, got {split!r}")
  if not isinstance(size, int | np.integer) or not min_size <= size <= max_size:
    raise ValueError(f"size must be an int in [{min_size}, {max_size}], got {size!r}")
  if not isinstance(num_examples, int | np.integer) or num_examples < 1:
    raise ValueError(f"num_examples must be a positive int, got {num_examples!r}")
