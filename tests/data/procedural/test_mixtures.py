"""Tests of the 2-D Gaussian mixtures (ring of 8, grid of 25)."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro.data.procedural import mixtures


def test_ring_means_lie_on_the_circle_of_radius_2():
  m = mixtures.mixture("ring8")
  assert (m.num_modes, m.std) == (8, 0.02)
  np.testing.assert_allclose(m.means[0], [2.0, 0.0], atol=1e-12)
  np.testing.assert_allclose(m.means[2], [0.0, 2.0], atol=1e-12)
  np.testing.assert_allclose(m.means[1], [np.sqrt(2.0), np.sqrt(2.0)], atol=1e-12)
  np.testing.assert_allclose(np.hypot(*m.means.T), 2.0)


def test_grid_means_are_the_5x5_grid():
  m = mixtures.mixture("grid25")
  assert (m.num_modes, m.std) == (25, 0.05)
  np.testing.assert_array_equal(m.means[0], [-4.0, -4.0])
  np.testing.assert_array_equal(m.means[1], [-2.0, -4.0])  # k = 5 row + column
  np.testing.assert_array_equal(m.means[12], [0.0, 0.0])
  np.testing.assert_array_equal(m.means[24], [4.0, 4.0])
  assert sorted(set(m.means[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]


def test_samples_are_deterministic_and_near_their_mode():
  m = mixtures.mixture("grid25")
  x, k = mixtures.sample(m, 5000, seed=3)
  x2, k2 = mixtures.sample(m, 5000, seed=3)
  np.testing.assert_array_equal(x, x2)
  np.testing.assert_array_equal(k, k2)
  assert x.shape == (5000, 2) and x.dtype == np.float32 and k.dtype == np.int32
  offsets = x - m.means[k]
  assert offsets.std() == pytest.approx(0.05, rel=0.05)
  assert set(np.unique(k)) == set(range(25))
  other, _ = mixtures.sample(m, 5000, seed=3, split="test")
  assert not np.array_equal(x, other)


def test_bad_arguments_raise():
  with pytest.raises(ValueError, match="unknown mixture 'ring9'"):
    mixtures.mixture("ring9")
  with pytest.raises(ValueError, match="num_samples must be a positive int, got 0"):
    mixtures.sample(mixtures.ring(), 0)
  with pytest.raises(ValueError, match="split must be one of"):
    mixtures.sample(mixtures.ring(), 3, split="val")
