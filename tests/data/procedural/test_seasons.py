"""Tests of the procedural seasons renderer and its splits."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tfgan_repro.data.procedural import seasons


def _edges(images: np.ndarray) -> np.ndarray:
  """Colour edges [N, H-1, W-1]: summed |RGB difference| to the right or lower neighbour > 20."""
  x = images.astype(np.float64)
  gx = np.abs(np.diff(x, axis=2))[:, :-1].sum(-1)
  gy = np.abs(np.diff(x, axis=1))[:, :, :-1].sum(-1)
  return np.maximum(gx, gy) > 20


def _edge_iou(p: np.ndarray, q: np.ndarray) -> np.ndarray:
  ep, eq = _edges(p), _edges(q)
  return (ep & eq).sum((1, 2)) / (ep | eq).sum((1, 2))


def test_render_is_deterministic_given_seed():
  first = seasons.render(seasons.sample_scene(7), "autumn", 48)
  again = seasons.render(seasons.sample_scene(7), "autumn", 48)
  other = seasons.render(seasons.sample_scene(8), "autumn", 48)
  assert first.shape == (48, 48, 3) and first.dtype == np.uint8
  np.testing.assert_array_equal(first, again)
  assert np.abs(first.astype(int) - other.astype(int)).mean() > 5.0


@pytest.mark.parametrize("size", [32, 45, 256])
def test_render_any_size(size):
  image = seasons.render(seasons.sample_scene(3), "summer", size)
  assert image.shape == (size, size, 3)
  assert image.dtype == np.uint8


def test_test_split_is_the_same_scene_in_both_seasons():
  a, b = seasons.seasons_arrays("test", 32, 3, seed=5)
  assert a.shape == b.shape == (3, 32, 32, 3)
  for i in range(3):
    scene = seasons.sample_scene(seasons.scene_seed(5, "test", i))
    np.testing.assert_array_equal(a[i], seasons.render(scene, "summer", 32))
    np.testing.assert_array_equal(b[i], seasons.render(scene, "autumn", 32))


def test_train_split_draws_a_and_b_from_disjoint_scenes():
  a, b = seasons.seasons_arrays("train", 32, 3, seed=5)
  for i in range(3):
    scene_a = seasons.sample_scene(seasons.scene_seed(5, "trainA", i))
    scene_b = seasons.sample_scene(seasons.scene_seed(5, "trainB", i))
    np.testing.assert_array_equal(a[i], seasons.render(scene_a, "summer", 32))
    np.testing.assert_array_equal(b[i], seasons.render(scene_b, "autumn", 32))
    assert scene_a.horizon != scene_b.horizon


def test_paired_images_share_geometry_and_unpaired_do_not():
  # Region boundaries coincide in a paired summer/autumn image; measured on 40 scenes: paired
  # edge IoU >= 0.64, unpaired <= 0.52.
  a, b = seasons.seasons_arrays("test", 64, 12, seed=0)
  ta, tb = seasons.seasons_arrays("train", 64, 12, seed=0)
  assert _edge_iou(a, b).min() > 0.6
  assert _edge_iou(ta, tb).max() < 0.55


def test_identity_psnr_of_test_split_is_low():
  a, b = seasons.seasons_arrays("test", 64, 40, seed=0)
  mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean(axis=(1, 2, 3))  # [N]
  psnr = 10.0 * np.log10(255.0**2 / mse)
  assert 12.0 <= psnr.mean() <= 17.0  # measured 13.7 dB
  assert psnr.min() > 10.0 and psnr.max() < 19.0


def test_arrays_are_cached_read_only_and_on_disk(tmp_path):
  a, b = seasons.seasons_arrays("test", 32, 2, seed=11, cache_dir=str(tmp_path))
  path = tmp_path / f"seasons_v{seasons.RENDER_VERSION}_test_32px_n2_seed11.npz"
  assert os.path.exists(path)
  assert seasons.seasons_arrays("test", 32, 2, seed=11, cache_dir=str(tmp_path))[0] is a
  assert not a.flags.writeable
  with np.load(path) as f:
    np.testing.assert_array_equal(f["a"], a)
    np.testing.assert_array_equal(f["b"], b)


def test_bad_arguments_raise():
  scene = seasons.sample_scene(0)
  with pytest.raises(ValueError, match="'winter'"):
    seasons.render(scene, "winter", 32)
  with pytest.raises(ValueError, match="size must be an int in \\[32, 512\\], got 31"):
    seasons.render(scene, "summer", 31)
  with pytest.raises(ValueError, match="'val'"):
    seasons.seasons_arrays("val", 32, 2)
  with pytest.raises(ValueError, match="num_examples must be a positive int, got 0"):
    seasons.seasons_arrays("train", 32, 0)
  with pytest.raises(ValueError, match="'trainC'"):
    seasons.scene_seed(0, "trainC", 0)
