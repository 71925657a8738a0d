"""Class shapes (data/procedural/class_shapes.py): determinism, labels, distinct classes with
intra-class variety, the labelled image pipeline; labelled tfds sources on mocked data."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfgan_repro.data import images, pipeline
from tfgan_repro.data.procedural import class_shapes


def test_renders_are_deterministic_and_prefix_stable():
  a, la = class_shapes.class_shapes_arrays("train", 16, 20, seed=3)
  b, lb = class_shapes.class_shapes_arrays("train", 16, 30, seed=3)
  np.testing.assert_array_equal(a, b[:20])
  np.testing.assert_array_equal(la, lb[:20])
  c, _ = class_shapes.class_shapes_arrays("test", 16, 20, seed=3)
  d, _ = class_shapes.class_shapes_arrays("train", 16, 20, seed=4)
  assert not np.array_equal(a, c) and not np.array_equal(a, d)
  assert a.shape == (20, 16, 16, 3) and a.dtype == np.uint8 and la.dtype == np.int32


def test_every_class_appears_with_its_colour_and_variety():
  x, labels = class_shapes.class_shapes_arrays("train", 32, 600)
  assert class_shapes.NUM_CLASSES == 12 == len(set(class_shapes.CLASS_NAMES))
  assert set(labels.tolist()) == set(range(12))
  x = x.astype(np.float64)
  bright = x.max(axis=-1) > 150  # [N, S, S]: the shape's pixels (backgrounds are <= 70)
  for k in range(12):
    rows = labels == k
    color = k % 3  # class = shape * 3 + colour; colours red, green, blue
    pixels = x[rows][bright[rows]]  # [P, 3]
    assert np.argmax(pixels.mean(axis=0)) == color, k
    # intra-class variety: no two images of the class are equal
    flat = x[rows].reshape(rows.sum(), -1)
    assert len(np.unique(flat, axis=0)) == rows.sum()
  # shapes differ in area: a circle (r 0.9) covers more than a cross of the same radius
  area = bright.mean(axis=(1, 2))
  circle = area[labels // 3 == 0].mean()
  cross = area[labels // 3 == 3].mean()
  assert circle > 1.5 * cross


def test_bad_arguments_name_the_value():
  with pytest.raises(ValueError, match="split must be one of"):
    class_shapes.class_shapes_arrays("val", 16, 2)
  with pytest.raises(ValueError, match="size must be an int in"):
    class_shapes.class_shapes_arrays("train", 8, 2)


def test_labelled_pipeline_of_class_shapes():
  cfg = {
    "source": "class_shapes",
    "dataset_mode": "labelled_images",
    "crop_size": 16,
    "load_size": 16,
    "num_train": 12,
    "num_test": 6,
    "flip": False,
  }
  x, y = next(iter(pipeline.make_dataset(cfg, "train", 4, training=True, seed=0)))
  assert x.shape == (4, 16, 16, 3) and x.dtype == tf.float32 and y.dtype == tf.int32
  assert -1.0 <= float(tf.reduce_min(x)) and float(tf.reduce_max(x)) <= 1.0
  assert images.num_image_classes(cfg) == 12
  test_x, test_y = images.image_arrays(cfg, "test")
  raw, raw_labels = class_shapes.class_shapes_arrays("test", 16, 6)
  np.testing.assert_array_equal(test_y, raw_labels)
  np.testing.assert_allclose(test_x, raw / 127.5 - 1.0, atol=1e-6)


@pytest.mark.parametrize(
  "name,num_classes", [("cifar10", 10), ("stanford_dogs", 120), ("imagenet2012", 1000)]
)
def test_mocked_tfds_sources_give_their_labels(name, num_classes):
  cfg = {
    "source": "tfds",
    "name": name,
    "dataset_mode": "labelled_images",
    "crop_size": 16,
    "load_size": 16,
  }
  with tfds.testing.mock_data(num_examples=4):
    x, y = next(iter(pipeline.make_dataset(cfg, "train", 2, training=True, seed=0)))
    assert images.num_image_classes(cfg) == num_classes
  assert x.shape == (2, 16, 16, 3) and y.dtype == tf.int32
  assert 0 <= int(tf.reduce_min(y)) and int(tf.reduce_max(y)) < num_classes
