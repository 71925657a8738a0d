"""The FCN-score's segmenter: a small encoder-decoder trained on TRUE city renders (photo -> labels).

pix2pix (Sec. 4.2) and CycleGAN (Sec. 5.1.1) score generated Cityscapes photos by how well an
FCN-8s trained on real photos segments them. Here the photos are procedural (data/procedural/
city.py), so the segmenter is trained on their true renders: a U-Net-like net of `depth` stride-2
levels (conv 3x3, batch norm, ReLU; transposed conv 3x3 up, skip concatenation; a 1x1
conv to one logit per class), cross-entropy, Adam. It takes photos in [-1, 1] at one fixed size,
the size it was trained at, and is saved as a .keras file with a JSON of its held-out accuracy.
"""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro import layers
from tfgan_repro.data.procedural import city
from tfgan_repro.evaluation.judge_training import (
  accuracy_path,
  check_judge_args,
  conv_block,
  load_keras_file,
  save_judge,
  to_float,
  train_judge,
)
from tfgan_repro.evaluation.metrics import confusion_matrix, per_class_iou, segmentation_scores

NUM_CLASSES = len(city.CLASSES)
_BATCH = 16  # images per forward pass when segmenting


def build_segmenter(
  height: int,
  width: int,
  num_classes: int = NUM_CLASSES,  # city.CLASSES
  *,
  filters: int = 16,  # as train_segmenter
  depth: int = 3,  # as train_segmenter
) -> keras.Model:
  """Photos float32 [N, height, width, 3] in [-1, 1] -> logits [N, height, width, num_classes].

  Level i (0..depth) has filters * 2**i channels at 1 / 2**i the size; height and width must be
  multiples of 2**depth.
  """
  if height % 2**depth or width % 2**depth:
    raise ValueError(f"height and width must be multiples of {2**depth}, got {height}x{width}")
  inputs = keras.Input((height, width, 3), name="photo")
  x, skips = conv_block(inputs, filters, 1, "enc0"), []
  for i in range(1, depth + 1):
    skips.append(x)
    x = conv_block(x, filters * 2**i, 2, f"enc{i}")  # (H / 2**i, W / 2**i, filters * 2**i)
    x = conv_block(x, filters * 2**i, 1, f"enc{i}b")
  for i in reversed(range(depth)):
    x = layers.upsample(x, filters * 2**i, "transpose", use_bias=False, name=f"up{i}")
    x = keras.layers.ReLU(name=f"up{i}_relu")(layers.normalization("batch", f"up{i}_norm")(x))
    x = keras.layers.Concatenate(name=f"skip{i}")([x, skips[i]])
    x = conv_block(x, filters * 2**i, 1, f"dec{i}")
  logits = keras.layers.Conv2D(num_classes, 1, name="logits")(x)
  return keras.Model(inputs, logits, name="segmenter")


def _photos(arrays: city.CityArrays) -> np.ndarray:
  return to_float(arrays.photos)


def _train_data(arrays: city.CityArrays, batch: int, seed: int) -> tf.data.Dataset:
  """Endless shuffled (photo, labels) batches, each pair flipped left-right with probability 1/2."""
  ds = tf.data.Dataset.from_tensor_slices((_photos(arrays), arrays.labels.astype(np.int32)))
  ds = ds.shuffle(len(arrays.labels), seed=seed, reshuffle_each_iteration=True).repeat()

  def flip(index: tf.Tensor, pair: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
    coin = tf.random.stateless_uniform([], tf.stack([tf.constant(seed, tf.int64), index]))
    return tuple(tf.cond(coin < 0.5, lambda v=v: tf.reverse(v, [1]), lambda v=v: v) for v in pair)

  return ds.enumerate().map(flip).batch(batch, drop_remainder=True).prefetch(2)


def segment(model: keras.Model, photos: np.ndarray, batch: int = _BATCH) -> np.ndarray:
  """int64 [N, H, W] class ids: the argmax of the segmenter's logits on photos in [-1, 1]."""
  outs = [model(photos[i : i + batch], training=False) for i in range(0, len(photos), batch)]
  return np.concatenate([np.argmax(o.numpy(), axis=-1) for o in outs])


def score(model: keras.Model, photos: np.ndarray, labels: np.ndarray) -> dict:
  """FCN-score of `photos` against the true `labels` [N, H, W]: the three scores and the
  per-class IoU (None for a class absent from truth and prediction)."""
  num_classes = model.output_shape[-1]
  confusion = confusion_matrix(labels, segment(model, photos), num_classes)
  ious = [None if np.isnan(v) else float(v) for v in per_class_iou(confusion)]
  return {**segmentation_scores(confusion), "class_iou": ious}


def train_segmenter(
  out: str,
  *,
  size: int = 128,  # the pix2pix city config's crop size (configs/pix2pix.py)
  aspect: int = 1,  # width / height of the renders (city.ASPECTS)
  # measured at 128 px on 2 CPU cores shared with other jobs: 0.7 s per step, 359 s in all,
  # held-out per-pixel accuracy 0.985, mean IoU 0.920
  steps: int = 500,
  batch: int = 8,  # this module's choice: 4 epochs of 1000 scenes in 500 steps
  lr: float = 1e-3,  # Adam default (Kingma & Ba 2015)
  num_train: int = 1000,  # the pix2pix city config's training scenes (configs/pix2pix.py)
  num_test: int = 100,  # the pix2pix city config's held-out scenes (its eval split)
  filters: int = 16,  # this module's choice: 0.49M parameters, fast on CPU
  depth: int = 3,  # stride-2 levels: 1/8 resolution at the bottom, as FCN-8s' finest
  seed: int = 0,  # as the configs' seed (configs/common.py)
  log_every: int = 100,  # steps between progress lines
) -> dict:
  """Trains a segmenter on the true train renders of the city dataset (procedural seed 0, as the
  configs), saves it to `out` (.keras) and its held-out accuracy to `accuracy_path(out)`;
  returns that JSON's content. Deterministic given `seed`."""
  check_judge_args(out, steps, log_every)
  keras.utils.set_random_seed(seed)
  train = city.city_arrays("train", size, num_train, aspect=aspect)
  model = build_segmenter(size, size * aspect, filters=filters, depth=depth)
  seconds = train_judge(
    model,
    _train_data(train, batch, seed),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    lr=lr,
    steps=steps,
    log_every=log_every,
    name="segmenter",
  )
  test = city.city_arrays("test", size, num_test, aspect=aspect)
  result = {
    "input_shape": [size, size * aspect, 3],
    "classes": list(city.CLASSES),
    "steps": steps,
    "seed": seed,
    "train_seconds": round(seconds, 1),
    "num_test": num_test,
    "test": score(model, _photos(test), test.labels),
  }
  return save_judge(model, out, accuracy_path(out), result)


def load_segmenter(path: str, height: int, width: int) -> keras.Model:
  """The segmenter saved at `path`, checked to take photos [N, height, width, 3] and to give one
  logit per city class; errors name the file and what was expected."""
  expected = (
    f"photos of shape (None, {height}, {width}, 3) and {NUM_CLASSES} classes {city.CLASSES}"
  )
  if not os.path.isfile(path):
    raise ValueError(
      f"segmenter file {path!r} does not exist; train one with `bazel run "
      f"//bin:train_segmenter -- --size={height} --out=PATH` (it must take {expected})"
    )
  model = load_keras_file(path, "segmenter")
  got_in, got_out = tuple(model.input_shape), tuple(model.output_shape)
  if got_in != (None, height, width, 3) or got_out[-1] != NUM_CLASSES:
    raise ValueError(
      f"segmenter file {path!r} takes input {got_in} and gives {got_out[-1]} classes; eval needs "
      f"{expected}: train one at this size with --size={height}"
    )
  return model
