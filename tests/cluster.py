"""Two worker processes on localhost ports, each with its TF_CONFIG (CPU only, one thread
each), running tests/multi_worker_driver.py: the clusters of the multi-worker tests."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tests import multi_worker_driver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_ports(count: int) -> list[int]:
  with contextlib.ExitStack() as stack:
    sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
    for s in sockets:
      s.bind(("localhost", 0))
    return [s.getsockname()[1] for s in sockets]


class Cluster:
  """Two workers running the driver's `spec` (multi_worker_driver's docstring), one TMPDIR and
  one log each, under `base`; ended by `kill_all` if still running."""

  def __init__(self, base: str, spec: dict):
    self.workdir = spec.get("workdir")
    self.tmpdirs = [os.path.join(base, f"tmp{i}") for i in range(2)]
    self.logs = [os.path.join(base, f"worker{i}.log") for i in range(2)]
    ports = _free_ports(2)
    self.procs = []
    for i in range(2):
      os.makedirs(self.tmpdirs[i])
      tf_config = {
        "cluster": {"worker": [f"localhost:{port}" for port in ports]},
        "task": {"type": "worker", "index": i},
      }
      env = dict(
        os.environ,
        TF_CONFIG=json.dumps(tf_config),
        TMPDIR=self.tmpdirs[i],
        CUDA_VISIBLE_DEVICES="",
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        OMP_NUM_THREADS="1",
        TF_CPP_MIN_LOG_LEVEL="2",
      )
      cmd = [sys.executable, "-m", multi_worker_driver.__name__, json.dumps(spec)]
      with open(self.logs[i], "w") as log:
        self.procs.append(
          subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        )
    self.started = time.monotonic()

  def wait(self, index: int, timeout: float) -> int:
    """Worker `index`'s exit code, waiting until `timeout` seconds after the start."""
    left = max(1.0, timeout - (time.monotonic() - self.started))
    return self.procs[index].wait(timeout=left)

  def log(self, index: int) -> str:
    with open(self.logs[index]) as f:
      return f.read()

  def kill_all(self) -> None:
    for proc in self.procs:
      if proc.poll() is None:
        proc.kill()
        proc.wait()


class SteppedModels:
  """Every model of `names` stepped once on a 2-worker cluster (the driver's "conformance"
  spec) under `base`, each collective failing after `timeout_s`; `weights(name)` waits for the
  chief's file of that model."""

  def __init__(self, base: str, names: list[str], timeout_s: float):
    self.out = Path(base) / "out"
    self.out.mkdir(parents=True)
    self.timeout_s = timeout_s * len(names)  # start to end
    spec = {"conformance": list(names), "out": str(self.out), "collective_timeout": timeout_s}
    self.cluster = Cluster(base, spec)

  def weights(self, name: str) -> list[np.ndarray]:
    """The trainable weights after model `name`'s step, once the chief saved them
    (AssertionError with the chief's log if the cluster ended or ran out of time first)."""
    path = self.out / f"{name}.npz"
    while not path.exists():
      ended = any(proc.poll() is not None for proc in self.cluster.procs)
      late = time.monotonic() - self.cluster.started > self.timeout_s
      assert path.exists() or not (ended or late), self.cluster.log(0)[-3000:]
      time.sleep(0.5)
    with np.load(path) as saved:
      return [saved[f"arr_{i}"] for i in range(len(saved.files))]
