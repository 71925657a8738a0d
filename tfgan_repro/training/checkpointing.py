"""Workdir layout, checkpoints (atomic, resumable) and loading a trained run back."""

from __future__ import annotations

import json
import os
import re

import ml_collections
import tensorflow as tf
from absl import logging

from tfgan_repro.models import GANModel, PretrainedGenerator, build_model
from tfgan_repro.training.trainer import Trainer
from tfgan_repro.util.atomic import write_text_atomic

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
CORRUPT_DIR = "corrupt"  # inside CHECKPOINT_DIR: checkpoints that could not be read back


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
  write_text_atomic(path, config.to_json(indent=2, sort_keys=True))  # never half a config


def load_config(workdir: str) -> ml_collections.ConfigDict:
  path = os.path.join(workdir, CONFIG_FILE)
  if not os.path.exists(path):
    raise ValueError(f"{workdir!r} is not a training workdir: {CONFIG_FILE} is missing")
  with open(path) as f:
    return ml_collections.ConfigDict(json.load(f))


class NonFiniteLossError(RuntimeError):
  """A loss or a checkpointed value became NaN or Inf; the run stops and the last good checkpoint
  is kept."""


class CheckpointWriteError(RuntimeError):
  """A checkpoint could not be written (disk full, read-only, ...); the previous one is kept."""


def state_variables(items: dict[str, object]) -> list[tuple[str, object]]:
  """(name, variable) of everything a checkpoint of `items` holds: each item's variables (nets
  with their batch-norm statistics, image pools, optimizer iterations and slots, EMA copies) or
  the item itself when it is a variable (the step)."""
  out = []
  for key, item in items.items():
    variables = [item] if isinstance(item, tf.Variable) else list(getattr(item, "variables", []))
    for v in variables:
      out.append((f"{key}/{getattr(v, 'path', None) or v.name}", v))
  return out


def nonfinite_state(items: dict[str, object]) -> list[str]:
  """Names of the floating-point variables of `items` (state_variables) holding a NaN or Inf."""
  bad = []
  for name, v in state_variables(items):
    if tf.as_dtype(v.dtype).is_floating and not bool(tf.reduce_all(tf.math.is_finite(v))):
      bad.append(name)
  return bad


def checkpoint_problem(path: str) -> str | None:
  """Why the checkpoint `path` cannot be read back (every tensor read, checksums checked), or
  None when it can."""
  try:
    reader = tf.train.load_checkpoint(path)
    for name in reader.get_variable_to_shape_map():
      reader.get_tensor(name)
  except Exception as err:  # noqa: BLE001  (the reader raises OpError, IndexError, ...)
    return f"{type(err).__name__}: {str(err).strip().splitlines()[0][:300]}"
  return None


class Checkpointer:
  """tf.train.CheckpointManager over a trainer's `checkpoint_items()` (with its "step").

  TF writes the checkpoint files first and then atomically replaces the `checkpoint` state
  file, so a run killed mid-save still resumes from the previous complete checkpoint. Each save
  first checks every checkpointed value is finite (NonFiniteLossError naming the variables); a
  failed write raises CheckpointWriteError naming the folder. A newest checkpoint that cannot be
  read back is moved to checkpoints/corrupt/ with a warning and the previous one restored.
  """

  def __init__(self, items: dict[str, object], workdir: str, max_to_keep: int = 3):
    if "step" not in items:
      raise ValueError(f"checkpoint items need the training 'step', got {sorted(items)}")
    self.items = dict(items)
    self.directory = os.path.join(workdir, CHECKPOINT_DIR)
    self.max_to_keep = max_to_keep
    self.checkpoint = tf.train.Checkpoint(**items)
    self.manager = self._manager()
    self.step = items["step"]

  def _manager(self) -> tf.train.CheckpointManager:
    return tf.train.CheckpointManager(self.checkpoint, self.directory, max_to_keep=self.max_to_keep)

  def _set_aside(self, path: str, problem: str) -> None:
    """Moves the files of the unreadable checkpoint `path` into checkpoints/corrupt/ and drops
    it from the `checkpoint` state file."""
    corrupt = os.path.join(self.directory, CORRUPT_DIR)
    os.makedirs(corrupt, exist_ok=True)
    for name in tf.io.gfile.glob(path + ".*"):
      os.replace(name, os.path.join(corrupt, os.path.basename(name)))
    kept = [p for p in self.manager.checkpoints if p != path]
    if kept:
      tf.compat.v1.train.update_checkpoint_state(
        self.directory, kept[-1], all_model_checkpoint_paths=kept
      )
    else:
      os.remove(os.path.join(self.directory, "checkpoint"))
    logging.warning(
      "checkpoint %s cannot be read (%s): moved to %s; falling back to the previous one",
      path,
      problem,
      corrupt,
    )
    self.manager = self._manager()

  def restore_latest(self, *, expect_partial: bool = False) -> int:
    """Restores the newest readable checkpoint if any; returns the step reached (0 for a fresh
    run). Unreadable newer ones are set aside (warning naming each); ValueError when every
    checkpoint is unreadable."""
    set_aside = []
    while self.manager.latest_checkpoint is not None:
      path = self.manager.latest_checkpoint
      problem = checkpoint_problem(path)
      if problem is None:
        break
      self._set_aside(path, problem)
      set_aside.append(path)
    path = self.manager.latest_checkpoint
    if path is None:
      if set_aside:
        raise ValueError(
          f"no checkpoint in {self.directory} can be read ({', '.join(set_aside)} moved to "
          f"{CORRUPT_DIR}/); remove the folder or pass --overwrite to start afresh"
        )
      return 0
    status = self.checkpoint.restore(path)
    if expect_partial:
      status.expect_partial()
    else:
      status.assert_existing_objects_matched()
    step = int(self.step.numpy())
    logging.info("Restored %s (step %d)", path, step)
    return step

  def save(self) -> str:
    """Saves a checkpoint of the current step after checking every value is finite."""
    step = int(self.step.numpy())
    bad = nonfinite_state(self.items)
    if bad:
      shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
      raise NonFiniteLossError(
        f"non-finite values at step {step} in {shown}: training stopped before saving; the last "
        f"good checkpoint is kept: {self.latest}"
      )
    try:
      return self.manager.save(checkpoint_number=step)
    except (OSError, tf.errors.OpError) as err:
      self.manager = self._manager()  # what the `checkpoint` state file says, not the failed save
      prefix = os.path.join(self.directory, f"ckpt-{step}")
      partial = [] if prefix in self.manager.checkpoints else tf.io.gfile.glob(prefix + "[._]*")
      for name in partial:
        if tf.io.gfile.isdir(name):
          tf.io.gfile.rmtree(name)
        else:
          tf.io.gfile.remove(name)
      raise CheckpointWriteError(
        f"could not write the checkpoint of step {step} into {self.directory}: "
        f"{str(err).strip().splitlines()[0]}; the last good checkpoint is kept: {self.latest}"
      ) from err

  @property
  def latest(self) -> str | None:
    return self.manager.latest_checkpoint


def _newest_readable(directory: str) -> str:
  """The newest checkpoint of `directory` that can be read back; unreadable newer ones are
  skipped with a warning and left where they are (a reader does not change a run).
  ValueError when there is none."""
  state = tf.train.get_checkpoint_state(directory)
  paths = list(state.all_model_checkpoint_paths) if state else []
  problems = []
  for path in reversed(paths):
    problem = checkpoint_problem(path)
    if problem is None:
      if problems:
        logging.warning("skipped unreadable checkpoint(s) %s; loading %s", problems, path)
      return path
    problems.append(f"{path} ({problem})")
  if problems:
    raise ValueError(f"no checkpoint in {directory} can be read: {'; '.join(problems)}")
  raise ValueError(
    f"workdir {os.path.dirname(directory)!r} has no checkpoint in {CHECKPOINT_DIR}/ to load"
  )


def load_run(
  workdir: str, checkpoint: str | None = None
) -> tuple[ml_collections.ConfigDict, GANModel, int]:
  """Rebuilds a run's model from its config and restores its newest (or the named) checkpoint:
  its nets, and for a trained run the trainer's step and EMA copies (`model.step`,
  `model.shipped_generators`), without the optimizers.

  Returns (config, model, step); the step is the checkpoint's number (saved as `ckpt-STEP`).
  Errors name what is wrong: no run, no checkpoint, or a checkpoint of another architecture
  (with the architecture of both runs when the checkpoint's run has a config). Without a named
  checkpoint, an unreadable newest one (a torn copy, a bad disk) gives way to the previous one."""
  if not os.path.isdir(workdir):
    raise ValueError(f"workdir {workdir!r} does not exist")
  config = load_config(workdir)
  if checkpoint is not None and not tf.io.gfile.exists(checkpoint + ".index"):
    raise ValueError(f"checkpoint {checkpoint!r} does not exist (no {checkpoint}.index)")
  path = checkpoint or _newest_readable(os.path.join(workdir, CHECKPOINT_DIR))
  model = build_model(config)
  items = {"model": model}
  if not isinstance(model, PretrainedGenerator):  # a trained run: its step and EMA copies too
    items = Trainer(model, steps_per_epoch=1, build_optimizers=False).checkpoint_items(
      optimizers=False
    )
  step = items.pop("step", None)
  try:
    tf.train.Checkpoint(**items).restore(path).expect_partial().assert_existing_objects_matched()
  except (ValueError, AssertionError, tf.errors.OpError) as err:
    raise ValueError(_mismatch(config, workdir, path, err)) from err
  if step is not None:  # model.step; a checkpoint of the model alone leaves it 0
    tf.train.Checkpoint(step=step).restore(path).expect_partial()
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
