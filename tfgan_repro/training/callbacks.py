"""Callbacks of the training loop (their `model` is the Trainer): non-finite guard, checkpoints,
TensorBoard."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable

import keras
import tensorflow as tf

from tfgan_repro.training import images as image_utils
from tfgan_repro.training.checkpointing import Checkpointer, NonFiniteLossError
from tfgan_repro.util.atomic import write_json_atomic

__all__ = [
  "BEST_FILE",
  "CheckpointEvery",
  "NonFiniteGuard",
  "NonFiniteLossError",
  "ScoreEvery",
  "TensorBoardLogger",
]

# Beside the best checkpoint: {"step", "key", "value", "scores", "checkpoint"}.
BEST_FILE = "best.json"


class NonFiniteGuard(keras.callbacks.Callback):
  """Stops the run at the first NaN/Inf loss, naming the step, before anything is saved."""

  def __init__(self, checkpointer: Checkpointer):
    super().__init__()
    self.checkpointer = checkpointer

  def on_train_batch_end(self, batch, logs=None):
    for name, value in (logs or {}).items():
      if not math.isfinite(float(value)):
        step = int(self.model.step.numpy())
        raise NonFiniteLossError(
          f"loss {name} = {float(value)} at step {step}: training stopped; the last good "
          f"checkpoint is kept: {self.checkpointer.latest}"
        )


class CheckpointEvery(keras.callbacks.Callback):
  """Saves a checkpoint at the end of each fit epoch (= `checkpoint_every` steps); the save
  refuses any non-finite checkpointed value (Checkpointer.save: a step can blow up weights,
  batch-norm statistics, optimizer slots or image pools before any loss shows it)."""

  def __init__(self, checkpointer: Checkpointer):
    super().__init__()
    self.checkpointer = checkpointer

  def on_epoch_end(self, epoch, logs=None):
    self.checkpointer.save()


class TensorBoardLogger(keras.callbacks.Callback):
  """Every loss and each player's learning rate each `log_every` steps; image grids of the
  trained model each fit epoch."""

  def __init__(self, logdir: str, log_every: int, display: tuple[tf.Tensor, tf.Tensor]):
    super().__init__()
    self.writer = tf.summary.create_file_writer(logdir)
    self.log_every = log_every
    self.display = display

  def on_train_batch_end(self, batch, logs=None):
    step = int(self.model.step.numpy())
    if step % self.log_every:
      return
    with self.writer.as_default(step=step):
      for name, value in (logs or {}).items():
        tf.summary.scalar(f"loss/{name}", float(value))
      for name, optimizer in self.model.optimizers.items():
        tf.summary.scalar(f"learning_rate/{name}", float(optimizer.learning_rate))

  def on_epoch_end(self, epoch, logs=None):
    self.write_images()

  def write_images(self) -> None:
    with self.writer.as_default(step=int(self.model.step.numpy())):
      for name, columns in self.model.model.display_images(*self.display).items():
        tf.summary.image(f"images/{name}", image_utils.grid(columns)[None], max_outputs=1)
    self.writer.flush()

  def on_train_end(self, logs=None):
    self.writer.flush()


class ScoreEvery(keras.callbacks.Callback):
  """Every `every_steps` training steps (and at the end of training): `score()` -> {name: float}
  (e.g. FID and KID of the shipped generator), each logged to TensorBoard as eval/<name>; when
  scores[key] is the lowest so far, the model (nets, step, EMA copies; no optimizers) is saved as
  `best_dir`/ckpt-STEP, the previous best removed, and BEST_FILE written beside it. A resumed run
  reads the best so far from BEST_FILE. The trainer knows no task: the scoring function is
  given (tasks: Task.training_callbacks)."""

  def __init__(
    self,
    score: Callable[[], dict[str, float]],
    every_steps: int,
    logdir: str,
    best_dir: str,
    key: str = "fid",
  ):
    super().__init__()
    if every_steps < 1:
      raise ValueError(f"every_steps must be >= 1, got {every_steps}")
    self.score = score
    self.every_steps = every_steps
    self.writer = tf.summary.create_file_writer(logdir)
    self.best_dir = best_dir
    self.key = key
    self.best = self._read_best()
    self._last_step = -1

  def _read_best(self) -> dict | None:
    path = os.path.join(self.best_dir, BEST_FILE)
    if not os.path.isfile(path):
      return None
    with open(path, encoding="utf-8") as f:
      return json.load(f)

  def on_train_batch_end(self, batch, logs=None):
    step = int(self.model.step.numpy())
    if step % self.every_steps == 0:
      self.evaluate(step)

  def on_train_end(self, logs=None):
    step = int(self.model.step.numpy())
    if step != self._last_step:
      self.evaluate(step)
    self.writer.flush()

  def evaluate(self, step: int) -> dict[str, float]:
    """Scores the model now, logs the scores at `step`, keeps the checkpoint if best; returns
    the scores."""
    self._last_step = step
    scores = {name: float(value) for name, value in self.score().items()}
    if self.key not in scores:
      raise ValueError(f"score() must return {self.key!r}, got {sorted(scores)}")
    with self.writer.as_default(step=step):
      for name, value in scores.items():
        tf.summary.scalar(f"eval/{name}", value)
    self.writer.flush()
    value = scores[self.key]
    if math.isfinite(value) and (self.best is None or value < self.best["value"]):
      self._keep(step, value, scores)
    return scores

  def _keep(self, step: int, value: float, scores: dict[str, float]) -> None:
    os.makedirs(self.best_dir, exist_ok=True)
    old = self.best["checkpoint"] if self.best else None
    items = self.model.checkpoint_items(optimizers=False)
    path = tf.train.Checkpoint(**items).write(os.path.join(self.best_dir, f"ckpt-{step}"))
    self.best = {
      "step": step,
      "key": self.key,
      "value": value,
      "scores": scores,
      "checkpoint": path,
    }
    write_json_atomic(os.path.join(self.best_dir, BEST_FILE), self.best)
    if old and old != path:
      for name in tf.io.gfile.glob(old + ".*"):
        tf.io.gfile.remove(name)
