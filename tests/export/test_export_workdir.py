"""The export binary's library (export.workdir_export) on a trained tiny run, and the export
benchmark at 32 px: TF Serving layout, numbered versions, parity, int8 metadata, clear errors."""

from __future__ import annotations

import json
import math
import os
import re

import pytest
import tensorflow as tf

from configs import cyclegan
from export.benchmark import benchmark_generator
from export.versioned import version_numbers
from export.workdir_export import export_workdir
from tfgan_repro.models import build_model
from tfgan_repro.training import run
from tfgan_repro.training.checkpointing import prepare_workdir


def tiny_config(ngf: int = 4):
  config = cyclegan.get_config("tiny")
  config.export.enabled = False
  config.train.max_steps = 2
  config.data.num_train = 8
  config.generator.ngf = ngf
  return config


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
  path = str(tmp_path_factory.mktemp("run"))
  run.train(tiny_config(), path)
  return path


@pytest.fixture(scope="module")
def first_export(workdir):
  return export_workdir(
    workdir, quantizations=("none", "float16", "int8"), num_check_images=2, min_psnr=25.0
  )


def test_first_export_is_version_1_in_tf_serving_layout(workdir, first_export):
  for network in ("G_AB", "G_BA"):
    version = os.path.join(workdir, "export", network, "1")
    assert sorted(os.listdir(version)) == [
      "assets",
      "fingerprint.pb",
      "saved_model.pb",
      "tflite",
      "variables",
    ]
    assert sorted(os.listdir(os.path.join(version, "tflite"))) == sorted(
      f"{network}_{q}_32.{ext}"
      for q in ("float32", "float16", "int8")
      for ext in ("json", "tflite")
    )
  # 2 networks x (SavedModel + 3 TFLite).
  assert [(r.network, r.version, r.artifact) for r in first_export] == [
    (n, 1, a)
    for n in ("G_AB", "G_BA")
    for a in ("saved_model", "tflite_float32", "tflite_float16", "tflite_int8")
  ]
  for row in first_export:
    assert os.path.exists(row.path) and row.bytes > 0 and row.latency_ms > 0
    if row.artifact in ("saved_model", "tflite_float32"):
      assert row.max_abs <= 1e-4 and row.psnr_db > 80.0
    elif row.artifact == "tflite_float16":
      assert row.psnr_db > 60.0
    else:
      assert 25.0 <= row.psnr_db < 80.0


def test_int8_metadata(workdir, first_export):
  path = os.path.join(workdir, "export", "G_BA", "1", "tflite", "G_BA_int8_32.json")
  with open(path) as f:
    metadata = json.load(f)
  assert metadata["network"] == "G_BA" and metadata["quantization"] == "int8"
  assert metadata["calibration"]["images"] == 100
  assert metadata["calibration"]["domains"] == {"G_AB": "A", "G_BA": "B"}
  assert metadata["calibration"]["split"] == "train"
  for key in ("input", "output"):
    io = metadata[key]
    assert io["dtype"] == "int8" and io["shape"] == [1, 32, 32, 3] and io["range"] == [-1, 1]
    assert 0 < io["scale"] < 0.1 and -128 <= io["zero_point"] <= 127
  assert metadata["source"]["step"] == 2
  assert metadata["source"]["checkpoint"].endswith("ckpt-2")
  row = next(r for r in first_export if (r.network, r.artifact) == ("G_BA", "tflite_int8"))
  assert metadata["parity"]["psnr_db"] == pytest.approx(row.psnr_db)
  assert metadata["parity"]["check_images"] == 2
  assert metadata["bytes"] == os.path.getsize(path[: -len(".json")] + ".tflite")


def test_saved_model_signatures(workdir, first_export):
  loaded = tf.saved_model.load(os.path.join(workdir, "export", "G_AB", "1"))
  assert sorted(loaded.signatures) == ["serving_default", "translate_bytes"]


def test_next_export_is_version_2_and_existing_versions_are_refused(workdir, first_export):
  # TFLite only: converted from a scratch SavedModel that is not kept.
  rows = export_workdir(workdir, formats=("tflite",), quantizations=("none",), num_check_images=1)
  assert [(r.network, r.version, r.artifact) for r in rows] == [
    ("G_AB", 2, "tflite_float32"),
    ("G_BA", 2, "tflite_float32"),
  ]
  assert all(r.max_abs <= 1e-4 for r in rows)
  assert version_numbers(os.path.join(workdir, "export", "G_AB")) == [1, 2]
  assert os.listdir(os.path.join(workdir, "export", "G_AB", "2")) == ["tflite"]
  assert sorted(os.listdir(os.path.join(workdir, "export", "G_AB"))) == ["1", "2"]  # no staging
  with pytest.raises(ValueError, match=r"version 2 of 'G_AB' exists"):
    export_workdir(workdir, formats=("saved_model",), version=2)


def test_workdir_without_checkpoints_is_refused(tmp_path):
  prepare_workdir(tiny_config(), str(tmp_path))
  with pytest.raises(ValueError, match=r"has no checkpoint in checkpoints/ to load"):
    export_workdir(str(tmp_path))
  (tmp_path / "empty").mkdir()
  with pytest.raises(ValueError, match=r"is not a training workdir: config.json is missing"):
    export_workdir(str(tmp_path / "empty"))
  with pytest.raises(ValueError, match=r"workdir '.*missing' does not exist"):
    export_workdir(str(tmp_path / "missing"))


def test_checkpoint_of_another_architecture_names_the_mismatch(workdir, tmp_path):
  other = tiny_config(ngf=8)
  prepare_workdir(other, str(tmp_path))
  prefix = tf.train.Checkpoint(model=build_model(other)).write(
    str(tmp_path / "checkpoints" / "ckpt-1")
  )
  with pytest.raises(ValueError) as error:
    export_workdir(workdir, checkpoint=prefix)
  message = str(error.value)
  assert "is not of the architecture of workdir" in message
  assert "'ngf': 4" in message and "'ngf': 8" in message  # both runs' generators
  # TF's own report of the first variable it met: checkpoint shape, then this model's shape.
  assert re.search(r"incompatible tensor with shape \(.*\) when .* variable with shape", message)
  with pytest.raises(ValueError, match=r"does not exist \(no .*ckpt-9.index\)"):
    export_workdir(workdir, checkpoint=str(tmp_path / "checkpoints" / "ckpt-9"))


def test_benchmark_returns_a_finite_row_per_variant():
  rows = benchmark_generator(
    "resnet_6",
    size=32,
    steps=1,
    warmup=1,
    num_check=1,
    quantizations=("float32", "dynamic", "int8"),
    network_kwargs={"ngf": 4},
  )
  assert [r.variant for r in rows] == [
    "keras_eager",
    "keras_function",
    "keras_xla",
    "saved_model",
    "tflite_float32",
    "tflite_dynamic",
    "tflite_int8",
  ]
  for row in rows:
    assert math.isfinite(row.latency_ms) and row.latency_ms > 0
    assert row.images_per_s == pytest.approx(1000.0 / row.latency_ms)
    assert math.isfinite(row.max_abs)
  by_variant = {r.variant: r for r in rows}
  assert by_variant["keras_eager"].max_abs == 0.0 and by_variant["keras_eager"].psnr_db == math.inf
  for variant in ("keras_function", "keras_xla", "saved_model", "tflite_float32"):
    assert by_variant[variant].max_abs <= 1e-4
  assert 20.0 < by_variant["tflite_int8"].psnr_db < 80.0
  assert by_variant["tflite_int8"].bytes < by_variant["tflite_float32"].bytes
