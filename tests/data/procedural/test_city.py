"""Tests of the procedural city renderer: determinism, maps, instances, splits, aligned form."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from tfgan_repro.data.procedural import city


def test_render_is_deterministic_given_seed():
  first = city.render(city.sample_scene(7), 32)
  again = city.render(city.sample_scene(7), 32)
  other = city.render(city.sample_scene(8), 32)
  for name in ("labels", "instances", "photo"):
    np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
  assert np.abs(first.photo.astype(int) - other.photo.astype(int)).mean() > 5.0
  assert (first.labels != other.labels).mean() > 0.05


@pytest.mark.parametrize("height,aspect", [(16, 1), (32, 2), (64, 1), (128, 2)])
def test_shapes_dtypes_and_value_ranges(height, aspect):
  image = city.render(city.sample_scene(3, aspect), height)
  width = height * aspect
  assert image.labels.shape == image.instances.shape == (height, width)
  assert image.photo.shape == (height, width, 3)
  assert image.labels.dtype == image.instances.dtype == image.photo.dtype == np.uint8
  assert image.labels.max() < len(city.CLASSES)
  # Instance ids mark exactly the pixels of things (trees, cars, people), 1..K.
  things = np.isin(image.labels, city.INSTANCE_CLASSES)
  np.testing.assert_array_equal(image.instances > 0, things)
  assert image.instances.max() <= len(city.sample_scene(3, aspect).things)


def test_each_instance_has_one_class_and_instances_differ_in_colour():
  arrays = city.city_arrays("train", 64, 12, seed=0)
  spreads = []
  for labels, instances, photo in zip(arrays.labels, arrays.instances, arrays.photos, strict=True):
    for cls in (city.CAR, city.TREE):
      ids = [i for i in np.unique(instances[labels == cls]) if i]
      for i in ids:
        assert np.unique(labels[instances == i]).tolist() == [cls]  # one class per instance
      if len(ids) >= 2:  # several cars / trees: each its own colour (paint, foliage shade)
        colors = np.stack([photo[instances == i].mean(0) for i in ids])  # [K, 3]
        spreads.append(np.abs(colors[:, None] - colors[None]).sum(-1).max())
  # Measured on 60 scenes at 64 px: the most different instances of a class differ by >= 22
  # levels (L1 over RGB of their mean colours), 87 at the median.
  assert len(spreads) >= 8 and min(spreads) > 15.0 and np.median(spreads) > 40.0


def test_every_class_appears_and_the_photo_is_not_a_colour_lookup():
  train = city.city_arrays("train", 64, 40, seed=0)
  test = city.city_arrays("test", 64, 20, seed=0)
  present = np.stack([(train.labels == c).any(axis=(1, 2)) for c in range(len(city.CLASSES))])
  always = [city.SKY, city.BUILDING, city.ROAD, city.SIDEWALK, city.TREE, city.CAR]
  assert present[always].all() and present.any(axis=1).all()  # people and windows: most scenes
  assert present[city.WINDOW].mean() > 0.9 and present[city.PERSON].mean() > 0.6
  # The best per-class colour (its mean over the training photos) predicts the test photos
  # poorly: textures, shading, instance colours and the camera are not in the label map
  # (measured 15.7 dB on 60 test scenes).
  photos = train.photos.astype(np.float64)
  means = np.stack([photos[train.labels == c].mean(0) for c in range(len(city.CLASSES))])
  mse = ((means[test.labels] - test.photos) ** 2).mean(axis=(1, 2, 3))
  assert 12.0 < np.mean(10.0 * np.log10(255.0**2 / mse)) < 19.0


def test_labels_agree_across_resolutions():
  scene = city.sample_scene(5, 2)
  fine, coarse = city.render(scene, 128).labels, city.render(scene, 64).labels
  assert (fine[1::2, 1::2] == coarse).mean() > 0.9  # measured 0.96 on another scene


def test_splits_are_paired_disjoint_cached_and_on_disk(tmp_path):
  arrays = city.city_arrays("test", 32, 3, aspect=2, seed=5, cache_dir=str(tmp_path))
  assert arrays.photos.shape == (3, 32, 64, 3) and arrays.labels.shape == (3, 32, 64)
  for i in range(3):
    image = city.render(city.sample_scene(city.scene_seed(5, "test", i), 2), 32)
    np.testing.assert_array_equal(arrays.labels[i], image.labels)
    np.testing.assert_array_equal(arrays.instances[i], image.instances)
    np.testing.assert_array_equal(arrays.photos[i], image.photo)
  train = city.city_arrays("train", 32, 3, aspect=2, seed=5)
  assert not np.array_equal(train.labels[0], arrays.labels[0])
  assert city.city_arrays("test", 32, 3, aspect=2, seed=5, cache_dir=str(tmp_path)) is arrays
  assert not arrays.photos.flags.writeable
  path = tmp_path / f"city_v{city.RENDER_VERSION}_test_32px_aspect2_n3_seed5.npz"
  with np.load(path) as f:
    np.testing.assert_array_equal(f["photos"], arrays.photos)


def test_aligned_image_and_folder(tmp_path):
  image = city.render(city.sample_scene(2), 32)
  aligned = city.aligned_image(image)
  assert aligned.shape == (32, 64, 3)
  np.testing.assert_array_equal(aligned[:, :32], city.PALETTE[image.labels])
  np.testing.assert_array_equal(aligned[:, 32:], image.photo)
  paths = city.write_aligned_folder(str(tmp_path), "train", 2, 32, seed=4)
  assert [os.path.relpath(p, tmp_path) for p in paths] == ["train/00000.png", "train/00001.png"]
  arrays = city.city_arrays("train", 32, 2, seed=4)
  read = np.asarray(Image.open(paths[1]))
  np.testing.assert_array_equal(read[:, 32:], arrays.photos[1])
  np.testing.assert_array_equal(read[:, :32], city.colorize(arrays.labels[1]))


def test_bad_arguments_raise():
  with pytest.raises(ValueError, match=r"aspect must be one of \(1, 2\), got 3"):
    city.sample_scene(0, 3)
  with pytest.raises(ValueError, match=r"height must be in \[16, 1024\] for aspect 1, got 15"):
    city.render(city.sample_scene(0), 15)
  with pytest.raises(ValueError, match=r"height must be in \[16, 512\] for aspect 2, got 600"):
    city.render(city.sample_scene(0, 2), 600)
  with pytest.raises(ValueError, match="split must be one of .* got 'val'"):
    city.city_arrays("val", 32, 2)
  with pytest.raises(ValueError, match="num_examples must be a positive int, got 0"):
    city.city_arrays("train", 32, 0)
