"""The judge of class shapes: a small CNN that reads the class (shape x colour) of an RGB image,
so a class-conditional generator is scored by how often its image of class y is judged y
(data/procedural/class_shapes.py; the protocol of ACGAN's classification accuracy, Odena et al.
2017, Sec. 4.1, with a classifier trained on TRUE renders).

Images float32 [N, S, S, 3] in [-1, 1]: a 3x3 conv of `filters` channels, then `depth` stride-2
3x3 convs doubling the channels (each batch norm, ReLU), global average pooling ("pool", the
features of FID / precision / recall on this data) and a dense layer to 12 logits; cross-entropy,
Adam, trained with evaluation/judge_training.py. Saved as a .keras file with a JSON beside it
holding its input shape, class names and held-out accuracy.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.data.procedural import class_shapes
from tfgan_repro.evaluation.judge_training import (
  accuracy_path,
  check_judge_args,
  classifier_cnn,
  load_class_judge_file,
  save_judge,
  to_float,
  train_judge,
)

_BATCH = 256  # images per forward pass when classifying


def build_class_judge(size: int, *, filters: int = 8, depth: int = 3) -> keras.Model:
  """Images float32 [N, size, size, 3] in [-1, 1] -> logits [N, 12] (class_shapes order)."""
  if size < 2**depth:
    raise ValueError(f"size must be >= {2**depth} (2**depth), got {size}")
  inputs = keras.Input((size, size, 3), name="image")
  return classifier_cnn(
    inputs, filters=filters, depth=depth, num_logits=class_shapes.NUM_CLASSES, name="class_judge"
  )


def classify(judge: keras.Model, images: np.ndarray, batch: int = _BATCH) -> np.ndarray:
  """int32 [N]: the judged class of images float [N, S, S, 3] in [-1, 1]."""
  images = np.asarray(images, np.float32)
  size = judge.input_shape[1]
  if images.ndim != 4 or images.shape[1:] != (size, size, 3):
    raise ValueError(f"images must be [N, {size}, {size}, 3], got {images.shape}")
  logits = [judge(images[i : i + batch], training=False) for i in range(0, len(images), batch)]
  return np.argmax(np.concatenate([np.asarray(v) for v in logits]), axis=-1).astype(np.int32)


def train_class_judge(
  out: str,
  *,
  size: int = 32,  # configs/conditional.py shapes32: 32 px
  # measured at 32 px on 2 CPU cores shared with other jobs: 6.5 s of training, held-out
  # accuracy 0.983 (300 test renders); Adam 1e-3 reached 0.82 after 150 steps
  steps: int = 300,
  batch: int = 32,  # this module's choice: 300 steps see 8 epochs of 1200 renders
  lr: float = 1e-2,  # this module's choice (see steps)
  num_train: int = 1200,  # this module's choice: 100 per class
  num_test: int = 300,  # held-out renders scored
  filters: int = 8,  # this module's choice: small, fast on CPU
  depth: int = 3,  # stride-2 levels: 4x4 features at 32 px before the pooling
  seed: int = 0,  # as the configs' seed (configs/common.py)
  procedural_seed: int = 0,  # the data config's procedural_seed default
  log_every: int = 100,  # steps between progress lines
) -> dict:
  """Trains a judge on true train renders of class shapes, saves it to `out` (.keras) and its
  input shape and held-out accuracy to `accuracy_path(out)`; returns that JSON's content."""
  check_judge_args(out, steps, log_every)
  keras.utils.set_random_seed(seed)
  images, labels = class_shapes.class_shapes_arrays("train", size, num_train, procedural_seed)
  judge = build_class_judge(size, filters=filters, depth=depth)
  data = tf.data.Dataset.from_tensor_slices((to_float(images), labels))
  data = data.shuffle(len(labels), seed, True).repeat().batch(batch, drop_remainder=True)
  seconds = train_judge(
    judge,
    data.prefetch(2),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    lr=lr,
    steps=steps,
    log_every=log_every,
    name="class_judge",
  )
  test_images, test_labels = class_shapes.class_shapes_arrays(
    "test", size, num_test, procedural_seed
  )
  correct = classify(judge, to_float(test_images)) == test_labels
  result = {
    "input_shape": [size, size, 3],
    "classes": list(class_shapes.CLASS_NAMES),
    "steps": steps,
    "seed": seed,
    "train_seconds": round(seconds, 1),
    "num_test": num_test,
    "test": {"accuracy": float(correct.mean())},
  }
  return save_judge(judge, out, accuracy_path(out), result)


def load_class_judge(path: str, size: int) -> keras.Model:
  """The judge saved at `path`, checked to read images [N, size, size, 3] into the 12 classes;
  errors name the file and what was expected."""
  return load_class_judge_file(
    path,
    what="class judge",
    classes=list(class_shapes.CLASS_NAMES),
    input_shape=(size, size, 3),
    missing_hint="train one with train_class_judge",
  )
