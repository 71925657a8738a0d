"""TFLite conversion of an exported SavedModel, and its parity check (LiteRT).

Route (NOTES.md, Export): `tf.lite.TFLiteConverter.from_saved_model` on the Keras ExportArchive
SavedModel (export.saved_model); by default no optimizations, so weights and math stay float32.
Quantized variants (float16, dynamic range, int8) set the converter's options through
`export_tflite(convert=...)` (export.quantization); LiteRTModel runs any of them on float images.

Input size:
- `input_size=None`: one dynamic model, input shape signature [-1, -1, -1, C]; callers resize it
  at run time (`interpreter.resize_tensor_input(index, [1, H, W, C])`, then `allocate_tensors()`).
- `input_size=s`: a static [1, s, s, C] model (GPU / NNAPI delegates need static shapes, NOTES.md
  export pitfalls). The SavedModel's serving function is re-traced with that input spec and saved
  next to the target for conversion; it calls the restored signature, so no Keras object is wrapped
  (the tf.Module pitfall in NOTES.md concerns wrapping Keras models).
Both keep the signature keys of the SavedModel ("images" -> "outputs").

MIRROR_PAD (NOTES.md export pitfalls): TFLite reflect padding gives garbage on older runtimes when a
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

from export.parity import as_images, keras_outputs, parity_stats
from export.saved_model import SIGNATURE_KEY, image_input_shape, load_serving
from export.staging import staged_file

NUM_THREADS = 2  # NOTES.md: the project's machines have 2 CPU cores


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
  loaded, fn, key, spec = load_serving(saved_model_path)
  if spec.shape.rank != 4 or spec.shape[-1] is None:
    raise ValueError(
      f"saved_model_path {saved_model_path!r} input {key!r} must be NHWC with known channels, "
      f"got {spec.shape}"
    )
  fixed = tf.TensorSpec((1, input_size, input_size, spec.shape[-1]), spec.dtype, name=key)
  serve = tf.function(lambda images: fn(**{key: images}), input_signature=[fixed])
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
  with staged_file(path) as staging, open(staging, "wb") as f:
    f.write(flatbuffer)
  return path


class LiteRTModel:
  """A .tflite in the LiteRT interpreter (XNNPACK, `num_threads`), called on float [1, H, W, C]
  images in [-1, 1] and returning float outputs: an int8 / uint8 input is quantized with its
  scale and zero point (q = round(x / scale) + zero_point, clipped) and an integer output
  dequantized (x = scale * (q - zero_point)). A dynamic model is resized to each image's shape."""

  def __init__(self, path: str, num_threads: int = NUM_THREADS):
    self.path = path
    self.num_threads = num_threads
    self.interpreter = Interpreter(model_path=path, num_threads=num_threads)
    (self.input,) = self.interpreter.get_input_details()
    (self.output,) = self.interpreter.get_output_details()
    self.dynamic = bool((self.input["shape_signature"] < 0).any())
    self._shape = None if self.dynamic else tuple(int(d) for d in self.input["shape"])
    if not self.dynamic:
      self.interpreter.allocate_tensors()

  @property
  def static_shape(self) -> tuple[int, ...] | None:
    """[1, s, s, C] of a static model; None for a dynamic one."""
    return None if self.dynamic else self._shape

  def __call__(self, image: np.ndarray) -> np.ndarray:
    """One float32 [1, H, W, C] image -> float32 [1, H', W', C']."""
    shape = tuple(image.shape)
    if self._shape != shape:
      if not self.dynamic:
        raise ValueError(
          f"images of shape {shape} do not fit the static input {self._shape} of {self.path}"
        )
      self.interpreter.resize_tensor_input(self.input["index"], shape)  # [1, H, W, C]
      self.interpreter.allocate_tensors()
      self._shape = shape
    self.interpreter.set_tensor(self.input["index"], _quantize(image, self.input))
    self.interpreter.invoke()
    return _dequantize(self.interpreter.get_tensor(self.output["index"]), self.output)


def _quantize(x: np.ndarray, details: dict) -> np.ndarray:
  dtype = details["dtype"]
  if dtype == np.float32:
    return x.astype(np.float32)
  scale, zero_point = details["quantization"]
  info = np.iinfo(dtype)
  return np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(dtype)


def _dequantize(q: np.ndarray, details: dict) -> np.ndarray:
  if details["dtype"] == np.float32:
    return q
  scale, zero_point = details["quantization"]
  return (scale * (q.astype(np.float32) - zero_point)).astype(np.float32)


def tflite_outputs(path: str, images: np.ndarray, num_threads: int = NUM_THREADS) -> np.ndarray:
  """Runs each float image of [N, H, W, C] through the .tflite (batch 1, LiteRTModel); returns
  the float32 outputs stacked [N, H', W', C']."""
  model = LiteRTModel(path, num_threads)
  shape = model.static_shape
  if shape is not None and shape != (1, *images.shape[1:]):
    raise ValueError(
      f"images of shape {images.shape} do not fit the static input {shape} of {path}"
    )
  return np.concatenate([model(image[None]) for image in images])  # [N, H', W', C']


def check_tflite(path: str, model: keras.Model, images: np.ndarray) -> dict[str, float]:
  """Runs each image through the LiteRT interpreter (2 threads, batch 1; a dynamic model is
  resized to [1, H, W, C] of the batch; integer inputs / outputs quantized with their scale and
  zero point) and compares with model(images, training=False); returns {"max_abs", "mean_abs"}
  over the whole batch."""
  images = as_images(images, image_input_shape(model)[-1])
  return parity_stats(keras_outputs(model, images), tflite_outputs(path, images))
