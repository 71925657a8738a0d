"""A training run in a child process with faults on cue, for the reliability tests (tests/faults):

python -m tests.faults.run_driver SPEC_JSON

SPEC: {"workdir", "overrides": {"train.max_steps": 10, ...} (on configs/cyclegan.py:tiny),
"record": FILE (appends a sha256 per training batch, in stream order), "kill_after_save": STEP
(SIGKILL right after the checkpoint of STEP is complete), "kill_before_commit": STEP (SIGKILL once
the checkpoint files of STEP are written, before the `checkpoint` state file names them),
"truncate_before_kill": true (with kill_before_commit: the data file is half written first)}.
A run that completes writes WORKDIR/final_weights.json and prints "final step STEP".
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys

import numpy as np
import tensorflow as tf
from tensorflow.python.checkpoint import checkpoint_management

from configs import cyclegan
from tfgan_repro.training import checkpointing, run


def _config(overrides: dict):
  config = cyclegan.get_config("tiny")
  config.export.enabled = False
  for key, value in overrides.items():
    section, field = key.split(".")
    config[section][field] = value
  return config


def _record(path: str):
  """Wraps run.train_dataset so each batch's sha256 is appended to `path` as it is produced."""
  original = run.train_dataset

  def hashed(*args, **kwargs):
    def write(*tensors) -> np.int64:
      digest = hashlib.sha256(b"".join(np.asarray(t).tobytes() for t in tensors)).hexdigest()
      with open(path, "a") as f:
        f.write(digest + "\n")
      return np.int64(0)

    def tap(*batch):
      done = tf.numpy_function(write, list(batch), tf.int64)
      with tf.control_dependencies([done]):
        return tuple(tf.identity(t) for t in batch)

    return original(*args, **kwargs).map(tap)

  run.train_dataset = hashed


def _kill_after_save(step: int) -> None:
  original = checkpointing.Checkpointer.save

  def save(self):
    path = original(self)
    if int(self.step.numpy()) == step:
      os.kill(os.getpid(), signal.SIGKILL)
    return path

  checkpointing.Checkpointer.save = save


def _kill_before_commit(step: int, truncate: bool) -> None:
  original = checkpoint_management.update_checkpoint_state_internal

  def update(save_dir, model_checkpoint_path, *args, **kwargs):
    if model_checkpoint_path.endswith(f"ckpt-{step}"):
      if truncate:
        data = tf.io.gfile.glob(model_checkpoint_path + ".data-*")[0]
        with open(data, "r+b") as f:
          f.truncate(os.path.getsize(data) // 2)
      os.kill(os.getpid(), signal.SIGKILL)
    return original(save_dir, model_checkpoint_path, *args, **kwargs)

  checkpoint_management.update_checkpoint_state_internal = update


def main(spec: dict) -> None:
  if spec.get("record"):
    _record(spec["record"])
  if spec.get("kill_after_save"):
    _kill_after_save(spec["kill_after_save"])
  if spec.get("kill_before_commit"):
    _kill_before_commit(spec["kill_before_commit"], spec.get("truncate_before_kill", False))
  model = run.train(_config(spec.get("overrides", {})), spec["workdir"])
  weights = {v.path: v.numpy().tolist() for v in model.trainable_variables}
  with open(os.path.join(spec["workdir"], "final_weights.json"), "w") as f:
    json.dump(weights, f)
  print(f"final step {int(model.step.numpy())}", flush=True)


if __name__ == "__main__":
  main(json.loads(sys.argv[1]))
