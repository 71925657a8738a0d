"""Procedural `city` street scenes: semantic label map, instance map and the photo-like render.

A scene is drawn once from a seed in height units (y in [0, 1] down, x in [0, aspect]): sky with
clouds; a row of buildings, each with its own facade colour, texture and window grid; a sidewalk
with paving joints and a kerb; a road with asphalt texture and lane dashes; then trees, people and
cars in depth order, each one instance with its own colours (foliage shade, clothes, car paint),
shading and a cast shadow. `render(scene, height)` rasterises it with vectorised numpy and returns
the three maps of one pixel grid: the label of a pixel is the class of the shape covering its
centre, while the photo is anti-aliased and carries what a label map does not say (textures,
shading, per-instance colours, window lighting, a per-scene exposure and white balance, grain),
so it is not a colour lookup of the labels (docs/design.md, "Procedural datasets with ground
truth").

Both splits are paired (label map and photo of the same scene); train and test scenes come from
disjoint seed streams. `aligned_image` gives the official pix2pix A|B side-by-side form (colour
label map | photo) and `write_aligned_folder` writes a dataset in the official aligned layout.
"""

from __future__ import annotations

import dataclasses
import functools
import os

import numpy as np
from PIL import Image

from tfgan_repro.data.procedural.raster import (
  box,
  cached_npz,
  cover,
  ellipse,
  jitter,
  noise,
)

# The classes of the label map, by id (docs/design.md: ~8 classes of a street scene).
CLASSES = ("sky", "building", "window", "road", "sidewalk", "tree", "car", "person")
SKY, BUILDING, WINDOW, ROAD, SIDEWALK, TREE, CAR, PERSON = range(len(CLASSES))
# Cityscapes colours (cityscapesScripts labels.py) of sky, building, road, sidewalk, vegetation,
# car and person; "window" has no Cityscapes class and takes traffic light's orange.
PALETTE = np.array(
  [
    (70, 130, 180),
    (70, 70, 70),
    (250, 170, 30),
    (128, 64, 128),
    (244, 35, 232),
    (107, 142, 35),
    (0, 0, 142),
    (220, 20, 60),
  ],
  np.uint8,
)
INSTANCE_CLASSES = (TREE, CAR, PERSON)  # "things" with instance ids; 0 = no instance (stuff)
SPLITS = ("train", "test")  # both paired
ASPECTS = (1, 2)  # width / height: square, or 2:1 like Cityscapes (2048x1024)
# Widths 64..512 px for training (docs/design.md); 16 px for tests, 1024 for pix2pixHD's 1024x512.
MIN_SIZE, MAX_SIZE = 16, 1024
RENDER_VERSION = 1  # part of the disk-cache file name: bump whenever the pictures change
_STREAMS = {"train": 0, "test": 1}
_LATTICES = (6, 20, 64)  # value-noise cells per unit height: coarse (clouds), mid, fine
_GRAIN = 2.5  # std of the per-pixel film grain, in 0..255 levels
_FACADES = ((150, 75, 55), (205, 190, 160), (150, 150, 150), (120, 95, 75), (225, 220, 205))
_CAR_PAINTS = ((200, 30, 30), (30, 60, 160), (235, 235, 235), (25, 25, 28), (165, 170, 175))
_CLOTHES = ((40, 50, 90), (160, 40, 40), (50, 110, 60), (215, 215, 205), (35, 35, 35))
_SKIN = ((230, 190, 160), (190, 140, 100), (120, 80, 55))


@dataclasses.dataclass(frozen=True)
class Building:
  x0: float
  x1: float
  top: float
  facade: np.ndarray  # [3]
  glass: np.ndarray  # [3]
  pitch: tuple[float, float]  # window grid cell (x, y)
  window: tuple[float, float]  # window size (x, y)
  shade: np.ndarray  # [rows, cols] brightness of each window (> 1.3: lit)


@dataclasses.dataclass(frozen=True)
class Thing:
  """A tree, a person or a car: class, foot position (x, y), scale and its own colours."""

  cls: int
  x: float
  y: float
  scale: float
  colors: np.ndarray  # [K, 3]: tree foliage, foliage 2, trunk; person skin, shirt, trousers;
  #                     car paint, glass, lights
  shape: np.ndarray  # per-class shape numbers (tree lobe radii; car length, facing)


@dataclasses.dataclass(frozen=True)
class Scene:
  """Scene parameters in height units; colours are RGB in 0..255."""

  aspect: int
  horizon: float  # y of the building feet = top of the sidewalk
  curb: float  # y of the kerb = top of the road
  sky: np.ndarray  # [2, 3] top, bottom
  cloud: np.ndarray  # [3]
  cloud_amount: float
  buildings: tuple[Building, ...]
  sidewalk: np.ndarray  # [3]
  joint_pitch: float
  road: np.ndarray  # [3]
  lane: np.ndarray  # [3] = y, dash pitch, phase
  things: tuple[Thing, ...]  # painter's order: far (small y) first
  lattices: tuple[np.ndarray, ...]
  color_matrix: np.ndarray  # [3, 3]
  grain_seed: int


@dataclasses.dataclass(frozen=True)
class CityImage:
  """One rendered scene: labels uint8 [H, W] (class ids), instances uint8 [H, W] (0 = none,
  else 1..K, unique per thing), photo uint8 [H, W, 3]."""

  labels: np.ndarray
  instances: np.ndarray
  photo: np.ndarray


def _buildings(rng: np.random.Generator, aspect: int, horizon: float) -> tuple[Building, ...]:
  out, x = [], -rng.uniform(0.0, 0.2)
  while x < aspect:
    if rng.uniform() < 0.2:  # a gap showing the sky
      x += rng.uniform(0.03, 0.12)
    width = rng.uniform(0.25, 0.6)
    pitch = (rng.uniform(0.06, 0.1), rng.uniform(0.07, 0.11))
    rows, cols = int(horizon / pitch[1]) + 1, int(width / pitch[0]) + 1
    shade = rng.uniform(0.6, 1.15, (rows, cols))
    shade[rng.uniform(size=(rows, cols)) < 0.12] = 1.6  # lit windows
    out.append(
      Building(
        x0=x,
        x1=x + width,
        top=rng.uniform(0.03, horizon - 0.2),
        facade=jitter(rng, _FACADES[rng.integers(len(_FACADES))], 20),
        glass=jitter(rng, (70, 90, 110), 20),
        pitch=pitch,
        window=(pitch[0] * rng.uniform(0.4, 0.65), pitch[1] * rng.uniform(0.45, 0.65)),
        shade=shade,
      )
    )
    x += width
  return tuple(out)


def _tree(rng: np.random.Generator, x: float, y: float, scale: float) -> Thing:
  green = jitter(rng, (60, 120, 45), 35)  # per-tree foliage: dark, olive, light, yellow-green
  colors = np.stack([green, green * rng.uniform(0.55, 0.8), jitter(rng, (90, 65, 45), 15)])
  return Thing(TREE, x, y, scale, colors, rng.uniform(0.75, 1.1, 4))


def _person(rng: np.random.Generator, x: float, y: float, scale: float) -> Thing:
  colors = np.stack(
    [jitter(rng, _SKIN[rng.integers(len(_SKIN))], 12)]
    + [jitter(rng, _CLOTHES[rng.integers(len(_CLOTHES))], 30) for _ in range(2)]
  )
  return Thing(PERSON, x, y, scale, colors, np.zeros(0))


def _car(rng: np.random.Generator, x: float, y: float, scale: float) -> Thing:
  paint = jitter(rng, _CAR_PAINTS[rng.integers(len(_CAR_PAINTS))], 25)
  colors = np.stack([paint, jitter(rng, (45, 55, 65), 10), jitter(rng, (250, 240, 200), 5)])
  return Thing(CAR, x, y, scale, colors, np.array([rng.uniform(0.3, 0.4), rng.choice([-1, 1])]))


def _things(
  rng: np.random.Generator, aspect: int, horizon: float, curb: float
) -> tuple[Thing, ...]:
  """Trees and people on the sidewalk, cars on the road; sorted far (small y) to near."""
  things = []
  for _ in range(int(rng.integers(1, 4)) * aspect):
    y = rng.uniform(horizon + 0.01, curb - 0.005)
    things.append(_tree(rng, rng.uniform(0.0, aspect), y, rng.uniform(0.85, 1.2)))
  for _ in range(int(rng.integers(0, 4)) * aspect):
    y = rng.uniform(horizon + 0.01, curb)
    things.append(_person(rng, rng.uniform(0.0, aspect), y, rng.uniform(0.1, 0.16)))
  for _ in range(int(rng.integers(1, 4)) * aspect):
    y = rng.uniform(curb + 0.1, 0.98)
    things.append(_car(rng, rng.uniform(-0.1, aspect), y, 0.7 + 0.7 * (y - curb) / (1 - curb)))
  return tuple(sorted(things, key=lambda t: t.y))


def _camera(rng: np.random.Generator) -> np.ndarray:
  """[3, 3] per-scene exposure (+-8%) and white balance (+-4%): mild, as no label map can tell
  them (seasons' stronger camera is shared by both domains, so there it is predictable)."""
  return rng.uniform(0.92, 1.08) * np.diag(rng.uniform(0.96, 1.04, 3))


def sample_scene(seed: int | tuple[int, ...], aspect: int = 1) -> Scene:
  """Draws one scene `aspect` heights wide; the same seed and aspect give the same scene.

  The colours and ranges are this dataset's own design (docs/design.md).
  """
  if aspect not in ASPECTS:
    raise ValueError(f"aspect must be one of {ASPECTS}, got {aspect!r}")
  rng = np.random.default_rng(seed)
  horizon = rng.uniform(0.55, 0.68)
  curb = horizon + rng.uniform(0.06, 0.1)
  return Scene(
    aspect=aspect,
    horizon=horizon,
    curb=curb,
    sky=np.stack([jitter(rng, (70, 125, 200), 30), jitter(rng, (185, 210, 235), 15)]),
    cloud=jitter(rng, (245, 245, 248), 8),
    cloud_amount=float(rng.uniform(0.2, 0.9)),
    buildings=_buildings(rng, aspect, horizon),
    sidewalk=jitter(rng, (175, 165, 150), 20),
    joint_pitch=float(rng.uniform(0.04, 0.08)),
    road=jitter(rng, (85, 85, 90), 15),
    lane=np.array(
      [curb + (1 - curb) * rng.uniform(0.4, 0.6), rng.uniform(0.12, 0.2), rng.uniform()]
    ),
    things=_things(rng, aspect, horizon, curb),
    lattices=tuple(rng.uniform(0.0, 1.0, (n + 1, n * aspect + 1)) for n in _LATTICES),
    color_matrix=_camera(rng),
    grain_seed=int(rng.integers(0, 2**31 - 1)),
  )


class _Canvas:
  """The photo (float RGB), labels and instances being drawn, and the pixel-centre coordinates."""

  def __init__(self, height: int, width: int):
    self.pixel = 1.0 / height
    self.ys = (np.arange(height) + 0.5) / height  # [H] in height units
    self.xs = (np.arange(width) + 0.5) / height  # [W]
    self.photo = np.zeros((height, width, 3))
    self.labels = np.zeros((height, width), np.uint8)  # SKY everywhere to start
    self.instances = np.zeros((height, width), np.uint8)

  def window(self, x0: float, y0: float, x1: float, y1: float):
    """(row slice, col slice, x [1, w], y [h, 1]) of the pixels near the box; None if empty."""
    m = 2.0 * self.pixel
    i0, i1 = np.searchsorted(self.ys, [y0 - m, y1 + m])
    j0, j1 = np.searchsorted(self.xs, [x0 - m, x1 + m])
    if i0 >= i1 or j0 >= j1:
      return None
    return slice(i0, i1), slice(j0, j1), self.xs[None, j0:j1], self.ys[i0:i1, None]

  def paint(self, rows, cols, dist, color, cls: int | None = None, instance: int = 0) -> None:
    """Blends `color` ([3] or [h, w, 3]) where `dist` < 0 (anti-aliased); labels the pixels whose
    centre is inside with `cls` (None: photo only, e.g. shadows and markings)."""
    win = self.photo[rows, cols]
    win += (color - win) * cover(dist, self.pixel)
    if cls is not None:
      inside = dist <= 0.0
      self.labels[rows, cols][inside] = cls
      self.instances[rows, cols][inside] = instance

  def darken(self, rows, cols, dist, amount: float) -> None:
    self.photo[rows, cols] *= 1.0 - amount * cover(dist, self.pixel)


def _draw_building(c: _Canvas, b: Building, horizon: float, mid: np.ndarray) -> None:
  win = c.window(b.x0, b.top, b.x1, horizon)
  if win is None:
    return
  rows, cols, x, y = win
  light = 1.0 + 0.18 * (x - b.x0) / (b.x1 - b.x0) - 0.09  # lit from the right
  texture = (0.85 + 0.3 * mid[rows, cols]) * light
  facade = b.facade * texture[..., None]
  facade = facade * (1.0 - 0.35 * (y < b.top + 0.012))[..., None]  # cornice
  c.paint(rows, cols, box(x, y, b.x0, b.top, b.x1, horizon), facade, BUILDING)
  # Window grid: cells of `pitch` from the top-left, a ground floor without windows.
  px, py = b.pitch
  u, v = (x - b.x0 - 0.5 * px) / px, (y - b.top - 0.4 * py) / py
  col, row = np.floor(u).astype(int), np.floor(v).astype(int)
  ncols, nrows = int((b.x1 - b.x0) / px) - 1, int((horizon - 0.08 - b.top) / py) - 1
  valid = (col >= 0) & (col < ncols) & (row >= 0) & (row < nrows)
  fu, fv = (u - col - 0.5) * px, (v - row - 0.5) * py  # offsets from the cell centre
  dist = np.where(
    valid, np.maximum(np.abs(fu) - b.window[0] / 2, np.abs(fv) - b.window[1] / 2), 1.0
  )
  shade = b.shade[np.clip(row, 0, b.shade.shape[0] - 1), np.clip(col, 0, b.shade.shape[1] - 1)]
  lit = shade > 1.3
  glass = np.where(lit[..., None], (255.0, 215.0, 120.0), b.glass * shade[..., None])
  glass = glass * (1.15 - 0.3 * np.clip(fv / b.window[1] + 0.5, 0, 1))[..., None]  # sky reflection
  c.paint(rows, cols, dist, glass, WINDOW)


def _draw_ground(c: _Canvas, s: Scene, mid: np.ndarray, fine: np.ndarray) -> None:
  x, y = c.xs[None, :], c.ys[:, None]
  top = np.searchsorted(c.ys, s.horizon - 2 * c.pixel)
  rows, cols = slice(top, None), slice(None)
  x, y = x, y[top:]
  # Distance to the nearest paving joint (a line every joint_pitch), < 0 on one.
  joints = (0.5 - np.abs((x / s.joint_pitch) % 1.0 - 0.5)) * s.joint_pitch - 0.0025
  paving = s.sidewalk * (0.9 + 0.15 * mid[rows] + 0.1 * fine[rows])[..., None]
  paving = paving * (1.0 - 0.25 * cover(joints, c.pixel))  # joints darker
  paving = np.where((y > s.curb - 0.01)[..., None], paving * 1.15, paving)  # kerb stone
  c.paint(rows, cols, box(x, y, -1.0, s.horizon, 1e3, s.curb), paving, SIDEWALK)
  asphalt = s.road * (0.85 + 0.15 * mid[rows] + 0.2 * fine[rows])[..., None]
  c.paint(rows, cols, box(x, y, -1.0, s.curb, 1e3, 2.0), asphalt, ROAD)
  lane_y, pitch, phase = s.lane
  along = np.abs((((x / pitch) + phase) % 1.0) - 0.25) * pitch - 0.25 * pitch
  c.paint(rows, cols, np.maximum(np.abs(y - lane_y) - 0.005, along), (225.0, 225.0, 215.0))


def _draw_tree(c: _Canvas, t: Thing, instance: int, fine: np.ndarray) -> None:
  r = 0.075 * t.scale
  trunk_w, trunk_h = 0.018 * t.scale, 0.12 * t.scale
  cy = t.y - trunk_h - 0.7 * r
  win = c.window(t.x - 1.8 * r, cy - 1.7 * r, t.x + 1.8 * r, t.y + 0.02)
  if win is None:
    return
  rows, cols, x, y = win
  c.darken(rows, cols, ellipse(x, y, t.x + 0.3 * r, t.y, 1.1 * r, 0.15 * r), 0.35)
  trunk = box(x, y, t.x - trunk_w / 2, t.y - trunk_h - r, t.x + trunk_w / 2, t.y)
  c.paint(rows, cols, trunk, t.colors[2], TREE, instance)
  lobes = np.array([[0.0, 0.0], [-0.6, 0.25], [0.6, 0.25], [0.0, -0.5]]) * r
  crown = np.min(
    [
      np.hypot(x - t.x - dx, y - cy - dy) - r * f
      for (dx, dy), f in zip(lobes, t.shape, strict=True)
    ],
    axis=0,
  )
  light = 1.0 + 0.3 * np.clip(((x - t.x) - (y - cy)) / (1.5 * r), -1.0, 1.0)
  leaves = fine[rows, cols][..., None]
  foliage = (t.colors[0] * (1 - leaves) + t.colors[1] * leaves) * light[..., None]
  c.paint(rows, cols, crown, foliage, TREE, instance)


def _draw_person(c: _Canvas, p: Thing, instance: int) -> None:
  h, x0 = p.scale, p.x
  win = c.window(x0 - 0.2 * h, p.y - h, x0 + 0.3 * h, p.y + 0.01)
  if win is None:
    return
  rows, cols, x, y = win
  c.darken(rows, cols, ellipse(x, y, x0 + 0.1 * h, p.y, 0.2 * h, 0.03 * h), 0.3)
  gap = box(x, y, x0 - 0.02 * h, p.y - 0.42 * h, x0 + 0.02 * h, p.y + 1.0)
  legs = np.maximum(box(x, y, x0 - 0.11 * h, p.y - 0.47 * h, x0 + 0.11 * h, p.y), -gap)
  c.paint(rows, cols, legs, p.colors[2], PERSON, instance)
  torso = box(x, y, x0 - 0.14 * h, p.y - 0.84 * h, x0 + 0.14 * h, p.y - 0.45 * h) - 0.02 * h
  c.paint(rows, cols, torso, p.colors[1] * (1.1 - 0.3 * (x > x0))[..., None], PERSON, instance)
  c.paint(
    rows, cols, np.hypot(x - x0, y - p.y + 0.92 * h) - 0.08 * h, p.colors[0], PERSON, instance
  )


def _draw_car(c: _Canvas, car: Thing, instance: int) -> None:
  s, (length, facing) = car.scale, car.shape
  length, wheel = length * s, 0.035 * s
  x0, x1, bottom = car.x, car.x + length, car.y
  body_top, roof = bottom - wheel - 0.075 * s, bottom - wheel - 0.14 * s
  win = c.window(x0 - 0.05 * length, roof, x1 + 0.05 * length, bottom + 0.02 * s)
  if win is None:
    return
  rows, cols, x, y = win
  c.darken(rows, cols, ellipse(x, y, (x0 + x1) / 2, bottom, 0.55 * length, 0.02 * s), 0.5)
  body = box(x, y, x0 + 0.01 * s, body_top + 0.01 * s, x1 - 0.01 * s, bottom - 0.5 * wheel)
  body = body - 0.01 * s  # rounded corners
  shine = 1.25 - 0.5 * np.clip((y - body_top) / (bottom - body_top), 0, 1)
  c.paint(rows, cols, body, car.colors[0] * shine[..., None], CAR, instance)
  # Cabin: a trapezoid on the body (narrower at the roof); its glass an inset with a pillar.
  cx0, cx1, d = x0 + 0.18 * length, x1 - 0.18 * length, 0.12 * length
  rise = np.clip((body_top - y) / (body_top - roof), 0.0, 1.0)  # 0 at the body, 1 at the roof
  sides = np.maximum(cx0 + d * rise - x, x - cx1 + d * rise)
  cabin = np.maximum(box(x, y, cx0, roof, cx1, body_top + 0.005), sides)
  c.paint(rows, cols, cabin, car.colors[0] * 0.95, CAR, instance)
  glass = np.maximum(cabin + 0.012 * s, 0.006 * s - np.abs(x - (cx0 + cx1) / 2))
  tint = (1.3 - 0.5 * (y - roof) / (body_top - roof))[..., None]
  c.paint(rows, cols, glass, car.colors[1] * tint, CAR, instance)
  for wx in (x0 + 0.2 * length, x1 - 0.2 * length):
    c.paint(
      rows, cols, np.hypot(x - wx, y - bottom + wheel) - wheel, (25.0, 25.0, 28.0), CAR, instance
    )
    c.paint(rows, cols, np.hypot(x - wx, y - bottom + wheel) - 0.45 * wheel, (150.0, 150.0, 155.0))
  front = x1 - 0.02 * s if facing > 0 else x0
  lamp = box(x, y, front, body_top + 0.015 * s, front + 0.02 * s, body_top + 0.03 * s)
  c.paint(rows, cols, np.maximum(lamp, body), car.colors[2], CAR, instance)
  back = x0 if facing > 0 else x1 - 0.015 * s
  tail = box(x, y, back, body_top + 0.015 * s, back + 0.015 * s, body_top + 0.03 * s)
  c.paint(rows, cols, np.maximum(tail, body), (200.0, 20.0, 20.0), CAR, instance)


def _check_height(height: int, aspect: int) -> int:
  if not isinstance(height, int | np.integer) or isinstance(height, bool):
    raise ValueError(f"height must be an int, got {height!r}")
  if not MIN_SIZE <= height <= MAX_SIZE or height * aspect > MAX_SIZE:
    raise ValueError(
      f"height must be in [{MIN_SIZE}, {MAX_SIZE // aspect}] for aspect {aspect}, got {height!r}"
    )
  return int(height)


def render(scene: Scene, height: int) -> CityImage:
  """Rasterises `scene` at `height` x (aspect * height) pixels (module docstring)."""
  height = _check_height(height, scene.aspect)
  width = height * scene.aspect
  c = _Canvas(height, width)
  u_y, u_x = c.ys, c.xs / scene.aspect  # unit coordinates of the noise lattices
  coarse, mid, fine = (noise(lat, u_y, u_x) for lat in scene.lattices)  # [H, W] each, in [0, 1]
  t = np.clip(c.ys / scene.horizon, 0.0, 1.0)[:, None, None]  # [H, 1, 1]
  c.photo[:] = scene.sky[0] * (1.0 - t) + scene.sky[1] * t
  clouds = (
    np.clip((coarse + 0.3 * (mid - 0.5) - 0.5) / 0.3, 0.0, 1.0)[..., None] * scene.cloud_amount
  )
  c.photo += (scene.cloud - c.photo) * clouds
  for b in scene.buildings:
    _draw_building(c, b, scene.horizon, mid)
  _draw_ground(c, scene, mid, fine)
  for instance, thing in enumerate(scene.things, start=1):
    if thing.cls == TREE:
      _draw_tree(c, thing, instance, fine)
    elif thing.cls == PERSON:
      _draw_person(c, thing, instance)
    else:
      _draw_car(c, thing, instance)
  photo = c.photo @ scene.color_matrix.T
  grain = np.random.default_rng([scene.grain_seed, height]).normal(0.0, _GRAIN, (height, width, 1))
  photo = np.clip(np.round(photo + grain), 0, 255).astype(np.uint8)
  return CityImage(c.labels, c.instances, photo)


def colorize(labels: np.ndarray) -> np.ndarray:
  """uint8 [..., H, W] class ids -> uint8 [..., H, W, 3] palette colours (Cityscapes style)."""
  return PALETTE[labels]


def aligned_image(image: CityImage) -> np.ndarray:
  """uint8 [H, 2W, 3]: colour label map | photo, the official pix2pix aligned A|B form."""
  return np.concatenate([colorize(image.labels), image.photo], axis=1)


def scene_seed(seed: int, split: str, index: int) -> tuple[int, int, int]:
  """Seed of scene `index` of `split` ("train" | "test"); the splits never share a scene."""
  if split not in _STREAMS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  return (seed, _STREAMS[split], index)


@dataclasses.dataclass(frozen=True)
class CityArrays:
  """N rendered scenes: labels, instances uint8 [N, H, W]; photos uint8 [N, H, W, 3]."""

  labels: np.ndarray
  instances: np.ndarray
  photos: np.ndarray


@functools.lru_cache(maxsize=4)  # e.g. train at load_size, test at crop_size
def _cached_arrays(
  split: str, height: int, num: int, aspect: int, seed: int, cache_dir: str
) -> CityArrays:
  name = f"city_v{RENDER_VERSION}_{split}_{height}px_aspect{aspect}_n{num}_seed{seed}.npz"

  def make() -> dict[str, np.ndarray]:
    images = [render(sample_scene(scene_seed(seed, split, i), aspect), height) for i in range(num)]
    return {
      "labels": np.stack([im.labels for im in images]),
      "instances": np.stack([im.instances for im in images]),
      "photos": np.stack([im.photo for im in images]),
    }

  arrays = cached_npz(os.path.join(cache_dir, name) if cache_dir else None, make)
  for array in arrays.values():
    array.setflags(write=False)  # shared by every caller through the in-memory cache
  return CityArrays(**arrays)


def city_arrays(
  split: str,
  height: int,
  num_examples: int,
  *,
  aspect: int = 1,
  seed: int = 0,
  cache_dir: str | None = None,
) -> CityArrays:
  """The first `num_examples` scenes of `split`, rendered at `height` x (aspect * height).

  Cached in memory (read-only arrays) and, when `cache_dir` is given, on disk.
  """
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  if aspect not in ASPECTS:
    raise ValueError(f"aspect must be one of {ASPECTS}, got {aspect!r}")
  height = _check_height(height, aspect)
  if not isinstance(num_examples, int | np.integer) or num_examples < 1:
    raise ValueError(f"num_examples must be a positive int, got {num_examples!r}")
  return _cached_arrays(split, height, int(num_examples), aspect, int(seed), cache_dir or "")


def write_aligned_folder(
  root: str, split: str, num_examples: int, height: int, *, aspect: int = 1, seed: int = 0
) -> list[str]:
  """Writes `root/split/00000.png ...` as aligned A|B images (colour labels | photo), the official
  pix2pix dataset layout (PNG: lossless labels; the official datasets are JPEG).

  Returns the paths written."""
  arrays = city_arrays(split, height, num_examples, aspect=aspect, seed=seed)
  os.makedirs(os.path.join(root, split), exist_ok=True)
  paths = []
  for i in range(num_examples):
    path = os.path.join(root, split, f"{i:05d}.png")
    image = CityImage(arrays.labels[i], arrays.instances[i], arrays.photos[i])
    Image.fromarray(aligned_image(image)).save(path)
    paths.append(path)
  return paths
