"""Tests of the tfds source on mocked cycle_gan/horse2zebra (nothing downloads here)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from tfgan_repro.data import pipeline, tfds_source


def test_load_domain_gives_images_and_count():
  with tfds.testing.mock_data(num_examples=5):
    images, count = tfds_source.load_domain("cycle_gan/horse2zebra", "train", "A")
    first = next(iter(images))
  assert count == 5
  assert first.dtype == tf.uint8 and first.shape.rank == 3 and first.shape[-1] == 3


def test_pipeline_on_mocked_horse2zebra():
  cfg = dict(source="tfds", name="cycle_gan/horse2zebra", load_size=20, crop_size=16)
  with tfds.testing.mock_data(num_examples=5):
    a, b = next(iter(pipeline.unpaired_dataset(cfg, "train", 2, training=True, seed=0)))
    sizes = [
      int(x.shape[0]) for x, _ in pipeline.unpaired_dataset(cfg, "test", 2, training=False, seed=0)
    ]
    test_b = pipeline.domain_images(cfg, "test", "B", num=3)
  assert a.shape == b.shape == (2, 16, 16, 3) and a.dtype == tf.float32
  assert -1.0 <= a.numpy().min() and a.numpy().max() <= 1.0
  assert sizes == [2, 2, 1]  # 5 test pairs
  assert test_b.shape == (3, 16, 16, 3) and test_b.dtype == np.float32
