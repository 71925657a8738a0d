"""Callbacks of the training loop: non-finite guard, checkpoints, TensorBoard."""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from tfgan_repro.training import images as image_utils
from tfgan_repro.training.checkpointing import Checkpointer


class NonFiniteLossError(RuntimeError):
  """A loss became NaN or Inf; the run stops and the last good checkpoint is kept."""


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
  """Saves a checkpoint at the end of each fit epoch (= `checkpoint_every` steps), only if every
  weight is finite (a step can blow the weights up before any loss shows it)."""

  def __init__(self, checkpointer: Checkpointer):
    super().__init__()
    self.checkpointer = checkpointer

  def on_epoch_end(self, epoch, logs=None):
    bad = [
      v.path for v in self.model.trainable_variables if not tf.reduce_all(tf.math.is_finite(v))
    ]
    if bad:
      raise NonFiniteLossError(
        f"non-finite weights at step {int(self.model.step.numpy())} ({', '.join(bad[:3])}, ...): "
        f"training stopped; the last good checkpoint is kept: {self.checkpointer.latest}"
      )
    self.checkpointer.save()


class TensorBoardLogger(keras.callbacks.Callback):
  """Every loss and learning rate each `log_every` steps; image grids each fit epoch."""

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
      for name, columns in self.model.display_images(*self.display).items():
        tf.summary.image(f"images/{name}", image_utils.grid(columns)[None], max_outputs=1)
    self.writer.flush()

  def on_train_end(self, logs=None):
    self.writer.flush()
