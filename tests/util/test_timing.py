"""The timer: warm-up calls untimed, then one wall time per call (perf_counter mocked)."""

from __future__ import annotations

import pytest

from tfgan_repro.util import timing


@pytest.fixture
def clock(monkeypatch):
  """perf_counter that advances by the next duration of `durations` over each timed call."""
  state = {"now": 0.0, "durations": [], "calls": 0}

  def perf_counter() -> float:
    return state["now"]

  def fn() -> None:
    state["calls"] += 1
    if state["durations"]:
      state["now"] += state["durations"].pop(0)

  monkeypatch.setattr(timing.time, "perf_counter", perf_counter)
  return state, fn


def test_warmup_calls_are_untimed_and_each_step_is_timed(clock):
  state, fn = clock
  state["durations"] = [5.0, 0.25, 0.5, 0.125]  # the first is the warm-up's
  assert timing.call_times_s(fn, 3, warmup=1) == [0.25, 0.5, 0.125]
  assert state["calls"] == 4


def test_median_ms_best_s_and_elapsed_s(clock):
  state, fn = clock
  state["durations"] = [9.0, 0.004, 0.001, 0.002]
  assert timing.median_ms(fn, 3, warmup=1) == pytest.approx(2.0)  # median of 4, 1, 2 ms
  state["durations"] = [9.0, 0.3, 0.1, 0.2]
  assert timing.best_s(fn, 3) == pytest.approx(0.1)  # one warm-up call by default
  state["durations"] = [1.5]
  assert timing.elapsed_s(fn) == 1.5


def test_bad_counts_raise():
  with pytest.raises(ValueError, match="steps must be a positive int, got 0"):
    timing.call_times_s(lambda: None, 0)
  with pytest.raises(ValueError, match="warmup must be an int >= 0, got -1"):
    timing.call_times_s(lambda: None, 1, warmup=-1)
