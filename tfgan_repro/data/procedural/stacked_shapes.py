"""Stacked shapes: the stacked-MNIST protocol with procedural shapes instead of digits.

Stacked MNIST (Metz et al. 2017, Unrolled GAN, Sec. 3.3; VEEGAN Sec. 5.2; PacGAN Sec. 4.2)
stacks three independent MNIST digits as the R, G and B channels: 10^3 = 1000 modes. Here each
channel holds one of 10 shapes (SHAPES), drawn independently and uniformly, white (200..255) on
black like MNIST, with its own jitter: centre +-0.08 of the side, radius 0.28..0.38 of the side,
rotation +-10 degrees (far from the 45 degrees that relate square / diamond and cross / x).
Mode id = 100 c0 + 10 c1 + c2 for the classes (c0, c1, c2) of the channels (R, G, B).
Deterministic given the seed; the train and test splits draw disjoint streams, and the first N
images of a split are the same whatever N. The judge that reads the modes back from images is
evaluation/shape_judge.py.
"""

from __future__ import annotations

import functools

import numpy as np

from tfgan_repro.data.procedural.raster import cached_readonly, check_split_args, drawn_rows

SHAPES = (
  "circle",
  "square",
  "triangle",
  "cross",
  "ring",
  "diamond",
  "bar_h",
  "bar_v",
  "star",
  "x",
)
NUM_CLASSES = len(SHAPES)
CHANNELS = 3  # stacked MNIST: one digit per colour channel
NUM_MODES = NUM_CLASSES**CHANNELS  # 1000 (VEEGAN Sec. 5.2)
SPLITS = ("train", "test")
MIN_SIZE, MAX_SIZE = 16, 256  # docs/design.md: 32..256 px for training, 16 px for tests
RENDER_VERSION = 1  # part of the disk-cache file name: bump whenever the pictures change
_STREAMS = {"train": 0, "test": 1}
_BLOCK = 1024  # images drawn per generator: the first N of a split do not depend on N
# Jitter (this dataset's design): centre offset, radius and rotation ranges, foreground level.
_SHIFT, _RADIUS, _ROTATION = 0.08, (0.28, 0.38), np.deg2rad(10.0)
_LEVEL = (200.0, 255.0)


def mode_ids(classes: np.ndarray) -> np.ndarray:
  """int32 [...]: 100 c0 + 10 c1 + c2 of classes int [..., 3]."""
  classes = np.asarray(classes)
  return (classes @ (NUM_CLASSES ** np.arange(CHANNELS - 1, -1, -1))).astype(np.int32)


def mode_classes(ids: np.ndarray) -> np.ndarray:
  """int32 [..., 3]: the channel classes (c0, c1, c2) of mode ids, the inverse of `mode_ids`."""
  ids = np.asarray(ids)
  powers = NUM_CLASSES ** np.arange(CHANNELS - 1, -1, -1)  # [100, 10, 1]
  return ((ids[..., None] // powers) % NUM_CLASSES).astype(np.int32)


def _plus(u: np.ndarray, v: np.ndarray, arm: float, half_width: float) -> np.ndarray:
  a, b = np.abs(u), np.abs(v)
  horizontal = np.maximum(a - arm, b - half_width)
  vertical = np.maximum(b - arm, a - half_width)
  return np.minimum(horizontal, vertical)


def _star(u: np.ndarray, v: np.ndarray) -> np.ndarray:
  """Five points up: the radius swings linearly in angle between 0.42 and 1.0."""
  r = np.hypot(u, v)
  theta = np.arctan2(u, -v)  # 0 points up (image y runs down)
  phase = np.abs(((theta / (2 * np.pi / 5)) + 0.5) % 1.0 - 0.5) * 2.0  # 0 at a point, 1 between
  return (r - (1.0 - 0.58 * phase)) * 0.6  # the edges slope: shrink to about a distance


def _triangle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
  """Equilateral, apex up, circumradius 1.1, centred on its bounding box."""
  v = v - 0.275  # the box spans v in [-1.1, 0.55]: centre it
  normals = ((0.0, 1.0), (np.sqrt(3) / 2, -0.5), (-np.sqrt(3) / 2, -0.5))
  return np.max([nu * u + nv * v for nu, nv in normals], axis=0) - 0.55


def _distance(shape: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
  """Signed distance (< 0 inside) of class `shape` in units of the shape's radius."""
  name = SHAPES[shape]
  if name == "circle":
    return np.hypot(u, v) - 0.9
  if name == "square":
    return np.maximum(np.abs(u), np.abs(v)) - 0.72
  if name == "triangle":
    return _triangle(u, v)
  if name == "cross":
    return _plus(u, v, 0.95, 0.24)
  if name == "ring":
    return np.abs(np.hypot(u, v) - 0.72) - 0.2
  if name == "diamond":
    return (np.abs(u) + np.abs(v) - 1.0) / np.sqrt(2.0)
  if name == "bar_h":
    return np.maximum(np.abs(u) - 0.95, np.abs(v) - 0.3)
  if name == "bar_v":
    return np.maximum(np.abs(v) - 0.95, np.abs(u) - 0.3)
  if name == "star":
    return _star(u, v)
  c = np.sqrt(0.5)  # x: the cross turned by 45 degrees
  return _plus(c * (u + v), c * (v - u), 1.0, 0.22)


def render_channels(params: dict[str, np.ndarray], size: int) -> np.ndarray:
  """uint8 [M, size, size]: one anti-aliased shape per row of params (class int [M], centre
  [M, 2] = x, y and radius [M] in units of the side, rotation [M] radians, level [M] 0..255)."""
  m = len(params["classes"])
  out = np.zeros((m, size, size), np.float64)
  coords = (np.arange(size) + 0.5) / size  # pixel centres in unit coordinates
  for shape in range(NUM_CLASSES):
    rows = np.flatnonzero(params["classes"] == shape)
    if not len(rows):
      continue
    cx, cy = (params["center"][rows, i][:, None, None] for i in range(2))
    radius = params["radius"][rows][:, None, None]
    cos, sin = (f(params["rotation"][rows])[:, None, None] for f in (np.cos, np.sin))
    dx, dy = coords[None, None, :] - cx, coords[None, :, None] - cy  # [R, 1, S], [R, S, 1]
    u, v = (cos * dx + sin * dy) / radius, (cos * dy - sin * dx) / radius  # [R, S, S]
    pixel = 1.0 / (size * radius)  # one pixel in shape units
    coverage = np.clip(0.5 - _distance(shape, u, v) / pixel, 0.0, 1.0)
    out[rows] = coverage * params["level"][rows][:, None, None]
  return np.round(out).astype(np.uint8)


def _draw_block(seed: int, split: str, block: int) -> dict[str, np.ndarray]:
  """The classes [B, 3] and jitter of images block * _BLOCK .. (block + 1) * _BLOCK - 1."""
  rng = np.random.default_rng((seed, _STREAMS[split], block))
  n = _BLOCK * CHANNELS
  return {
    "classes": rng.integers(NUM_CLASSES, size=n),
    "center": 0.5 + rng.uniform(-_SHIFT, _SHIFT, (n, 2)),
    "radius": rng.uniform(*_RADIUS, n),
    "rotation": rng.uniform(-_ROTATION, _ROTATION, n),
    "level": rng.uniform(*_LEVEL, n),
  }


@functools.lru_cache(maxsize=4)  # e.g. the train and test splits of one run
def _cached(split: str, size: int, num: int, seed: int, cache_dir: str) -> dict[str, np.ndarray]:
  def make() -> dict[str, np.ndarray]:
    params = drawn_rows(lambda b: _draw_block(seed, split, b), num * CHANNELS, _BLOCK * CHANNELS)
    channels = render_channels(params, size)  # [N * 3, S, S]
    images = channels.reshape(num, CHANNELS, size, size).transpose(0, 2, 3, 1)  # [N, S, S, 3]
    classes = params["classes"].reshape(num, CHANNELS).astype(np.int32)
    return {"images": np.ascontiguousarray(images), "classes": classes}

  name = f"stacked_shapes_v{RENDER_VERSION}_{split}_{size}px_n{num}_seed{seed}.npz"
  return cached_readonly(cache_dir, name, make)


def stacked_shapes_arrays(
  split: str, size: int, num_examples: int, seed: int = 0, cache_dir: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
  """(images uint8 [N, size, size, 3], mode ids int32 [N] in [0, 1000)): the first N images of
  `split` ("train" | "test"); `mode_classes(ids)` gives each channel's class. Cached in memory
  (read-only arrays) and, when `cache_dir` is given, on disk."""
  check_split_args(split, size, num_examples, SPLITS, MIN_SIZE, MAX_SIZE)
  arrays = _cached(split, int(size), int(num_examples), int(seed), cache_dir or "")
  return arrays["images"], mode_ids(arrays["classes"])
