"""Tests of the unpaired pipeline on the procedural seasons source."""

from __future__ import annotations

import ml_collections
import numpy as np
import pytest
from PIL import Image

from tfgan_repro.data import config as data_config
from tfgan_repro.data import pipeline
from tfgan_repro.data.procedural import seasons

_CFG = dict(load_size=40, crop_size=32, num_train=6, num_test=5, procedural_seed=3)


def _to_float(images: np.ndarray) -> np.ndarray:
  return images.astype(np.float32) / 127.5 - 1.0


def _find_window(image: np.ndarray, sources: np.ndarray, mirror: bool) -> tuple[int, int, int]:
  """(source index, top, left) of the crop `image` among `sources`, possibly mirrored."""
  crop = image.shape[0]
  for n, src in enumerate(sources):
    for top in range(src.shape[0] - crop + 1):
      for left in range(src.shape[1] - crop + 1):
        window = src[top : top + crop, left : left + crop]
        if np.array_equal(window, image) or (mirror and np.array_equal(window[:, ::-1], image)):
          return n, top, left
  raise AssertionError("crop not found in any source image")


def test_default_config_is_the_official_recipe():
  cfg = data_config.default_data_config()
  assert (cfg.load_size, cfg.crop_size, cfg.preprocess, cfg.flip) == (
    286,
    256,
    "resize_and_crop",
    True,
  )
  assert cfg.source == "seasons" and cfg.skip_corrupt is False


def test_resolve_fills_defaults_and_rejects_bad_values():
  cfg = data_config.resolve_data_config(ml_collections.ConfigDict(dict(crop_size=64, load_size=72)))
  assert (cfg.crop_size, cfg.load_size, cfg.shuffle_buffer) == (64, 72, 1000)
  with pytest.raises(ValueError, match="unknown key 'crop'"):
    data_config.resolve_data_config(dict(crop=3))
  with pytest.raises(ValueError, match="preprocess must be one of .* got 'scale_width'"):
    data_config.resolve_data_config(dict(preprocess="scale_width"))
  with pytest.raises(ValueError, match=r"crop_size \(300\) must be <= load_size \(286\)"):
    data_config.resolve_data_config(dict(crop_size=300))
  with pytest.raises(ValueError, match="data_config.load_size = 'big'"):
    data_config.resolve_data_config(dict(load_size="big"))
  with pytest.raises(
    ValueError,
    match="unknown data source 'mnist'; valid: aligned_folder, celeb_a, celeba_folder, city, class_shapes, faces",
  ):
    data_config.resolve_data_config(dict(source="mnist"))


def test_training_batches_are_seeded_crops_of_unpaired_scenes():
  train_a, train_b = seasons.seasons_arrays("train", 40, 6, seed=3)
  first = pipeline.unpaired_dataset(_CFG, "train", 4, training=True, seed=1)
  a, b = (x.numpy() for x in next(iter(first)))
  assert a.shape == b.shape == (4, 32, 32, 3) and a.dtype == np.float32
  assert a.min() >= -1.0 and a.max() <= 1.0
  again = next(iter(pipeline.unpaired_dataset(_CFG, "train", 4, training=True, seed=1)))
  other = next(iter(pipeline.unpaired_dataset(_CFG, "train", 4, training=True, seed=2)))
  np.testing.assert_array_equal(a, again[0].numpy())
  assert not np.array_equal(a, other[0].numpy())
  # Every image is a (possibly mirrored) 32 px window of a 40 px render of its own domain.
  found = [_find_window(x, _to_float(train_a), True) for x in a]
  assert len({n for n, _, _ in found}) == 4  # one epoch draws each scene at most once
  assert len({(top, left) for _, top, left in found}) > 1  # crops move
  _find_window(b[0], _to_float(train_b), True)


def test_training_without_flip_keeps_orientation_and_drops_the_remainder():
  cfg = dict(_CFG, flip=False)
  train_a, _ = seasons.seasons_arrays("train", 40, 6, seed=3)
  batches = pipeline.unpaired_dataset(cfg, "train", 4, training=True, seed=0).take(3)
  for a, _ in batches:
    assert a.shape == (4, 32, 32, 3)  # drop_remainder, repeated past 6 images
    for x in a.numpy():
      _find_window(x, _to_float(train_a), False)


def test_eval_test_split_is_paired_ordered_and_finite():
  test_a, test_b = seasons.seasons_arrays("test", 32, 5, seed=3)  # rendered at crop_size
  batches = list(pipeline.unpaired_dataset(_CFG, "test", 2, training=False, seed=0))
  assert [int(a.shape[0]) for a, _ in batches] == [2, 2, 1]
  a = np.concatenate([x.numpy() for x, _ in batches])
  b = np.concatenate([y.numpy() for _, y in batches])
  np.testing.assert_array_equal(a, _to_float(test_a))
  np.testing.assert_array_equal(b, _to_float(test_b))
  pa, pb = pipeline.paired_test_arrays(_CFG, num=3)
  np.testing.assert_array_equal(pa, a[:3])
  np.testing.assert_array_equal(pb, b[:3])


def test_eval_preprocess_crop_takes_the_centre_and_none_rounds_to_4():
  test_a, _ = seasons.seasons_arrays("test", 40, 5, seed=3)
  a = pipeline.domain_images(dict(_CFG, preprocess="crop"), "test", "A", num=2)
  np.testing.assert_array_equal(a, _to_float(test_a[:2, 4:36, 4:36]))
  cfg = dict(_CFG, preprocess="none", load_size=34)  # 34 / 4 = 8.5 -> 8 (half to even) -> 32
  assert pipeline.domain_images(cfg, "test", "B", num=1).shape == (1, 32, 32, 3)
  x, _ = next(iter(pipeline.unpaired_dataset(cfg, "train", 2, training=True, seed=0)))
  assert x.shape == (2, 32, 32, 3)


def test_epoch_size_and_errors():
  assert pipeline.epoch_size(_CFG) == 6
  assert pipeline.epoch_size(_CFG, "test") == 5
  with pytest.raises(ValueError, match="split must be one of .* got 'val'"):
    pipeline.unpaired_dataset(_CFG, "val", 2, training=True, seed=0)
  with pytest.raises(ValueError, match="global_batch_size must be a positive int, got 0"):
    pipeline.unpaired_dataset(_CFG, "train", 0, training=True, seed=0)
  with pytest.raises(ValueError, match=r"num must be an int in \[1, 5\].* got 6"):
    pipeline.domain_images(_CFG, "test", "A", num=6)
  with pytest.raises(ValueError, match="domain must be 'A' or 'B', got 'C'"):
    pipeline.domain_images(_CFG, "test", "C")


def test_paired_test_arrays_need_a_ground_truth(tmp_path):
  for d in ("testA", "testB"):
    (tmp_path / d).mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / d / "x.png")
  cfg = dict(source="folder", path=str(tmp_path), load_size=4, crop_size=4)
  with pytest.raises(ValueError, match="source 'folder' has no paired test split"):
    pipeline.paired_test_arrays(cfg)
