"""Image folders: a file over the pixel cap is found from its header and never decoded; an error
naming the file, its size and the cap, or skipped and counted with data.skip_corrupt."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from tests.faults.images import bomb_png
from tfgan_repro.data import folders, pipeline
from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS


@pytest.fixture
def root(tmp_path):
  """trainA: a.png 20x24 and big.png, a 9000 x 9000 PNG of zeros (81 MP > 64 MP, ~0.3 MB);
  trainB: b.png 16x16."""
  for domain, name, size in (("A", "a.png", (20, 24)), ("B", "b.png", (16, 16))):
    os.makedirs(tmp_path / f"train{domain}")
    Image.new("RGB", size, (200, 40, 90)).save(tmp_path / f"train{domain}" / name)
  (tmp_path / "trainA" / "big.png").write_bytes(bomb_png(9000, 9000))
  return tmp_path


def test_a_file_over_the_cap_is_an_error_naming_it_its_size_and_the_cap(root):
  big = str(root / "trainA" / "big.png")
  with pytest.raises(ValueError) as err:
    folders.list_domain(str(root), "train", "A")
  message = str(err.value)
  assert repr(big) in message
  assert f"too large: 9000 x 9000 = 81000000 pixels > cap {DEFAULT_MAX_PIXELS}" in message
  assert "data.skip_corrupt=True" in message


def test_skip_corrupt_skips_and_counts_it(root):
  listing = folders.list_domain(str(root), "train", "A", skip_corrupt=True)
  assert [os.path.basename(p) for p in listing.paths] == ["a.png"]
  assert listing.skipped == (str(root / "trainA" / "big.png"),)


def test_the_pipeline_reads_the_cap_from_data_max_pixels(root):
  os.remove(root / "trainA" / "big.png")
  cfg = dict(source="folder", path=str(root), load_size=16, crop_size=16, max_pixels=400)
  with pytest.raises(ValueError, match=r"'.*a\.png' is too large: 20 x 24 = 480 pixels > cap 400"):
    pipeline.domain_images(cfg, "train", "A")
  cfg["max_pixels"] = 480
  assert pipeline.domain_images(cfg, "train", "A").shape == (1, 16, 16, 3)
  with pytest.raises(ValueError, match=r"data_config.max_pixels must be >= 1, got 0"):
    pipeline.domain_images(dict(cfg, max_pixels=0), "train", "A")
