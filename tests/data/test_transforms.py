"""Tests of the official get_transform steps."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_repro.data import transforms


@pytest.mark.parametrize("size", [23, 61])  # shrink (anti-aliased) and enlarge
def test_resize_bicubic_matches_pil(size):
  image = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
  pil = np.asarray(Image.fromarray(image).resize((size, size), Image.BICUBIC)).astype(np.float64)
  ours = transforms.resize_bicubic(tf.constant(image), size, size).numpy()
  assert ours.shape == (size, size, 3) and ours.dtype == np.uint8
  assert np.abs(ours - pil).mean() < 0.5  # measured 0.16 / 0.28 levels


def test_resize_bicubic_keeps_a_constant_image():
  image = tf.fill([7, 9, 3], tf.constant(77, tf.uint8))
  np.testing.assert_array_equal(
    transforms.resize_bicubic(image, 12, 5).numpy(), np.full((12, 5, 3), 77)
  )


@pytest.mark.parametrize(
  "shape, expected",
  [((30, 45), (32, 44)), ((42, 50), (40, 48)), ((32, 44), (32, 44))],  # round half to even
)
def test_make_power_2_rounds_sides_to_multiples_of_4(shape, expected):
  image = tf.zeros(shape + (3,), tf.uint8)
  assert tuple(transforms.make_power_2(image).shape) == expected + (3,)


def test_random_crop_flip_takes_a_window_seeded():
  image = tf.reshape(tf.range(10 * 10 * 3, dtype=tf.int32), [10, 10, 3])
  seed = tf.constant([3, 4], tf.int64)
  crop = transforms.random_crop_flip(image, 6, False, seed).numpy()
  np.testing.assert_array_equal(crop, transforms.random_crop_flip(image, 6, False, seed).numpy())
  top, left = divmod(int(crop[0, 0, 0]) // 3, 10)
  np.testing.assert_array_equal(crop, image.numpy()[top : top + 6, left : left + 6])


def test_random_flip_mirrors_about_half_the_time():
  image = tf.reshape(tf.range(4 * 5 * 3, dtype=tf.int32), [4, 5, 3])
  flips = 0
  for i in range(40):
    out = transforms.random_crop_flip(image, None, True, tf.constant([0, i], tf.int64)).numpy()
    mirrored = np.array_equal(out, image.numpy()[:, ::-1])
    assert mirrored or np.array_equal(out, image.numpy())
    flips += mirrored
  assert 10 <= flips <= 30


def test_center_crop_window():
  image = tf.reshape(tf.range(6 * 8), [6, 8, 1])
  np.testing.assert_array_equal(
    transforms.center_crop(image, 4).numpy()[..., 0], np.arange(48).reshape(6, 8)[1:5, 2:6]
  )


def test_to_float_range_and_inverse():
  values = np.arange(256, dtype=np.uint8)
  x = transforms.to_float(tf.constant(values)).numpy()
  np.testing.assert_allclose(x[[0, 51, 255]], [-1.0, -0.6, 1.0], atol=1e-6)
  np.testing.assert_array_equal(transforms.to_uint8(x), values)


def test_label_maps_resize_with_nearest_and_become_one_hot_or_colours():
  labels = tf.constant([[[0, 7], [2, 0]], [[1, 0], [3, 5]]], tf.int32)  # [2, 2, 2]: class, instance
  big = transforms.resize(labels, 4, 4, labels=True).numpy()
  assert big.dtype == np.int32
  np.testing.assert_array_equal(
    big[..., 0], [[0, 0, 2, 2], [0, 0, 2, 2], [1, 1, 3, 3], [1, 1, 3, 3]]
  )
  np.testing.assert_array_equal(
    big[..., 1], [[7, 7, 0, 0], [7, 7, 0, 0], [0, 0, 5, 5], [0, 0, 5, 5]]
  )
  onehot = transforms.one_hot(labels, 4).numpy()
  assert onehot.shape == (2, 2, 4)
  np.testing.assert_array_equal(onehot[1, 1], [0.0, 0.0, 0.0, 1.0])
  np.testing.assert_array_equal(onehot.sum(-1), 1.0)
  palette = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 255]], np.uint8)
  np.testing.assert_array_equal(
    transforms.colorize(labels, palette).numpy()[0, 1], [1.0, -1.0, -1.0]
  )


def test_random_crop_flip_crops_stacked_maps_as_one():
  image = tf.reshape(tf.range(6 * 6 * 5), [6, 6, 5])  # 5 channels: e.g. label map + photo
  out = transforms.random_crop_flip(image, 4, True, tf.constant([3, 4], tf.int64)).numpy()
  assert out.shape == (4, 4, 5)
  rows, cols = out[..., 0] // (6 * 5), (out[..., 0] // 5) % 6  # where each pixel came from
  for c in range(1, 5):
    np.testing.assert_array_equal(out[..., c], out[..., 0] + c)  # channels stay together
  assert len(np.unique(np.diff(rows, axis=0))) == 1 and abs(np.diff(cols, axis=1)).max() == 1
