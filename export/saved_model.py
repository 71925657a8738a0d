"""SavedModel export of a Keras generator for TF Serving, and its parity check.

Serving contract (tag "serve"):
  "serving_default":
    inputs:  "images"  float32 [batch, height, width, C] in [-1, 1], any batch / height / width
                       the model accepts (the generators' inputs are (None, None, None, C));
                       generators of several inputs add one key per input (export.inputs:
                       "attributes" [batch, K] of the editing models);
    outputs: "outputs" float32 [batch, height', width', C'] in the generator's range (tanh: [-1, 1]).
  "translate_bytes" (export.serving_io):
    inputs:  "image_bytes" string [batch]: encoded JPEG / PNG images, each of any size;
    outputs: "png_bytes"   string [batch]: encoded PNG images, each of its input's size.
TF Serving REST: POST /v1/models/<name>:predict with {"inputs": {"images": [...]}} (columnar) or
{"instances": [...]} (one image per instance); the reply's key is "outputs". With
"signature_name": "translate_bytes", instances are {"b64": ...} (docs/serving.md).

Route (docs/pitfalls.md, Export): the Keras ExportArchive, which
`model.export(format="tf_saved_model")` uses, NOT a tf.Module wrapped around the model and saved with tf.saved_model.save (that SavedModel
served correctly but converted to garbage TFLite). `model.export` would name the input after the
Keras input layer (e.g. "input_layer_3") and the output "output_0"; the archive is driven directly
here so that the keys above are stable across models (and each weight is stored once; see
export_saved_model).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from export.contract import Contract, input_contract, write_contract
from export.inputs import INPUT_KEY, Inputs, as_inputs, input_shapes
from export.parity import keras_outputs, parity_stats
from export.serving_io import BYTES_INPUT_KEY, BYTES_SIGNATURE_KEY, serving_size, translate_bytes_fn
from export.staging import staged_directory
from export.synthesis_signatures import add_synthesis_endpoints, spec_of
from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS

# This library's serving contract (module docstring).
SIGNATURE_KEY = "serving_default"  # TF Serving's default signature name
OUTPUT_KEY = "outputs"


def image_input_shape(model: keras.Model) -> tuple[int | None, ...]:
  """The NHWC shape of the model's "images" input, e.g. (None, None, None, 3) (export.inputs);
  ValueError when it has none."""
  shapes = input_shapes(model)
  if INPUT_KEY not in shapes:
    raise ValueError(f"model has no image input; its inputs: {list(shapes)}")
  return shapes[INPUT_KEY]


def _check_translate_bytes(
  shapes: dict[str, tuple[int | None, ...]], translate_bytes: bool
) -> None:
  """ValueError when translate_bytes is asked of a model other than one image input of any size."""
  if translate_bytes and (len(shapes) != 1 or shapes.get(INPUT_KEY, ())[1:3] != (None, None)):
    raise ValueError(
      f"translate_bytes needs a model of one image input of any height and width, got inputs "
      f"{shapes}; pass translate_bytes=False"
    )


def _add_serving_default(
  archive: keras.export.ExportArchive,
  model: keras.Model,
  shapes: dict[str, tuple[int | None, ...]],
) -> None:
  """Adds the "serving_default" endpoint: named float32 inputs -> {"outputs": float32}."""

  def serve(*tensors: tf.Tensor) -> dict[str, tf.Tensor]:
    x = tensors[0] if len(tensors) == 1 else list(tensors)
    # float32 out even under a mixed-precision policy (docs/design.md, "Shipping and its gates").
    return {OUTPUT_KEY: tf.cast(model(x, training=False), tf.float32)}

  archive.add_endpoint(
    name=SIGNATURE_KEY,
    fn=serve,  # the signature's input keys are the specs' names
    input_signature=[
      tf.TensorSpec((None, *shape[1:]), tf.float32, name=key) for key, shape in shapes.items()
    ],
  )


def export_saved_model(
  model: keras.Model,
  path: str,
  *,
  translate_bytes: bool = False,
  size_multiple: int | None = None,
  max_pixels: int = DEFAULT_MAX_PIXELS,
  contract: Contract | None = None,
) -> str:
  """Writes `model` as a SavedModel at `path` (replacing it atomically); returns `path`.

  The "serving_default" signature maps {"images": float32 [N, H, W, C]} (plus the other named
  inputs of a model of several, export.inputs) to {"outputs": float32 [N, H', W', C']}, running
  the model with training=False.
  translate_bytes: also write the "translate_bytes" signature (encoded JPEG / PNG -> PNG, any
  size; needs a model of any height and width, 1 or 3 channels in and out). Each image is
  reflect-padded to a multiple of `size_multiple` (default: the net's total stride,
  `export.serving_io.downsampling_factor`: 4 for the ResNets, 2^num_downs for the U-Nets) and at
  least the smallest such size the net takes (found by running it on tiny zero images); images
  of more than `max_pixels` pixels are refused from their header, before decoding.
  contract: the input contract written into the SavedModel (export.contract; default: the
  model's inputs known by their channels); a synthesis generator's ("latents" of kind "latents")
  adds the "generate" and "sample_latents" signatures (export.synthesis_signatures).
  """
  shapes = input_shapes(model)
  _check_translate_bytes(shapes, translate_bytes)
  # No archive.track(model): the endpoint's traced function already captures every variable it
  # reads, and track() would store each weight a second time (the keras.Variable wrappers next to
  # the captured tf.Variables: 2x disk and 2x RAM in TF Serving; keras-team/keras#23553, open in
  # Keras 3.15). tests/export checks that the checkpoint holds model.count_params() values.
  archive = keras.export.ExportArchive()
  _add_serving_default(archive, model, shapes)
  if translate_bytes:
    archive.add_endpoint(
      name=BYTES_SIGNATURE_KEY,
      fn=translate_bytes_fn(model, serving_size(model, size_multiple), max_pixels),
      input_signature=[tf.TensorSpec((None,), tf.string, name=BYTES_INPUT_KEY)],
    )
  latent_spec = spec_of(contract)  # a synthesis generator: "generate" (export.synthesis_signatures)
  if latent_spec is not None:
    add_synthesis_endpoints(archive, model, latent_spec)
  with staged_directory(path) as staging:
    archive.write_out(staging, verbose=False)
    write_contract(staging, contract or input_contract(model))
  return path


def load_serving(
  path: str,
) -> tuple[Any, tf.types.experimental.ConcreteFunction, dict[str, tf.TensorSpec]]:
  """Loads `path`; returns (the loaded object, which owns the variables and must outlive any
  function traced over the signature; its serving_default function; its input specs by key)."""
  loaded = tf.saved_model.load(path)
  if SIGNATURE_KEY not in loaded.signatures:
    raise ValueError(f"path {path!r} has no {SIGNATURE_KEY!r} signature: {list(loaded.signatures)}")
  fn = loaded.signatures[SIGNATURE_KEY]
  specs = fn.structured_input_signature[1]
  if not specs or len(fn.structured_outputs) != 1:
    raise ValueError(
      f"path {path!r}: {SIGNATURE_KEY} must have inputs and one output, got "
      f"{list(specs)} -> {list(fn.structured_outputs)}"
    )
  return loaded, fn, dict(specs)


def serving_outputs(fn: tf.types.experimental.ConcreteFunction, inputs: dict) -> np.ndarray:
  """The one output of a serving_default function on named inputs (arrays or tensors)."""
  (output,) = fn(**{key: tf.constant(value) for key, value in inputs.items()}).values()
  return output.numpy()


def check_saved_model(path: str, model: keras.Model, inputs: Inputs) -> dict[str, float]:
  """Runs `inputs` (an image batch, or named inputs: export.inputs) through the SavedModel's
  serving_default (one batch) and compares with the Keras model (training=False); returns
  {"max_abs", "mean_abs"}."""
  inputs = as_inputs(inputs, model)
  _, fn, _ = load_serving(path)
  return parity_stats(keras_outputs(model, inputs), serving_outputs(fn, inputs))
