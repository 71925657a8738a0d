"""Tests of stacked shapes: 1000 modes of three independent shapes, deterministic renders."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro.data.procedural import stacked_shapes as ss


def _centred(size: int) -> np.ndarray:
  """uint8 [10, size, size]: every shape at the centre, radius 0.33, unrotated, level 255."""
  params = {
    "classes": np.arange(10),
    "center": np.full((10, 2), 0.5),
    "radius": np.full(10, 0.33),
    "rotation": np.zeros(10),
    "level": np.full(10, 255.0),
  }
  return ss.render_channels(params, size)


def test_mode_ids_round_trip():
  assert ss.mode_ids(np.array([3, 0, 7])) == 307
  np.testing.assert_array_equal(
    ss.mode_classes(np.array([307, 999, 5])), [[3, 0, 7], [9, 9, 9], [0, 0, 5]]
  )
  ids = np.arange(1000)
  np.testing.assert_array_equal(ss.mode_ids(ss.mode_classes(ids)), ids)


def test_arrays_are_deterministic_and_prefixes_agree():
  images, ids = ss.stacked_shapes_arrays("train", 16, 40, seed=1)
  assert images.shape == (40, 16, 16, 3) and images.dtype == np.uint8
  assert ids.shape == (40,) and ids.dtype == np.int32 and 0 <= ids.min() and ids.max() < 1000
  few, few_ids = ss.stacked_shapes_arrays("train", 16, 5, seed=1)
  np.testing.assert_array_equal(few, images[:5])
  np.testing.assert_array_equal(few_ids, ids[:5])
  test, _ = ss.stacked_shapes_arrays("test", 16, 5, seed=1)
  assert not np.array_equal(test, images[:5])
  other, _ = ss.stacked_shapes_arrays("train", 16, 5, seed=2)
  assert not np.array_equal(other, images[:5])


def test_channel_classes_are_uniform_and_independent():
  _, ids = ss.stacked_shapes_arrays("train", 16, 3000)
  classes = ss.mode_classes(ids)  # [N, 3]
  for c in range(3):
    counts = np.bincount(classes[:, c], minlength=10)
    assert counts.min() > 230 and counts.max() < 370  # 300 expected each
  assert len(np.unique(ids)) > 940  # 3000 draws of 1000 modes: 1000 (1 - e^-3) = 950 expected


def test_shapes_differ_where_expected():
  shapes = _centred(32).astype(int)  # [10, 32, 32]
  name = {n: shapes[i] for i, n in enumerate(ss.SHAPES)}
  assert name["circle"][16, 16] == 255 and name["ring"][16, 16] == 0  # hollow ring
  assert name["cross"][16, 16] == 255 and name["x"][16, 16] == 255
  assert name["cross"][16, 24] == 255 and name["x"][16, 24] == 0  # arm right vs diagonal
  assert name["bar_h"][16, 24] == 255 and name["bar_v"][16, 24] == 0
  assert name["bar_v"][24, 16] == 255 and name["bar_h"][24, 16] == 0
  assert name["square"][9, 9] == 255 and name["diamond"][9, 9] == 0  # corners
  assert name["triangle"][21, 8] == 255 and name["triangle"][8, 8] == 0  # wide base, apex up
  flat = shapes.reshape(10, -1)
  gaps = np.abs(flat[:, None] - flat[None]).mean(-1)  # [10, 10] mean absolute difference
  assert gaps[~np.eye(10, dtype=bool)].min() > 15


def test_bad_arguments_raise():
  with pytest.raises(ValueError, match="split must be one of"):
    ss.stacked_shapes_arrays("val", 16, 2)
  with pytest.raises(ValueError, match=r"size must be an int in \[16, 256\], got 8"):
    ss.stacked_shapes_arrays("train", 8, 2)
