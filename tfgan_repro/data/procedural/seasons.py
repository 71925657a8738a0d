"""Procedural `seasons` landscapes: one scene rendered in summer (domain A) or autumn (domain B).

A scene (sky, sun, clouds, mountain ridges, grass, maybe a lake, trees with trunk and round crown,
texture lattices, colour jitter) is drawn once from a seed in resolution-free coordinates
(x, y in [0, 1], y down); `render(scene, season, size)` rasterises it with vectorised numpy.
Both seasons share every shape and texture: only colours change (foliage green -> orange, red or
yellow per tree, grass green -> yellow-brown, mountains green -> rust, sky and water greyer) plus
fallen leaves under the trees in autumn. So the test split holds the true summer -> autumn
translation of each scene, and the identity map scores poorly (PSNR ~ 12-17 dB).

Splits (docs/design.md, "Procedural datasets with ground truth"): `train` is unpaired (domain A and
domain B come from disjoint scene streams), `test` is paired (example i is the same scene).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from tfgan_repro.data.procedural.raster import (
  cached_readonly,
  check_split_args,
  color_matrix,
  cover,
  ellipse,
  jitter,
  noise,
  smoothstep,
)

SEASONS = ("summer", "autumn")  # docs/design.md: domain A = summer, domain B = autumn
SPLITS = ("train", "test")  # docs/design.md: train unpaired, test paired
# docs/design.md sizes the procedural datasets 32..256 px; renders go up to 2x that for the official
# resize margin (--load_size 286 before --crop_size 256).
MIN_SIZE, MAX_SIZE = 32, 512
RENDER_VERSION = 1  # part of the disk-cache file name: bump whenever the pictures change
# Disjoint scene streams: train A, train B and test scenes never share a seed.
_STREAMS = {"trainA": 0, "trainB": 1, "test": 2}
_LATTICES = (8, 24, 72)  # value-noise lattice cells per unit: coarse (clouds), mid, fine (leaves)
_GRAIN = 2.5  # std of the per-pixel film grain, in 0..255 levels (shared by both seasons)


@dataclasses.dataclass(frozen=True)
class Scene:
  """Scene parameters in unit coordinates; colours are [2, 3] = (summer, autumn) x RGB in 0..255."""

  horizon: float  # y of the grass line
  sky_top: np.ndarray  # [2, 3]
  sky_bottom: np.ndarray  # [2, 3]
  cloud_color: np.ndarray  # [2, 3]
  cloud_amount: float
  sun: np.ndarray  # [3] = x, y, radius
  sun_color: np.ndarray  # [2, 3]
  ridge_height: np.ndarray  # [M] peak height above the horizon, far layer first
  ridge_amp: np.ndarray  # [M, K] sine amplitudes
  ridge_freq: np.ndarray  # [M, K] cycles per unit width
  ridge_phase: np.ndarray  # [M, K]
  mountain_color: np.ndarray  # [M, 2, 3]
  ground_far: np.ndarray  # [2, 3] grass colour at the horizon
  ground_near: np.ndarray  # [2, 3] grass colour at the bottom edge
  lake: np.ndarray  # [4] = cx, cy, rx, ry; rx == 0 means no lake
  water_color: np.ndarray  # [2, 3]
  tree_base: np.ndarray  # [T, 2] = x, y of the trunk foot, sorted far (small y) to near
  tree_scale: np.ndarray  # [T]
  crown_radius: np.ndarray  # [T]
  lobe_scale: np.ndarray  # [T, 4] radius factors of the four crown circles
  crown_color: np.ndarray  # [T, 2, 3]
  crown_color2: np.ndarray  # [T, 2, 3] second foliage colour, mixed in by the mid-scale noise
  trunk_color: np.ndarray  # [T, 3]
  lattices: tuple[np.ndarray, ...]  # value-noise lattices, [n + 1, n + 1] for n in _LATTICES
  color_matrix: np.ndarray  # [3, 3] per-scene white balance, brightness, hue and saturation
  grain_seed: int


def _greyer(color: np.ndarray, amount: float, darken: float) -> np.ndarray:
  """Mixes `color` toward its own luminance (autumn sky, water, clouds)."""
  luma = color @ np.array([0.299, 0.587, 0.114])
  return (color * (1.0 - amount) + luma * amount) * (1.0 - darken)


_AUTUMN_FOLIAGE = (  # orange, red, yellow, rust (foliage colours of autumn trees)
  ((225, 115, 30), (245, 165, 45)),
  ((190, 40, 30), (225, 85, 40)),
  ((235, 195, 45), (205, 150, 30)),
  ((170, 75, 25), (215, 120, 40)),
)


def _sample_mountains(rng: np.random.Generator, sky_bottom: np.ndarray) -> dict[str, np.ndarray]:
  """1 to 3 ridge layers, far first: the Scene's ridge_* and mountain_color fields."""
  num_ridges = int(rng.integers(1, 4))
  ridge_height = np.sort(rng.uniform(0.06, 0.3, num_ridges))[::-1]  # far layers are the tallest
  ridge_amp = rng.uniform(0.2, 1.0, (num_ridges, 3))
  ridge_freq = rng.uniform(1.0, 6.0, (num_ridges, 3))
  ridge_phase = rng.uniform(0.0, 2.0 * np.pi, (num_ridges, 3))
  mountain_color = np.empty((num_ridges, 2, 3))
  for k in range(num_ridges):
    haze = 0.55 * (num_ridges - 1 - k) / max(num_ridges - 1, 1)  # aerial perspective, far = hazier
    summer = jitter(rng, (70, 115, 75), 15)
    autumn = jitter(rng, (150, 90, 50), 15)
    mountain_color[k] = [
      c * (1.0 - haze) + s * haze
      for c, s in ((summer, sky_bottom), (autumn, _greyer(sky_bottom, 0.4, 0.05)))
    ]
  return {
    "ridge_height": ridge_height,
    "ridge_amp": ridge_amp,
    "ridge_freq": ridge_freq,
    "ridge_phase": ridge_phase,
    "mountain_color": mountain_color,
  }


def _sample_lake(rng: np.random.Generator, horizon: float) -> np.ndarray:
  """[4] = cx, cy, rx, ry: half the scenes have a lake, fully inside the grass; zeros else."""
  if rng.uniform() < 0.5:
    ry = rng.uniform(0.03, 0.07)
    return np.array(
      [
        rng.uniform(0.2, 0.8),
        rng.uniform(horizon + ry + 0.02, horizon + 0.22),
        rng.uniform(0.12, 0.3),
        ry,
      ]
    )
  return np.zeros(4)


def _sample_trees(
  rng: np.random.Generator, horizon: float, lake: np.ndarray
) -> dict[str, np.ndarray]:
  """3 to 9 trees on the grass (none with its foot in the lake), far to near: the Scene's
  tree_base, tree_scale, crown_radius, crown_color and crown_color2 fields."""
  num_trees = int(rng.integers(3, 10))
  cand = np.stack([rng.uniform(0.03, 0.97, 64), rng.uniform(horizon + 0.05, 0.98, 64)], -1)
  if lake[2] > 0:  # no trunk foot in the water
    inside = ((cand[:, 0] - lake[0]) / (lake[2] + 0.04)) ** 2 + (
      (cand[:, 1] - lake[1]) / (lake[3] + 0.04)
    ) ** 2
    cand = cand[inside > 1.0]
  tree_base = cand[:num_trees]
  tree_base = tree_base[np.argsort(tree_base[:, 1])]  # painter's order: far first
  num_trees = len(tree_base)
  tree_scale = 0.55 + 1.1 * (tree_base[:, 1] - horizon) / (1.0 - horizon)  # perspective
  crown_radius = 0.07 * tree_scale * rng.uniform(0.8, 1.25, num_trees)
  summer_green = np.stack([jitter(rng, (55, 125, 40), 20) for _ in range(num_trees)])
  autumn_pick = rng.integers(0, len(_AUTUMN_FOLIAGE), num_trees)
  autumn = np.stack([jitter(rng, _AUTUMN_FOLIAGE[i][0], 15) for i in autumn_pick])
  autumn2 = np.stack([jitter(rng, _AUTUMN_FOLIAGE[i][1], 15) for i in autumn_pick])
  return {
    "tree_base": tree_base,
    "tree_scale": tree_scale,
    "crown_radius": crown_radius,
    "crown_color": np.stack([summer_green, autumn], 1),
    "crown_color2": np.stack([summer_green * 0.7, autumn2], 1),
  }


def sample_scene(seed: int | tuple[int, ...]) -> Scene:
  """Draws one scene; the same seed gives the same scene (numpy `default_rng`).

  The colours and ranges are this dataset's own design (docs/design.md), tuned so that the identity
  map scores ~13.7 dB PSNR on the test split while the mean autumn image scores ~16.6 dB.
  """
  rng = np.random.default_rng(seed)
  horizon = rng.uniform(0.42, 0.68)
  sky_top = jitter(rng, (55, 115, 200), 35)
  sky_bottom = jitter(rng, (175, 210, 240), 15)
  sun_r = rng.uniform(0.035, 0.07)
  sun = np.array([rng.uniform(0.1, 0.9), rng.uniform(0.08, horizon - 0.22), sun_r])

  mountains = _sample_mountains(rng, sky_bottom)
  lake = _sample_lake(rng, horizon)
  water = jitter(rng, (70, 125, 185), 15)
  trees = _sample_trees(rng, horizon, lake)
  num_trees = len(trees["tree_base"])

  ground_far = jitter(rng, (105, 165, 70), 25)
  ground_near = jitter(rng, (55, 125, 40), 25)
  return Scene(
    horizon=float(horizon),
    sky_top=np.stack([sky_top, _greyer(sky_top, 0.45, 0.06)]),
    sky_bottom=np.stack([sky_bottom, _greyer(sky_bottom, 0.4, 0.05)]),
    cloud_color=np.stack([jitter(rng, (248, 248, 252), 5), jitter(rng, (185, 185, 190), 10)]),
    cloud_amount=float(rng.uniform(0.3, 0.9)),
    sun=sun,
    sun_color=np.stack([jitter(rng, (255, 245, 205), 5), jitter(rng, (245, 215, 170), 8)]),
    **mountains,
    ground_far=np.stack([ground_far, jitter(rng, (195, 170, 95), 25)]),
    ground_near=np.stack([ground_near, jitter(rng, (160, 120, 55), 25)]),
    lake=lake,
    water_color=np.stack([water, _greyer(water, 0.5, 0.1)]),
    **trees,
    lobe_scale=rng.uniform(0.6, 0.8, (num_trees, 4)) * np.array([1.0 / 0.7, 1.0, 1.0, 1.0]),
    trunk_color=np.stack([jitter(rng, (95, 65, 40), 12) for _ in range(num_trees)]),
    lattices=tuple(rng.uniform(0.0, 1.0, (n + 1, n + 1)) for n in _LATTICES),
    color_matrix=color_matrix(rng),
    grain_seed=int(rng.integers(0, 2**31 - 1)),
  )


def _draw_tree(
  img: np.ndarray, scene: Scene, i: int, s: int, c: np.ndarray, mid: np.ndarray, fine: np.ndarray
) -> None:
  """Paints tree i (shadow, autumn leaves, trunk, crown) into img [H, W, 3] in place.

  Only the window around the tree is touched: the trees are most of the rendering work.
  """
  pixel = 1.0 / len(c)
  bx, by = scene.tree_base[i]
  r = scene.crown_radius[i]
  trunk_w, trunk_h = 0.02 * scene.tree_scale[i], 0.09 * scene.tree_scale[i]
  cy = by - trunk_h - 0.7 * r  # crown centre
  i0, i1 = np.searchsorted(c, [cy - 1.3 * r - pixel, by + 0.01 + 0.5 * r + pixel])
  j0, j1 = np.searchsorted(c, [bx - 1.7 * r - pixel, bx + 1.7 * r + pixel])
  if i0 >= i1 or j0 >= j1:
    return
  x, y = c[None, j0:j1], c[i0:i1, None]  # [1, w], [h, 1]
  win, mid, fine = img[i0:i1, j0:j1], mid[i0:i1, j0:j1], fine[i0:i1, j0:j1]  # views
  # Shadow on the grass, then (autumn only) fallen leaves around the foot.
  win *= 1.0 - 0.35 * cover(ellipse(x, y, bx + 0.3 * r, by, 1.1 * r, 0.22 * r), pixel)
  if SEASONS[s] == "autumn":
    leaves = cover(ellipse(x, y, bx, by + 0.01, 1.6 * r, 0.45 * r), pixel)
    leaves = leaves * smoothstep(0.55, 0.65, fine)[..., None]
    win += (0.85 * scene.crown_color[i, 1] - win) * leaves
  trunk = np.maximum(np.maximum(np.abs(x - bx) - trunk_w / 2, by - trunk_h - y), y - by)
  win += (scene.trunk_color[i] * (0.8 + 0.4 * mid)[..., None] - win) * cover(trunk, pixel)
  # Crown: four circles (centre, left, right, top) around (bx, cy), lit from the upper left.
  lobes = np.array([[0.0, 0.0], [-0.55, 0.2], [0.55, 0.2], [0.0, -0.45]]) * r
  crown = np.min(
    [
      np.sqrt((x - bx - dx) ** 2 + (y - cy - dy) ** 2) - r * f
      for (dx, dy), f in zip(lobes, scene.lobe_scale[i], strict=True)
    ],
    axis=0,
  )
  light = 1.0 + 0.3 * np.clip(-((x - bx) + (y - cy)) / (1.4 * r), -1.0, 1.0)
  color, color2 = scene.crown_color[i, s], scene.crown_color2[i, s]
  foliage = (color + (color2 - color) * mid[..., None]) * (light * (0.8 + 0.4 * fine))[..., None]
  win += (foliage - win) * cover(crown, pixel)


def render(scene: Scene, season: str, size: int) -> np.ndarray:
  """Rasterises `scene` in `season` ("summer" | "autumn") as uint8 [size, size, 3]."""
  if season not in SEASONS:
    raise ValueError(f"season must be one of {SEASONS}, got {season!r}")
  if not isinstance(size, int | np.integer) or not MIN_SIZE <= size <= MAX_SIZE:
    raise ValueError(f"size must be an int in [{MIN_SIZE}, {MAX_SIZE}], got {size!r}")
  s = SEASONS.index(season)
  c = (np.arange(size) + 0.5) / size  # pixel centres in unit coordinates
  x, y = c[None, :], c[:, None]  # [1, W], [H, 1]
  pixel = 1.0 / size

  def covered(dist: np.ndarray) -> np.ndarray:
    return cover(dist, pixel)

  coarse, mid, fine = (noise(lat, c, c) for lat in scene.lattices)  # [H, W] each, in [0, 1]
  ripple = noise(scene.lattices[2], c, c * 0.15)  # horizontally stretched: water ripples

  # Sky: vertical gradient, clouds from the coarse noise, sun with glow.
  t = np.clip(y / scene.horizon, 0.0, 1.0)[..., None] ** 0.8  # [H, 1, 1]
  img = np.broadcast_to(scene.sky_top[s] * (1.0 - t) + scene.sky_bottom[s] * t, (size, size, 3))
  clouds = (smoothstep(0.5, 0.8, coarse + 0.25 * (mid - 0.5)) * scene.cloud_amount)[..., None]
  sx, sy, sr = scene.sun
  sun_dist = np.sqrt((x - sx) ** 2 + (y - sy) ** 2)
  img = img + scene.sun_color[s] * 0.3 * np.exp(-((sun_dist / (3.0 * sr)) ** 2))[..., None]
  img = img * (1.0 - covered(sun_dist - sr)) + scene.sun_color[s] * covered(sun_dist - sr)
  img = img * (1.0 - clouds) + scene.cloud_color[s] * clouds

  # Mountain ridges, far to near: y_ridge(x) = horizon - h * (0.55 + 0.45 * mean_k a_k sin(...)).
  for k in range(len(scene.ridge_height)):
    waves = scene.ridge_amp[k, :, None] * np.sin(
      2.0 * np.pi * scene.ridge_freq[k, :, None] * c[None, :] + scene.ridge_phase[k, :, None]
    )  # [K, W]
    ridge = scene.horizon - scene.ridge_height[k] * (0.55 + 0.45 * waves.mean(0))  # [W]
    shade = (0.85 + 0.3 * mid)[..., None]
    img = img + (scene.mountain_color[k, s] * shade - img) * covered(ridge[None, :] - y)

  # Grass: gradient from the horizon to the bottom edge, mottled by the noise.
  t = np.clip((y - scene.horizon) / (1.0 - scene.horizon), 0.0, 1.0)[..., None]  # [H, 1, 1]
  grass = scene.ground_far[s] * (1.0 - t) + scene.ground_near[s] * t
  grass = grass * (0.82 + 0.28 * mid + 0.12 * (fine - 0.5))[..., None]
  img = img + (grass - img) * covered(scene.horizon - y)

  if scene.lake[2] > 0:
    water = scene.water_color[s] * (0.85 + 0.3 * ripple)[..., None]
    img = img + (water - img) * covered(ellipse(x, y, *scene.lake))

  for i in range(len(scene.tree_base)):
    _draw_tree(img, scene, i, s, c, mid, fine)

  img = img @ scene.color_matrix.T
  grain = np.random.default_rng([scene.grain_seed, size]).normal(0.0, _GRAIN, (size, size, 1))
  return np.clip(np.round(img + grain), 0, 255).astype(np.uint8)


def scene_seed(seed: int, stream: str, index: int) -> tuple[int, int, int]:
  """Seed of scene `index` of `stream` ("trainA" | "trainB" | "test"); streams never overlap."""
  if stream not in _STREAMS:
    raise ValueError(f"stream must be one of {sorted(_STREAMS)}, got {stream!r}")
  return (seed, _STREAMS[stream], index)


def _render_stream(stream: str, season: str, size: int, num_examples: int, seed: int) -> np.ndarray:
  images = np.empty((num_examples, size, size, 3), np.uint8)  # [N, H, W, 3]
  for i in range(num_examples):
    images[i] = render(sample_scene(scene_seed(seed, stream, i)), season, size)
  return images


@functools.lru_cache(maxsize=4)  # e.g. train at load_size, test at crop_size
def _cached_arrays(
  split: str, size: int, num_examples: int, seed: int, cache_dir: str
) -> tuple[np.ndarray, np.ndarray]:
  name = f"seasons_v{RENDER_VERSION}_{split}_{size}px_n{num_examples}_seed{seed}.npz"

  def make() -> dict[str, np.ndarray]:
    if split == "train":  # unpaired: A and B from disjoint scene streams
      a = _render_stream("trainA", "summer", size, num_examples, seed)
      b = _render_stream("trainB", "autumn", size, num_examples, seed)
    else:  # paired: the same scenes in both seasons
      a = _render_stream("test", "summer", size, num_examples, seed)
      b = _render_stream("test", "autumn", size, num_examples, seed)
    return {"a": a, "b": b}

  arrays = cached_readonly(cache_dir, name, make)
  return arrays["a"], arrays["b"]


def seasons_arrays(
  split: str, size: int, num_examples: int, seed: int = 0, cache_dir: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
  """(a, b) uint8 [N, size, size, 3]: summer and autumn images of `split` ("train" | "test").

  `train`: a[i] and b[i] are different scenes (unpaired); `test`: the same scene (paired).
  Results are cached in memory (read-only arrays) and, when `cache_dir` is given, on disk.
  """
  check_split_args(split, size, num_examples, SPLITS, MIN_SIZE, MAX_SIZE)
  return _cached_arrays(split, int(size), int(num_examples), int(seed), cache_dir or "")
