"""Training of a judge network (the FCN-score segmenter, the attribute classifier): one Adam fit
over an endless dataset with progress lines, saved as a .keras file with its JSON beside it."""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from tfgan_repro.util import timing
from tfgan_repro.util.atomic import write_json_atomic


def check_judge_args(out: str, steps: int, log_every: int) -> None:
  """ValueError unless `out` ends with .keras and steps, log_every >= 1."""
  if not out.endswith(".keras"):
    raise ValueError(f"out must end with .keras (the Keras 3 file format), got {out!r}")
  if steps < 1 or log_every < 1:
    raise ValueError(f"steps and log_every must be >= 1, got {steps!r}, {log_every!r}")


def train_judge(
  net: keras.Model,
  data: tf.data.Dataset,
  *,
  loss: keras.losses.Loss,
  lr: float,
  steps: int,
  log_every: int,
  name: str,
) -> float:
  """Compiles `net` with Adam(lr) and `loss` and fits it for `steps` batches of the endless
  `data`, in one fit (one pass of the data's iterator, whatever log_every), printing
  "<name> step i/steps, loss L" every `log_every` steps and at the last. Returns the seconds
  the fit took."""
  net.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)

  def progress(batch: int, logs: dict) -> None:
    if (batch + 1) % log_every == 0 or batch + 1 == steps:
      print(f"{name} step {batch + 1}/{steps}, loss {logs['loss']:.4f}", flush=True)

  callback = keras.callbacks.LambdaCallback(on_train_batch_end=progress)
  return timing.elapsed_s(
    lambda: net.fit(
      data, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False, callbacks=[callback]
    )
  )


def save_judge(net: keras.Model, out: str, json_path: str, result: dict) -> dict:
  """Saves `net` to `out` (.keras) and `result` to `json_path` (atomically); returns `result`."""
  os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
  net.save(out)
  write_json_atomic(json_path, result)
  return result
