"""TFLite quantization: option checks, PSNR, normalization layers kept float, int8 input / output."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from export import export_tflite
from export.quantization import (
  Int8Calibration,
  converter_fn,
  dequantize,
  layer_nodes,
  normalization_layers,
  quantize,
  resolve_quantization,
  round_half_away_from_zero,
  tensor_io,
)
from export.tflite import LiteRTModel, tflite_outputs
from tests.export.tiny_models import InstanceNorm, random_images
from tfgan_repro import nets
from tfgan_repro.evaluation.metrics.image_quality import psnr

SIZE = 16  # static TFLite side for the tiny generator (>= 4, tiny_models docstring)


def smooth_images(num: int, seed: int) -> np.ndarray:
  """[num, 16, 16, 3] in [-1, 1]: 4x4 noise repeated to 4x4 blocks (a low-frequency image)."""
  return np.repeat(np.repeat(random_images((num, 4, 4, 3), seed), 4, axis=1), 4, axis=2)


@pytest.fixture(scope="module")
def calibration():
  return smooth_images(100, seed=5)  # exactly the minimum


@pytest.fixture(scope="module")
def check_images():
  return smooth_images(3, seed=6)


def op_output_dtypes(path: str, op_name: str) -> set[str]:
  interpreter = Interpreter(model_path=path)
  tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
  return {
    np.dtype(tensors[op["outputs"][0]]["dtype"]).name
    for op in interpreter._get_ops_details()
    if op["op_name"] == op_name
  }


def test_resolve_quantization_aliases_and_errors():
  assert resolve_quantization("none") == "float32"
  assert resolve_quantization("int8") == "int8"
  with pytest.raises(ValueError, match=r"quantization must be one of float32, .*none; got 'int4'"):
    resolve_quantization("int4")


def test_converter_fn_and_calibration_check_their_arguments(calibration):
  with pytest.raises(ValueError, match="int8 calibration needs >= 100 images .* got 99"):
    Int8Calibration(calibration[:99])
  with pytest.raises(ValueError, match="calibration: int8_float_norm needs an Int8Calibration"):
    converter_fn("int8_float_norm")
  with pytest.raises(ValueError, match="calibration is only used by"):
    converter_fn("float16", Int8Calibration(calibration))
  with pytest.raises(ValueError, match="float_layers must name the layers"):
    Int8Calibration(calibration).quantize(None, "int8_float_norm")


def psnr_db(expected: np.ndarray, actual: np.ndarray) -> float:
  return psnr(expected, actual, reduction="batch_mse")  # the export's PSNR


def test_psnr_db_hand_computed():
  expected = np.zeros((1, 2, 2, 3), np.float32)
  # MSE = 0.02^2 = 4e-4; PSNR = 10 log10(2^2 / 4e-4) = 40 dB.
  assert psnr_db(expected, expected + 0.02) == pytest.approx(40.0, abs=1e-5)  # 0.02 in float32
  assert psnr_db(expected, expected) == math.inf
  assert psnr_db(expected, np.full_like(expected, np.nan)) == -math.inf


def test_ties_round_away_from_zero_as_tflite():
  values = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.49999997, 2.4, -2.6])
  want = [1.0, 2.0, 3.0, -1.0, -2.0, -3.0, 0.0, 0.0, 2.0, -3.0]
  np.testing.assert_array_equal(round_half_away_from_zero(values.astype(np.float32)), want)
  np.testing.assert_array_equal(round_half_away_from_zero(values), want)


def test_quantize_rounds_ties_away_from_zero_then_adds_the_zero_point():
  int8 = {"dtype": np.int8, "quantization": (0.5, 10)}
  x = np.array([0.25, 0.75, 1.25, -0.25, -0.75, 1.0, -100.0, 100.0], np.float32)
  # x / 0.5 = 0.5, 1.5, 2.5, -0.5, -1.5, 2, -200, 200: ties away from zero (np.round would give
  # 0, 2, 2, -0, -2), + 10, clipped to [-128, 127].
  q = quantize(x, int8)
  assert q.dtype == np.int8
  np.testing.assert_array_equal(q, [11, 12, 13, 9, 8, 12, -128, 127])
  np.testing.assert_array_equal(dequantize(q, int8), [0.5, 1.0, 1.5, -0.5, -1.0, 1.0, -69.0, 58.5])
  uint8 = {"dtype": np.uint8, "quantization": (1.0 / 128, 128)}
  # 0.5 / 128 * 128 = 0.5 -> 1 (+128 = 129); -0.5 / 128 * 128 = -0.5 -> -1 (127); 1.0 -> 256 -> 255.
  q = quantize(np.array([0.5 / 128, -0.5 / 128, 1.0, -1.0], np.float32), uint8)
  assert q.dtype == np.uint8
  np.testing.assert_array_equal(q, [129, 127, 255, 0])
  np.testing.assert_array_equal(dequantize(q, uint8), [1 / 128, -1 / 128, 127 / 128, -1.0])


def test_float_and_unscaled_integer_tensors_are_cast():
  x = np.array([0.5, -1.5, 2.0], np.float32)
  assert quantize(x, {"dtype": np.float32, "quantization": (0.0, 0)}).dtype == np.float32
  labels = quantize(np.array([3, 0, 7]), {"dtype": np.int32, "quantization": (0.0, 0)})
  assert labels.dtype == np.int32 and labels.tolist() == [3, 0, 7]
  y = dequantize(np.array([3, -2], np.int32), {"dtype": np.int32, "quantization": (0.0, 0)})
  assert y.dtype == np.float32 and y.tolist() == [3.0, -2.0]


def test_normalization_layers_of_tiny_and_resnet_generators(generator):
  names = normalization_layers(generator)
  assert names == [x.name for x in generator.layers if isinstance(x, InstanceNorm)]
  assert len(names) == 3
  # ResNet-6: conv_in norm + 2 down + 6 blocks x 2 + 2 up = 17 instance norms.
  assert len(normalization_layers(nets.build("resnet_6", ngf=4))) == 17


@pytest.fixture(scope="module")
def int8_paths(saved_model_path, calibration, generator, tmp_path_factory):
  folder = tmp_path_factory.mktemp("int8")
  shared = Int8Calibration(calibration, normalization_layers(generator))
  return {
    q: export_tflite(
      saved_model_path,
      str(folder / f"{q}.tflite"),
      input_size=SIZE,
      convert=converter_fn(q, shared),
    )
    for q in ("int8", "int8_float_norm")
  }


def test_int8_has_integer_io_and_matches_keras(int8_paths, generator, check_images):
  expected = generator(check_images, training=False).numpy()
  for quantization, path in int8_paths.items():
    lite = LiteRTModel(path)
    io = tensor_io(lite.input)
    assert io["dtype"] == "int8" and io["shape"] == [1, SIZE, SIZE, 3]
    # Calibrated on [-1, 1] images: 256 int8 levels over a range of 2 (+ rounding slack).
    assert 2 / 256 <= io["scale"] <= 2.1 / 255
    assert -128 <= io["zero_point"] <= 127
    assert tensor_io(lite.output)["dtype"] == "int8"
    actual = tflite_outputs(path, check_images)
    assert actual.shape == (3, SIZE, SIZE, 3)
    psnr = psnr_db(expected, actual)
    assert 25.0 < psnr < 80.0, (quantization, psnr)


def test_int8_float_norm_keeps_instance_norm_float(int8_paths, saved_model_path, generator):
  # All int8: the norm's MEAN ops compute in int8; int8_float_norm: in float32.
  assert op_output_dtypes(int8_paths["int8"], "MEAN") == {"int8"}
  assert op_output_dtypes(int8_paths["int8_float_norm"], "MEAN") == {"float32"}
  assert op_output_dtypes(int8_paths["int8_float_norm"], "CONV_2D") == {"int8"}
  with open(int8_paths["int8"], "rb") as f:
    flatbuffer = f.read()
  nodes = layer_nodes(flatbuffer, normalization_layers(generator))
  assert nodes and all(any(n in node for n in normalization_layers(generator)) for node in nodes)
  assert layer_nodes(flatbuffer, []) == []


@pytest.mark.parametrize(("quantization", "min_psnr"), [("float16", 60.0), ("dynamic", 30.0)])
def test_float16_and_dynamic_match_keras(
  saved_model_path, generator, check_images, tmp_path, quantization, min_psnr
):
  path = export_tflite(
    saved_model_path,
    str(tmp_path / "g.tflite"),
    input_size=SIZE,
    convert=converter_fn(quantization),
  )
  assert tensor_io(LiteRTModel(path).input)["dtype"] == "float32"
  expected = generator(check_images, training=False).numpy()
  assert psnr_db(expected, tflite_outputs(path, check_images)) > min_psnr
