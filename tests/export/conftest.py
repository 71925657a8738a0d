"""Shared exported artifacts: one tiny generator, exported once per test session."""

from __future__ import annotations

import pytest

from export import export_saved_model, export_tflite
from tests.export.tiny_models import tiny_generator


@pytest.fixture(scope="session")
def generator():
  return tiny_generator(seed=0)


@pytest.fixture(scope="session")
def saved_model_path(generator, tmp_path_factory):
  return export_saved_model(generator, str(tmp_path_factory.mktemp("export") / "saved_model"))


@pytest.fixture(scope="session")
def dynamic_tflite_path(saved_model_path, tmp_path_factory):
  path = str(tmp_path_factory.mktemp("tflite") / "dynamic.tflite")
  return export_tflite(saved_model_path, path, input_size=None)
