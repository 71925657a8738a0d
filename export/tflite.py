"""TFLite conversion of an exported SavedModel, and its parity check (LiteRT).

Route (docs/pitfalls.md, Export): `tf.lite.TFLiteConverter.from_saved_model` on the Keras
ExportArchive SavedModel (export.saved_model); by default no optimizations, so weights and math stay float32.
Quantized variants (float16, dynamic range, int8) set the converter's options through
`export_tflite(convert=...)` (export.quantization); LiteRTModel runs any of them on float images.

Input size:
- `input_size=None`: one dynamic model, input shape signature [-1, -1, -1, C]; callers resize it
  at run time (`interpreter.resize_tensor_input(index, [1, H, W, C])`, then `allocate_tensors()`).
- `input_size=s`: a static [1, s, s, C] model (GPU / NNAPI delegates need static shapes,
  docs/tflite.md). The SavedModel's serving function is re-traced with that input spec and saved
  next to the target for conversion; it calls the restored signature, so no Keras object is wrapped
  (the tf.Module pitfall in docs/pitfalls.md concerns wrapping Keras models).
Both keep the signature keys of the SavedModel ("images" [+ other named inputs] -> "outputs").

MIRROR_PAD (docs/tflite.md): TFLite reflect padding gives garbage on older runtimes when a
pad width exceeds dim - 1 (LiteRT 2.3 refuses it in allocate_tensors). Static models are checked
before writing: an `input_size` that makes any MIRROR_PAD pad exceed its input dim - 1 is refused.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from export.inputs import INPUT_KEY, Inputs, as_inputs, batch_size, static_shape, take
from export.parity import keras_outputs, parity_stats
from export.quantization import dequantize, quantize
from export.saved_model import SIGNATURE_KEY, load_serving
from tfgan_repro.util.atomic import write_bytes_atomic

NUM_THREADS = 2  # LiteRT threads (README latency table: 2 threads on a 2-core CPU)


def mirror_pad_violations(interpreter: Interpreter) -> list[str]:
  """MIRROR_PAD ops whose constant pad exceeds (static input dim - 1); unknown dims are skipped.

  dim - 1 is REFLECT's bound; SYMMETRIC allows dim, so this is conservative for SYMMETRIC.
  """
  tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
  found = []
  for op in interpreter._get_ops_details():  # LiteRT has no public op listing
    if op["op_name"] != "MIRROR_PAD":
      continue
    x_index, pad_index = op["inputs"][:2]
    try:
      pads = interpreter.get_tensor(pad_index)  # [rank, 2]: (before, after) per axis
    except ValueError:  # computed at run time: not detectable before allocate_tensors
      continue
    shape = tensors[x_index]["shape_signature"]
    for axis, (dim, (before, after)) in enumerate(zip(shape, pads, strict=True)):
      if dim > 0 and max(before, after) > dim - 1:
        found.append(
          f"MIRROR_PAD op {op['index']} pads axis {axis} of size {dim} by ({before}, {after})"
        )
  return found


def tflite_converter(
  saved_model_path: str, input_size: int | None, scratch: str
) -> tf.lite.TFLiteConverter:
  """A TFLiteConverter over the SavedModel: its own input shape (None) or a static [1, s, s, C]
  (re-traced and saved under `scratch`, which must outlive the conversion). No options set."""
  if input_size is None:
    # Only the float signature: others (translate_bytes: string decode / encode ops) do not convert.
    return tf.lite.TFLiteConverter.from_saved_model(
      saved_model_path, signature_keys=[SIGNATURE_KEY]
    )
  loaded, fn, specs = load_serving(saved_model_path)
  for key, spec in specs.items():
    if spec.shape.rank not in (2, 4) or spec.shape[-1] is None:
      raise ValueError(
        f"saved_model_path {saved_model_path!r} input {key!r} must be NHWC or [N, K] with known "
        f"channels, got {spec.shape}"
      )
  keys = list(specs)
  fixed = [
    tf.TensorSpec(static_shape(tuple(specs[k].shape), input_size), specs[k].dtype, name=k)
    for k in keys
  ]
  serve = tf.function(
    lambda *tensors: fn(**dict(zip(keys, tensors, strict=True))), input_signature=fixed
  )
  resaved = os.path.join(scratch, "saved_model")
  tf.saved_model.save(loaded, resaved, signatures={SIGNATURE_KEY: serve})
  return tf.lite.TFLiteConverter.from_saved_model(resaved)


def export_tflite(
  saved_model_path: str,
  path: str,
  *,
  input_size: int | None,
  convert: Callable[[tf.lite.TFLiteConverter], bytes] | None = None,
) -> str:
  """Converts the SavedModel at `saved_model_path` to a .tflite at `path` (atomically).

  input_size: None for a dynamic [-1, -1, -1, C] input, or s for a static [1, s, s, C] input.
  convert: sets the converter's options and converts (export.quantization.converter_fn); None
  converts as is: float32. Returns `path`.
  """
  if input_size is not None and (
    isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 1
  ):
    raise ValueError(f"input_size must be None or a positive int, got {input_size!r}")
  parent = os.path.dirname(os.path.abspath(path))
  os.makedirs(parent, exist_ok=True)
  with tempfile.TemporaryDirectory(dir=parent, prefix=".tflite-convert-") as scratch:
    converter = tflite_converter(saved_model_path, input_size, scratch)
    flatbuffer = converter.convert() if convert is None else convert(converter)
  violations = mirror_pad_violations(Interpreter(model_content=flatbuffer))
  if violations:
    raise ValueError(
      f"input_size {input_size!r} is too small for this model (TFLite MIRROR_PAD needs "
      f"pad <= dim - 1): {'; '.join(violations)}"
    )
  return write_bytes_atomic(path, flatbuffer)


class LiteRTModel:
  """A .tflite in the LiteRT interpreter (XNNPACK, `num_threads`), called on batch-1 float inputs
  (an image [1, H, W, C] in [-1, 1], or named inputs as the SavedModel's: export.inputs) and
  returning the float output: an int8 / uint8 input is quantized with its scale and zero point
  (q = round(x / scale) + zero_point, ties away from zero as TFLite, clipped) and an integer
  output dequantized (x = scale * (q - zero_point)): export.quantization.quantize / dequantize.
  A dynamic model is resized to each call's shapes. The serving signature names the inputs; a
  .tflite without one (converted from a concrete function) must have one input and one output,
  taken as the image."""

  def __init__(self, path: str, num_threads: int = NUM_THREADS):
    self.path = path
    self.num_threads = num_threads
    self.interpreter = Interpreter(model_path=path, num_threads=num_threads)
    self.inputs, self.output = _signature_io(self.interpreter)
    self.dynamic = any(bool((d["shape_signature"] < 0).any()) for d in self.inputs.values())
    self._shapes = {}  # the input shapes the tensors are allocated for: none yet when dynamic
    if not self.dynamic:
      self._shapes = {k: tuple(int(v) for v in d["shape"]) for k, d in self.inputs.items()}
      self.interpreter.allocate_tensors()

  @property
  def input(self) -> dict:
    """The image input's details (the only input's, for a model of one)."""
    return self.inputs.get(INPUT_KEY) or next(iter(self.inputs.values()))

  @property
  def static_shape(self) -> tuple[int, ...] | None:
    """[1, s, s, C] of a static model's image input; None for a dynamic one."""
    return None if self.dynamic else tuple(int(d) for d in self.input["shape"])

  def __call__(self, inputs: Inputs) -> np.ndarray:
    """One example: a float32 [1, H, W, C] image or named inputs -> float32 [1, H', W', C']."""
    given = inputs if isinstance(inputs, dict) else {INPUT_KEY: inputs}
    if set(given) != set(self.inputs):
      raise ValueError(f"{self.path} takes the inputs {list(self.inputs)}, got {list(given)}")
    shapes = {k: tuple(np.shape(v)) for k, v in given.items()}
    if shapes != self._shapes:
      if not self.dynamic:
        key = next(k for k in shapes if shapes[k] != self._shapes[k])
        raise ValueError(
          f"{key} of shape {shapes[key]} do not fit the static input {self._shapes[key]} of "
          f"{self.path}"
        )
      for key, shape in shapes.items():
        self.interpreter.resize_tensor_input(self.inputs[key]["index"], shape)
      self.interpreter.allocate_tensors()
      self._shapes = shapes
    for key, value in given.items():
      details = self.inputs[key]
      self.interpreter.set_tensor(details["index"], quantize(np.asarray(value), details))
    self.interpreter.invoke()
    return dequantize(self.interpreter.get_tensor(self.output["index"]), self.output)

  def outputs(self, inputs: Inputs) -> np.ndarray:
    """Each example of [N, H, W, C] images (or of named inputs) through the model, batch 1; the
    float32 outputs stacked [N, H', W', C']."""
    given = inputs if isinstance(inputs, dict) else {INPUT_KEY: inputs}
    return np.concatenate([self(take(given, i, i + 1)) for i in range(batch_size(given))])


def _signature_io(interpreter: Interpreter) -> tuple[dict[str, dict], dict]:
  """(serving key -> input tensor details, the output's details) of the serving signature. The
  signature runner is dropped before returning: while it lives, allocate_tensors refuses to run
  ("at least 1 reference to internal data"). A model without that signature: its only input (as
  INPUT_KEY) and its only output."""
  if SIGNATURE_KEY not in interpreter.get_signature_list():
    inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
    if len(inputs) != 1 or len(outputs) != 1:
      raise ValueError(
        f"a .tflite without signature {SIGNATURE_KEY!r} must have one input and one output, got "
        f"{len(inputs)} and {len(outputs)}"
      )
    return {INPUT_KEY: inputs[0]}, outputs[0]
  runner = interpreter.get_signature_runner(SIGNATURE_KEY)
  inputs, outputs = runner.get_input_details(), runner.get_output_details()
  del runner
  (output,) = outputs.values()
  return inputs, output


def tflite_outputs(path: str, inputs: Inputs, num_threads: int = NUM_THREADS) -> np.ndarray:
  """Runs each example of [N, H, W, C] images (or of named inputs) through the .tflite (batch 1,
  LiteRTModel); returns the float32 outputs stacked [N, H', W', C']."""
  return LiteRTModel(path, num_threads).outputs(inputs)


def check_tflite(path: str, model: keras.Model, inputs: Inputs) -> dict[str, float]:
  """Runs each example through the LiteRT interpreter (2 threads, batch 1; a dynamic model is
  resized to the example's shapes; integer inputs / outputs quantized with their scale and zero
  point) and compares with the Keras model (training=False); returns {"max_abs", "mean_abs"}
  over the whole batch."""
  inputs = as_inputs(inputs, model)
  return parity_stats(keras_outputs(model, inputs), tflite_outputs(path, inputs))
