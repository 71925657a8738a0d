"""Procedural `faces` with binary attributes: the same face drawn with any attribute vector.

A face (position, scale and roll of the head, face width and height, skin tone, background, shirt,
hair shape and both of its hair colours, eye spacing, brows, mouth width, beard and glasses frame
colours, textures) is drawn once from a seed in unit coordinates (x, y in [0, 1], y down) and is
independent of its attributes, which are drawn from their own seed. `render(face, attributes,
size)` rasterises it with vectorised numpy (anti-aliased signed distance shapes); each attribute
paints only its own layer:

  glasses    two dark rings around the eyes, a bridge and the temples, slightly tinted lenses
  smile      an open mouth curving up (lips and teeth) instead of a flat or slightly down line
  dark_hair  hair (back hair and fringe) in the face's dark shade instead of its light one
  beard      a dark textured lower face: chin, jaw, moustache and sideburns

so flipping one attribute changes only that attribute's region (`attribute_regions`), and the
test split knows the true edit of each image (docs/design.md, "Procedural datasets with ground
truth").
Both splits draw from disjoint seed streams.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence

import numpy as np

from tfgan_repro.data.procedural.raster import cached_npz, cover, ellipse, jitter

ATTRIBUTES = ("glasses", "smile", "dark_hair", "beard")  # docs/design.md: the attributes, by index
GLASSES, SMILE, DARK_HAIR, BEARD = range(len(ATTRIBUTES))
SPLITS = ("train", "test")
# docs/design.md sizes the procedural datasets 32..256 px; 16 px for tests, 512 for the resize
# margin.
MIN_SIZE, MAX_SIZE = 16, 512
RENDER_VERSION = 1  # part of the disk-cache file name: bump whenever the pictures change
_STREAMS = {"train": 0, "test": 1}
_NUISANCE, _ATTRIBUTE_DRAW = 0, 1  # sub-streams of one face: its looks and its attributes

# Attribute frequencies: this dataset's design, unbalanced in the way of CelebA's
# list_attr_celeba.txt (about 6.5% Eyeglasses, 48% Smiling, 44% Black_Hair or Brown_Hair,
# 17% with a beard, glasses far more frequent among men than women).
P_BEARD = 0.25
P_GLASSES_GIVEN_BEARD = 0.30  # 5x P(glasses | no beard)
P_GLASSES_GIVEN_NO_BEARD = 0.06
P_GLASSES = P_BEARD * P_GLASSES_GIVEN_BEARD + (1 - P_BEARD) * P_GLASSES_GIVEN_NO_BEARD  # 0.12
P_SMILE = 0.5
P_DARK_HAIR = 0.45
P_BALANCED = 0.5  # balanced=True: every attribute independent with p = 0.5

# Palettes (RGB) and, in sample_face, the ranges: this dataset's own design (docs/design.md),
# chosen so that every attribute stays obvious at 32 px (luma: light hair >= 130, dark hair and
# beard <= 50).
_SKIN = ((245, 215, 190), (230, 190, 160), (205, 155, 120), (170, 120, 85), (135, 95, 70))
_LIGHT_HAIR = ((228, 200, 130), (205, 165, 95), (195, 110, 60), (170, 130, 90), (225, 215, 190))
_DARK_HAIR = ((28, 24, 24), (58, 40, 30), (45, 32, 30))
_BEARD = ((48, 34, 26), (32, 28, 28), (66, 44, 32))
_BACKGROUND = ((200, 210, 225), (225, 215, 195), (185, 205, 190), (210, 200, 215), (170, 175, 180))
_SHIRT = (
  (40, 60, 120),
  (150, 40, 40),
  (60, 110, 70),
  (220, 220, 215),
  (50, 50, 55),
  (200, 150, 60),
)
_FRAME = ((18, 18, 20), (45, 30, 25), (25, 30, 60))
_IRIS = ((70, 50, 35), (60, 100, 140), (80, 110, 70), (40, 30, 25))
_GRAIN = 2.0  # std of the per-pixel film grain, in 0..255 levels (shared by every edit)


@dataclasses.dataclass(frozen=True)
class Face:
  """The looks of one face, independent of its attributes; lengths in unit coordinates, colours
  RGB in 0..255."""

  center: np.ndarray  # [2] = x, y of the face ellipse (pose offset)
  roll: float  # head rotation in radians
  radii: np.ndarray  # [2] = half width, half height of the face
  scale: float  # size of the features (eyes, mouth, glasses)
  skin: np.ndarray  # [3]
  background: np.ndarray  # [2, 3] top, bottom
  shirt: np.ndarray  # [3]
  hair: np.ndarray  # [2, 3] light, dark (the dark_hair attribute picks one)
  hair_volume: float  # how far the hair stands off the head
  hair_bottom: float  # lowest y of the back hair, in face half heights below the centre
  fringe: np.ndarray  # [3] = height above the centre (face half heights), tilt, phase
  eyes: np.ndarray  # [2] = half spacing (face half widths), height above the centre
  iris: np.ndarray  # [3]
  brow: np.ndarray  # [3]
  mouth: np.ndarray  # [3] = y below the centre (face half heights), half width, frown depth
  beard: np.ndarray  # [3]
  frame: np.ndarray  # [3] glasses frame colour
  lens: np.ndarray  # [2] = lens radius (eye half spacings), frame thickness
  lattices: tuple[np.ndarray, ...]  # value noise: texture [13, 13], hair strands [5, 41]
  grain_seed: int


def _check_split(split: str) -> str:
  if split not in SPLITS:
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
  return split


def face_seed(seed: int, split: str, index: int) -> tuple[int, int, int]:
  """Seed of face `index` of `split`; the splits never share a face."""
  _check_split(split)
  return (seed, _STREAMS[split], index)


def _pick(
  rng: np.random.Generator, palette: Sequence[tuple[int, int, int]], spread: float
) -> np.ndarray:
  return jitter(rng, palette[int(rng.integers(len(palette)))], spread)


def sample_face(seed: tuple[int, ...]) -> Face:
  """Draws the looks of one face; the same seed gives the same face (numpy `default_rng`)."""
  rng = np.random.default_rng((*seed, _NUISANCE))
  scale = rng.uniform(0.92, 1.06)
  top = _pick(rng, _BACKGROUND, 20)
  return Face(
    center=np.array([0.5 + rng.uniform(-0.04, 0.04), 0.48 + rng.uniform(-0.03, 0.03)]),
    roll=float(np.deg2rad(rng.uniform(-7.0, 7.0))),
    radii=scale * np.array([rng.uniform(0.2, 0.24), rng.uniform(0.26, 0.29)]),
    scale=float(scale),
    skin=_pick(rng, _SKIN, 12),
    background=np.stack([top, top * rng.uniform(0.75, 0.95)]),
    shirt=_pick(rng, _SHIRT, 20),
    hair=np.stack([_pick(rng, _LIGHT_HAIR, 12), _pick(rng, _DARK_HAIR, 8)]),
    hair_volume=float(scale * rng.uniform(0.025, 0.07)),
    hair_bottom=float(rng.uniform(-0.3, 1.0)),
    fringe=np.array([rng.uniform(0.5, 0.75), rng.uniform(-0.4, 0.4), rng.uniform(0, 2 * np.pi)]),
    eyes=np.array([rng.uniform(0.40, 0.46), rng.uniform(0.05, 0.15)]),
    iris=_pick(rng, _IRIS, 10),
    brow=_pick(rng, _BEARD, 10),  # dark whatever the hair: not part of the dark_hair layer
    mouth=np.array([rng.uniform(0.50, 0.56), scale * rng.uniform(0.055, 0.07), rng.uniform(0, 1)]),
    beard=_pick(rng, _BEARD, 8),
    frame=_pick(rng, _FRAME, 6),
    lens=np.array([rng.uniform(0.70, 0.78), scale * rng.uniform(0.018, 0.024)]),
    lattices=(rng.uniform(0.0, 1.0, (13, 13)), rng.uniform(0.0, 1.0, (5, 41))),
    grain_seed=int(rng.integers(0, 2**31 - 1)),
  )


def sample_attributes(seed: tuple[int, ...], balanced: bool = False) -> np.ndarray:
  """int32 [4] in {0, 1} (ATTRIBUTES order), drawn from its own stream of `seed` (the same face
  looks the same balanced or not): glasses depend on the beard (P_GLASSES_GIVEN_*), the others
  are independent; balanced=True draws each independently with P_BALANCED."""
  u = np.random.default_rng((*seed, _ATTRIBUTE_DRAW)).uniform(size=len(ATTRIBUTES))
  if balanced:
    return (u < P_BALANCED).astype(np.int32)
  beard = u[BEARD] < P_BEARD
  glasses = u[GLASSES] < (P_GLASSES_GIVEN_BEARD if beard else P_GLASSES_GIVEN_NO_BEARD)
  return np.array([glasses, u[SMILE] < P_SMILE, u[DARK_HAIR] < P_DARK_HAIR, beard], np.int32)


def _noise(lattice: np.ndarray, coords: np.ndarray) -> np.ndarray:
  """Value noise [S, S] in [0, 1] at unit coordinates (rows, cols = coords): raster.noise's smooth
  interpolation of `lattice` [rows + 1, cols + 1], by gathering the two neighbours per axis
  instead of BLAS products (OpenBLAS threads make those ~100x slower on a busy machine)."""

  def neighbours(cells: int) -> tuple[np.ndarray, np.ndarray]:
    pos = np.clip(coords, 0.0, 1.0) * cells
    i0 = np.minimum(np.floor(pos).astype(np.int64), cells - 1)
    frac = pos - i0
    return i0, frac * frac * (3.0 - 2.0 * frac)

  r0, fr = neighbours(lattice.shape[0] - 1)
  rows = lattice[r0] * (1.0 - fr[:, None]) + lattice[r0 + 1] * fr[:, None]  # [S, cols + 1]
  c0, fc = neighbours(lattice.shape[1] - 1)
  return rows[:, c0] * (1.0 - fc) + rows[:, c0 + 1] * fc


def _check_size(size: int) -> int:
  if not isinstance(size, int | np.integer) or not MIN_SIZE <= size <= MAX_SIZE:
    raise ValueError(f"size must be an int in [{MIN_SIZE}, {MAX_SIZE}], got {size!r}")
  return int(size)


def _check_attributes(attributes: Sequence[int] | np.ndarray) -> np.ndarray:
  a = np.asarray(attributes)
  if a.shape != (len(ATTRIBUTES),) or not np.isin(a, (0, 1)).all():
    raise ValueError(
      f"attributes must be {len(ATTRIBUTES)} values in {{0, 1}} {ATTRIBUTES}, got {a}"
    )
  return a.astype(np.int32)


class _Canvas:
  """float RGB image [S, S, 3] plus, per attribute, where its layers painted (coverage > 0)."""

  def __init__(self, size: int):
    self.pixel = 1.0 / size
    self.image = np.zeros((size, size, 3))
    self.regions = np.zeros((len(ATTRIBUTES), size, size), bool)

  def paint(
    self, dist: np.ndarray, color: np.ndarray, attribute: int | None = None, alpha: float = 1.0
  ) -> None:
    """Paints `color` ([3] or [S, S, 3]) over the shape `dist` (< 0 inside), as part of
    `attribute`'s layer when given."""
    a = cover(dist, self.pixel) * alpha  # [S, S, 1]
    self.image += (color - self.image) * a
    if attribute is not None:
      self.regions[attribute] |= a[..., 0] > 0

  def mark(self, dist: np.ndarray, attribute: int) -> None:
    """Adds the shape `dist` to `attribute`'s region without painting it (the layer of the
    attribute's other value)."""
    self.regions[attribute] |= cover(dist, self.pixel)[..., 0] > 0


@dataclasses.dataclass(frozen=True)
class _Frame:
  """Pixel coordinates of one face at one size. c: pixel centres in unit coordinates [S];
  dx, dy: offsets from the face centre [1, S], [S, 1]; u, v: head coordinates (rotated by the
  roll; u right, v down) [S, S]; texture, strands: value noise [S, S] in [0, 1] (strands: vertical
  streaks); rx, ry: the face's radii; s: its scale."""

  c: np.ndarray
  dx: np.ndarray
  dy: np.ndarray
  u: np.ndarray
  v: np.ndarray
  texture: np.ndarray
  strands: np.ndarray
  rx: float
  ry: float
  s: float


def _frame(face: Face, size: int) -> _Frame:
  c = (np.arange(size) + 0.5) / size  # pixel centres in unit coordinates
  dx, dy = c[None, :] - face.center[0], c[:, None] - face.center[1]  # [1, S], [S, 1]
  cos, sin = np.cos(face.roll), np.sin(face.roll)
  u, v = cos * dx + sin * dy, cos * dy - sin * dx  # [S, S]
  rx, ry = face.radii
  texture = _noise(face.lattices[0], c)  # [S, S] in [0, 1]
  strands = _noise(face.lattices[1], c)  # [S, S]: vertical streaks
  return _Frame(c, dx, dy, u, v, texture, strands, rx, ry, face.scale)


def _draw(face: Face, attributes: np.ndarray, size: int) -> _Canvas:
  """The face with `attributes` on a canvas of `size`, painted back to front."""
  canvas, f = _Canvas(size), _frame(face, size)
  _draw_body(canvas, face, f)
  _draw_head(canvas, face, attributes, f)
  _draw_eyes_and_nose(canvas, face, f)
  _draw_beard(canvas, face, attributes, f)
  _draw_mouth(canvas, face, attributes, f)
  _draw_glasses(canvas, face, attributes, f)
  return canvas


def _draw_body(canvas: _Canvas, face: Face, f: _Frame) -> None:
  """Background (vertical gradient), shoulders and neck."""
  u, v, ry, s = f.u, f.v, f.ry, f.s
  t = f.c[:, None, None]  # [S, 1, 1]
  canvas.image[:] = face.background[0] * (1.0 - t) + face.background[1] * t
  canvas.paint(
    ellipse(f.dx, f.dy, 0.0, ry + 0.32 * s, 0.4 * s, 0.24 * s),
    face.shirt * (0.9 + 0.2 * f.texture[..., None]),
  )
  neck = np.maximum(np.abs(u) - 0.075 * s, np.maximum(0.5 * ry - v, v - ry - 0.12 * s))
  canvas.paint(neck, face.skin * 0.78)


def _draw_head(canvas: _Canvas, face: Face, attributes: np.ndarray, f: _Frame) -> None:
  """Back hair (a cap around the head, cut at hair_bottom), ears, the face (lit from the front)
  and the fringe over the forehead."""
  paint, u, v, rx, ry, s = canvas.paint, f.u, f.v, f.rx, f.ry, f.s
  hair = face.hair[attributes[DARK_HAIR]] * (0.78 + 0.4 * f.strands[..., None])
  vol = face.hair_volume
  cap = ellipse(u, v, 0.0, -0.03 * s, rx + vol, ry + 1.3 * vol)
  paint(np.maximum(cap, v - face.hair_bottom * ry), hair, DARK_HAIR)
  for side in (-1.0, 1.0):
    paint(ellipse(u, v, side * 0.97 * rx, 0.02 * s, 0.03 * s, 0.05 * s), face.skin * 0.9)
  shade = 1.0 - 0.12 * (u / rx) ** 2 - 0.05 * v / ry
  paint(ellipse(u, v, 0.0, 0.0, rx, ry), face.skin * shade[..., None])
  height, tilt, phase = face.fringe
  line = (
    ry * (-height + 0.6 * (u / rx) ** 2) + tilt * u + 0.012 * s * np.sin(u / (0.015 * s) + phase)
  )
  paint(np.maximum(cap, v - line), hair, DARK_HAIR)


def _eye_centre(face: Face, f: _Frame) -> tuple[float, float]:
  """(|u|, v) of the eye centres."""
  return face.eyes[0] * f.rx, -face.eyes[1] * f.ry


def _draw_eyes_and_nose(canvas: _Canvas, face: Face, f: _Frame) -> None:
  """Brows, eyes, nose."""
  paint, u, v, ry, s = canvas.paint, f.u, f.v, f.ry, f.s
  ex, ey = _eye_centre(face, f)
  for side in (-1.0, 1.0):
    bu = u - side * ex
    brow = np.maximum(np.abs(v - (ey - 0.05 * s) + 6.0 * bu**2) - 0.008 * s, np.abs(bu) - 0.037 * s)
    paint(brow, face.brow)
    paint(ellipse(u, v, side * ex, ey, 0.031 * s, 0.017 * s), np.array([240.0, 238.0, 232.0]))
    paint(ellipse(u, v, side * ex, ey, 0.013 * s, 0.013 * s), face.iris)
    paint(ellipse(u, v, side * ex, ey, 0.006 * s, 0.006 * s), np.array([15.0, 12.0, 12.0]))
  paint(ellipse(u, v, 0.006 * s, 0.28 * ry, 0.02 * s, 0.012 * s), face.skin * 0.78)


def _draw_beard(canvas: _Canvas, face: Face, attributes: np.ndarray, f: _Frame) -> None:
  """Beard: the face below a line that rises to the sideburns, standing slightly off the jaw."""
  u, v, rx, ry, s = f.u, f.v, f.rx, f.ry, f.s
  jaw = ellipse(u, v, 0.0, 0.0, rx + 0.01 * s, ry + 0.014 * s)
  beard_line = ry * (0.4 - 0.55 * (u / rx) ** 2)
  beard = face.beard * (0.75 + 0.5 * f.texture[..., None])
  if attributes[BEARD]:
    canvas.paint(np.maximum(jaw, beard_line - v), beard, BEARD, alpha=0.95)
  else:
    canvas.mark(np.maximum(jaw, beard_line - v), BEARD)


def _draw_mouth(canvas: _Canvas, face: Face, attributes: np.ndarray, f: _Frame) -> None:
  """Mouth: open, curving up (smile), or a closed line, flat or slightly down."""
  paint, u, v, s = canvas.paint, f.u, f.v, f.s
  my, mw, frown = face.mouth
  my = my * f.ry
  lips = face.skin * 0.55 + np.array([150.0, 40.0, 50.0]) * 0.45
  top = my - 0.012 * s - 0.02 * s * (u / mw) ** 2  # the upper lip curves up to the corners
  grin = np.maximum(ellipse(u, v, 0.0, my - 0.012 * s, 1.1 * mw, 0.055 * s), top - v)
  line_dist = np.maximum(
    np.abs(v - my - frown * 0.012 * s * (u / mw) ** 2) - 0.007 * s, np.abs(u) - 0.85 * mw
  )
  if attributes[SMILE]:
    inner = grin + 0.007 * s
    paint(grin, lips, SMILE)
    paint(inner, np.array([105.0, 25.0, 35.0]), SMILE)
    paint(np.maximum(inner, v - top - 0.018 * s), np.array([238.0, 234.0, 222.0]), SMILE)
    canvas.mark(line_dist, SMILE)
  else:
    paint(line_dist, lips, SMILE)
    canvas.mark(grin, SMILE)


def _draw_glasses(canvas: _Canvas, face: Face, attributes: np.ndarray, f: _Frame) -> None:
  """Glasses: tinted lenses, two rings, the bridge and the temples to the ears."""
  u, v, rx = f.u, f.v, f.rx
  ex, ey = _eye_centre(face, f)
  lens_r = face.lens[0] * ex
  half = face.lens[1] / 2.0
  rings = [np.sqrt((u - side * ex) ** 2 + (v - ey) ** 2) - lens_r for side in (-1.0, 1.0)]
  bridge = np.maximum(np.abs(v - ey + 0.2 * lens_r) - half, np.abs(u) - (ex - lens_r) - half)
  temples = np.maximum(
    np.abs(v - ey + 0.3 * lens_r) - 0.8 * half,
    np.abs(np.abs(u) - 0.5 * (ex + lens_r + rx)) - 0.5 * (rx - ex - lens_r),
  )
  frame = np.minimum(
    np.minimum(np.abs(rings[0]), np.abs(rings[1])) - half, np.minimum(bridge, temples)
  )
  lenses = np.minimum(rings[0], rings[1])
  if attributes[GLASSES]:
    canvas.paint(lenses, canvas.image * np.array([0.82, 0.85, 0.92]), GLASSES)
    canvas.paint(frame, face.frame, GLASSES)
  else:
    canvas.mark(np.minimum(lenses, frame), GLASSES)


def render(face: Face, attributes: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
  """Rasterises `face` with `attributes` (4 values in {0, 1}, ATTRIBUTES order) as uint8
  [size, size, 3]."""
  canvas = _draw(face, _check_attributes(attributes), _check_size(size))
  grain = np.random.default_rng([face.grain_seed, size]).normal(0.0, _GRAIN, (size, size, 1))
  return np.clip(np.round(canvas.image + grain), 0, 255).astype(np.uint8)


def attribute_regions(face: Face, size: int) -> np.ndarray:
  """bool [4, size, size]: where each attribute's layer paints with the attribute on or off;
  flipping attribute i changes no pixel outside regions[i]."""
  size = _check_size(size)
  off = _draw(face, np.zeros(len(ATTRIBUTES), np.int32), size).regions
  return off | _draw(face, np.ones(len(ATTRIBUTES), np.int32), size).regions


def _check_count(num_examples: int) -> int:
  if not isinstance(num_examples, int | np.integer) or num_examples < 1:
    raise ValueError(f"num_examples must be a positive int, got {num_examples!r}")
  return int(num_examples)


def _cache_path(
  cache_dir: str, kind: str, split: str, size: int, num: int, seed: int, balanced: bool
) -> str | None:
  if not cache_dir:
    return None
  suffix = "_balanced" if balanced else ""
  name = f"faces_{kind}_v{RENDER_VERSION}_{split}_{size}px_n{num}_seed{seed}{suffix}.npz"
  return os.path.join(cache_dir, name)


def _read_only(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
  for a in arrays.values():
    a.setflags(write=False)  # shared by every caller through the in-memory cache
  return arrays


def _attribute_table(split: str, start: int, stop: int, seed: int, balanced: bool) -> np.ndarray:
  """int32 [stop - start, 4]: the attributes of faces start..stop-1 of `split`."""
  rows = [sample_attributes(face_seed(seed, split, i), balanced) for i in range(start, stop)]
  return np.stack(rows).reshape(-1, len(ATTRIBUTES))


@functools.lru_cache(maxsize=4)  # e.g. the train and test splits of one run
def _cached_faces(
  split: str, size: int, num: int, seed: int, balanced: bool, cache_dir: str
) -> dict[str, np.ndarray]:
  def make() -> dict[str, np.ndarray]:
    attributes = _attribute_table(split, 0, num, seed, balanced)
    images = np.empty((num, size, size, 3), np.uint8)  # [N, S, S, 3]
    for i in range(num):
      images[i] = render(sample_face(face_seed(seed, split, i)), attributes[i], size)
    return {"images": images, "attributes": attributes}

  path = _cache_path(cache_dir, "images", split, size, num, seed, balanced)
  return _read_only(cached_npz(path, make))


def faces_arrays(
  split: str,
  size: int,
  num_examples: int,
  seed: int = 0,
  balanced: bool = False,
  cache_dir: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
  """(images uint8 [N, size, size, 3], attributes int32 [N, 4] in {0, 1}, ATTRIBUTES order): the
  first N faces of `split` ("train" | "test"). Cached in memory (read-only arrays) and, when
  `cache_dir` is given, on disk."""
  _check_split(split)
  size, num = _check_size(size), _check_count(num_examples)
  arrays = _cached_faces(split, size, num, int(seed), bool(balanced), cache_dir or "")
  return arrays["images"], arrays["attributes"]


@functools.lru_cache(maxsize=2)
def _cached_edits(
  split: str, size: int, num: int, seed: int, balanced: bool, cache_dir: str
) -> np.ndarray:
  def make() -> dict[str, np.ndarray]:
    attributes = _attribute_table(split, 0, num, seed, balanced)
    edits = np.empty((num, len(ATTRIBUTES), size, size, 3), np.uint8)  # [N, A, S, S, 3]
    for n in range(num):
      face = sample_face(face_seed(seed, split, n))
      for i in range(len(ATTRIBUTES)):
        flipped = attributes[n].copy()
        flipped[i] = 1 - flipped[i]
        edits[n, i] = render(face, flipped, size)
    return {"edits": edits}

  path = _cache_path(cache_dir, "edits", split, size, num, seed, balanced)
  return _read_only(cached_npz(path, make))["edits"]


def edit_arrays(
  split: str,
  size: int,
  num_examples: int,
  seed: int = 0,
  balanced: bool = False,
  cache_dir: str | None = None,
) -> np.ndarray:
  """uint8 [N, 4, size, size, 3]: edits[n, i] is face n of `faces_arrays` (same arguments) with
  attribute i flipped, the rest of the face unchanged (the true edit)."""
  _check_split(split)
  size, num = _check_size(size), _check_count(num_examples)
  return _cached_edits(split, size, num, int(seed), bool(balanced), cache_dir or "")


def _attribute_index(attribute: str) -> int:
  if attribute not in ATTRIBUTES:
    raise ValueError(f"attribute must be one of {ATTRIBUTES}, got {attribute!r}")
  return ATTRIBUTES.index(attribute)


def domain_indices(
  split: str, num_examples: int, attribute: str, seed: int = 0, balanced: bool = False
) -> tuple[np.ndarray, np.ndarray]:
  """(indices of domain A, of domain B) int64 [N] into the faces of `split`: A = the first N faces
  without `attribute`, B (train) = the first N faces with it; test: B = A (the same faces, edited)."""
  _check_split(split)
  column, num = _attribute_index(attribute), _check_count(num_examples)
  values = np.zeros(0, np.int32)
  while True:  # draw attributes in chunks until both domains (test: A) have N faces
    with_attribute = (values == 1).sum() if split == "train" else num
    if min((values == 0).sum(), with_attribute) >= num:
      break
    chunk = _attribute_table(split, len(values), len(values) + 4 * num, seed, balanced)
    values = np.concatenate([values, chunk[:, column]])
  a = np.flatnonzero(values == 0)[:num]
  return a, (np.flatnonzero(values == 1)[:num] if split == "train" else a)


@functools.lru_cache(maxsize=4)
def _cached_domains(
  split: str, size: int, num: int, attribute: str, seed: int, balanced: bool, cache_dir: str
) -> dict[str, np.ndarray]:
  def make() -> dict[str, np.ndarray]:
    column = _attribute_index(attribute)
    out = {d: np.empty((num, size, size, 3), np.uint8) for d in ("a", "b")}  # [N, S, S, 3]
    for d, indices, value in zip(
      ("a", "b"), domain_indices(split, num, attribute, seed, balanced), (0, 1), strict=True
    ):
      for n, index in enumerate(indices):
        key = face_seed(seed, split, int(index))
        attributes = sample_attributes(key, balanced)
        attributes[column] = value  # train: as drawn; test B: the edit of face A[n]
        out[d][n] = render(sample_face(key), attributes, size)
    return out

  kind = f"{attribute}_domains"
  return _read_only(
    cached_npz(_cache_path(cache_dir, kind, split, size, num, seed, balanced), make)
  )


def domain_arrays(
  split: str,
  size: int,
  num_examples: int,
  attribute: str,
  seed: int = 0,
  balanced: bool = False,
  cache_dir: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
  """(a, b) uint8 [N, size, size, 3] for unpaired translation: a = faces without `attribute`,
  b = faces with it (`domain_indices`). train: different faces (unpaired); test: b[n] is a[n]
  with `attribute` switched on (paired, the true translation)."""
  _check_split(split)
  _attribute_index(attribute)
  size, num = _check_size(size), _check_count(num_examples)
  arrays = _cached_domains(split, size, num, attribute, int(seed), bool(balanced), cache_dir or "")
  return arrays["a"], arrays["b"]
