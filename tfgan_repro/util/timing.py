"""Wall-clock timing of a call: the one timer of the benchmarks and exports (time.perf_counter)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def elapsed_s(fn: Callable[[], object]) -> float:
  """Wall time of one call of fn(), in seconds."""
  start = time.perf_counter()
  fn()
  return time.perf_counter() - start


def call_times_s(fn: Callable[[], object], steps: int, warmup: int = 0) -> list[float]:
  """Wall times in seconds of `steps` calls of fn(), after `warmup` untimed calls."""
  if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
    raise ValueError(f"steps must be a positive int, got {steps!r}")
  if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
    raise ValueError(f"warmup must be an int >= 0, got {warmup!r}")
  for _ in range(warmup):
    fn()
  return [elapsed_s(fn) for _ in range(steps)]


def median_ms(fn: Callable[[], object], steps: int, warmup: int = 0) -> float:
  """Median wall time of fn() in ms over `steps` calls, after `warmup` untimed calls."""
  return 1000.0 * statistics.median(call_times_s(fn, steps, warmup))


def best_s(fn: Callable[[], object], steps: int, warmup: int = 1) -> float:
  """Fastest wall time of fn() in seconds over `steps` calls, after `warmup` untimed calls."""
  return min(call_times_s(fn, steps, warmup))
