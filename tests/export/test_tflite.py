"""TFLite export: float32, static or dynamic input, equal to Keras in the LiteRT interpreter."""

from __future__ import annotations

import os

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from export import check_tflite, export_tflite
from export.tflite import mirror_pad_violations
from tests.export.tiny_models import random_images, tiny_generator


def test_static_size_equals_keras(generator, saved_model_path, tmp_path):
  path = export_tflite(saved_model_path, str(tmp_path / "g.tflite"), input_size=16)
  interpreter = Interpreter(model_path=path)
  (inp,) = interpreter.get_input_details()
  assert inp["shape_signature"].tolist() == [1, 16, 16, 3]
  assert inp["dtype"] == np.float32
  assert interpreter.get_signature_list() == {
    "serving_default": {"inputs": ["images"], "outputs": ["outputs"]}
  }
  # Static shapes are folded: no run-time SHAPE op left (GPU delegates need this).
  assert "SHAPE" not in {op["op_name"] for op in interpreter._get_ops_details()}
  stats = check_tflite(path, generator, random_images((2, 16, 16, 3), seed=2))
  assert 0 <= stats["mean_abs"] <= stats["max_abs"] <= 1e-4
  with pytest.raises(ValueError, match=r"do not fit the static input \(1, 16, 16, 3\)"):
    check_tflite(path, generator, random_images((1, 24, 24, 3)))


@pytest.mark.parametrize("shape", [(2, 16, 16, 3), (1, 24, 32, 3)])
def test_dynamic_size_equals_keras_after_resize(generator, dynamic_tflite_path, shape):
  (inp,) = Interpreter(model_path=dynamic_tflite_path).get_input_details()
  assert inp["shape_signature"].tolist() == [-1, -1, -1, 3]
  stats = check_tflite(dynamic_tflite_path, generator, random_images(shape, seed=3))
  assert 0 <= stats["mean_abs"] <= stats["max_abs"] <= 1e-4


def test_check_against_a_different_model_is_large(dynamic_tflite_path):
  stats = check_tflite(dynamic_tflite_path, tiny_generator(seed=1), random_images((1, 16, 16, 3)))
  assert stats["max_abs"] > 0.1


def test_refuses_a_size_too_small_for_reflect_padding(saved_model_path, tmp_path):
  # tiny_generator's first ReflectPad(3) needs 3 <= H - 1: 3 px fails on axes 1 and 2 of op 0.
  with pytest.raises(ValueError, match="input_size 3 is too small") as error:
    export_tflite(saved_model_path, str(tmp_path / "g.tflite"), input_size=3)
  assert "MIRROR_PAD op 0 pads axis 1 of size 3 by (3, 3)" in str(error.value)
  assert "MIRROR_PAD op 0 pads axis 2 of size 3 by (3, 3)" in str(error.value)
  assert str(error.value).count("MIRROR_PAD op") == 2
  assert os.listdir(tmp_path) == []  # nothing written, no scratch left
  # 4 px is the smallest valid size (tiny_generator docstring).
  path = export_tflite(saved_model_path, str(tmp_path / "g4.tflite"), input_size=4)
  assert mirror_pad_violations(Interpreter(model_path=path)) == []


def test_dynamic_model_has_no_detectable_violation(dynamic_tflite_path):
  assert mirror_pad_violations(Interpreter(model_path=dynamic_tflite_path)) == []


@pytest.mark.parametrize("size", [0, -4, 2.5, True])
def test_rejects_bad_input_size(saved_model_path, tmp_path, size):
  with pytest.raises(ValueError, match=f"input_size must be None or a positive int, got {size!r}"):
    export_tflite(saved_model_path, str(tmp_path / "g.tflite"), input_size=size)
