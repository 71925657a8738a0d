"""Workdir layout, checkpoints (atomic, resumable) and loading a trained run back."""

from __future__ import annotations

import json
import os
import re

import ml_collections
import tensorflow as tf
from absl import logging

from tfgan_repro.models import GANModel, build_model

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"


def architecture(config: ml_collections.ConfigDict) -> dict:
  """What a checkpoint depends on: the model and its networks' settings."""
  return {
    "model": config.model,
    "generator": config.generator.to_dict(),
    "discriminator": config.discriminator.to_dict(),
  }


def prepare_workdir(config: ml_collections.ConfigDict, workdir: str) -> None:
  """Creates `workdir` and writes the resolved config; refuses a workdir of another architecture."""
  os.makedirs(workdir, exist_ok=True)
  path = os.path.join(workdir, CONFIG_FILE)
  if os.path.exists(path):
    previous = load_config(workdir)
    if architecture(previous) != architecture(config):
      raise ValueError(
        f"workdir {workdir!r} holds a run of a different model: {architecture(previous)} "
        f"(from {path}), but the config asks for {architecture(config)}. "
        "Use another --workdir, or the same settings to resume."
      )
  tmp = path + ".tmp"
  with open(tmp, "w") as f:
    f.write(config.to_json(indent=2, sort_keys=True))
  os.replace(tmp, path)  # atomic: a crash never leaves half a config


def load_config(workdir: str) -> ml_collections.ConfigDict:
  path = os.path.join(workdir, CONFIG_FILE)
  if not os.path.exists(path):
    raise ValueError(f"{workdir!r} is not a training workdir: {CONFIG_FILE} is missing")
  with open(path) as f:
    return ml_collections.ConfigDict(json.load(f))


class Checkpointer:
  """tf.train.CheckpointManager over `model.checkpoint_items()`.

  TF writes the checkpoint files first and then atomically replaces the `checkpoint` state
  file, so a run killed mid-save still resumes from the previous complete checkpoint.
  """

  def __init__(self, model: GANModel, workdir: str, max_to_keep: int = 3):
    self.checkpoint = tf.train.Checkpoint(**model.checkpoint_items())
    self.manager = tf.train.CheckpointManager(
      self.checkpoint, os.path.join(workdir, CHECKPOINT_DIR), max_to_keep=max_to_keep
    )
    self.model = model

  def restore_latest(self, *, expect_partial: bool = False) -> int:
    """Restores the newest checkpoint if any; returns the step reached (0 for a fresh run)."""
    path = self.manager.latest_checkpoint
    if path is None:
      return 0
    status = self.checkpoint.restore(path)
    if expect_partial:
      status.expect_partial()
    else:
      status.assert_existing_objects_matched()
    step = int(self.model.step.numpy())
    logging.info("Restored %s (step %d)", path, step)
    return step

  def save(self) -> str:
    return self.manager.save(checkpoint_number=int(self.model.step.numpy()))

  @property
  def latest(self) -> str | None:
    return self.manager.latest_checkpoint


def load_run(
  workdir: str, checkpoint: str | None = None
) -> tuple[ml_collections.ConfigDict, GANModel, int]:
  """Rebuilds a run's model from its config and restores its newest (or the named) checkpoint.

  Returns (config, model, step); the step is the checkpoint's number (saved as `ckpt-STEP`).
  Errors name what is wrong: no run, no checkpoint, or a checkpoint of another architecture
  (with the architecture of both runs when the checkpoint's run has a config)."""
  if not os.path.isdir(workdir):
    raise ValueError(f"workdir {workdir!r} does not exist")
  config = load_config(workdir)
  if checkpoint is not None and not tf.io.gfile.exists(checkpoint + ".index"):
    raise ValueError(f"checkpoint {checkpoint!r} does not exist (no {checkpoint}.index)")
  path = checkpoint or tf.train.latest_checkpoint(os.path.join(workdir, CHECKPOINT_DIR))
  if path is None:
    raise ValueError(f"workdir {workdir!r} has no checkpoint in {CHECKPOINT_DIR}/ to load")
  model = build_model(config)
  try:
    tf.train.Checkpoint(model=model).restore(
      path
    ).expect_partial().assert_existing_objects_matched()
  except (ValueError, AssertionError, tf.errors.OpError) as err:
    raise ValueError(_mismatch(config, workdir, path, err)) from err
  return config, model, int(path.rsplit("-", 1)[1])


def _mismatch(config: ml_collections.ConfigDict, workdir: str, path: str, err: Exception) -> str:
  # TF lists unmatched variables with their values: keep the paths and shapes only.
  detail = re.sub(
    r"<Variable path=([^,]+), shape=(\([^)]*\)).*?(?=, <Variable|\]$)",
    r"\1 \2",
    str(err),
    flags=re.S,
  )
  run_dir = os.path.dirname(os.path.dirname(path))  # RUN/checkpoints/ckpt-N -> RUN
  other_config = os.path.join(run_dir, CONFIG_FILE)
  if os.path.abspath(run_dir) != os.path.abspath(workdir) and os.path.exists(other_config):
    detail = (
      f"it was trained as {architecture(load_config(run_dir))} (from {other_config}); {detail}"
    )
  return (
    f"checkpoint {path} is not of the architecture of workdir {workdir!r}, "
    f"{architecture(config)} (from {CONFIG_FILE}): {detail}"
  )
