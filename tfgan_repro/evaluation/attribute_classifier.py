"""The attribute classifier that judges edits: a small CNN trained on TRUE renders of the faces.

StarGAN and AttGAN score attribute edits by the accuracy of a classifier trained on real images;
here the faces are procedural (data/procedural/faces.py), so the classifier is trained on their
true renders. Net: a 3x3 conv of `filters` channels, then `depth` stride-2 3x3 convs doubling
the channels (each batch norm, ReLU), global average pooling and a dense layer to one logit per
attribute; sigmoid cross-entropy, Adam. It takes images in [-1, 1] at one fixed size, the size it
was trained at, and is saved as a .keras file with a JSON beside it holding its attribute names,
input shape and held-out accuracy: `load_classifier` refuses a classifier of other attributes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import keras
import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro import data
from tfgan_repro.evaluation.judge_training import (
  accuracy_path,
  check_judge_args,
  classifier_cnn,
  load_keras_file,
  save_judge,
  train_judge,
)
from tfgan_repro.evaluation.metrics.attribute_edit import attribute_accuracy

_BATCH = 64  # images per forward pass when predicting


def build_classifier(
  size: int,
  num_attributes: int,
  *,
  filters: int = 16,  # as train_classifier
  depth: int = 4,  # as train_classifier
) -> keras.Model:
  """Images float32 [N, size, size, 3] in [-1, 1] -> logits [N, num_attributes] (module doc).

  Level i (1..depth) has filters * 2**i channels at 1 / 2**i the size; size must be a multiple
  of 2**depth.
  """
  if size % 2**depth:
    raise ValueError(f"size must be a multiple of {2**depth} (2**depth), got {size}")
  if num_attributes < 1:
    raise ValueError(f"num_attributes must be >= 1, got {num_attributes}")
  inputs = keras.Input((size, size, 3), name="image")
  return classifier_cnn(
    inputs, filters=filters, depth=depth, num_logits=num_attributes, name="attribute_classifier"
  )


def predict(net: keras.Model, images: np.ndarray, batch: int = _BATCH) -> np.ndarray:
  """float32 [N, A]: the probability of each attribute (sigmoid of the logits) for images
  [N, S, S, 3] in [-1, 1]."""
  images = np.asarray(images, np.float32)
  if images.ndim != 4 or images.shape[1:] != tuple(net.input_shape[1:]):
    raise ValueError(f"images must be [N, *{tuple(net.input_shape[1:])}], got {images.shape}")
  if not len(images):
    raise ValueError("images is empty: nothing to classify")
  outs = [net(images[i : i + batch], training=False) for i in range(0, len(images), batch)]
  return tf.sigmoid(tf.concat(outs, axis=0)).numpy()  # [N, A]


def classifier_data_config(
  size: int, attributes: str, num_train: int, num_test: int, source: str = "faces"
) -> ml_collections.ConfigDict:
  """The data block the classifier trains and is scored on: `source` at `size` px, the run's
  `attributes` (comma-separated; "" = all of the source), procedural seed 0 as the configs, and
  balanced attributes (each value seen equally often, rare ones such as glasses included)."""
  cfg = data.default_data_config()
  cfg.update(
    source=source,
    dataset_mode="attributes",
    attributes=attributes,
    balanced=True,
    load_size=size,
    crop_size=size,
    num_train=num_train,
    num_test=num_test,
  )
  return cfg


def _scores(net: keras.Model, images: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> dict:
  accuracy = attribute_accuracy(predict(net, images), labels)  # [A]
  return {
    "num_images": int(len(images)),
    "accuracy": {n: float(a) for n, a in zip(names, accuracy, strict=True)},
    "mean_accuracy": float(accuracy.mean()),
  }


def _test_images(cfg, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
  """(images [N, S, S, 3], attributes [N, A]) of the held-out split, in stored order."""
  ds = data.attribute_dataset(cfg, "test", _BATCH, training=False, seed=0)
  batches = list(ds.as_numpy_iterator())
  return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])


def train_classifier(
  out: str,
  *,
  size: int = 64,  # the attribute configs' face size (the faces64 configs: 64x64)
  attributes: str = "",  # "" = every attribute of the source (data config `attributes`)
  source: str = "faces",  # the procedural faces: true renders of every attribute vector
  # measured at 64 px on 2 CPU cores shared with other jobs: 48 s of training (97 s in all with
  # the renders), held-out accuracy 1.00 on each attribute (200 faces and their 800 true edits)
  steps: int = 300,
  batch: int = 32,  # this module's choice: 300 steps see ~5 epochs of 2000 faces
  lr: float = 1e-3,  # Adam default (Kingma & Ba 2015)
  num_train: int = 2000,  # this module's choice: enough faces for > 0.95 held-out accuracy
  num_test: int = 200,  # held-out faces scored (and their true edits, where the source has them)
  filters: int = 16,  # this module's choice: 0.39M parameters, fast on CPU
  depth: int = 4,  # stride-2 levels: 4x4 features at 64 px before the pooling
  seed: int = 0,  # as the configs' seed (configs/common.py)
  log_every: int = 100,  # steps between progress lines
) -> dict:
  """Trains a classifier on the true train renders of `source`, saves it to `out` (.keras) and
  its attributes, input shape and held-out accuracy to `accuracy_path(out)`; returns that JSON's
  content. Where the source knows each test face's true edits (the procedural faces), the
  accuracy on those renders (every attribute flipped, so each value is seen equally) is added
  as "true_edits". Deterministic given `seed`."""
  check_judge_args(out, steps, log_every)
  keras.utils.set_random_seed(seed)
  cfg = classifier_data_config(size, attributes, num_train, num_test, source)
  names = data.attribute_names(cfg)
  net = build_classifier(size, len(names), filters=filters, depth=depth)
  seconds = train_judge(
    net,
    data.attribute_dataset(cfg, "train", batch, training=True, seed=seed),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    lr=lr,
    steps=steps,
    log_every=log_every,
    name="classifier",
  )
  result = {
    "attributes": list(names),
    "input_shape": [size, size, 3],
    "source": source,
    "steps": steps,
    "seed": seed,
    "train_seconds": round(seconds, 1),
    "test": _scores(net, *_test_images(cfg, names), names),
  }
  try:
    _, attrs, edits = data.attribute_test_arrays(cfg, num_test)  # edits [N, A, S, S, 3]
    flipped = np.where(np.eye(len(names), dtype=bool)[None], 1.0 - attrs[:, None], attrs[:, None])
    result["true_edits"] = _scores(
      net, edits.reshape(-1, size, size, 3), flipped.reshape(-1, len(names)), names
    )  # [N * A, S, S, 3], [N * A, A]
  except data.NoGroundTruthError:
    pass  # e.g. CelebA: no true edits
  return save_judge(net, out, accuracy_path(out), result)


def load_classifier(path: str, attributes: Sequence[str], size: int) -> keras.Model:
  """The classifier saved at `path`, checked (by the JSON beside it and its input shape) to
  judge every one of `attributes` on images [N, size, size, 3]; a classifier of more attributes
  serves a run of some of them (its logits of `attributes`, in that order, are returned: e.g. the
  4-attribute faces classifier judges a CycleCGAN glasses run). Errors name the file and what was
  expected."""
  attributes = list(attributes)
  expected = f"attributes {attributes} at {size}x{size} px"
  train = (
    f"train one with `bazel run //bin:train_attribute_classifier -- --size={size} "
    f"--attributes={','.join(attributes)} --out=PATH`"
  )
  meta_path = accuracy_path(path)
  if not os.path.isfile(path) or not os.path.isfile(meta_path):
    missing = path if not os.path.isfile(path) else meta_path
    raise ValueError(f"classifier file {missing!r} does not exist; {train} (eval needs {expected})")
  with open(meta_path) as f:
    meta = json.load(f)
  judged = list(meta.get("attributes") or [])
  if not set(attributes) <= set(judged):
    raise ValueError(
      f"classifier {path!r} judges attributes {judged} ({meta_path}); this run edits "
      f"{attributes}: {train}"
    )
  net = load_keras_file(path, "classifier")
  got_in, got_out = tuple(net.input_shape), tuple(net.output_shape)
  if got_in != (None, size, size, 3) or got_out != (None, len(judged)):
    raise ValueError(
      f"classifier {path!r} takes input {got_in} and gives {got_out[-1]} logits; eval needs "
      f"{expected}: {train}"
    )
  if judged == attributes:
    return net
  columns = [judged.index(a) for a in attributes]
  logits = keras.layers.Lambda(lambda x: tf.gather(x, columns, axis=-1), name="select")(net.output)
  return keras.Model(net.input, logits, name=f"{net.name}_selected")
