"""Fixtures of the tests that time a PyTorch training step beside ours (bench --compare_torch)."""

import pytest
import torch  # the test extra (pyproject.toml)

from tfgan_repro.training import benchmark


@pytest.fixture
def one_core(monkeypatch):
  """compare_torch on one core: torch's threads spin for seconds per step on cores that other
  processes keep busy (the tests share the machine); torch's thread count is restored after."""
  threads = torch.get_num_threads()
  monkeypatch.setattr(benchmark.os, "sched_getaffinity", lambda pid: {0})
  yield
  torch.set_num_threads(threads)
