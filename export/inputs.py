"""The named inputs of an exported generator (the serving contract's input keys).

A generator of one input takes "images": float32 [N, H, W, C] in [-1, 1], or "latents": float32
[N, z_dim] when its one input is a vector (noise -> image synthesis). A generator of several
inputs (attribute editing: [image, attributes]; pix2pixHD's serving G: [label_map, instance_map])
takes one key per Keras input, named after the Keras Input ("image" is served as "images"), in the
model's input order. Only "images" must lie in [-1, 1]; other inputs (attribute strengths, class
and instance ids) must be finite. Every input has the same batch size N.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

INPUT_KEY = "images"  # the image input's serving key (export.saved_model module docstring)
LATENT_KEY = "latents"  # a synthesis generator's z [N, z_dim] (export.synthesis_signatures)
_IMAGE_INPUT_NAME = "image"  # the Keras Input name served as INPUT_KEY

Inputs = np.ndarray | Mapping[str, np.ndarray]


def input_shapes(model: keras.Model) -> dict[str, tuple[int | None, ...]]:
  """Serving key -> the model's input shape, in input order: {"images": (None, H, W, C)} for a
  model of one input; else the Keras Input names ("image" -> "images"). ValueError unless the
  model is functional with one output and inputs of known last dimensions."""
  inputs = getattr(model, "inputs", None) if isinstance(model, keras.Model) else None
  outputs = getattr(model, "outputs", None) if inputs else None
  if not inputs or not outputs or len(outputs) != 1:
    raise ValueError(f"model must be a functional keras.Model with one output, got {model!r}")
  if len(inputs) == 1:
    keys = [LATENT_KEY if len(inputs[0].shape) == 2 else INPUT_KEY]  # noise -> image: z [N, K]
  else:
    keys = [INPUT_KEY if t.name == _IMAGE_INPUT_NAME else t.name for t in inputs]
  if len(set(keys)) != len(keys):
    raise ValueError(f"model inputs need distinct names, got {[t.name for t in inputs]}")
  shapes = {key: tuple(t.shape) for key, t in zip(keys, inputs, strict=True)}
  for key, shape in shapes.items():
    if len(shape) < 2 or shape[-1] is None:
      raise ValueError(f"model input {key!r} must have a known last dimension, got {shape}")
  if INPUT_KEY in shapes and len(shapes[INPUT_KEY]) != 4:
    raise ValueError(f"model input {INPUT_KEY!r} must be NHWC, got {shapes[INPUT_KEY]}")
  return shapes


def as_inputs(inputs: Inputs, model: keras.Model) -> dict[str, np.ndarray]:
  """`inputs` (an array for a one-input model, else a dict by serving key) validated against the
  model: float32 arrays, a non-empty common batch, the model's trailing dimensions, "images" in
  [-1, 1] and everything finite. Returns the dict in the model's input order."""
  shapes = input_shapes(model)
  given = {INPUT_KEY: inputs} if not isinstance(inputs, Mapping) else dict(inputs)
  if set(given) != set(shapes):
    raise ValueError(f"inputs must have the keys {list(shapes)}, got {list(given)}")
  out, batch = {}, None
  for key, shape in shapes.items():
    array = np.asarray(given[key], dtype=np.float32)
    fixed = [(i, d) for i, d in enumerate(shape) if i > 0 and d is not None]
    if array.ndim != len(shape) or array.shape[0] < 1 or any(array.shape[i] != d for i, d in fixed):
      want = ", ".join(["N", *("?" if d is None else str(d) for d in shape[1:])])
      raise ValueError(f"inputs[{key!r}] must be a non-empty [{want}] batch, got {array.shape}")
    if batch is not None and array.shape[0] != batch:
      raise ValueError(f"inputs[{key!r}] has batch {array.shape[0]}, the others {batch}")
    batch = array.shape[0]
    if not np.isfinite(array).all():
      raise ValueError(f"inputs[{key!r}] must be finite")
    if key == INPUT_KEY and (array.min() < -1.0 or array.max() > 1.0):
      raise ValueError(
        f"inputs[{key!r}] must be in [-1, 1], got range [{array.min()}, {array.max()}]"
      )
    out[key] = array
  return out


def model_inputs(inputs: dict[str, np.ndarray]) -> np.ndarray | list[np.ndarray]:
  """What the Keras model is called on: the one array, or the list in input order."""
  values = list(inputs.values())
  return values[0] if len(values) == 1 else values


def take(inputs: dict[str, np.ndarray], start: int, stop: int) -> dict[str, np.ndarray]:
  """Examples start..stop of every input."""
  return {key: value[start:stop] for key, value in inputs.items()}


def batch_size(inputs: dict[str, np.ndarray]) -> int:
  return len(next(iter(inputs.values())))


def resize_inputs(inputs: dict[str, np.ndarray], size: int) -> dict[str, np.ndarray]:
  """Spatial inputs at size x size: "images" antialiased bilinear (clipped to [-1, 1]), other
  maps (label / instance ids) nearest; vectors (attributes) unchanged."""
  out = {}
  for key, value in inputs.items():
    if value.ndim != 4 or value.shape[1:3] == (size, size):
      out[key] = value
    elif key == INPUT_KEY:
      resized = tf.image.resize(value, (size, size), method="bilinear", antialias=True)
      out[key] = np.clip(resized.numpy(), -1.0, 1.0)  # [N, size, size, C]
    else:
      out[key] = tf.image.resize(value, (size, size), method="nearest").numpy()
  return out


def static_shape(shape: tuple[int | None, ...], size: int) -> tuple[int, ...]:
  """The batch-1 static shape of an input for a size x size TFLite model: [1, s, s, C] for maps,
  [1, K] for vectors."""
  if len(shape) == 4:
    return (1, size, size, shape[-1])
  return (1, *shape[1:])
