"""Parity statistics, the tolerance gate and the image checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from export import DEFAULT_TOLERANCE, ParityError, parity_stats, require_parity


def test_stats_are_max_and_mean_absolute_difference():
  expected = np.array([[0.0, 1.0], [-1.0, 0.5]])
  actual = np.array([[0.5, 1.0], [-1.0, 0.25]])
  # |diff| = 0.5, 0, 0, 0.25: max 0.5, mean 0.75 / 4.
  assert parity_stats(expected, actual) == {"max_abs": 0.5, "mean_abs": 0.1875}


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_outputs_count_as_infinitely_wrong(bad):
  # NOTES.md: the wrong export routes gave NaN / 1e32; NaN must not slip past `max > tol`.
  stats = parity_stats(np.zeros(3), np.array([0.0, bad, 0.0]))
  assert stats == {"max_abs": math.inf, "mean_abs": math.inf}
  with pytest.raises(ParityError, match="max \\|diff\\| inf"):
    require_parity(stats, tolerance=DEFAULT_TOLERANCE, artifact="g TFLite")


def test_gate_passes_at_the_tolerance_and_raises_above():
  assert DEFAULT_TOLERANCE == 1e-4
  require_parity({"max_abs": 1e-4, "mean_abs": 1e-5}, tolerance=1e-4, artifact="g")
  with pytest.raises(
    ParityError, match=r"g SavedModel does not match .* 0\.002 .* > tolerance 0\.0001"
  ):
    require_parity({"max_abs": 2e-3, "mean_abs": 1e-3}, tolerance=1e-4, artifact="g SavedModel")


def test_shape_mismatch_raises():
  with pytest.raises(ValueError, match=r"actual has shape \(2,\), expected shape \(3,\)"):
    parity_stats(np.zeros(3), np.zeros(2))
