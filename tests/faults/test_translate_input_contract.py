"""A model's input contract (what each input holds) is stored with its export and `translate`
refuses files that do not fit it, naming the contract, and exits non-zero: a pix2pix model of
one-hot label maps given colour photos."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from configs import pix2pix
from export.contract import read_contract
from export.workdir_export import export_workdir
from jobs import translate as translation
from tests.faults.translate_command import run_translate
from tfgan_repro import models
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.training import checkpointing

ONEHOT_8 = {"kind": "onehot_labels", "channels": 8, "num_classes": 8}  # city: 8 classes
CONTRACT_TEXT = (
  "images: one-hot label maps of 8 classes (8 channels; give a 1-channel PNG of class ids 0..7)"
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
  """An untrained tiny pix2pix run (unet_128, ngf 4) on one-hot city label maps."""
  config = pix2pix.get_config("tiny")
  config.export.enabled = False
  path = str(tmp_path_factory.mktemp("contract") / "run")
  checkpointing.prepare_workdir(config, path)
  model = models.build_model(config)
  tf.train.Checkpoint(model=model).save(os.path.join(path, checkpointing.CHECKPOINT_DIR, "ckpt"))
  return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
  root = tmp_path_factory.mktemp("photos")
  rng = np.random.default_rng(0)
  for name in ("a.png", "b.jpg"):
    Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(root / name)
  return str(root)


def test_colour_photos_are_refused_with_the_contract(workdir, photos, tmp_path):
  stream = io.StringIO()
  result = translation.translate(workdir, photos, str(tmp_path / "out"), stream=stream)
  assert result.outputs == () and result.reasons == ("wrong channels", "wrong channels")
  assert result.contract == {"images": ONEHOT_8}
  assert "the model takes one-hot label maps of 8 classes (a 1-channel file of class ids)" in (
    stream.getvalue()
  )
  assert "0 image(s) translated, 2 skipped (2 wrong channels)" in stream.getvalue()


def test_the_command_exits_non_zero_naming_the_contract(workdir, photos, tmp_path):
  proc = run_translate(workdir, photos, tmp_path / "out")
  assert proc.returncode == 1, proc.stderr[-2000:]
  assert "nothing translated (0 image(s) translated, 2 skipped (2 wrong channels))" in proc.stderr
  assert CONTRACT_TEXT in proc.stderr


def test_label_id_files_are_translated_one_hot(workdir, tmp_path):
  ids = np.random.default_rng(1).integers(0, 8, (20, 30), dtype=np.uint8)
  root = tmp_path / "labels"
  root.mkdir()
  Image.fromarray(ids, "L").save(root / "scene.png")
  Image.fromarray(ids + 2, "L").save(root / "wrong.png")  # ids up to 9
  stream = io.StringIO()
  result = translation.translate(workdir, str(root), str(tmp_path / "out"), stream=stream)
  assert result.outputs == ("scene.png",) and result.reasons == ("wrong class ids",)
  assert "wrong class ids: up to 9, the model takes ids 0..7" in stream.getvalue()
  _, model, _ = checkpointing.load_run(workdir)
  generator = model.export_generators["G"]
  x = np.pad(np.eye(8, dtype=np.float32)[ids], ((0, 108), (0, 98), (0, 0)), "reflect")  # 128 px
  expected = to_uint8(generator(x[None], training=False)[0])[:20, :30].astype(int)
  actual = np.asarray(Image.open(tmp_path / "out" / "scene.png")).astype(int)
  assert actual.shape == (20, 30, 3)
  assert np.abs(actual - expected).max() <= 1


def test_the_export_stores_the_contract_and_translate_reads_it(workdir, photos, tmp_path):
  export_workdir(
    workdir, quantizations=("float32",), num_check_images=1, tflite_size=128, translate_bytes=False
  )
  version = os.path.join(workdir, "export", "G", "1")
  assert read_contract(version) == {"images": ONEHOT_8}
  with open(os.path.join(version, "tflite", "G_float32_128.json"), encoding="utf-8") as f:
    metadata = json.load(f)
  assert metadata["input_contract"] == {"images": ONEHOT_8}
  assert "input_contracts" not in metadata["source"]
  for model in (version, os.path.join(version, "tflite", "G_float32_128.tflite")):
    result = translation.translate(model, photos, str(tmp_path / "out"), stream=io.StringIO())
    assert result.outputs == () and result.reasons == ("wrong channels", "wrong channels")
