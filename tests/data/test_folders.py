"""Tests of the image-folder source (official layout root/trainA, trainB, testA, testB)."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest
from PIL import Image

from tfgan_repro.data import folders, pipeline

_RGB = (200, 40, 90)


def _write(path, mode: str, size: tuple[int, int], fmt: str) -> None:
  """A PIL image of `mode` filled with _RGB (its gray / RGBA form), size = (width, height)."""
  os.makedirs(os.path.dirname(path), exist_ok=True)
  color = {"RGB": _RGB, "L": 120, "RGBA": _RGB + (30,)}[mode]
  Image.new(mode, size, color).save(path, format=fmt)


@pytest.fixture
def root(tmp_path):
  """trainA: 3 images (one nested, odd sizes, gray JPG, RGBA PNG) + a text file; trainB: 2."""
  _write(tmp_path / "trainA" / "a0.png", "RGB", (20, 24), "PNG")
  _write(tmp_path / "trainA" / "a1.JPG", "L", (17, 31), "JPEG")
  _write(tmp_path / "trainA" / "sub" / "a2.png", "RGBA", (25, 25), "PNG")
  (tmp_path / "trainA" / "notes.txt").write_text("not an image")
  _write(tmp_path / "trainB" / "b0.bmp", "RGB", (33, 19), "BMP")
  _write(tmp_path / "trainB" / "b1.jpeg", "RGB", (16, 16), "JPEG")
  return tmp_path


def test_list_domain_walks_sorted_and_filters_extensions(root):
  listing = folders.list_domain(str(root), "train", "A")
  names = [os.path.relpath(p, root) for p in listing.paths]
  assert names == ["trainA/a0.png", "trainA/a1.JPG", "trainA/sub/a2.png"]
  assert listing.skipped == ()


def test_read_image_gives_rgb_for_gray_and_rgba(root):
  gray = folders.read_image(str(root / "trainA" / "a1.JPG")).numpy()
  rgba = folders.read_image(str(root / "trainA" / "sub" / "a2.png")).numpy()
  bmp = folders.read_image(str(root / "trainB" / "b0.bmp")).numpy()
  assert gray.shape == (31, 17, 3) and rgba.shape == (25, 25, 3) and bmp.shape == (19, 33, 3)
  assert np.abs(gray.astype(int) - 120).max() <= 1  # JPEG of a constant image
  np.testing.assert_array_equal(rgba[0, 0], _RGB)  # alpha dropped, not blended
  np.testing.assert_array_equal(bmp[5, 7], _RGB)


def test_pipeline_on_folder_of_odd_sizes(root):
  cfg = dict(source="folder", path=str(root), load_size=20, crop_size=16)
  a, b = next(iter(pipeline.unpaired_dataset(cfg, "train", 2, training=True, seed=0)))
  assert a.shape == b.shape == (2, 16, 16, 3)
  assert a.numpy().min() >= -1.0 and a.numpy().max() <= 1.0
  eval_a = pipeline.domain_images(cfg, "train", "A")
  assert eval_a.shape == (3, 16, 16, 3)
  np.testing.assert_allclose(eval_a[0, 8, 8], np.array(_RGB) / 127.5 - 1.0, atol=1e-6)
  assert pipeline.epoch_size(cfg) == 3  # max(|A| = 3, |B| = 2)
  batches = list(pipeline.unpaired_dataset(cfg, "train", 2, training=False, seed=0))
  assert [int(x.shape[0]) for x, _ in batches] == [2, 1]


def test_missing_root_and_domain_folder_are_named(root):
  with pytest.raises(ValueError, match="'/no/such/dir' is not a directory"):
    folders.list_domain("/no/such/dir", "train", "A")
  with pytest.raises(ValueError, match=r"testA' not found.*contains \['trainA', 'trainB'\]"):
    folders.list_domain(str(root), "test", "A")


def test_empty_domain_lists_accepted_extensions(root):
  (root / "testA").mkdir()
  (root / "testA" / "x.gif").write_bytes(b"GIF89a")
  with pytest.raises(ValueError, match=r"no images in .*testA'.*\.bmp, \.jpeg, \.jpg, \.png"):
    folders.list_domain(str(root), "test", "A")


def test_corrupt_file_is_named_or_skipped_and_counted(root, caplog):
  bad = root / "trainB" / "b2.png"
  bad.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
  truncated = root / "trainB" / "b3.jpg"
  full = root / "trainB" / "b1.jpeg"
  truncated.write_bytes(full.read_bytes()[:60])
  with pytest.raises(ValueError, match="cannot decode image file .*b2.png.*2 corrupt file"):
    folders.list_domain(str(root), "train", "B")
  with caplog.at_level(logging.WARNING):
    listing = folders.list_domain(str(root), "train", "B", skip_corrupt=True)
  assert [os.path.basename(p) for p in listing.paths] == ["b0.bmp", "b1.jpeg"]
  assert [os.path.basename(p) for p in listing.skipped] == ["b2.png", "b3.jpg"]
  assert "skipped 2 corrupt image file(s)" in caplog.text
  cfg = dict(source="folder", path=str(root), load_size=16, crop_size=16, skip_corrupt=True)
  assert pipeline.domain_images(cfg, "train", "B").shape == (2, 16, 16, 3)


def test_folder_source_needs_a_path():
  with pytest.raises(ValueError, match="data_config.path must name the dataset root"):
    pipeline.epoch_size(dict(source="folder"))
