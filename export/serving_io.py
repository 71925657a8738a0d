"""The "translate_bytes" serving signature: encoded JPEG/PNG bytes in, encoded PNG bytes out.

TF Serving's REST API base64-decodes each `{"b64": ...}` instance before the graph sees it
(docs/pitfalls.md, "Export pitfalls reported by users of the official repos"), so the signature
takes a 1-D string tensor of encoded images, one per instance, each of its own size, and returns
one PNG per instance, of the same height and width:

  decode (JPEG or PNG; grayscale -> 3 channels, RGBA -> alpha dropped, 16-bit -> full precision)
  -> x = 2 v - 1 in [-1, 1] (v in [0, 1]: 8-bit / 255, 16-bit / 65535)
  -> reflect-pad to the size the generator takes (`ServingSize`), centred
  -> generator(x, training=False) -> crop back -> round((y + 1) * 127.5) clipped to [0, 255]
  -> encode PNG (uint8).

The output key ends in "_bytes": TF Serving's REST API answers such string outputs as
{"b64": ...} (a JSON string otherwise, which breaks on binary data).

Bad input never crashes the server: a string that is neither JPEG nor PNG (or is empty) fails an
assertion naming the instance (InvalidArgument, HTTP 400 in TF Serving); an image of more than
`max_pixels` pixels, width x height read in-graph from its header before anything is decoded (PNG
IHDR bytes 16-24, `tf.image.extract_jpeg_shape`; tfgan_repro.data.image_header), fails an
assertion naming the instance, its size and the cap; a corrupt file with a valid signature fails
in the decoder (InvalidArgument); an empty batch returns an empty batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS, check_max_pixels

# This library's serving contract (docs/serving.md).
BYTES_SIGNATURE_KEY = "translate_bytes"
BYTES_INPUT_KEY = "image_bytes"
# TF Serving REST answers a string output whose alias ends in "_bytes" as {"b64": ...}
# (tensorflow_serving/util/json_tensor.cc, IsNamedTensorBytes).
BYTES_OUTPUT_KEY = "png_bytes"

# Layers with `strides` that multiply the spatial size instead of dividing it.
_UPSAMPLING_LAYERS = (keras.layers.Conv2DTranspose,)
# File signatures: PNG (PNG spec, 5.2) and JPEG SOI marker + the first marker's 0xFF (JFIF / Exif).
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# Bound on the sizes tried by `serving_size`: k = 1 .. 4 multiples of the total stride.
_MAX_PROBE_MULTIPLES = 4


@dataclasses.dataclass(frozen=True)
class ServingSize:
  """Sizes a generator takes: H, W multiples of `multiple` and at least `min_size` (both axes).

  An image of h x w is padded to (max(ceil(h / multiple) * multiple, min_size), same for w).
  """

  multiple: int
  min_size: int


def downsampling_factor(model: keras.Model) -> int:
  """Product of the strides of the model's layers that have `strides`, transposed convs excepted
  (strided convs and pooling layers; nested models included).

  The total stride of a single-path encoder: 2^2 = 4 for the ResNet generators (official
  n_downsampling = 2), 2^num_downs for the U-Nets. For nets with parallel branches it is an upper
  bound (larger padding than needed, still a size the net takes).
  """
  factor = 1
  for layer in model.layers:
    if isinstance(layer, keras.Model):
      factor *= downsampling_factor(layer)
    elif getattr(layer, "strides", None) and not isinstance(layer, _UPSAMPLING_LAYERS):
      strides = layer.strides  # int or (sh, sw): convs, Keras and library pooling layers
      factor *= strides if isinstance(strides, int) else max(strides)
  return factor


def _size_error(model: keras.Model, height: int, width: int) -> str | None:
  """None when `model` maps a zero image of height x width to that size; else what happened."""
  image = np.zeros((1, height, width, model.inputs[0].shape[-1]), np.float32)  # [1, H, W, C]
  try:
    out = model(image, training=False)
  except (tf.errors.OpError, ValueError) as e:  # e.g. a reflect pad wider than the feature map
    return f"{height}x{width} px: {type(e).__name__}: {str(e).strip().splitlines()[0][:160]}"
  if tuple(out.shape[1:3]) != (height, width):
    return f"{height}x{width} px: output {tuple(out.shape[1:3])}"
  return None


def serving_size(model: keras.Model, multiple: int | None = None) -> ServingSize:
  """The ServingSize of `model`: `multiple` (default: `downsampling_factor(model)`), and the
  smallest k * multiple (k = 1 .. 4) for which a zero image of that size squared comes back at
  the same size (the ResNets need 8 px: their blocks reflect-pad by 1 at 1/4 size).

  Runs the model on tiny zero images, also on k * multiple x (k + 1) * multiple, which only a
  multiple of the net's total stride passes; ValueError when `multiple` fails.
  """
  if multiple is None:
    multiple = downsampling_factor(model)
  if not isinstance(multiple, int) or multiple < 1:
    raise ValueError(f"multiple must be a positive int, got {multiple!r}")
  errors = []
  for k in range(1, _MAX_PROBE_MULTIPLES + 1):
    size = k * multiple
    error = _size_error(model, size, size) or _size_error(model, size, size + multiple)
    if error is None:
      return ServingSize(multiple=multiple, min_size=size)
    errors.append(error)
  raise ValueError(
    f"multiple={multiple!r}: model {model.name!r} keeps the size of no image of k * {multiple} "
    f"by (k + 1) * {multiple} px (k = 1 .. {_MAX_PROBE_MULTIPLES}): {'; '.join(errors)}; pass "
    "the net's total stride as size_multiple"
  )


def reflect_indices(size: tf.Tensor, before: tf.Tensor, after: tf.Tensor) -> tf.Tensor:
  """Source indices of `before` + size + `after` positions padded by reflection about the edge
  pixels, repeated when a pad exceeds size - 1 (numpy mode="reflect"; REFLECT applied in stages);
  size 1 repeats the pixel (edge padding)."""
  i = tf.range(-before, size + after)  # [before + size + after]
  period = tf.maximum(2 * (size - 1), 1)  # reflection is periodic with 2 (size - 1)
  j = tf.math.floormod(i, period)
  return tf.minimum(j, period - j)


def _check_encoded(encoded: tf.Tensor, index: tf.Tensor) -> tf.Operation:
  """Assertion: `encoded` starts with the PNG or JPEG signature (InvalidArgument naming the
  instance otherwise)."""
  is_png = tf.equal(tf.strings.substr(encoded, 0, len(_PNG_MAGIC)), _PNG_MAGIC)
  is_jpeg = tf.equal(tf.strings.substr(encoded, 0, len(_JPEG_MAGIC)), _JPEG_MAGIC)
  return tf.debugging.Assert(
    tf.logical_or(is_png, is_jpeg),
    [
      f"{BYTES_SIGNATURE_KEY}: {BYTES_INPUT_KEY} instance",
      index,
      "is not an encoded JPEG or PNG image (REST: send the file in base64 under b64); "
      "its first bytes are",
      tf.strings.substr(encoded, 0, 8),
    ],
    name="check_jpeg_or_png",
  )


def header_size(encoded: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
  """(width, height) int64 of an encoded PNG (IHDR: big-endian uint32 at bytes 16-24) or JPEG
  (`tf.image.extract_jpeg_shape`, InvalidArgument for a corrupt one) from its header alone;
  (0, 0) for anything else."""
  is_jpeg = tf.equal(tf.strings.substr(encoded, 0, len(_JPEG_MAGIC)), _JPEG_MAGIC)
  is_png = tf.equal(tf.strings.substr(encoded, 0, len(_PNG_MAGIC)), _PNG_MAGIC)

  def png() -> tf.Tensor:
    head = tf.strings.join([tf.strings.substr(encoded, 0, 24), b"\0" * 24])  # short files: 0
    raw = tf.cast(tf.io.decode_raw(tf.strings.substr(head, 16, 8), tf.uint8), tf.int64)  # [8]
    powers = tf.constant([2**24, 2**16, 2**8, 1], tf.int64)
    return tf.stack([tf.reduce_sum(raw[:4] * powers), tf.reduce_sum(raw[4:] * powers)])

  def jpeg() -> tf.Tensor:
    shape = tf.cast(tf.image.extract_jpeg_shape(encoded), tf.int64)  # [h, w, c]
    return tf.stack([shape[1], shape[0]])

  def other() -> tf.Tensor:
    return tf.zeros([2], tf.int64)

  size = tf.case([(is_jpeg, jpeg), (is_png, png)], default=other)  # [2]: width, height
  return size[0], size[1]


def _check_pixels(encoded: tf.Tensor, index: tf.Tensor, max_pixels: int) -> tf.Operation:
  """Assertion: the image's width x height, from its header, is at most `max_pixels`
  (InvalidArgument naming the instance, its size and the cap otherwise)."""
  width, height = header_size(encoded)
  return tf.debugging.Assert(
    width * height <= max_pixels,
    [
      f"{BYTES_SIGNATURE_KEY}: {BYTES_INPUT_KEY} instance",
      index,
      "is too large:",
      width,
      "x",
      height,
      "pixels >",
      f"cap max_pixels = {max_pixels}",
    ],
    name="check_max_pixels",
  )


def translate_bytes_fn(
  model: keras.Model, size: ServingSize, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
  """A function string [N] -> {"png_bytes": string [N]} translating each encoded image with
  `model` (module docstring), for ExportArchive.add_endpoint / tf.function. Images of more than
  `max_pixels` pixels are refused before they are decoded."""
  check_max_pixels(max_pixels)
  channels = model.inputs[0].shape[-1]
  out_channels = model.outputs[0].shape[-1]
  if channels not in (1, 3) or out_channels not in (1, 3):
    raise ValueError(
      f"model must map 1 or 3 channels to 1 or 3 channels for {BYTES_SIGNATURE_KEY}, got "
      f"{channels} -> {out_channels}"
    )

  def padded(n: tf.Tensor) -> tf.Tensor:
    return tf.maximum(-(-n // size.multiple) * size.multiple, size.min_size)

  def translate_one(args: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:
    encoded, index = args
    with tf.control_dependencies([_check_encoded(encoded, index)]):
      bounded = _check_pixels(encoded, index, max_pixels)
    with tf.control_dependencies([bounded]):
      v = tf.io.decode_image(encoded, channels=channels, dtype=tf.float32, expand_animations=False)
    x = v * 2.0 - 1.0  # [h, w, C] in [-1, 1]
    h, w = tf.shape(x)[0], tf.shape(x)[1]
    top, left = (padded(h) - h) // 2, (padded(w) - w) // 2
    x = tf.gather(x, reflect_indices(h, top, padded(h) - h - top), axis=0)  # [H, w, C]
    x = tf.gather(x, reflect_indices(w, left, padded(w) - w - left), axis=1)  # [H, W, C]
    y = tf.cast(model(x[tf.newaxis], training=False), tf.float32)[0]  # [H, W, C']
    y = y[top : top + h, left : left + w]  # [h, w, C']
    pixels = tf.clip_by_value(tf.round((y + 1.0) * 127.5), 0.0, 255.0)
    return tf.io.encode_png(tf.cast(pixels, tf.uint8))

  def translate_bytes(image_bytes: tf.Tensor) -> dict[str, tf.Tensor]:
    indices = tf.range(tf.size(image_bytes))  # [N]: named in the error of a bad instance
    png = tf.map_fn(
      translate_one,
      (image_bytes, indices),
      fn_output_signature=tf.TensorSpec([], tf.string),
    )
    return {BYTES_OUTPUT_KEY: png}

  return translate_bytes
