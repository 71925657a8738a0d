"""Parity statistics of an artifact against its Keras model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from export import parity_stats


def test_stats_are_max_and_mean_absolute_difference():
  expected = np.array([[0.0, 1.0], [-1.0, 0.5]])
  actual = np.array([[0.5, 1.0], [-1.0, 0.25]])
  # |diff| = 0.5, 0, 0, 0.25: max 0.5, mean 0.75 / 4.
  assert parity_stats(expected, actual) == {"max_abs": 0.5, "mean_abs": 0.1875}


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_outputs_count_as_infinitely_wrong(bad):
  # docs/pitfalls.md: the wrong export routes gave NaN / 1e32; NaN must not slip past `max > tol`.
  stats = parity_stats(np.zeros(3), np.array([0.0, bad, 0.0]))
  assert stats == {"max_abs": math.inf, "mean_abs": math.inf}


def test_shape_mismatch_raises():
  with pytest.raises(ValueError, match=r"actual has shape \(2,\), expected shape \(3,\)"):
    parity_stats(np.zeros(3), np.zeros(2))
