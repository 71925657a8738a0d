"""The bounding-box crop (transforms.bbox_crop, data.bbox_crop): known boxes crop known pixels;
the class shapes' true boxes; tfds boxes (stanford_dogs on mocked data); sources without boxes."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfgan_repro.data import images, tfds_source, transforms
from tfgan_repro.data.procedural import class_shapes

IMAGE = np.arange(8 * 10 * 3, dtype=np.uint8).reshape(8, 10, 3)  # H 8, W 10


def test_a_square_box_crops_its_pixels():
  box = [0.25, 0.2, 0.75, 0.6]  # rows 2..6, cols 2..6
  got = transforms.bbox_crop(IMAGE, box, 0.0, 4).numpy()
  np.testing.assert_array_equal(got, IMAGE[2:6, 2:6])


def test_a_wide_box_is_squared_about_its_centre_and_kept_inside():
  box = [0.375, 0.2, 0.625, 0.6]  # rows 3..5 (2 px), cols 2..6 (4 px): a 4 px square, rows 2..6
  np.testing.assert_array_equal(transforms.bbox_crop(IMAGE, box, 0.0, 4), IMAGE[2:6, 2:6])
  top = [0.0, 0.0, 0.25, 0.4]  # rows 0..2, cols 0..4: the square would start at row -1
  np.testing.assert_array_equal(transforms.bbox_crop(IMAGE, top, 0.0, 4), IMAGE[0:4, 0:4])
  # margin 0.25 of 4 px per side: 6 px about the centre (4, 4) -> rows 1..7, cols 1..7
  np.testing.assert_array_equal(
    transforms.bbox_crop(IMAGE, [0.25, 0.2, 0.75, 0.6], 0.25, 6), IMAGE[1:7, 1:7]
  )
  # larger than the image's short side: the short side (8), shifted inside
  whole = transforms.bbox_crop(IMAGE, [0.0, 0.0, 1.0, 1.0], 0.0, 8).numpy()
  np.testing.assert_array_equal(whole, IMAGE[:, 1:9])
  with pytest.raises(ValueError, match="margin must be >= 0"):
    transforms.bbox_crop(IMAGE, [0.0, 0.0, 1.0, 1.0], -0.1, 8)


def test_class_shapes_boxes_bound_the_shape():
  x, _ = class_shapes.class_shapes_arrays("train", 32, 8, seed=5)
  boxes = class_shapes.class_shapes_boxes("train", 32, 8, seed=5)
  assert boxes.shape == (8, 4) and boxes.dtype == np.float32
  np.testing.assert_array_equal(class_shapes.class_shapes_boxes("train", 32, 4, seed=5), boxes[:4])
  pix = np.round(boxes * 32).astype(int)
  for image, (y0, x0, y1, x1) in zip(x.astype(int), pix, strict=True):
    bright = image.max(axis=-1) > 110  # the shape's core (backgrounds <= 70, shapes >= 150)
    rows, cols = np.flatnonzero(bright.any(1)), np.flatnonzero(bright.any(0))
    assert y0 <= rows.min() and rows.max() < y1 and x0 <= cols.min() and cols.max() < x1
    assert rows.min() - y0 <= 1 and y1 - 1 - rows.max() <= 1  # no more than the faint edge
    assert cols.min() - x0 <= 1 and x1 - 1 - cols.max() <= 1
    outside = np.ones_like(bright)
    outside[y0:y1, x0:x1] = False
    assert (np.abs(image - image[0, 0]).max(-1)[outside] <= 1).all()  # background only


def _cfg(**over) -> dict:
  cfg = {
    "source": "class_shapes",
    "dataset_mode": "labelled_images",
    "crop_size": 16,
    "load_size": 16,
    "num_train": 6,
    "num_test": 4,
    "flip": False,
    "bbox_crop": True,
  }
  cfg.update(over)
  return cfg


def test_pipeline_crops_class_shapes_to_their_boxes():
  got, labels = images.image_arrays(_cfg(), "train")
  raw, raw_labels = class_shapes.class_shapes_arrays("train", 16, 6)
  boxes = class_shapes.class_shapes_boxes("train", 16, 6)
  want = [transforms.bbox_crop(x, b, 0.0, 16).numpy() for x, b in zip(raw, boxes, strict=True)]
  np.testing.assert_array_equal(labels, raw_labels)
  np.testing.assert_allclose(got, np.stack(want) / 127.5 - 1.0, atol=1e-6)
  assert not np.allclose(got, raw / 127.5 - 1.0)  # the crop enlarges the shapes
  # the shape now reaches the borders of its box: a bright pixel on the first and last row/col
  bright = got.max(axis=-1) > 110 / 127.5 - 1.0  # [N, S, S]
  assert bright[:, :2].any() and bright[:, -2:].any()


def test_held_out_images_stay_whole():
  got, _ = images.image_arrays(_cfg(), "test")
  raw, _ = class_shapes.class_shapes_arrays("test", 16, 4)
  np.testing.assert_allclose(got, raw / 127.5 - 1.0, atol=1e-6)


def test_sources_without_boxes_name_the_source():
  with pytest.raises(ValueError, match="source 'faces' .* has none"):
    images.image_arrays(_cfg(source="faces", dataset_mode="images"), "test")
  with pytest.raises(ValueError, match="bbox_crop applies to the dataset_modes"):
    images.image_arrays(_cfg(dataset_mode="unaligned", source="seasons"), "test")
  with pytest.raises(ValueError, match="bbox_margin must be >= 0"):
    images.image_arrays(_cfg(bbox_margin=-0.5), "test")


DOGS = np.random.default_rng(0).integers(0, 256, (3, 20, 24, 3)).astype(np.uint8)
DOG_BOXES = [
  [[0.25, 0.25, 0.75, 0.5833333], [0.0, 0.0, 0.5, 0.5]],  # rows 5..15, cols 6..14 -> 5..15
  [[0.0, 0.0, 1.0, 1.0], [0.1, 0.1, 0.2, 0.2]],  # the whole image: its short side 20
  [[0.5, 0.5, 1.0, 1.0], [0.0, 0.0, 0.1, 0.1]],  # rows 10..20, cols 12..24: 12 px, shifted up
]
WANT = [DOGS[0, 5:15, 5:15], DOGS[1, :, 2:22], DOGS[2, 8:20, 12:24]]


def _mock_dogs(self, split, decoders=None, **kwargs):
  del self, split, decoders, kwargs
  return tf.data.Dataset.from_tensor_slices(
    {
      "image": DOGS,
      "image/filename": tf.constant(["a.jpg", "b.jpg", "c.jpg"]),
      "label": tf.constant([3, 0, 7], tf.int64),
      "objects": {"bbox": tf.constant(DOG_BOXES, tf.float32)},
    }
  )


def test_tfds_boxes_of_stanford_dogs_crop_the_dog():
  with tfds.testing.mock_data(as_dataset_fn=_mock_dogs):
    boxes = np.stack(list(tfds_source.load_boxes("stanford_dogs", "train").as_numpy_iterator()))
    cfg = _cfg(source="tfds", name="stanford_dogs", crop_size=10, load_size=10)
    got, labels = images.image_arrays(cfg, "train")
  np.testing.assert_allclose(boxes, np.asarray(DOG_BOXES)[:, 0])  # the first object's box
  np.testing.assert_array_equal(labels, [3, 0, 7])
  np.testing.assert_array_equal(transforms.to_uint8(got[0]), WANT[0])
  for i in (1, 2):
    want = transforms.resize_bilinear(WANT[i], 10).numpy()
    np.testing.assert_array_equal(transforms.to_uint8(got[i]), want)


def test_tfds_without_boxes_names_the_dataset():
  with tfds.testing.mock_data(num_examples=2):
    with pytest.raises(ValueError, match="tfds dataset 'cifar10' has no bounding boxes"):
      images.image_arrays(_cfg(source="tfds", name="cifar10"), "train")
