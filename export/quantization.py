"""TFLite quantization of a generator, and the int8 <-> float mapping of its integer tensors.

Quantizations (`export_tflite(..., convert=converter_fn(q, ...))`):
  float32          no optimizations: float weights and math (max |diff| to Keras ~1e-6);
  float16          `optimizations=[DEFAULT]`, `target_spec.supported_types=[tf.float16]`: float16
                   weights, dequantized to float32 at load on CPU (half the size);
  dynamic          `optimizations=[DEFAULT]`: int8 weights, activations quantized on the fly;
  int8             full integer: weights and activations int8, int8 input and output, activation
                   ranges calibrated on a representative dataset (>= 100 training images);
  int8_float_norm  int8 as above, but the ops of every normalization layer (instance norm: mean,
                   squared difference, rsqrt, scale and shift) stay float32, with quantize /
                   dequantize ops around them (`denylisted_nodes`, the selective-quantization
                   route). Both int8 variants come from one calibration through
                   `tf.lite.experimental.QuantizationDebugger` (Int8Calibration).
Why both int8 variants (docs/tflite.md): instance norm divides by a per-image standard
deviation that int8 represents coarsely, and full-int8 generators are known to give spurious
images; each int8 artifact is measured against Keras (PSNR of the batch MSE,
tfgan_repro.evaluation.metrics.psnr) and gated by the caller.

Integer input / output: float = scale * (q - zero_point); the scale and zero point are in the
interpreter's tensor details and in the metadata written beside each file (export.versioned).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

QUANTIZATIONS = ("float32", "float16", "dynamic", "int8", "int8_float_norm")
ALIASES = {"none": "float32"}  # --quantize=none: no quantization
CALIBRATED = ("int8", "int8_float_norm")
# docs/tflite.md: int8 only with >= 100 calibration images.
MIN_CALIBRATION_IMAGES = 100
# Layer classes whose ops int8_float_norm keeps float: per-example statistics (instance norm is
# GroupNormalization(groups=-1) in Keras, docs/pitfalls.md, or a class named *InstanceNorm*).
NORM_CLASSES = (keras.layers.GroupNormalization, keras.layers.LayerNormalization)


def resolve_quantization(name: str) -> str:
  """A quantization name or alias ("none" = "float32") -> its canonical name; ValueError else."""
  canonical = ALIASES.get(name, name)
  if canonical not in QUANTIZATIONS:
    valid = ", ".join([*QUANTIZATIONS, *ALIASES])
    raise ValueError(f"quantization must be one of {valid}; got {name!r}")
  return canonical


def normalization_layers(model: keras.Model) -> list[str]:
  """Names of the model's normalization layers (nested models included), in layer order."""
  names = []
  for layer in model.layers:
    if isinstance(layer, keras.Model):
      names.extend(normalization_layers(layer))
    elif isinstance(layer, NORM_CLASSES) or "InstanceNorm" in type(layer).__name__:
      names.append(layer.name)
  return names


def layer_nodes(flatbuffer: bytes, layers: Sequence[str]) -> list[str]:
  """Tensor names of `flatbuffer` produced by ops of the named Keras layers.

  The converter names a tensor after its op's TF scope, e.g. "resnet_9_1/block1_norm1_1/Mean";
  fused ops join several with ";". A tensor belongs to layer L when one path segment of one of
  its names is L or L_<n> (Keras' call-scope suffix).
  """
  if not layers:
    return []
  pattern = re.compile(r"^(?:" + "|".join(re.escape(name) for name in layers) + r")(?:_\d+)?$")
  names = {t["name"] for t in Interpreter(model_content=flatbuffer).get_tensor_details()}
  return sorted(
    name
    for name in names
    if any(pattern.match(segment) for part in name.split(";") for segment in part.split("/"))
  )


def calibration_dataset(images: np.ndarray) -> Callable[[], object]:
  """The converter's representative_dataset: each image of [N, H, W, C] as a [1, H, W, C] batch."""

  def generate():
    for image in images:
      yield [image[None].astype(np.float32)]  # [1, H, W, C]

  return generate


class Int8Calibration:
  """Calibration of one model at one input size, shared by its int8 variants.

  images: float32 [N, s, s, C] in [-1, 1] at the TFLite input size, N >= MIN_CALIBRATION_IMAGES
  (training images). float_layers: the Keras layers int8_float_norm keeps float
  (normalization_layers(model)). The first int8 conversion calibrates (the model runs on every
  image in the interpreter: minutes for a 256 px ResNet-9 on 2 cores); the other variant only
  re-quantizes the calibrated model (`tf.lite.experimental.QuantizationDebugger`).
  """

  def __init__(self, images: np.ndarray, float_layers: Sequence[str] = ()):
    count = 0 if images is None else len(images)
    if count < MIN_CALIBRATION_IMAGES:
      raise ValueError(
        f"images: int8 calibration needs >= {MIN_CALIBRATION_IMAGES} images (docs/tflite.md: fewer "
        f"give spurious int8 generators), got {count}"
      )
    self.images = images
    self.float_layers = tuple(float_layers)
    self._debugger = None

  def quantize(self, converter: tf.lite.TFLiteConverter, quantization: str) -> bytes:
    """int8 or int8_float_norm flatbuffer (int8 input and output); calibrates on first use."""
    if quantization not in CALIBRATED:
      raise ValueError(f"quantization must be one of {CALIBRATED}, got {quantization!r}")
    if quantization == "int8_float_norm" and not self.float_layers:
      raise ValueError("float_layers must name the layers int8_float_norm keeps float, got none")
    with warnings.catch_warnings():
      # The debugger builds a tf.lite.Interpreter internally (deprecated for ai_edge_litert).
      warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
      if self._debugger is None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = calibration_dataset(self.images)
        self._debugger = tf.lite.experimental.QuantizationDebugger(
          converter=converter,
          debug_dataset=converter.representative_dataset,
          debug_options=tf.lite.experimental.QuantizationDebugOptions(fully_quantize=True),
        )
      nodes = []
      if quantization == "int8_float_norm":
        nodes = layer_nodes(self._debugger.calibrated_model, self.float_layers)
        if not nodes:
          raise ValueError(f"float_layers {self.float_layers} match no op of the converted model")
      self._debugger.options = tf.lite.experimental.QuantizationDebugOptions(
        fully_quantize=True, denylisted_nodes=nodes or None
      )
      return self._debugger.get_nondebug_quantized_model()


def converter_fn(
  quantization: str, calibration: Int8Calibration | None = None
) -> Callable[[tf.lite.TFLiteConverter], bytes]:
  """A `convert` for export.tflite.export_tflite: sets the converter's options for
  `quantization` and converts. calibration: required by int8 and int8_float_norm (share one
  between the int8 variants of a model and size), refused by the others."""
  quantization = resolve_quantization(quantization)
  if quantization in CALIBRATED and calibration is None:
    raise ValueError(f"calibration: {quantization} needs an Int8Calibration, got None")
  if quantization not in CALIBRATED and calibration is not None:
    raise ValueError(f"calibration is only used by {CALIBRATED}, not {quantization!r}")

  def convert(converter: tf.lite.TFLiteConverter) -> bytes:
    if quantization == "float32":
      return converter.convert()
    if quantization in CALIBRATED:
      return calibration.quantize(converter, quantization)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantization == "float16":
      converter.target_spec.supported_types = [tf.float16]
    return converter.convert()

  return convert


def round_half_away_from_zero(values: np.ndarray) -> np.ndarray:
  """Rounds to the nearest integer, ties away from zero (std::round, TfLiteRound), where np.round
  rounds ties to even: 0.5 -> 1, 1.5 -> 2, 2.5 -> 3, -0.5 -> -1."""
  whole = np.trunc(values)
  return whole + np.where(np.abs(values - whole) >= 0.5, np.sign(values), 0).astype(values.dtype)


def _is_quantized(details: dict) -> bool:
  """An integer tensor with a scale: q maps to scale * (q - zero_point). Integer tensors of scale
  0 (label ids) and float tensors hold their values as they are."""
  return np.issubdtype(np.dtype(details["dtype"]), np.integer) and details["quantization"][0] != 0


def quantize(x: np.ndarray, details: dict) -> np.ndarray:
  """Float values -> the tensor's dtype. A quantized tensor (int8 / uint8 input of a full-int8
  model) gets q = clip(round(x / scale) + zero_point) to its dtype's range, in float32 with ties
  rounded away from zero, as TFLite's reference QUANTIZE kernel (AffineQuantize:
  TfLiteRound(val / static_cast<float>(scale)) + zero_point); any other tensor a cast.
  details: the interpreter's tensor details ("dtype", "quantization": (scale, zero_point))."""
  dtype = np.dtype(details["dtype"])
  if not _is_quantized(details):
    return np.asarray(x).astype(dtype)
  scale, zero_point = details["quantization"]
  scaled = np.asarray(x, np.float32) / np.float32(scale)
  info = np.iinfo(dtype)
  return np.clip(round_half_away_from_zero(scaled) + zero_point, info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, details: dict) -> np.ndarray:
  """The tensor's values as float32 (inverse of `quantize`): scale * (q - zero_point) for a
  quantized tensor, in double then float32 as TFLite's reference DEQUANTIZE kernel; a cast else."""
  if not _is_quantized(details):
    return np.asarray(q).astype(np.float32)
  scale, zero_point = details["quantization"]
  return (float(scale) * (np.asarray(q, np.int64) - zero_point)).astype(np.float32)


def tensor_io(details: dict, image: bool = True) -> dict:
  """Metadata of one interpreter input / output: name, shape, dtype and how its values map to
  floats (float32: as is; integer: float = scale * (q - zero_point)); images lie in [-1, 1],
  other inputs (attributes, label ids: image=False) have no fixed range."""
  dtype = np.dtype(details["dtype"]).name
  shape = [int(d) for d in details["shape_signature"]]
  info = {
    "name": details["name"],
    "shape": shape,
    "layout": "NHWC" if len(shape) == 4 else "NK",
    "dtype": dtype,
  }
  if image:
    info["range"] = [-1.0, 1.0]
  if dtype != "float32":
    scale, zero_point = details["quantization"]
    info.update(
      scale=float(scale), zero_point=int(zero_point), dequantize="scale * (q - zero_point)"
    )
  return info
