"""translate accounts for every file it finds: translated, or skipped with its true reason
(unsupported format, too large, corrupt), counted in the summary and index.html; PNG, JPEG, BMP,
GIF (first frame), WebP and TIFF are read; earlier results are never translated again; nothing
translated is a non-zero exit."""

from __future__ import annotations

import io
import os

import keras
import numpy as np
import pytest
from PIL import Image

from export import export_saved_model
from jobs import translate as translation
from tests.faults.translate_command import run_translate
from tfgan_repro import nets

RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
  keras.utils.set_random_seed(0)
  path = str(tmp_path_factory.mktemp("accounts") / "resnet")
  return export_saved_model(nets.build("resnet_6", ngf=4), path)


def _rgb(width: int, height: int, seed: int = 0) -> Image.Image:
  rng = np.random.default_rng(seed)
  return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


@pytest.fixture
def folder(tmp_path):
  """One file of each kind users bring (names: the sorted walk's order)."""
  root = tmp_path / "photos"
  root.mkdir()
  _rgb(12, 10).save(root / "a.png")
  _rgb(9, 8).save(root / "b.jpg")
  (root / "bad.jpeg").write_bytes(b"\xff\xd8\xff not really a jpeg")
  _rgb(50, 50).save(root / "big.png")  # 2500 pixels > the cap of 2000 below
  _rgb(7, 6).convert("L").save(root / "c.bmp")
  frames = [Image.new("RGB", (8, 8), c).convert("P") for c in (RED, BLUE)]
  frames[0].save(root / "d.gif", save_all=True, append_images=frames[1:], duration=100)
  _rgb(10, 9).save(root / "e.webp", lossless=True)
  _rgb(6, 5).save(root / "f.tiff")
  _rgb(16, 16).save(root / "icon.ico")
  (root / "notes.txt").write_text("not an image")
  return root


def test_every_file_is_translated_or_skipped_with_its_reason(saved_model, folder, tmp_path):
  stream = io.StringIO()
  out = str(tmp_path / "out")
  result = translation.translate(saved_model, str(folder), out, stream=stream, max_pixels=2000)
  assert result.outputs == ("a.png", "b.png", "c.png", "d.png", "e.png", "f.png")
  assert result.skipped == ("bad.jpeg", "big.png", "icon.ico", "notes.txt")
  assert result.reasons == ("corrupt", "too large", "unsupported format", "unsupported format")
  text = stream.getvalue()
  assert (
    f"skipped (too large): {folder / 'big.png'}: too large: 50 x 50 = 2500 pixels > cap 2000"
    in text
  )
  assert f"skipped (corrupt): {folder / 'bad.jpeg'}: corrupt JPEG header" in text
  assert f"skipped (unsupported format): {folder / 'icon.ico'}: unsupported format ICO" in text
  assert f"skipped (unsupported format): {folder / 'notes.txt'}: unsupported format" in text
  summary = "6 image(s) translated, 4 skipped (1 corrupt, 1 too large, 2 unsupported format)"
  assert f"{summary} -> {out}" in text
  with open(result.index, encoding="utf-8") as f:
    page = f.read()
  assert (
    "4 file(s) skipped: bad.jpeg (corrupt), big.png (too large), icon.ico (unsupported " in page
  )
  sizes = {"a": (10, 12), "b": (8, 9), "c": (6, 7), "d": (8, 8), "e": (9, 10), "f": (5, 6)}
  for stem, (h, w) in sizes.items():
    assert np.asarray(Image.open(os.path.join(out, f"{stem}.png"))).shape == (h, w, 3)
  first_frame = np.asarray(Image.open(os.path.join(out, "inputs", "d.png")))
  np.testing.assert_array_equal(first_frame, np.broadcast_to(RED, (8, 8, 3)))


def test_translating_into_the_input_folder_never_reads_results_back(saved_model, tmp_path):
  root = tmp_path / "photos"
  root.mkdir()
  _rgb(12, 10).save(root / "x.png")
  _rgb(9, 8).save(root / "y.jpg")
  original = (root / "x.png").read_bytes()
  first = translation.translate(saved_model, str(root), str(root), stream=io.StringIO())
  assert first.outputs == ("x_translated.png", "y.png")  # x.png would replace its input
  assert (root / "x.png").read_bytes() == original
  stream = io.StringIO()
  second = translation.translate(saved_model, str(root), str(root), stream=stream)
  assert second.outputs == first.outputs and second.skipped == ()
  assert sorted(second.left_out) == sorted(
    [".translate.json", "index.html", "x_translated.png", "y.png"]
    + [os.path.join("inputs", n) for n in ("x_translated.png", "y.png")]
  )
  assert "left out: y.png (an earlier translate result)" in stream.getvalue()
  assert "2 image(s) translated, 0 skipped, 6 earlier result(s) left out" in stream.getvalue()
  inner = translation.translate(saved_model, str(root), str(root / "out"), stream=io.StringIO())
  assert inner.outputs == ("x.png", "y.png")  # the inputs only, again
  again = translation.translate(saved_model, str(root), str(root / "out2"), stream=io.StringIO())
  assert again.outputs == inner.outputs
  assert os.path.join("out", "y.png") in again.left_out  # an earlier run's, by its manifest
  rerun = translation.translate(saved_model, str(root), str(root / "out"), stream=io.StringIO())
  assert rerun.outputs == inner.outputs and "out" + os.sep in rerun.left_out


def test_nothing_translated_exits_non_zero(saved_model, tmp_path):
  root = tmp_path / "docs"
  root.mkdir()
  (root / "notes.txt").write_text("not an image")
  proc = run_translate(saved_model, root, tmp_path / "out")
  assert proc.returncode == 1, proc.stderr[-2000:]
  assert (
    "translate: nothing translated (0 image(s) translated, 1 skipped (1 unsupported format)); "
    "the model takes images: colour images (3 channels)" in proc.stderr
  )
