"""Float32 TFLite conversion of an exported SavedModel, and its parity check (LiteRT).

Route (NOTES.md, Export): `tf.lite.TFLiteConverter.from_saved_model` on the Keras ExportArchive
SavedModel (export.saved_model); no optimizations, so weights and math stay float32.

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


def _convert(saved_model_path: str, input_size: int | None, scratch: str) -> bytes:
  if input_size is None:
    return tf.lite.TFLiteConverter.from_saved_model(saved_model_path).convert()
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
  return tf.lite.TFLiteConverter.from_saved_model(resaved).convert()


def export_tflite(saved_model_path: str, path: str, *, input_size: int | None) -> str:
  """Converts the SavedModel at `saved_model_path` to a float32 .tflite at `path` (atomically).

  input_size: None for a dynamic [-1, -1, -1, C] input, or s for a static [1, s, s, C] input.
  Returns `path`.
  """
  if input_size is not None and (
    isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 1
  ):
    raise ValueError(f"input_size must be None or a positive int, got {input_size!r}")
  parent = os.path.dirname(os.path.abspath(path))
  os.makedirs(parent, exist_ok=True)
  with tempfile.TemporaryDirectory(dir=parent, prefix=".tflite-convert-") as scratch:
    flatbuffer = _convert(saved_model_path, input_size, scratch)
  violations = mirror_pad_violations(Interpreter(model_content=flatbuffer))
  if violations:
    raise ValueError(
      f"input_size {input_size!r} is too small for this model (TFLite MIRROR_PAD needs "
      f"pad <= dim - 1): {'; '.join(violations)}"
    )
  with staged_file(path) as staging, open(staging, "wb") as f:
    f.write(flatbuffer)
  return path


def check_tflite(path: str, model: keras.Model, images: np.ndarray) -> dict[str, float]:
  """Runs each image through the LiteRT interpreter (2 threads, batch 1; a dynamic model is
  resized to [1, H, W, C] of the batch) and compares with model(images, training=False); returns
  {"max_abs", "mean_abs"} over the whole batch."""
  images = as_images(images, image_input_shape(model)[-1])
  interpreter = Interpreter(model_path=path, num_threads=NUM_THREADS)
  (inp,) = interpreter.get_input_details()
  (out,) = interpreter.get_output_details()
  dynamic = bool((inp["shape_signature"] < 0).any())
  static_shape = tuple(int(d) for d in inp["shape"])
  if not dynamic and static_shape != (1, *images.shape[1:]):
    raise ValueError(
      f"images of shape {images.shape} do not fit the static input {static_shape} of {path}"
    )
  if dynamic:
    interpreter.resize_tensor_input(inp["index"], (1, *images.shape[1:]))  # [1, H, W, C]
  interpreter.allocate_tensors()
  actual = []
  for image in images:
    interpreter.set_tensor(inp["index"], image[None])  # [1, H, W, C]
    interpreter.invoke()
    actual.append(interpreter.get_tensor(out["index"])[0])
  return parity_stats(keras_outputs(model, images), np.stack(actual))
