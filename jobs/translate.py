"""Translating image files with a trained generator: a SavedModel, a .tflite or a training workdir.

`translate(model_path, input_path, output_dir)` runs the generator over one image file or a folder
(recursively; .bmp .jpeg .jpg .png in any case), writes each result as PNG under `output_dir`
mirroring the input's relative path (`a/b/x.jpg` -> `a/b/x.png`), a copy of each network input
under `output_dir/inputs/`, and `output_dir/index.html`: one table row per image, name + input +
output side by side (the official repos' results page, util/html.py).

Model kinds (detected by `model_kind`):
- "saved_model": a directory with saved_model.pb and signature "serving_default"
  {"images": float32 NHWC in [-1, 1]} -> {"outputs"} (export.saved_model);
- "tflite": a .tflite file, run with the LiteRT interpreter (2 threads). A dynamic input is resized
  to each image; a fixed [1, S, S, C] input gets the image resized to S x S (bicubic) and the result
  resized back to the image's size (bicubic);
- "workdir": a training workdir (config.json + checkpoints/): its newest checkpoint, generator
  `network` (default: the model's first generator, e.g. G_AB).

Sizes (dynamic-input kinds): the network gets the image at its own size. A network whose output
has the input's size only for multiples of some m (ResNet generators: 4, two stride-2 convs;
U-Nets: 2^num_downs) gets the image reflect-padded at the bottom and right to the next multiple of m
(and at least the smallest size that worked), and its output is cropped back. m is found once per
model by trying: square zero images of side m * (odd number), m = 1, 2, 4, ... 256, the first m
whose output keeps the input's size wins. (The official test script instead resizes to the nearest
multiple of 4: `--preprocess none`, __make_power_2.)

Decoding (official: Image.open(path).convert("RGB")): grayscale and palette images become RGB,
the alpha channel is dropped, 16-bit images are scaled to 8 bits; EXIF orientation is not applied
(as in the official code and tf.io.decode_image). Files that do not decode are reported on the
progress stream, skipped and counted. Pixels map to [-1, 1] as x / 127.5 - 1 (official:
Normalize((0.5,) * 3, (0.5,) * 3)) and back with tfgan_repro.data.transforms.to_uint8.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import sys
import urllib.parse
from collections.abc import Callable
from typing import TextIO

import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from PIL import Image

from export.inputs import INPUT_KEY, input_shapes
from export.saved_model import SIGNATURE_KEY, image_input_shape, load_serving
from tfgan_repro.data.folders import IMG_EXTENSIONS
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.nets.common import without_inference_dropout
from tfgan_repro.training import checkpointing
from tfgan_repro.training.images import save_png

KINDS = ("saved_model", "tflite", "workdir")
NUM_THREADS = 2  # NOTES.md: the project's machines have 2 CPU cores (as export.tflite)
MAX_MULTIPLE = 256  # official unet_256: 8 downsamplings, sizes multiple of 2^8
# Probe sides are >= 8: a ResNet generator's reflect pads (3 at full, 1 at 1/4 resolution) need
# sides > 3 and > 1 (TFLite MIRROR_PAD: pad <= dim - 1, NOTES.md export pitfalls).
MIN_PROBE_SIDE = 8
INDEX_FILE = "index.html"
INPUTS_DIR = "inputs"  # input copies for index.html
DISPLAY_WIDTH = 256  # official: --display_winsize 256 (util/html.py add_images width)
# Pillow's exceptions for files it cannot read (UnidentifiedImageError and truncated files are
# OSErrors; some broken PNG chunks raise SyntaxError; huge images DecompressionBombError).
DECODE_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)
# What a network raises on an input size it cannot take (probing).
RUN_ERRORS = (ValueError, RuntimeError, tf.errors.OpError)

Runner = Callable[[np.ndarray], np.ndarray]  # float32 [1, H, W, C] -> float32 [1, H', W', C']


@dataclasses.dataclass(frozen=True)
class Translator:
  """A loaded generator. `run` maps float32 [1, H, W, C] in [-1, 1] to [1, H', W', C'].

  fixed_size: (H, W) of a static TFLite input, else None. multiple / min_side: dynamic inputs are
  padded to a multiple of `multiple` of at least `min_side` (module docstring)."""

  kind: str
  run: Runner
  channels: int
  fixed_size: tuple[int, int] | None
  multiple: int
  min_side: int

  def translate(self, image: np.ndarray) -> np.ndarray:
    """uint8 [H, W, C] -> uint8 [H, W, C'] (the output has the input's size)."""
    h, w = image.shape[:2]
    if self.fixed_size is not None:
      y = self.run(_to_float(resize(image, self.fixed_size))[None])[0]  # [S, S, C']
      return resize(to_uint8(y), (h, w))
    ph = max(self.min_side, math.ceil(h / self.multiple) * self.multiple)
    pw = max(self.min_side, math.ceil(w / self.multiple) * self.multiple)
    x = np.pad(_to_float(image), ((0, ph - h), (0, pw - w), (0, 0)), mode="reflect")
    y = self.run(x[None])[0]  # [ph, pw, C']
    if y.shape[:2] != (ph, pw):
      raise ValueError(f"the network maps a {ph}x{pw} input to {y.shape[0]}x{y.shape[1]}")
    return to_uint8(y[:h, :w])


@dataclasses.dataclass(frozen=True)
class TranslateResult:
  """What `translate` wrote; paths relative to `output_dir`; `skipped`: input files that did not
  decode, relative to the input folder."""

  output_dir: str
  index: str
  outputs: tuple[str, ...]
  inputs: tuple[str, ...]
  skipped: tuple[str, ...]


def model_kind(path: str) -> str:
  """The kind of model at `path`, one of KINDS (module docstring); ValueError for anything else."""
  if os.path.isdir(path):
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
      return "saved_model"
    if os.path.isfile(os.path.join(path, checkpointing.CONFIG_FILE)):
      return "workdir"
  elif os.path.isfile(path) and path.lower().endswith(".tflite"):
    return "tflite"
  found = "does not exist" if not os.path.exists(path) else "is none of these"
  raise ValueError(
    f"model {path!r} {found}: expected a SavedModel directory (with saved_model.pb), a .tflite "
    f"file or a training workdir (with {checkpointing.CONFIG_FILE})"
  )


def load_translator(path: str, network: str | None = None) -> Translator:
  """Loads the model at `path` (any of KINDS); `network` picks a workdir's generator."""
  kind = model_kind(path)
  if network is not None and kind != "workdir":
    raise ValueError(f"network {network!r} applies to a training workdir only; model is a {kind}")
  fixed_size = None
  if kind == "saved_model":
    run, channels = _saved_model_runner(path)
  elif kind == "workdir":
    run, channels = _workdir_runner(path, network)
  else:
    run, channels, fixed_size = _tflite_runner(path)
  if fixed_size is not None:
    return Translator(kind, run, channels, fixed_size, multiple=1, min_side=1)
  multiple, min_side = size_multiple(run, channels)
  return Translator(kind, run, channels, None, multiple, min_side)


def _saved_model_runner(path: str) -> tuple[Runner, int]:
  loaded, _, specs = load_serving(path)
  if list(specs) != [INPUT_KEY]:
    raise ValueError(f"model {path!r} must take one input {INPUT_KEY!r}, got {list(specs)}")
  ((key, spec),) = specs.items()
  if spec.shape.rank != 4 or spec.shape[-1] is None:
    raise ValueError(f"model {path!r} input {key!r} must be NHWC with known channels: {spec.shape}")

  def run(x: np.ndarray) -> np.ndarray:
    # `loaded` owns the variables: looked up through it so that it lives as long as `run`.
    (y,) = loaded.signatures[SIGNATURE_KEY](**{key: tf.constant(x)}).values()
    return y.numpy()

  return run, int(spec.shape[-1])


def _workdir_runner(path: str, network: str | None) -> tuple[Runner, int]:
  """The generator as export ships it (GANModel.export_generators; pix2pix's dropout removed
  as official --eval, `without_inference_dropout`), so a workdir translates as its export does."""
  _, model, _ = checkpointing.load_run(path)
  generators = model.export_generators
  name = next(iter(generators)) if network is None else network
  if name not in generators:
    raise ValueError(
      f"network {network!r} is not a generator of {path!r}; valid: {list(generators)}"
    )
  generator = without_inference_dropout(generators[name])
  if len(generator.inputs) != 1:
    raise ValueError(
      f"network {name!r} of {path!r} takes several inputs {list(input_shapes(generator))}; "
      "translate feeds images only: export it and call its SavedModel (docs/serving.md)"
    )
  channels = int(image_input_shape(generator)[-1])
  # One trace for every size: [1, H, W, C] with H, W unknown.
  forward = tf.function(
    lambda x: tf.cast(generator(x, training=False), tf.float32),
    input_signature=[tf.TensorSpec((1, None, None, channels), tf.float32)],
  )
  return (lambda x: forward(tf.constant(x)).numpy()), channels


def _tflite_runner(path: str) -> tuple[Runner, int, tuple[int, int] | None]:
  interpreter = Interpreter(model_path=path, num_threads=NUM_THREADS)
  (inp,) = interpreter.get_input_details()
  (out,) = interpreter.get_output_details()
  shape = tuple(int(d) for d in inp["shape"])
  if len(shape) != 4 or shape[-1] < 1:
    raise ValueError(f"model {path!r} input must be NHWC, got shape {shape}")
  dynamic = bool((inp["shape_signature"][1:3] < 0).any())
  fixed_size = None if dynamic else shape[1:3]
  allocated = [None]  # the input shape the tensors are allocated for

  def run(x: np.ndarray) -> np.ndarray:
    if allocated[0] != x.shape:
      if dynamic:
        interpreter.resize_tensor_input(inp["index"], x.shape)  # [1, H, W, C]
      interpreter.allocate_tensors()
      allocated[0] = x.shape
    interpreter.set_tensor(inp["index"], quantize(x, inp))
    interpreter.invoke()
    return dequantize(interpreter.get_tensor(out["index"]), out)

  return run, shape[-1], fixed_size


def quantize(x: np.ndarray, detail: dict) -> np.ndarray:
  """float32 -> the tensor's dtype; integer tensors (full-int8 models with integer I/O) use
  real = scale * (q - zero_point) (TFLite quantization spec)."""
  dtype = detail["dtype"]
  if not np.issubdtype(dtype, np.integer):
    return x.astype(dtype)
  scale, zero_point = detail["quantization"]
  info = np.iinfo(dtype)
  return np.clip(np.round(x / scale + zero_point), info.min, info.max).astype(dtype)


def dequantize(y: np.ndarray, detail: dict) -> np.ndarray:
  """The tensor's values as float32 (inverse of `quantize`)."""
  if not np.issubdtype(detail["dtype"], np.integer):
    return y.astype(np.float32)
  scale, zero_point = detail["quantization"]
  return (y.astype(np.float32) - zero_point) * scale


def size_multiple(run: Runner, channels: int) -> tuple[int, int]:
  """(m, side): the smallest m in 1, 2, 4, ... MAX_MULTIPLE for which a square of side
  m * (odd number, side >= MIN_PROBE_SIDE) comes back with its size, and that side."""
  multiple = 1
  while multiple <= MAX_MULTIPLE:
    odd = math.ceil(MIN_PROBE_SIDE / multiple) // 2 * 2 + 1  # side is not a multiple of 2m
    side = multiple * odd
    try:
      y = run(np.zeros((1, side, side, channels), np.float32))  # [1, side, side, C]
    except RUN_ERRORS:
      y = None
    if y is not None and y.shape[1:3] == (side, side):
      return multiple, side
    multiple *= 2
  raise ValueError(
    f"the network's output never has its input's size for sides that are multiples of 1, 2, 4, "
    f"... {MAX_MULTIPLE}: it is not an image-to-image translator"
  )


def decode_image(path: str, channels: int = 3) -> np.ndarray:
  """File -> uint8 [H, W, channels] (channels 3: RGB, 1: grayscale); ValueError if it does not
  decode."""
  if channels not in (1, 3):
    raise ValueError(f"channels must be 1 or 3, got {channels!r}")
  try:
    with Image.open(path) as im:
      im.load()
      if im.mode.startswith("I"):  # 16/32-bit grayscale: 16-bit range to 8 bits
        im = Image.fromarray(
          (np.asarray(im, np.float64) / 257.0).round().clip(0, 255).astype(np.uint8)
        )
      image = np.asarray(im.convert("RGB" if channels == 3 else "L"))
  except DECODE_ERRORS as err:
    raise ValueError(f"{path} is not a readable image: {err}") from err
  return image.reshape(*image.shape[:2], channels)  # [H, W, C]


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
  """uint8 [H, W, C] -> uint8 [size[0], size[1], C], bicubic (official: Image.BICUBIC)."""
  if image.shape[:2] == tuple(size):
    return image
  c = image.shape[-1]
  pil = Image.fromarray(image[..., 0] if c == 1 else image)
  resized = np.asarray(pil.resize((size[1], size[0]), Image.BICUBIC))
  return resized.reshape(size[0], size[1], c)  # [H', W', C]


def _to_float(image: np.ndarray) -> np.ndarray:
  return image.astype(np.float32) / 127.5 - 1.0  # official: Normalize(0.5, 0.5)


def find_images(input_path: str, exclude: str | None = None) -> list[tuple[str, str]]:
  """(path, path relative to the input) of one file or of every image file under a folder,
  sorted (official make_dataset: sorted os.walk); folders under `exclude` are skipped."""
  if os.path.isfile(input_path):
    return [(input_path, os.path.basename(input_path))]
  if not os.path.isdir(input_path):
    raise ValueError(f"input {input_path!r} is neither an image file nor a folder")
  excluded = os.path.realpath(exclude) if exclude else None
  found = []
  for root, dirs, names in os.walk(input_path):
    dirs[:] = sorted(d for d in dirs if os.path.realpath(os.path.join(root, d)) != excluded)
    for name in sorted(names):
      if name.lower().endswith(IMG_EXTENSIONS):
        path = os.path.join(root, name)
        found.append((path, os.path.relpath(path, input_path)))
  if not found:
    raise ValueError(f"input {input_path!r} has no image files ({', '.join(IMG_EXTENSIONS)})")
  return found


def output_names(relpaths: list[str]) -> list[str]:
  """Relative output PNG paths: `a/x.jpg` -> `a/x.png`; inputs that would share one (x.jpg and
  x.png) keep their extension in the name (`a/x_jpg.png`, `a/x_png.png`)."""
  plain = [os.path.splitext(p)[0] + ".png" for p in relpaths]
  counts: dict[str, int] = {}
  for p in plain:
    counts[p] = counts.get(p, 0) + 1
  return [
    n if counts[n] == 1 else os.path.splitext(r)[0] + "_" + os.path.splitext(r)[1][1:] + ".png"
    for r, n in zip(relpaths, plain, strict=True)
  ]


def _inputs_dir(names: list[str]) -> str:
  """INPUTS_DIR, or with underscores appended if the results themselves have such a top folder."""
  tops = {n.split(os.sep, 1)[0] for n in names}
  folder = INPUTS_DIR
  while folder in tops:
    folder += "_"
  return folder


def write_index(
  output_dir: str, rows: list[tuple[str, str, str]], title: str, skipped: tuple[str, ...] = ()
) -> str:
  """Writes output_dir/index.html: one table row per (name, input, output), links relative to
  output_dir; returns its path."""

  def img(rel: str) -> str:
    url = html.escape(urllib.parse.quote(rel.replace(os.sep, "/")))
    return f'<a href="{url}"><img src="{url}" style="width:{DISPLAY_WIDTH}px"></a>'

  lines = [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8">',
    f"<title>{html.escape(title)}</title>",
    "<style>td{padding:4px;vertical-align:top;word-break:break-all}</style></head><body>",
    f"<h3>{html.escape(title)}</h3>",
    "<table><tr><th>name</th><th>input</th><th>output</th></tr>",
  ]
  lines += [
    f"<tr><td>{html.escape(name)}</td><td>{img(inp)}</td><td>{img(out)}</td></tr>"
    for name, inp, out in rows
  ]
  lines.append("</table>")
  if skipped:
    listed = ", ".join(html.escape(s) for s in skipped)
    lines.append(f"<p>{len(skipped)} file(s) skipped (not readable images): {listed}</p>")
  lines.append("</body></html>")
  path = os.path.join(output_dir, INDEX_FILE)
  tmp = path + ".tmp"
  with open(tmp, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
  os.replace(tmp, path)  # atomic
  return path


def translate(
  model_path: str,
  input_path: str,
  output_dir: str,
  *,
  size: int | None = None,
  network: str | None = None,
  stream: TextIO | None = None,
) -> TranslateResult:
  """Translates one image file or a folder of images with the model at `model_path`.

  size: resize every input to size x size (bicubic) first; None keeps each image's size.
  network: a workdir's generator (default its first). stream: progress bar and skipped files
  (default stderr).
  """
  if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
    raise ValueError(f"size must be None or a positive int, got {size!r}")
  stream = sys.stderr if stream is None else stream
  translator = load_translator(model_path, network)
  found = find_images(input_path, exclude=output_dir)
  names = output_names([rel for _, rel in found])
  inputs_dir = _inputs_dir(names)
  rows, skipped = [], []
  width, shown = len(str(len(found))), 0
  for i, ((path, rel), name) in enumerate(zip(found, names, strict=True), start=1):
    line = f"[{i:>{width}}/{len(found)}] {rel}"
    stream.write("\r" + line.ljust(shown))  # spaces cover a longer previous line
    stream.flush()
    shown = len(line)
    try:
      image = decode_image(path, translator.channels)
    except ValueError as err:
      stream.write(f"\nskipped: {err}\n")
      skipped.append(rel)
      shown = 0
      continue
    if size is not None:
      image = resize(image, (size, size))
    result = translator.translate(image)
    copy = os.path.join(inputs_dir, name)
    _save(image, os.path.join(output_dir, copy))
    _save(result, os.path.join(output_dir, name))
    rows.append((rel, copy, name))
  stream.write(
    f"\n{len(rows)} image(s) translated, {len(skipped)} skipped (not readable) -> {output_dir}\n"
  )
  stream.flush()
  os.makedirs(output_dir, exist_ok=True)
  title = f"model {model_path}" + (f" ({network})" if network else "") + f", input {input_path}"
  index = write_index(output_dir, rows, title, tuple(skipped))
  return TranslateResult(
    output_dir=output_dir,
    index=index,
    outputs=tuple(r[2] for r in rows),
    inputs=tuple(r[1] for r in rows),
    skipped=tuple(skipped),
  )


def _save(image: np.ndarray, path: str) -> None:
  save_png(image[..., 0] if image.shape[-1] == 1 else image, path)  # PIL: [H, W] for grayscale
