"""Tests of the image pipeline (dataset_mode "images" / "labelled_images") on mocked tfds
datasets, a folder of PNGs and the procedural sources."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from tfgan_repro.data import images, pipeline
from tfgan_repro.data.procedural import stacked_shapes


def _cfg(**kw) -> dict:
  return {"dataset_mode": "images", "load_size": 16, "crop_size": 16, **kw}


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_mocked_tfds_gives_rgb_images_in_range(name):
  cfg = _cfg(source="tfds", name=name, flip=False)
  with tfds.testing.mock_data(num_examples=5):
    x = next(iter(pipeline.make_dataset(cfg, "train", 2, training=True, seed=0)))
    sizes = [int(b.shape[0]) for b in pipeline.make_dataset(cfg, "test", 2, training=False, seed=0)]
    x_test, labels = images.image_arrays({**cfg, "dataset_mode": "labelled_images"}, "test", 3)
    assert pipeline.epoch_size(cfg, "train") == 5
  assert x.shape == (2, 16, 16, 3) and x.dtype == tf.float32
  assert -1.0 <= x.numpy().min() and x.numpy().max() <= 1.0
  assert sizes == [2, 2, 1]
  assert x_test.shape == (3, 16, 16, 3) and labels.dtype == np.int32
  assert 0 <= labels.min() and labels.max() < 10
  if name == "mnist":  # grayscale repeated to 3 equal channels
    np.testing.assert_array_equal(x_test[..., 0], x_test[..., 1])
    np.testing.assert_array_equal(x_test[..., 0], x_test[..., 2])


def test_mocked_tfds_labelled_batches():
  cfg = _cfg(source="tfds", name="cifar10", dataset_mode="labelled_images")
  with tfds.testing.mock_data(num_examples=4):
    x, y = next(iter(pipeline.make_dataset(cfg, "train", 3, training=True, seed=1)))
    assert images.num_image_classes(cfg) == 10
  assert x.shape == (3, 16, 16, 3) and y.shape == (3,) and y.dtype == tf.int32


def _png(path, rgb: tuple[int, int, int], size: tuple[int, int]) -> None:
  os.makedirs(os.path.dirname(path), exist_ok=True)
  Image.new("RGB", size, rgb).save(path)


def test_folder_of_pngs_any_layout(tmp_path):
  _png(tmp_path / "a.png", (255, 0, 0), (20, 16))
  _png(tmp_path / "x" / "y" / "b.png", (0, 255, 0), (16, 16))
  _png(tmp_path / "x" / "c.png", (0, 0, 255), (24, 24))
  cfg = _cfg(source="folder", path=str(tmp_path))
  x = next(iter(pipeline.make_dataset(cfg, "train", 3, training=True, seed=0)))
  assert x.shape == (3, 16, 16, 3) and x.numpy().min() >= -1.0 and x.numpy().max() <= 1.0
  stored, labels = images.image_arrays(cfg, "test")  # unsplit: the same images for either split
  np.testing.assert_allclose(stored[:, 8, 8], [[1, -1, -1], [-1, -1, 1], [-1, 1, -1]], atol=1e-6)
  np.testing.assert_array_equal(labels, [-1, -1, -1])  # a.png, x/c.png, x/y/b.png: sorted walk
  with pytest.raises(ValueError, match="needs class labels"):
    images.image_arrays({**cfg, "dataset_mode": "labelled_images"})


def test_folder_with_split_folders(tmp_path):
  _png(tmp_path / "train" / "a.png", (255, 0, 0), (16, 16))
  _png(tmp_path / "train" / "b.png", (255, 0, 0), (16, 16))
  _png(tmp_path / "test" / "deep" / "c.png", (0, 0, 255), (16, 16))
  cfg = _cfg(source="folder", path=str(tmp_path))
  assert pipeline.epoch_size(cfg, "train") == 2 and pipeline.epoch_size(cfg, "test") == 1
  np.testing.assert_allclose(images.image_arrays(cfg, "test")[0][0, 0, 0], [-1, -1, 1])


def test_stacked_shapes_labels_are_mode_ids():
  cfg = _cfg(source="stacked_shapes", dataset_mode="labelled_images", num_test=5)
  x, y = next(iter(pipeline.make_dataset(cfg, "test", 5, training=False, seed=0)))
  true_images, ids = stacked_shapes.stacked_shapes_arrays("test", 16, 5)
  np.testing.assert_array_equal(y.numpy(), ids)
  np.testing.assert_allclose(x.numpy(), true_images / 127.5 - 1.0, atol=1e-6)
  assert images.num_image_classes(cfg) == 1000


def test_faces_as_images_and_unknown_sources():
  cfg = _cfg(source="faces", num_train=4)
  x = next(iter(pipeline.make_dataset(cfg, "train", 2, training=True, seed=0)))
  assert x.shape == (2, 16, 16, 3)
  with pytest.raises(ValueError, match="does not serve dataset_mode 'images'"):
    pipeline.make_dataset(_cfg(source="seasons"), "train", 2, training=True, seed=0)
  with pytest.raises(ValueError, match="does not serve dataset_mode 'unaligned'"):
    pipeline.make_dataset(dict(source="stacked_shapes"), "train", 2, training=True, seed=0)
