"""train.strategy multi_worker: the main job on two workers (tests/cluster.py).

- The tiny DCGAN trained 4 steps of global batch 2 on 2 workers (1 example per worker: the
  latents of the global batch split by replica, batch norm synchronized over the workers) ends
  with the weights of the same run on one device.
- Only the chief writes: one config.json, one set of checkpoints, one TensorBoard events file
  (the chief's process id in its name), the samples and eval.json, all in the shared workdir; the
  other worker's temporary folder is gone.
- The tiny DCGAN on 2 workers: SIGKILL of worker 1 after the first checkpoint stops the chief
  with WorkerFailedError naming the step, within a time bound, and leaves only complete
  checkpoints.

Both clusters start together when the module does (they share the 2 cores) and are killed when
it ends. tests/test_conformance.py steps every trainable model on 2 workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests import multi_worker_driver
from tests.cluster import Cluster
from tfgan_repro import models
from tfgan_repro.training import checkpointing, run

# The cheapest model to trace (each worker traces the step on the shared 2 cores; the tiny
# CycleGAN's step took 3 times as long to trace and start).
MODEL = "dcgan"
STEPS = 4
# As the 2 replicas == 1 device conformance test (tests/test_conformance.py): SGD (Adam's first
# steps turn float noise into lr-sized moves) and nets wide enough to be well conditioned.
TRAINED = {
  "batch_size": 2,
  "train.max_steps": STEPS,
  "train.checkpoint_every": 2,
  "optimizer.name": "sgd",
  "optimizer.lr": 0.01,
  "optimizer.n_epochs_decay": 0,
  "generator.ngf": 16,
  "discriminator.ndf": 16,
  "export.enabled": False,
}
KILLED = {"train.max_steps": 100_000, "train.checkpoint_every": 2, "export.enabled": False}
# Each collective fails after COLLECTIVE_TIMEOUT_S (train.collective_timeout): generous, since
# the two workers trace the step at their own pace on the shared cores before the first one.
COLLECTIVE_TIMEOUT_S = 60
KILL_BOUND_S = COLLECTIVE_TIMEOUT_S + 30  # SIGKILL of worker 1 -> the chief's exit
TIMEOUT_S = 300  # any main-job cluster, start to end


def _main_job(base: str, overrides: dict) -> Cluster:
  """The main job of MODEL's tiny config with `overrides` on two workers, in base/run."""
  workdir = os.path.join(base, "run")
  spec = {
    "model": MODEL,
    "workdir": workdir,
    "overrides": {
      **overrides,
      "train.strategy": "multi_worker",
      "train.collective_timeout": COLLECTIVE_TIMEOUT_S,
    },
  }
  return Cluster(base, spec)


def _kill_after_first_checkpoint(cluster: Cluster, record: dict) -> None:
  """SIGKILLs worker 1 once the chief's first checkpoint is complete; records when."""
  state = os.path.join(cluster.workdir, checkpointing.CHECKPOINT_DIR, "checkpoint")
  while time.monotonic() - cluster.started < TIMEOUT_S:
    if os.path.exists(state) or cluster.procs[0].poll() is not None:
      break
    time.sleep(0.2)
  if cluster.procs[1].poll() is None:
    cluster.procs[1].send_signal(signal.SIGKILL)
    record["killed_at"] = time.monotonic()
    with contextlib.suppress(subprocess.TimeoutExpired):
      cluster.procs[0].wait(timeout=KILL_BOUND_S)
      record["chief_exited_after_s"] = time.monotonic() - record["killed_at"]


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
  base = tmp_path_factory.mktemp("multi_worker")
  trained = _main_job(str(base / "trained"), TRAINED)
  killed = _main_job(str(base / "killed"), KILLED)
  record: dict = {}
  watcher = threading.Thread(target=_kill_after_first_checkpoint, args=(killed, record))
  watcher.start()
  try:
    yield {"trained": trained, "killed": killed, "record": record, "watcher": watcher}
  finally:
    watcher.join(timeout=TIMEOUT_S)
    trained.kill_all()
    killed.kill_all()


def _trainable(workdir: str) -> tuple[int, list[np.ndarray]]:
  _, model, step = checkpointing.load_run(workdir)
  return step, [v.numpy() for v in model.trainable_variables]


def test_multi_worker_two_workers_equal_one_device_with_the_same_global_batch(clusters, tmp_path):
  trained = clusters["trained"]
  reference = multi_worker_driver.config_of(MODEL, {**TRAINED, "train.strategy": "default"})
  run.train(reference, str(tmp_path / "one_device"))  # meanwhile the workers run
  for i in range(2):
    assert trained.wait(i, TIMEOUT_S) == 0, trained.log(i)[-3000:]

  step_two, two = _trainable(trained.workdir)
  step_one, one = _trainable(str(tmp_path / "one_device"))
  assert step_two == step_one == STEPS
  keras.utils.set_random_seed(reference.seed)
  initial = [v.numpy() for v in models.build_model(reference).trainable_variables]
  moved = max(float(np.max(np.abs(a - w))) for a, w in zip(one, initial, strict=True))
  assert moved > 1e-2  # the steps changed the weights, far beyond the tolerance below
  for a, b in zip(one, two, strict=True):
    np.testing.assert_allclose(b, a, atol=1e-5, rtol=0)  # measured 7e-9; a mis-scaled step ~1e-2


def test_multi_worker_only_the_chief_writes(clusters):
  trained = clusters["trained"]
  for i in range(2):
    assert trained.wait(i, TIMEOUT_S) == 0, trained.log(i)[-3000:]
    assert "worker done" in trained.log(i)
  workdir = trained.workdir
  assert sorted(os.listdir(workdir)) == [
    "checkpoints",
    "config.json",
    "eval.json",
    "samples.png",
    "tensorboard",
  ]
  assert sorted(os.listdir(os.path.join(workdir, "checkpoints"))) == [
    "checkpoint",
    "ckpt-2.data-00000-of-00001",
    "ckpt-2.index",
    "ckpt-4.data-00000-of-00001",
    "ckpt-4.index",
  ]
  events = os.listdir(os.path.join(workdir, "tensorboard"))
  assert len(events) == 1, events
  assert f".{trained.procs[0].pid}." in events[0]  # written by the chief (worker 0)
  assert os.listdir(trained.tmpdirs[0]) == []  # the chief needs no temporary folder
  assert os.listdir(trained.tmpdirs[1]) == []  # worker 1's checkpoints and logs were removed


def test_multi_worker_killed_worker_stops_the_chief_clearly_leaving_whole_checkpoints(clusters):
  killed, record = clusters["killed"], clusters["record"]
  clusters["watcher"].join(timeout=TIMEOUT_S)
  rc = killed.wait(0, TIMEOUT_S)
  log = killed.log(0)
  assert "killed_at" in record, log[-3000:]  # the first checkpoint came, then the kill
  print(f"chief stopped {record.get('chief_exited_after_s')} s after the kill")
  assert record.get("chief_exited_after_s", KILL_BOUND_S) < KILL_BOUND_S
  assert rc != 0
  assert "WorkerFailedError: multi-worker training stopped at step " in log, log[-3000:]
  assert "a worker died or cannot be reached" in log
  assert "Restart every worker with the same command to resume" in log
  folder = os.path.join(killed.workdir, checkpointing.CHECKPOINT_DIR)
  state = tf.train.get_checkpoint_state(folder)
  listed = [int(path.rsplit("-", 1)[1]) for path in state.all_model_checkpoint_paths]
  assert listed  # at least the first checkpoint
  expected = {"checkpoint"} | {
    f"ckpt-{n}{suffix}" for n in listed for suffix in (".index", ".data-00000-of-00001")
  }
  assert set(os.listdir(folder)) == expected  # no half-written checkpoint or temporary folder
  for n in listed:
    assert checkpointing.checkpoint_problem(os.path.join(folder, f"ckpt-{n}")) is None
  assert os.listdir(killed.tmpdirs[0]) == []
