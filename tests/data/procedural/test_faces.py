"""Tests of the procedural faces renderer, its attribute frequencies and its true edits."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tfgan_repro.data.procedural import faces

_A = len(faces.ATTRIBUTES)


def _face(split: str, index: int, seed: int = 0) -> tuple[faces.Face, np.ndarray]:
  key = faces.face_seed(seed, split, index)
  return faces.sample_face(key), faces.sample_attributes(key)


def _flipped(attributes: np.ndarray, i: int) -> np.ndarray:
  out = attributes.copy()
  out[i] = 1 - out[i]
  return out


def test_render_is_deterministic_given_seed_and_any_size():
  face, attributes = _face("train", 3)
  first = faces.render(face, attributes, 48)
  again = faces.render(_face("train", 3)[0], attributes, 48)
  other = faces.render(_face("train", 4)[0], attributes, 48)
  test = faces.render(_face("test", 3)[0], attributes, 48)  # the splits are disjoint streams
  assert first.shape == (48, 48, 3) and first.dtype == np.uint8
  np.testing.assert_array_equal(first, again)
  assert np.abs(first.astype(int) - other.astype(int)).mean() > 5.0
  assert np.abs(first.astype(int) - test.astype(int)).mean() > 5.0
  for size in (16, 33, 64):
    assert faces.render(face, attributes, size).shape == (size, size, 3)


def test_flipping_an_attribute_changes_only_its_region_and_visibly():
  # Measured on 40 faces at 32 px: mean |RGB difference| summed over channels inside the region
  # >= 37 (smile) .. 103 (dark_hair); >= 3 (smile) .. 91 (dark_hair) pixels change by > 60.
  for n in range(6):
    face, attributes = _face("test", n)
    image = faces.render(face, attributes, 32).astype(int)
    regions = faces.attribute_regions(face, 32)
    assert regions.shape == (_A, 32, 32) and regions.dtype == bool
    for i in range(_A):
      edit = faces.render(face, _flipped(attributes, i), 32).astype(int)
      diff = np.abs(edit - image).sum(-1)  # [32, 32]
      assert diff[~regions[i]].max() == 0
      assert diff[regions[i]].mean() > 30.0
      assert (diff > 60).sum() >= 3


def test_regions_sit_where_the_attributes_are():
  face, _ = _face("test", 0)
  regions = faces.attribute_regions(face, 64)
  rows = [np.nonzero(r)[0].mean() for r in regions]  # centroid row per attribute
  hair, glasses, smile, beard = (
    rows[faces.DARK_HAIR],
    rows[faces.GLASSES],
    rows[faces.SMILE],
    rows[faces.BEARD],
  )
  assert hair < glasses < smile  # hair above the eyes above the mouth
  assert glasses < beard
  assert regions[faces.SMILE].sum() < regions[faces.GLASSES].sum() < regions[faces.DARK_HAIR].sum()


def test_attribute_frequencies_follow_the_constants():
  draws = np.stack([faces.sample_attributes(faces.face_seed(0, "train", i)) for i in range(2000)])
  assert draws.dtype == np.int32 and set(np.unique(draws)) <= {0, 1}
  expected = [faces.P_GLASSES, faces.P_SMILE, faces.P_DARK_HAIR, faces.P_BEARD]
  np.testing.assert_allclose(draws.mean(0), expected, atol=0.035)  # ~3 standard errors
  beard = draws[:, faces.BEARD] == 1
  p_beard = draws[beard, faces.GLASSES].mean()
  p_no_beard = draws[~beard, faces.GLASSES].mean()
  assert abs(p_beard - faces.P_GLASSES_GIVEN_BEARD) < 0.06
  assert abs(p_no_beard - faces.P_GLASSES_GIVEN_NO_BEARD) < 0.025
  assert p_beard > 3.0 * p_no_beard
  assert faces.P_GLASSES == pytest.approx(0.12)


def test_balanced_draws_are_independent_halves_and_keep_the_looks():
  keys = [faces.face_seed(0, "train", i) for i in range(2000)]
  draws = np.stack([faces.sample_attributes(k, balanced=True) for k in keys])
  np.testing.assert_allclose(draws.mean(0), 0.5, atol=0.035)
  assert abs(np.corrcoef(draws[:, faces.GLASSES], draws[:, faces.BEARD])[0, 1]) < 0.07
  images, attributes = faces.faces_arrays("train", 32, 8, seed=1)
  balanced, balanced_attributes = faces.faces_arrays("train", 32, 8, seed=1, balanced=True)
  same = (attributes == balanced_attributes).all(1)
  assert 0 < same.sum() < 8
  np.testing.assert_array_equal(images[same], balanced[same])  # same faces, same attributes


def test_arrays_and_edits_are_the_renders():
  images, attributes = faces.faces_arrays("test", 32, 3, seed=2)
  edits = faces.edit_arrays("test", 32, 3, seed=2)
  assert images.shape == (3, 32, 32, 3) and attributes.shape == (3, _A)
  assert attributes.dtype == np.int32 and edits.shape == (3, _A, 32, 32, 3)
  for n in range(3):
    face, drawn = _face("test", n, seed=2)
    np.testing.assert_array_equal(attributes[n], drawn)
    np.testing.assert_array_equal(images[n], faces.render(face, drawn, 32))
    for i in range(_A):
      np.testing.assert_array_equal(edits[n, i], faces.render(face, _flipped(drawn, i), 32))


def test_domains_split_by_the_attribute_and_test_b_is_the_edit():
  idx_a, idx_b = faces.domain_indices("train", 5, "glasses", seed=0)
  assert len(idx_a) == len(idx_b) == 5 and not set(idx_a) & set(idx_b)
  for i, want in [(int(i), 0) for i in idx_a] + [(int(i), 1) for i in idx_b]:
    assert faces.sample_attributes(faces.face_seed(0, "train", i))[faces.GLASSES] == want
  a, b = faces.domain_arrays("train", 32, 5, "glasses", seed=0)
  assert a.shape == b.shape == (5, 32, 32, 3)
  face, drawn = _face("train", int(idx_b[0]))
  np.testing.assert_array_equal(b[0], faces.render(face, drawn, 32))

  test_a, test_b = faces.domain_arrays("test", 32, 4, "smile", seed=0)
  test_idx, same_idx = faces.domain_indices("test", 4, "smile", seed=0)
  np.testing.assert_array_equal(test_idx, same_idx)
  for n, index in enumerate(test_idx):
    face, drawn = _face("test", int(index))
    assert drawn[faces.SMILE] == 0
    np.testing.assert_array_equal(test_a[n], faces.render(face, drawn, 32))
    np.testing.assert_array_equal(test_b[n], faces.render(face, _flipped(drawn, faces.SMILE), 32))


def test_arrays_are_cached_read_only_and_on_disk(tmp_path):
  images, _ = faces.faces_arrays("test", 32, 2, seed=11, cache_dir=str(tmp_path))
  path = tmp_path / f"faces_images_v{faces.RENDER_VERSION}_test_32px_n2_seed11.npz"
  assert os.path.exists(path)
  assert faces.faces_arrays("test", 32, 2, seed=11, cache_dir=str(tmp_path))[0] is images
  assert not images.flags.writeable
  with np.load(path) as f:
    np.testing.assert_array_equal(f["images"], images)


def test_bad_arguments_raise():
  face, attributes = _face("train", 0)
  with pytest.raises(ValueError, match=r"size must be an int in \[16, 512\], got 15"):
    faces.render(face, attributes, 15)
  with pytest.raises(ValueError, match="attributes must be 4 values in"):
    faces.render(face, [1, 0, 2, 0], 32)
  with pytest.raises(ValueError, match="split must be one of .* got 'val'"):
    faces.faces_arrays("val", 32, 2)
  with pytest.raises(ValueError, match="num_examples must be a positive int, got 0"):
    faces.edit_arrays("test", 32, 0)
  with pytest.raises(ValueError, match="attribute must be one of .* got 'hat'"):
    faces.domain_arrays("train", 32, 2, "hat")
