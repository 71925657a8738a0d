"""The judge of stacked shapes: a small CNN that reads the shape of each channel, so generated
images map to one of the 1000 modes (data/procedural/stacked_shapes.py).

Stacked MNIST (VEEGAN Sec. 5.2; PacGAN Sec. 4.2) labels each channel of a generated image with a
pretrained MNIST classifier; here the classifier is trained on TRUE shape renders. One net with
shared weights reads every channel as a grayscale image [S, S, 1] in [-1, 1]: a 3x3 conv of
`filters` channels, then `depth` stride-2 3x3 convs doubling the channels (each batch norm,
ReLU), global average pooling and a dense layer to 10 logits; cross-entropy, Adam, trained with
evaluation/judge_training.py. Saved as a .keras file with a JSON beside it holding its input
shape and held-out accuracy per channel.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.data.procedural import stacked_shapes
from tfgan_repro.evaluation.judge_training import (
  accuracy_path,
  check_judge_args,
  classifier_cnn,
  load_class_judge_file,
  save_judge,
  to_float,
  train_judge,
)
from tfgan_repro.evaluation.metrics.mode_coverage import discrete_mode_scores

_BATCH = 256  # channel images per forward pass when classifying


def build_judge(
  size: int,
  *,
  filters: int = 16,  # as train_shape_judge
  depth: int = 3,  # as train_shape_judge
) -> keras.Model:
  """Grayscale channels float32 [N, size, size, 1] in [-1, 1] -> logits [N, 10] (SHAPES order)."""
  if size < 2**depth:
    raise ValueError(f"size must be >= {2**depth} (2**depth), got {size}")
  inputs = keras.Input((size, size, 1), name="channel")
  return classifier_cnn(
    inputs, filters=filters, depth=depth, num_logits=stacked_shapes.NUM_CLASSES, name="shape_judge"
  )


def _channels(images: np.ndarray) -> np.ndarray:
  """[N, S, S, 3] -> [N * 3, S, S, 1]: channel c of image n at row 3 n + c."""
  n, s = images.shape[0], images.shape[1]
  return np.transpose(images, (0, 3, 1, 2)).reshape(n * 3, s, s, 1)


def classify_channels(judge: keras.Model, images: np.ndarray, batch: int = _BATCH) -> np.ndarray:
  """int32 [N, 3]: the shape class of each channel of images float [N, S, S, 3] in [-1, 1]."""
  images = np.asarray(images, np.float32)
  size = judge.input_shape[1]
  if images.ndim != 4 or images.shape[1:] != (size, size, 3):
    raise ValueError(f"images must be [N, {size}, {size}, 3], got {images.shape}")
  flat = _channels(images)  # [N * 3, S, S, 1]
  logits = [judge(flat[i : i + batch], training=False) for i in range(0, len(flat), batch)]
  classes = np.argmax(np.concatenate([np.asarray(v) for v in logits]), axis=-1)
  return classes.reshape(len(images), 3).astype(np.int32)


def classify_modes(judge: keras.Model, images: np.ndarray, batch: int = _BATCH) -> np.ndarray:
  """int32 [N]: the mode id 100 c0 + 10 c1 + c2 of images float [N, S, S, 3] in [-1, 1]."""
  return stacked_shapes.mode_ids(classify_channels(judge, images, batch))


def mode_scores(judge: keras.Model, images: np.ndarray) -> dict:
  """{"modes": modes covered of 1000, "kl": KL(generated modes || uniform)} of `images`
  (VEEGAN Sec. 5.2)."""
  return discrete_mode_scores(classify_modes(judge, images), stacked_shapes.NUM_MODES)


def _train_data(images: np.ndarray, classes: np.ndarray, batch: int, seed: int) -> tf.data.Dataset:
  """Endless shuffled (channel [S, S, 1] in [-1, 1], class) batches of every channel."""
  x, y = to_float(_channels(images)), classes.reshape(-1)  # [N * 3, S, S, 1], [N * 3]
  ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed, True).repeat()
  return ds.batch(batch, drop_remainder=True).prefetch(2)


def train_shape_judge(
  out: str,
  *,
  size: int = 32,  # the stacked-MNIST DCGAN's 32 px (stacked MNIST resized 28 -> 32)
  # measured at 32 px on 2 CPU cores shared with other jobs: 12 s of training, held-out accuracy
  # 1.00 on each channel and on the whole mode (500 test images)
  steps: int = 300,
  batch: int = 64,  # this module's choice: 300 steps see ~3 epochs of 6000 channels
  lr: float = 1e-3,  # Adam default (Kingma & Ba 2015)
  num_train: int = 2000,  # this module's choice: 6000 channel images, 600 per shape
  num_test: int = 500,  # held-out images scored (1500 channels)
  filters: int = 16,  # this module's choice: small, fast on CPU
  depth: int = 3,  # stride-2 levels: 4x4 features at 32 px before the pooling
  seed: int = 0,  # as the configs' seed (configs/common.py)
  procedural_seed: int = 0,  # the data config's procedural_seed default
  log_every: int = 100,  # steps between progress lines
) -> dict:
  """Trains a judge on true train renders of stacked shapes, saves it to `out` (.keras) and its
  input shape and held-out accuracy (per channel, and of the whole mode) to `accuracy_path(out)`;
  returns that JSON's content. Deterministic given `seed`."""
  check_judge_args(out, steps, log_every)
  keras.utils.set_random_seed(seed)
  images, ids = stacked_shapes.stacked_shapes_arrays("train", size, num_train, procedural_seed)
  judge = build_judge(size, filters=filters, depth=depth)
  seconds = train_judge(
    judge,
    _train_data(images, stacked_shapes.mode_classes(ids), batch, seed),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    lr=lr,
    steps=steps,
    log_every=log_every,
    name="shape_judge",
  )
  test_images, test_ids = stacked_shapes.stacked_shapes_arrays(
    "test", size, num_test, procedural_seed
  )
  predicted = classify_channels(judge, to_float(test_images))  # [N, 3]
  correct = predicted == stacked_shapes.mode_classes(test_ids)  # [N, 3]
  result = {
    "input_shape": [size, size, 1],
    "classes": list(stacked_shapes.SHAPES),
    "steps": steps,
    "seed": seed,
    "train_seconds": round(seconds, 1),
    "num_test": num_test,
    "test": {
      "channel_accuracy": [float(a) for a in correct.mean(axis=0)],
      "mode_accuracy": float(correct.all(axis=1).mean()),
    },
  }
  return save_judge(judge, out, accuracy_path(out), result)


def load_shape_judge(path: str, size: int) -> keras.Model:
  """The judge saved at `path`, checked to read channels [N, size, size, 1] into the 10 shapes;
  errors name the file and what was expected."""
  train = f"train one with `bazel run //bin:train_shape_judge -- --size={size} --out=PATH`"
  return load_class_judge_file(
    path,
    what="shape judge",
    classes=list(stacked_shapes.SHAPES),
    input_shape=(size, size, 1),
    missing_hint=train,
    hint=f": {train}",
    needs="channels ",
  )
