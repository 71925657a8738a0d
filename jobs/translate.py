"""Translating image files with a trained generator: a SavedModel, a .tflite or a training workdir.

`translate(model_path, input_path, output_dir)` runs the generator over one image file or a folder
(recursively, every file), writes each result as PNG under `output_dir`
mirroring the input's relative path (`a/b/x.jpg` -> `a/b/x.png`), a copy of each network input
under `output_dir/inputs/`, and `output_dir/index.html`: one table row per image, name + input +
output side by side (the official repos' results page, util/html.py).

Model kinds (detected by `model_kind`):
- "saved_model": a directory with saved_model.pb and signature "serving_default"
  {"images": float32 NHWC in [-1, 1]} -> {"outputs"} (export.saved_model);
- "tflite": a .tflite file, run with the LiteRT interpreter (export.tflite.LiteRTModel, 2 threads;
  integer input / output quantized as TFLite does). A dynamic input is resized to each image; a
  fixed [1, S, S, C] input gets the image resized to S x S (bicubic) and the result resized back
  to the image's size (bicubic);
- "workdir": a training workdir (config.json + checkpoints/): its newest checkpoint, generator
  `network` (default: the model's first generator, e.g. G_AB).

Sizes (dynamic-input kinds): the network gets the image at its own size. A network whose output
has the input's size only for multiples of some m (ResNet generators: 4, two stride-2 convs;
U-Nets: 2^num_downs) gets the image reflect-padded at the bottom and right to the next multiple of m
(and at least the smallest size that worked), and its output is cropped back. m is found once per
model by trying: square zero images of side m * (odd number), m = 1, 2, 4, ... 256, the first m
whose output keeps the input's size wins. (The official test script instead resizes to the nearest
multiple of 4: `--preprocess none`, __make_power_2.)

Every file found is accounted for: translated, or skipped with its reason (image_header:
"unsupported format", "too large" (width x height from the header, before decoding, over
`max_pixels`), "corrupt", "wrong channels" (a file the model's input contract cannot take,
export.contract), "wrong class ids"), each on the progress stream and counted in the summary and
index.html. Earlier results are never read back: the output folder when it lies inside the input,
and the files an earlier run listed in its MANIFEST_FILE (an output folder equal to the input, or
an earlier one inside it), are left out and named.

Decoding (official: Image.open(path).convert("RGB")): PNG, JPEG, BMP, GIF (first frame), WebP and
TIFF; grayscale and palette images become RGB, the alpha channel is dropped, 16-bit images are
scaled to 8 bits; EXIF orientation is not applied (as in the official code and
tf.io.decode_image). Pixels map to [-1, 1] as x / 127.5 - 1 (official: Normalize((0.5,) * 3,
(0.5,) * 3)) and back with tfgan_repro.data.transforms.to_uint8. A model of one-hot label maps
(contract "onehot_labels") takes 1-channel files of class ids (grayscale or palette indices).
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import html
import json
import math
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from typing import TextIO

import numpy as np
import tensorflow as tf
from PIL import Image

from export.contract import Contract, describe, input_contract, read_contract
from export.inputs import INPUT_KEY, input_shapes
from export.saved_model import SIGNATURE_KEY, image_input_shape, load_serving
from export.tflite import NUM_THREADS, LiteRTModel
from tfgan_repro.data import image_header
from tfgan_repro.data.image_header import (
  CORRUPT,
  DEFAULT_MAX_PIXELS,
  WRONG_CHANNELS,
  ImageFileError,
  check_max_pixels,
)
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.nets.common import without_inference_dropout
from tfgan_repro.tasks import task_of
from tfgan_repro.training import checkpointing
from tfgan_repro.training.images import save_png
from tfgan_repro.util.atomic import write_json_atomic, write_text_atomic

KINDS = ("saved_model", "tflite", "workdir")
MAX_MULTIPLE = 256  # official unet_256: 8 downsamplings, sizes multiple of 2^8
# Probe sides are >= 8: a ResNet generator's reflect pads (3 at full, 1 at 1/4 resolution) need
# sides > 3 and > 1 (TFLite MIRROR_PAD: pad <= dim - 1, docs/tflite.md).
MIN_PROBE_SIDE = 8
INDEX_FILE = "index.html"
INPUTS_DIR = "inputs"  # input copies for index.html
MANIFEST_FILE = ".translate.json"  # what a run wrote into its output folder (never read back)
WRONG_IDS = "wrong class ids"
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
  padded to a multiple of `multiple` of at least `min_side` (module docstring). contract: what
  its inputs hold (export.contract); a model of one-hot label maps takes class ids."""

  kind: str
  run: Runner
  channels: int
  fixed_size: tuple[int, int] | None
  multiple: int
  min_side: int
  contract: Contract = dataclasses.field(default_factory=dict)

  @property
  def num_classes(self) -> int | None:
    """The class count of a model of one-hot label maps, else None (images)."""
    entry = self.contract.get(INPUT_KEY, {})
    return entry.get("num_classes") if entry.get("kind") == "onehot_labels" else None

  def _network_input(self, image: np.ndarray) -> np.ndarray:
    """uint8 [H, W, c] -> float32 [H, W, C]: pixels in [-1, 1], or class ids one-hot."""
    if self.num_classes is None:
      return _to_float(image)
    return np.eye(self.num_classes, dtype=np.float32)[image[..., 0]]  # [H, W, classes]

  def translate(self, image: np.ndarray) -> np.ndarray:
    """uint8 [H, W, c] -> uint8 [H, W, C'] (the output has the input's size)."""
    h, w = image.shape[:2]
    if self.fixed_size is not None:
      small = resize(image, self.fixed_size, nearest=self.num_classes is not None)
      y = self.run(self._network_input(small)[None])[0]  # [S, S, C']
      return resize(to_uint8(y), (h, w))
    ph = max(self.min_side, math.ceil(h / self.multiple) * self.multiple)
    pw = max(self.min_side, math.ceil(w / self.multiple) * self.multiple)
    x = np.pad(self._network_input(image), ((0, ph - h), (0, pw - w), (0, 0)), mode="reflect")
    y = self.run(x[None])[0]  # [ph, pw, C']
    if y.shape[:2] != (ph, pw):
      raise ValueError(f"the network maps a {ph}x{pw} input to {y.shape[0]}x{y.shape[1]}")
    return to_uint8(y[:h, :w])


@dataclasses.dataclass(frozen=True)
class TranslateResult:
  """What `translate` wrote; paths relative to `output_dir`. skipped: input files not translated,
  relative to the input folder, and `reasons`, one per skipped file (image_header.UNSUPPORTED,
  TOO_LARGE, CORRUPT, WRONG_CHANNELS or WRONG_IDS); left_out: earlier results not read back (the
  output folder, files listed in a MANIFEST_FILE); contract: the model's input contract."""

  output_dir: str
  index: str
  outputs: tuple[str, ...]
  inputs: tuple[str, ...]
  skipped: tuple[str, ...]
  reasons: tuple[str, ...] = ()
  left_out: tuple[str, ...] = ()
  contract: Contract = dataclasses.field(default_factory=dict)

  def summary(self) -> str:
    """E.g. "3 image(s) translated, 2 skipped (1 corrupt, 1 unsupported format)"."""
    counts = collections.Counter(self.reasons)
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
    text = f"{len(self.outputs)} image(s) translated, {len(self.skipped)} skipped"
    text += f" ({why})" if why else ""
    if self.left_out:
      text += f", {len(self.left_out)} earlier result(s) left out"
    return text


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
  contract = None if kind == "workdir" else read_contract(path)
  if kind == "saved_model":
    run, channels = _saved_model_runner(path, contract)
  elif kind == "workdir":
    run, channels, contract = _workdir_runner(path, network)
  else:
    run, channels, fixed_size = _tflite_runner(path, contract)
  if contract is None:  # an export without a recorded contract: known by its channels only
    kind_of = "image" if channels in (1, 3) else "channels"
    contract = {INPUT_KEY: {"kind": kind_of, "channels": channels}}
  if fixed_size is not None:
    return Translator(kind, run, channels, fixed_size, 1, 1, contract)
  multiple, min_side = size_multiple(run, channels)
  return Translator(kind, run, channels, None, multiple, min_side, contract)


def _refuse_inputs(path: str, given: list[str], contract: Contract | None) -> ValueError:
  takes = describe(contract) if contract else ", ".join(map(repr, given))
  return ValueError(
    f"model {path!r} takes {takes}; translate feeds {INPUT_KEY!r} only: call its SavedModel "
    "with every input (docs/serving.md)"
  )


def _saved_model_runner(path: str, contract: Contract | None) -> tuple[Runner, int]:
  loaded, _, specs = load_serving(path)
  if list(specs) != [INPUT_KEY]:
    raise _refuse_inputs(path, list(specs), contract)
  ((key, spec),) = specs.items()
  if spec.shape.rank != 4 or spec.shape[-1] is None:
    raise ValueError(f"model {path!r} input {key!r} must be NHWC with known channels: {spec.shape}")

  def run(x: np.ndarray) -> np.ndarray:
    # `loaded` owns the variables: looked up through it so that it lives as long as `run`.
    (y,) = loaded.signatures[SIGNATURE_KEY](**{key: tf.constant(x)}).values()
    return y.numpy()

  return run, int(spec.shape[-1])


def _workdir_runner(path: str, network: str | None) -> tuple[Runner, int, Contract]:
  """The generator as export ships it (its task's export_generators; pix2pix's dropout removed
  as official --eval, `without_inference_dropout`), so a workdir translates as its export does.
  ValueError for a model whose task's generators take more than images (tasks.Task.inputs)."""
  config, model, _ = checkpointing.load_run(path)
  task = task_of(model)
  try:
    task.check_feeds("translate", (INPUT_KEY,))
  except ValueError as err:
    raise ValueError(f"model {path!r}: {err}") from err
  generators = task.export_generators(model)
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
  domain = model.directions[name][0] if name in model.directions else "A"
  contract = input_contract(generator, config.data, domain)
  # One trace for every size: [1, H, W, C] with H, W unknown.
  forward = tf.function(
    lambda x: tf.cast(generator(x, training=False), tf.float32),
    input_signature=[tf.TensorSpec((1, None, None, channels), tf.float32)],
  )
  return (lambda x: forward(tf.constant(x)).numpy()), channels, contract


def _tflite_runner(
  path: str, contract: Contract | None
) -> tuple[Runner, int, tuple[int, int] | None]:
  lite = LiteRTModel(path, NUM_THREADS)
  if len(lite.inputs) != 1:
    raise _refuse_inputs(path, list(lite.inputs), contract)
  signature = lite.input["shape_signature"]
  shape = tuple(int(d) for d in lite.input["shape"])
  if len(shape) != 4 or shape[-1] < 1:
    raise ValueError(f"model {path!r} input must be NHWC, got shape {shape}")
  fixed_size = None if (signature[1:3] < 0).any() else shape[1:3]
  return lite, shape[-1], fixed_size


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


def decode_image(path: str, channels: int = 3, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
  """File -> uint8 [H, W, channels] (channels 3: RGB, 1: grayscale); ImageFileError (a
  ValueError) with its reason when it is not read: unsupported format, too large (from the
  header, before decoding), corrupt."""
  if channels not in (1, 3):
    raise ValueError(f"channels must be 1 or 3, got {channels!r}")
  image_header.check_file(path, max_pixels)
  with _pillow_image(path) as im:
    if im.mode.startswith("I"):  # 16/32-bit grayscale: 16-bit range to 8 bits
      im = Image.fromarray(
        (np.asarray(im, np.float64) / 257.0).round().clip(0, 255).astype(np.uint8)
      )
    image = np.asarray(im.convert("RGB" if channels == 3 else "L"))
  return image.reshape(*image.shape[:2], channels)  # [H, W, C]


def decode_labels(path: str, num_classes: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
  """A label map file (1 channel: grayscale values or palette indices are the class ids) ->
  uint8 [H, W, 1]; ImageFileError WRONG_CHANNELS for a colour file, WRONG_IDS for ids >=
  num_classes, and as decode_image otherwise."""
  image_header.check_file(path, max_pixels)
  with _pillow_image(path) as im:
    if im.mode not in ("L", "P", "I", "I;16", "1"):
      raise ImageFileError(
        WRONG_CHANNELS,
        f"{path}: wrong channels: a {len(im.getbands())}-channel {im.mode} image, the model takes "
        f"one-hot label maps of {num_classes} classes (a 1-channel file of class ids)",
      )
    ids = np.asarray(im).astype(np.int64)
  if ids.size and ids.max() >= num_classes:
    raise ImageFileError(
      WRONG_IDS,
      f"{path}: wrong class ids: up to {ids.max()}, the model takes ids 0..{num_classes - 1}",
    )
  return ids.astype(np.uint8).reshape(*ids.shape[:2], 1)  # [H, W, 1]


@contextlib.contextmanager
def _pillow_image(path: str) -> Iterator[Image.Image]:
  """The loaded first frame of a Pillow image; decoder failures as ImageFileError CORRUPT. The
  pixel cap was checked from the header, so Pillow's own limit is lifted."""
  try:
    with image_header.pillow_unbounded():
      im = Image.open(path)
      try:
        im.load()
      except BaseException:
        im.close()
        raise
  except DECODE_ERRORS as err:
    raise ImageFileError(CORRUPT, f"{path}: corrupt: {err}") from err
  with im:
    yield im


def resize(image: np.ndarray, size: tuple[int, int], nearest: bool = False) -> np.ndarray:
  """uint8 [H, W, C] -> uint8 [size[0], size[1], C], bicubic (official: Image.BICUBIC); nearest
  for label maps."""
  if image.shape[:2] == tuple(size):
    return image
  c = image.shape[-1]
  pil = Image.fromarray(image[..., 0] if c == 1 else image)
  method = Image.NEAREST if nearest else Image.BICUBIC
  resized = np.asarray(pil.resize((size[1], size[0]), method))
  return resized.reshape(size[0], size[1], c)  # [H', W', C]


def _to_float(image: np.ndarray) -> np.ndarray:
  return image.astype(np.float32) / 127.5 - 1.0  # official: Normalize(0.5, 0.5)


def find_images(input_path: str, exclude: str | None = None) -> list[tuple[str, str]]:
  """(path, path relative to the input) of one file or of every file under a folder, sorted
  (official make_dataset: sorted os.walk), earlier results left out (`find_files`)."""
  return find_files(input_path, exclude)[0]


def find_files(
  input_path: str, exclude: str | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
  """(every file to read as (path, relative path), sorted; what is left out, relative): the
  folder `exclude` (the output folder) and every file an earlier run listed in its
  MANIFEST_FILE, the manifest included."""
  if os.path.isfile(input_path):
    return [(input_path, os.path.basename(input_path))], []
  if not os.path.isdir(input_path):
    raise ValueError(f"input {input_path!r} is neither an image file nor a folder")
  excluded = os.path.realpath(exclude) if exclude else None
  found, left_out, ours = [], [], set()
  for root, dirs, names in os.walk(input_path):
    kept = []
    for d in sorted(dirs):
      if os.path.realpath(os.path.join(root, d)) == excluded:
        left_out.append(os.path.relpath(os.path.join(root, d), input_path) + os.sep)
      else:
        kept.append(d)
    dirs[:] = kept
    if MANIFEST_FILE in names:
      ours |= {os.path.realpath(os.path.join(root, p)) for p in _manifest_files(root)}
    for name in sorted(names):
      path = os.path.join(root, name)
      rel = os.path.relpath(path, input_path)
      if name == MANIFEST_FILE or os.path.realpath(path) in ours:
        left_out.append(rel)
      else:
        found.append((path, rel))
  if not found:
    raise ValueError(
      f"input {input_path!r} has no image files"
      + (f" but earlier results ({len(left_out)} left out)" if left_out else "")
    )
  return found, left_out


def _manifest_files(folder: str) -> set[str]:
  """The files (relative to `folder`) an earlier run listed in folder/MANIFEST_FILE."""
  try:
    with open(os.path.join(folder, MANIFEST_FILE), encoding="utf-8") as f:
      listed = json.load(f).get("files", [])
  except (OSError, ValueError, AttributeError):
    return set()
  return {os.path.normpath(p) for p in listed if isinstance(p, str)}


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
  output_dir: str,
  rows: list[tuple[str, str, str]],
  title: str,
  skipped: tuple[str, ...] = (),
  reasons: tuple[str, ...] = (),
  left_out: tuple[str, ...] = (),
) -> str:
  """Writes output_dir/index.html: one table row per (name, input, output), links relative to
  output_dir, then each skipped file with its reason and the earlier results left out; returns
  its path."""

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
    why = reasons or ("not translated",) * len(skipped)
    listed = ", ".join(
      f"{html.escape(s)} ({html.escape(r)})" for s, r in zip(skipped, why, strict=True)
    )
    lines.append(f"<p>{len(skipped)} file(s) skipped: {listed}</p>")
  if left_out:
    listed = ", ".join(html.escape(s) for s in left_out)
    lines.append(f"<p>{len(left_out)} earlier result(s) left out: {listed}</p>")
  lines.append("</body></html>")
  return write_text_atomic(os.path.join(output_dir, INDEX_FILE), "\n".join(lines) + "\n")


def read_input(translator: Translator, path: str, max_pixels: int) -> np.ndarray:
  """The file at `path` as the translator's network takes it: uint8 [H, W, C] pixels, or class
  ids [H, W, 1] for one-hot label maps; ImageFileError with the reason when it is not read (the
  contract in the message for WRONG_CHANNELS)."""
  entry = translator.contract.get(INPUT_KEY, {})
  if translator.num_classes is not None:
    return decode_labels(path, translator.num_classes, max_pixels)
  if entry.get("kind") in ("image", "color_labels") and translator.channels in (1, 3):
    return decode_image(path, translator.channels, max_pixels)
  header = image_header.check_file(path, max_pixels)  # the file's own reason comes first
  raise ImageFileError(
    WRONG_CHANNELS,
    f"{path}: wrong channels: a {header.format.upper()} image, the model takes "
    f"{describe(translator.contract)}",
  )


def translate(
  model_path: str,
  input_path: str,
  output_dir: str,
  *,
  size: int | None = None,
  network: str | None = None,
  stream: TextIO | None = None,
  max_pixels: int = DEFAULT_MAX_PIXELS,
) -> TranslateResult:
  """Translates one image file or a folder of images with the model at `model_path`.

  size: resize every input to size x size (bicubic) first; None keeps each image's size.
  network: a workdir's generator (default its first). stream: progress bar, each skipped file
  with its reason, the summary (default stderr). max_pixels: the largest width x height read
  (from the header, before decoding; image_header.DEFAULT_MAX_PIXELS). Every file found is
  translated or skipped with its reason (module docstring); ValueError when an output would
  replace an input file.
  """
  _check_size(size)
  check_max_pixels(max_pixels)
  stream = sys.stderr if stream is None else stream
  translator = load_translator(model_path, network)
  found, left_out = find_files(input_path, exclude=output_dir)
  names = _beside_inputs(output_names([rel for _, rel in found]), found, output_dir)
  inputs_dir = _inputs_dir(names)
  _check_no_overwrite(found, names, inputs_dir, output_dir)
  for rel in left_out:
    stream.write(f"left out: {rel} (an earlier translate result)\n")
  rows, skipped, reasons = _translate_files(
    translator, found, names, inputs_dir, output_dir, size, max_pixels, stream
  )
  title = f"model {model_path}" + (f" ({network})" if network else "") + f", input {input_path}"
  os.makedirs(output_dir, exist_ok=True)
  index = write_index(output_dir, rows, title, tuple(skipped), tuple(reasons), tuple(left_out))
  _write_manifest(output_dir, rows)
  result = TranslateResult(
    output_dir=output_dir,
    index=index,
    outputs=tuple(r[2] for r in rows),
    inputs=tuple(r[1] for r in rows),
    skipped=tuple(skipped),
    reasons=tuple(reasons),
    left_out=tuple(left_out),
    contract=translator.contract,
  )
  stream.write(f"\n{result.summary()} -> {output_dir}\n")
  stream.flush()
  return result


def _check_size(size: int | None) -> None:
  """ValueError unless `size` is None or a positive int."""
  if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
    raise ValueError(f"size must be None or a positive int, got {size!r}")


def _translate_files(
  translator: Translator,
  found: list[tuple[str, str]],
  names: list[str],
  inputs_dir: str,
  output_dir: str,
  size: int | None,
  max_pixels: int,
  stream: TextIO,
) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
  """Translates each found file into output_dir/name (its input copy under `inputs_dir`), with a
  progress line per file; returns (rows (rel, copy, name), skipped files, their reasons)."""
  rows, skipped, reasons = [], [], []
  width, shown = len(str(len(found))), 0
  for i, ((path, rel), name) in enumerate(zip(found, names, strict=True), start=1):
    line = f"[{i:>{width}}/{len(found)}] {rel}"
    stream.write("\r" + line.ljust(shown))  # spaces cover a longer previous line
    stream.flush()
    shown = len(line)
    try:
      image = read_input(translator, path, max_pixels)
    except ImageFileError as err:
      stream.write(f"\nskipped ({err.reason}): {err}\n")
      skipped.append(rel)
      reasons.append(err.reason)
      shown = 0
      continue
    if size is not None:
      image = resize(image, (size, size), nearest=translator.num_classes is not None)
    result = translator.translate(image)
    copy = os.path.join(inputs_dir, name)
    _save(image, os.path.join(output_dir, copy))
    _save(result, os.path.join(output_dir, name))
    rows.append((rel, copy, name))
  return rows, skipped, reasons


def _write_manifest(output_dir: str, rows: list[tuple[str, str, str]]) -> None:
  """Writes output_dir/MANIFEST_FILE: the files this run wrote (index, input copies, results)."""
  manifest = [INDEX_FILE] + [name for row in rows for name in row[1:]]
  manifest_path = os.path.join(output_dir, MANIFEST_FILE)
  write_json_atomic(manifest_path, {"files": manifest})


def _beside_inputs(names: list[str], found: list[tuple[str, str]], output_dir: str) -> list[str]:
  """`names`, a result that would replace an input file (output folder = input folder) named
  `x_translated.png` instead."""
  inputs = {os.path.realpath(path) for path, _ in found}
  return [
    os.path.splitext(n)[0] + "_translated.png"
    if os.path.realpath(os.path.join(output_dir, n)) in inputs
    else n
    for n in names
  ]


def _check_no_overwrite(
  found: list[tuple[str, str]], names: list[str], inputs_dir: str, output_dir: str
) -> None:
  """ValueError when a result or an input copy would replace one of the input files."""
  inputs = {os.path.realpath(path): rel for path, rel in found}
  for name in names:
    for target in (name, os.path.join(inputs_dir, name)):
      clash = inputs.get(os.path.realpath(os.path.join(output_dir, target)))
      if clash is not None:
        raise ValueError(
          f"output {target!r} in {output_dir!r} would replace the input file {clash!r}: choose "
          "another output folder"
        )


def _save(image: np.ndarray, path: str) -> None:
  save_png(image[..., 0] if image.shape[-1] == 1 else image, path)  # PIL: [H, W] for grayscale
