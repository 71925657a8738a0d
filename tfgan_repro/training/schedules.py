"""Learning-rate schedules as functions of the optimizer step."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class LinearDecayAfter(keras.optimizers.schedules.LearningRateSchedule):
  """The official `--lr_policy linear`: lr * (1 - max(0, epoch + epoch_count - n_epochs) / (n_epochs_decay + 1)).

  epoch = step // steps_per_epoch (official steps the scheduler once per epoch), epoch_count = 1
  (official `--epoch_count 1`). Constant for `n_epochs`, then linear decay to 0 over `n_epochs_decay`.
  """

  def __init__(self, initial_lr: float, n_epochs: int, n_epochs_decay: int, steps_per_epoch: int):
    for name, value in (("n_epochs", n_epochs), ("n_epochs_decay", n_epochs_decay)):
      if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if steps_per_epoch < 1:
      raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
    self.initial_lr = initial_lr
    self.n_epochs = n_epochs
    self.n_epochs_decay = n_epochs_decay
    self.steps_per_epoch = steps_per_epoch

  def __call__(self, step):
    epoch = tf.cast(tf.cast(step, tf.int64) // self.steps_per_epoch, tf.float32)
    decayed = tf.maximum(0.0, epoch + 1.0 - self.n_epochs) / float(self.n_epochs_decay + 1)
    return self.initial_lr * tf.maximum(0.0, 1.0 - decayed)

  def get_config(self) -> dict:
    return {
      "initial_lr": self.initial_lr,
      "n_epochs": self.n_epochs,
      "n_epochs_decay": self.n_epochs_decay,
      "steps_per_epoch": self.steps_per_epoch,
    }
