"""export_generators: layout, reports, the parity gate, and no artifact left on failure."""

from __future__ import annotations

import os

import pytest

import export.generators
from export import ArtifactReport, ParityError, export_generators, export_saved_model, format_report
from export.staging import path_bytes
from tests.export.tiny_models import random_images, tiny_generator


def test_writes_checked_artifacts_and_reports(generator, tmp_path):
  generators = {"g_ab": generator, "g_ba": tiny_generator(seed=1)}
  # Static TFLite at 24 px checked on the 16 px images resized to 24.
  reports = export_generators(
    generators, str(tmp_path), random_images((2, 16, 16, 3)), tflite_size=24
  )
  assert sorted(os.listdir(tmp_path)) == ["g_ab", "g_ba"]  # no staging folders left
  assert sorted(os.listdir(tmp_path / "g_ab")) == ["g_ab.tflite", "saved_model"]
  assert [(r.network, r.format) for r in reports] == [
    ("g_ab", "saved_model"),
    ("g_ab", "tflite"),
    ("g_ba", "saved_model"),
    ("g_ba", "tflite"),
  ]
  assert reports[1].path == str(tmp_path / "g_ab" / "g_ab.tflite")
  assert reports[2].path == str(tmp_path / "g_ba" / "saved_model")
  for r in reports:
    assert isinstance(r, ArtifactReport)
    assert os.path.exists(r.path)
    assert r.bytes == path_bytes(r.path) > 0
    assert 0 <= r.mean_abs <= r.max_abs <= 1e-4
    assert r.seconds > 0
  lines = format_report(reports).splitlines()
  assert len(lines) == 5  # header + 4 artifacts
  assert lines[0].split() == ["network", "format", "KiB", "max_abs", "mean_abs", "seconds", "path"]
  assert lines[2].split()[:2] == ["g_ab", "tflite"]
  assert lines[2].split()[2] == f"{reports[1].bytes / 1024:.1f}"
  assert lines[2].split()[-1] == reports[1].path


def test_parity_failure_raises_and_keeps_the_previous_artifact(generator, tmp_path, monkeypatch):
  previous = tmp_path / "g_ab"
  previous.mkdir()
  (previous / "marker").write_text("good")
  other = tiny_generator(seed=1)
  # A broken exporter: writes a different model's SavedModel.
  monkeypatch.setattr(
    export.generators, "export_saved_model", lambda model, path: export_saved_model(other, path)
  )
  with pytest.raises(ParityError, match="g_ab SavedModel does not match its Keras model"):
    export_generators(
      {"g_ab": generator}, str(tmp_path), random_images((1, 16, 16, 3)), tflite_size=None
    )
  assert sorted(os.listdir(tmp_path)) == ["g_ab"]
  assert os.listdir(previous) == ["marker"]


def test_tolerance_is_configurable(generator, tmp_path):
  # Exported graphs differ from eager Keras by float32 round-off (~1e-6 > 1e-12): the gate trips.
  with pytest.raises(ParityError, match="does not match"):
    export_generators(
      {"g": generator},
      str(tmp_path),
      random_images((1, 16, 16, 3)),
      tflite_size=None,
      tolerance=1e-12,
    )
  assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["", ".hidden", "a/b"])
def test_rejects_names_that_are_not_folder_names(generator, tmp_path, name):
  with pytest.raises(ValueError, match=f"plain folder names, got {name!r}"):
    export_generators(
      {name: generator}, str(tmp_path), random_images((1, 8, 8, 3)), tflite_size=None
    )


def test_rejects_empty_generators_and_bad_tolerance(generator, tmp_path):
  with pytest.raises(ValueError, match="at least one model, got {}"):
    export_generators({}, str(tmp_path), random_images((1, 8, 8, 3)), tflite_size=None)
  with pytest.raises(ValueError, match="tolerance must be > 0, got 0"):
    export_generators(
      {"g": generator}, str(tmp_path), random_images((1, 8, 8, 3)), tflite_size=None, tolerance=0
    )
