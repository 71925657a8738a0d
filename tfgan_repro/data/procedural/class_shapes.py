"""Class shapes: class-labelled colour images for class-conditional synthesis, scored by a judge
network (evaluation/class_judge.py).

Each image holds one shape of SHAPES in one colour of COLORS on a dark background: class =
shape * len(COLORS) + colour, 4 x 3 = 12 classes, drawn uniformly. Within a class every image
differs: centre +-0.18 of the side, radius 0.20..0.30 of the side, rotation +-10 degrees (far
from the 45 degrees that relate square and diamond, cross and x), the colour jittered by +-25 per
channel, the background an independent dark colour (each channel 0..70). Shapes are the
anti-aliased signed-distance renders of data/procedural/stacked_shapes.py. Deterministic given the
seed; the train and test splits draw disjoint streams, and the first N images of a split are the
same whatever N.

`class_shapes_boxes` gives each image's true bounding box, the box of the pixels its shape
covers, in tfds' normalised [ymin, xmin, ymax, xmax] (tfds.features.BBoxFeature), for the
bounding-box crop of the image pipeline (data.bbox_crop). The long side of a box is 0.31..0.61
of the image's (measured on 3000 training images at 64 px), so the crop enlarges a shape 1.6..3.2
times: the shapes leave room around them, as the dogs of Stanford Dogs do.
"""

from __future__ import annotations

import functools

import numpy as np

from tfgan_repro.data.procedural import stacked_shapes
from tfgan_repro.data.procedural.raster import cached_readonly, check_split_args, drawn_rows

SHAPES = ("circle", "square", "triangle", "cross")  # stacked_shapes.SHAPES names
COLORS = {"red": (225.0, 45.0, 40.0), "green": (50.0, 200.0, 60.0), "blue": (55.0, 90.0, 235.0)}
NUM_CLASSES = len(SHAPES) * len(COLORS)  # 12
CLASS_NAMES = tuple(f"{color}_{shape}" for shape in SHAPES for color in COLORS)
SPLITS = ("train", "test")
MIN_SIZE, MAX_SIZE = 16, 256  # docs/design.md: 32..256 px for training, 16 px for tests
RENDER_VERSION = 1  # part of the disk-cache file name: bump whenever the pictures change
_STREAMS = {"train": 0, "test": 1}
_BLOCK = 1024  # images drawn per generator: the first N of a split do not depend on N
# Intra-class variety (this dataset's design): centre offset, radius and rotation ranges, colour
# jitter, background range.
_SHIFT, _RADIUS, _ROTATION = 0.18, (0.20, 0.30), np.deg2rad(10.0)
_COLOR_JITTER, _BACKGROUND = 25.0, (0.0, 70.0)
_SHAPE_IDS = np.array([stacked_shapes.SHAPES.index(s) for s in SHAPES])


def class_of(shape: int | np.ndarray, color: int | np.ndarray) -> np.ndarray:
  """Class id shape * 3 + colour."""
  return np.asarray(shape) * len(COLORS) + np.asarray(color)


def _draw_block(seed: int, split: str, block: int) -> dict[str, np.ndarray]:
  """Classes and jitter of images block * _BLOCK .. (block + 1) * _BLOCK - 1."""
  rng = np.random.default_rng((seed, _STREAMS[split], block, 12))
  n = _BLOCK
  return {
    "labels": rng.integers(NUM_CLASSES, size=n),
    "center": 0.5 + rng.uniform(-_SHIFT, _SHIFT, (n, 2)),
    "radius": rng.uniform(*_RADIUS, n),
    "rotation": rng.uniform(-_ROTATION, _ROTATION, n),
    "jitter": rng.uniform(-_COLOR_JITTER, _COLOR_JITTER, (n, 3)),
    "background": rng.uniform(*_BACKGROUND, (n, 3)),
  }


def render(params: dict[str, np.ndarray], size: int) -> np.ndarray:
  """uint8 [N, size, size, 3]: one shape per row of params (labels int [N], centre [N, 2], radius
  [N], rotation [N], jitter [N, 3], background [N, 3])."""
  labels = np.asarray(params["labels"])
  shape, color = labels // len(COLORS), labels % len(COLORS)
  coverage = (
    stacked_shapes.render_channels(
      {
        "classes": _SHAPE_IDS[shape],
        "center": params["center"],
        "radius": params["radius"],
        "rotation": params["rotation"],
        "level": np.full(len(labels), 255.0),
      },
      size,
    ).astype(np.float64)[..., None]
    / 255.0
  )  # [N, S, S, 1] in [0, 1]
  palette = np.array(list(COLORS.values()))  # [3, 3]
  foreground = np.clip(palette[color] + params["jitter"], 0.0, 255.0)[:, None, None, :]
  background = params["background"][:, None, None, :]
  return np.round(coverage * foreground + (1.0 - coverage) * background).astype(np.uint8)


def _coverage_boxes(params: dict[str, np.ndarray], size: int) -> np.ndarray:
  """float32 [N, 4]: [ymin, xmin, ymax, xmax] / size of the pixels each row's shape covers
  (coverage > 0 in the render's 8 bits)."""
  labels = np.asarray(params["labels"])
  covered = (
    stacked_shapes.render_channels(
      {
        "classes": _SHAPE_IDS[labels // len(COLORS)],
        "center": params["center"],
        "radius": params["radius"],
        "rotation": params["rotation"],
        "level": np.full(len(labels), 255.0),
      },
      size,
    )
    > 0
  )  # [N, S, S]
  rows, cols = covered.any(axis=2), covered.any(axis=1)  # [N, S] each
  index = np.arange(size)

  def first(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, index, size).min(axis=1)

  def last(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, index, -1).max(axis=1) + 1

  boxes = np.stack([first(rows), first(cols), last(rows), last(cols)], axis=1)  # [N, 4]
  return (boxes / size).astype(np.float32)


@functools.lru_cache(maxsize=4)  # e.g. the train and test splits of one run
def _cached(split: str, size: int, num: int, seed: int, cache_dir: str) -> dict[str, np.ndarray]:
  def make() -> dict[str, np.ndarray]:
    params = drawn_rows(lambda b: _draw_block(seed, split, b), num, _BLOCK)
    return {"images": render(params, size), "labels": params["labels"].astype(np.int32)}

  name = f"class_shapes_v{RENDER_VERSION}_{split}_{size}px_n{num}_seed{seed}.npz"
  return cached_readonly(cache_dir, name, make)


def class_shapes_arrays(
  split: str, size: int, num_examples: int, seed: int = 0, cache_dir: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
  """(images uint8 [N, size, size, 3], labels int32 [N] in [0, 12)): the first N images of
  `split` ("train" | "test"). Cached in memory (read-only arrays) and, when `cache_dir` is given,
  on disk."""
  check_split_args(split, size, num_examples, SPLITS, MIN_SIZE, MAX_SIZE)
  arrays = _cached(split, int(size), int(num_examples), int(seed), cache_dir or "")
  return arrays["images"], arrays["labels"]


@functools.lru_cache(maxsize=4)
def _cached_boxes(split: str, size: int, num: int, seed: int) -> np.ndarray:
  boxes = _coverage_boxes(drawn_rows(lambda b: _draw_block(seed, split, b), num, _BLOCK), size)
  boxes.setflags(write=False)
  return boxes


def class_shapes_boxes(split: str, size: int, num_examples: int, seed: int = 0) -> np.ndarray:
  """float32 [N, 4]: the bounding box of the shape of each of the first N images of `split`
  (`class_shapes_arrays`' images at the same size and seed), normalised [ymin, xmin, ymax,
  xmax] as tfds' BBoxFeature; read-only, cached in memory."""
  check_split_args(split, size, num_examples, SPLITS, MIN_SIZE, MAX_SIZE)
  return _cached_boxes(split, int(size), int(num_examples), int(seed))
