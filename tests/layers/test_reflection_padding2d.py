import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from tfgan_repro.layers import ReflectionPadding2D


@pytest.mark.parametrize(
  "padding, np_pads",
  [
    (1, ((1, 1), (1, 1))),
    ((2, 1), ((2, 2), (1, 1))),
    (((1, 2), (3, 0)), ((1, 2), (3, 0))),
  ],
)
@pytest.mark.parametrize("training", [False, True])  # slices / tf.pad REFLECT
def test_equals_numpy_reflect(padding, np_pads, training):
  x = np.arange(2 * 4 * 5 * 3, dtype="float32").reshape(2, 4, 5, 3)
  y = np.asarray(ReflectionPadding2D(padding)(x, training=training))
  np.testing.assert_array_equal(y, np.pad(x, ((0, 0), *np_pads, (0, 0)), mode="reflect"))


def test_exported_inference_has_no_mirror_pad_and_takes_any_size():
  inputs = keras.Input((None, None, 2))
  model = keras.Model(inputs, ReflectionPadding2D(((3, 1), (2, 0)))(inputs))
  converter = tf.lite.TFLiteConverter.from_keras_model(model)
  interpreter = Interpreter(model_content=converter.convert())
  ops = {op["op_name"] for op in interpreter._get_ops_details()}
  assert "MIRROR_PAD" not in ops and "CONCATENATION" in ops  # XNNPACK has no MIRROR_PAD
  x = np.random.default_rng(0).normal(size=(1, 6, 5, 2)).astype("float32")
  (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
  interpreter.resize_tensor_input(inp["index"], x.shape)
  interpreter.allocate_tensors()
  interpreter.set_tensor(inp["index"], x)
  interpreter.invoke()
  expected = np.pad(x, ((0, 0), (3, 1), (2, 0), (0, 0)), mode="reflect")
  np.testing.assert_array_equal(interpreter.get_tensor(out["index"]), expected)


def test_reflects_without_repeating_the_edge():
  x = np.array([1.0, 2.0, 3.0], "float32").reshape(1, 1, 3, 1)
  y = np.asarray(ReflectionPadding2D(((0, 0), (2, 2)))(x))
  np.testing.assert_array_equal(y.ravel(), [3, 2, 1, 2, 3, 2, 1])


def test_pad_not_smaller_than_size_raises():
  with pytest.raises(ValueError, match="needs height > 3"):
    ReflectionPadding2D(3)(np.zeros((1, 3, 8, 1), "float32"))
  with pytest.raises(ValueError, match="needs width > 2"):
    ReflectionPadding2D((1, 2))(np.zeros((1, 8, 2, 1), "float32"))


def test_output_shape_with_dynamic_sizes_and_config_round_trip():
  layer = ReflectionPadding2D(((1, 2), (3, 0)))
  assert layer.compute_output_shape((None, None, 5, 3)) == (None, None, 8, 3)
  inputs = keras.Input((None, None, 3))
  assert tuple(layer(inputs).shape) == (None, None, None, 3)
  clone = ReflectionPadding2D.from_config(layer.get_config())
  assert clone.padding == ((1, 2), (3, 0))


def test_invalid_padding_raises():
  with pytest.raises(ValueError, match="padding must be >= 0, got -1"):
    ReflectionPadding2D(-1)
  with pytest.raises(ValueError, match="padding must be int, \\(ph, pw\\) or"):
    ReflectionPadding2D((1, 2, 3))
