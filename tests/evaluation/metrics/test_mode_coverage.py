"""Tests of the mode-collapse measures on hand-placed samples."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro.data.procedural import mixtures
from tfgan_repro.evaluation.metrics import mode_coverage


def test_mixture_scores_count_high_quality_samples_within_3_std():
  m = mixtures.ring()  # std 0.02: high quality within 0.06 of the nearest mean
  points = np.array(
    [
      [2.0, 0.0],  # mode 0, exactly
      [2.05, 0.0],  # mode 0, 2.5 std away: high quality
      [0.0, 2.07],  # mode 2, 3.5 std away: not high quality
      [-2.0, 0.03],  # mode 4, 1.5 std: high quality
      [0.0, 0.0],  # the centre: far from every mode
    ]
  )
  scores = mode_coverage.mixture_scores(points, m.means, m.std)
  assert scores["modes"] == 2
  assert scores["high_quality"] == pytest.approx(3 / 5)
  assert scores["mode_counts"] == [2, 0, 0, 0, 1, 0, 0, 0]


def test_true_samples_cover_every_mode_of_the_grid():
  m = mixtures.grid()
  x, _ = mixtures.sample(m, 2500, seed=0)
  scores = mode_coverage.mixture_scores(x, m.means, m.std)
  assert scores["modes"] == 25
  assert scores["high_quality"] > 0.98  # 3 std of a 2-D Gaussian: 1 - exp(-4.5) = 0.989


def test_nearest_modes_gives_index_and_distance():
  nearest, dist = mode_coverage.nearest_modes(np.array([[1.0, 1.0]]), np.array([[0, 0], [4, 5]]))
  assert nearest.tolist() == [0] and dist[0] == pytest.approx(np.sqrt(2.0))


def test_discrete_modes_and_kl_to_uniform():
  assert mode_coverage.modes_covered(np.array([0, 0, 3, 999]), 1000) == 3
  assert mode_coverage.kl_to_uniform(np.arange(1000), 1000) == pytest.approx(0.0, abs=1e-12)
  assert mode_coverage.kl_to_uniform(np.zeros(7, int), 1000) == pytest.approx(np.log(1000))
  # p = (1/2, 1/2, 0, 0): KL = 2 * 1/2 log(4 / 2) = log 2
  assert mode_coverage.kl_to_uniform(np.array([0, 1]), 4) == pytest.approx(np.log(2.0))
  scores = mode_coverage.discrete_mode_scores(np.array([5, 5, 5, 6]), 10)
  assert scores["modes"] == 2
  assert scores["kl"] == pytest.approx(0.75 * np.log(7.5) + 0.25 * np.log(2.5))


def test_bad_mode_ids_raise():
  with pytest.raises(ValueError, match=r"mode_ids must be ints in \[0, 10\)"):
    mode_coverage.modes_covered(np.array([10]), 10)
  with pytest.raises(ValueError, match="mode_ids is empty"):
    mode_coverage.kl_to_uniform(np.array([], int), 10)
