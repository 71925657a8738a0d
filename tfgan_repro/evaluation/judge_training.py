"""Training of a judge network (the FCN-score segmenter, the attribute classifier, the shape and
class judges): one Adam fit over an endless dataset with progress lines, saved as a .keras file
with its JSON beside it; the small CNN the classifiers share, and the checked loading."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro import layers
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


def conv_block(x: keras.KerasTensor, filters: int, strides: int, name: str) -> keras.KerasTensor:
  """Conv 3x3 (zero padding 1, `strides`), batch norm, ReLU."""
  x = layers.conv2d(x, filters, 3, strides=strides, padding=1, use_bias=False, name=name)
  return keras.layers.ReLU(name=f"{name}_relu")(layers.normalization("batch", f"{name}_norm")(x))


def classifier_cnn(
  inputs: keras.KerasTensor, *, filters: int, depth: int, num_logits: int, name: str
) -> keras.Model:
  """A 3x3 conv "conv0" of `filters` channels, then `depth` stride-2 blocks "conv{i}" of
  filters * 2**i channels, global average pooling "pool" and a dense layer "logits"."""
  x = conv_block(inputs, filters, 1, "conv0")
  for i in range(1, depth + 1):
    x = conv_block(x, filters * 2**i, 2, f"conv{i}")  # (~S / 2**i, ~S / 2**i, filters * 2**i)
  x = keras.layers.GlobalAveragePooling2D(name="pool")(x)  # [N, filters * 2**depth]
  logits = keras.layers.Dense(num_logits, name="logits")(x)
  return keras.Model(inputs, logits, name=name)


def to_float(images: np.ndarray) -> np.ndarray:
  """uint8 images -> float32 in [-1, 1] (data.transforms.to_float)."""
  return images.astype(np.float32) / 127.5 - 1.0


def accuracy_path(model_path: str) -> str:
  """The JSON written beside a judge file: PATH.keras -> PATH.json."""
  return os.path.splitext(model_path)[0] + ".json"


def load_keras_file(path: str, what: str) -> keras.Model:
  """The Keras model at `path` (uncompiled); ValueError naming `what` if it is no model file."""
  try:
    return keras.models.load_model(path, compile=False)
  except Exception as err:  # Keras raises several types for a file that is no model
    raise ValueError(f"{what} file {path!r} is not a Keras model file: {err}") from err


def load_class_judge_file(
  path: str,
  *,
  what: str,
  classes: list[str],
  input_shape: tuple[int, ...],
  missing_hint: str,
  hint: str = "",
  needs: str = "",
) -> keras.Model:
  """The judge saved at `path`, checked to read images `input_shape` into `classes` (by the JSON
  beside it, when there is one, and by its input and output shapes). Errors name `what` and the
  file; `missing_hint` follows a missing file, `hint` the other errors, `needs` the eval shape."""
  if not os.path.isfile(path):
    raise ValueError(f"{what} file {path!r} does not exist; {missing_hint}")
  meta_path = accuracy_path(path)
  if os.path.isfile(meta_path):
    with open(meta_path) as f:
      saved = json.load(f).get("classes")
    if saved != classes:
      raise ValueError(f"{what} {path!r} reads classes {saved} ({meta_path}), not {classes}{hint}")
  judge = load_keras_file(path, what)
  got_in, got_out = tuple(judge.input_shape), tuple(judge.output_shape)
  want_in = (None, *input_shape)
  if got_in != want_in or got_out != (None, len(classes)):
    raise ValueError(
      f"{what} {path!r} takes input {got_in} and gives {got_out[-1]} logits; eval needs "
      f"{needs}{want_in} and {len(classes)} classes{hint}"
    )
  return judge
