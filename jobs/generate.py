"""Generating images with a trained synthesis (noise -> image) generator: a training workdir, its
SavedModel or a .tflite file.

`generate(model_path, output_dir, num=N, seed=S, truncation=T, classes=...)` draws the latents of
`seed` with tfgan_repro.data.latents.sample_latents (the one latent function: the SavedModel's
`generate` signature draws the same), runs the generator and writes output_dir/000000.png ...,
output_dir/index.html (the images in a grid, each named with its index and class; a 2-D mixture
G's points go to points.npy, drawn in points.png) and
output_dir/generate.json (what was asked: model, kind, seed, truncation, classes, latent spec).
The same seed gives the same images from a run, its SavedModel and its float32 TFLite (within the
export parity tolerance).

Model kinds (jobs.translate.model_kind):
- "workdir": the newest checkpoint's shipped G (the EMA copy where the model keeps one);
- "saved_model": serving_default on {"latents"} (+ {"class_ids"} float32 [N, 1]), the latent
  spec read from the input contract (export.contract, export.synthesis_signatures);
- "tflite": the LiteRT interpreter, one latent at a time; the spec from its metadata JSON.
A model that is not a synthesis generator is refused, naming what it takes (use bin.translate).
"""

from __future__ import annotations

import dataclasses
import html
import os
from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf

from export.contract import describe, read_contract
from export.saved_model import SIGNATURE_KEY
from export.tflite import LiteRTModel
from jobs.translate import model_kind
from tfgan_repro.data.latents import CLASS_KEY, LATENT_KEY, LatentSpec, class_ids, sample_latents
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.models.synthesis import scatter
from tfgan_repro.tasks import synthesis, task_of
from tfgan_repro.training import checkpointing
from tfgan_repro.training.images import save_png
from tfgan_repro.util.atomic import write_json_atomic, write_text_atomic

INDEX_FILE = "index.html"
RECORD_FILE = "generate.json"
POINTS_FILE = "points.npy"  # a 2-D mixture G's points [num, 2]
DISPLAY_WIDTH = 128  # px of each image in index.html
_BATCH = 64

# latents float32 [n, z_dim], class ids int32 [n] or None -> images float32 [n, S, S, C]
Runner = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Generator:
  """A loaded synthesis generator: its kind, latent spec and runner."""

  kind: str
  spec: LatentSpec
  run: Runner


@dataclasses.dataclass(frozen=True)
class GenerateResult:
  """What `generate` wrote; `images` relative to `output_dir`."""

  output_dir: str
  index: str
  images: tuple[str, ...]
  classes: tuple[int, ...] | None
  record: str


def _not_synthesis(path: str, takes: str) -> ValueError:
  return ValueError(
    f"model {path!r} is not a synthesis (noise -> image) generator: it takes {takes}; "
    "translate images with `python -m bin.translate`"
  )


def _workdir_generator(path: str) -> Generator:
  _, model, _ = checkpointing.load_run(path)
  task = task_of(model)
  if task.name != "synthesis":
    raise _not_synthesis(path, f"the inputs of task {task.name!r} ({', '.join(task.inputs)})")
  spec = synthesis.latent_spec(model)
  G = model.shipped_generators[synthesis.GENERATOR]

  def run(z: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
    x = z if ids is None else [z, ids]
    return tf.cast(G(x, training=False), tf.float32).numpy()

  return Generator("workdir", spec, run)


def _named(spec: LatentSpec, z: np.ndarray, ids: np.ndarray | None) -> dict[str, np.ndarray]:
  if not spec.num_classes:
    return {LATENT_KEY: z}
  return {LATENT_KEY: z, CLASS_KEY: ids.astype(np.float32)[:, None]}  # [n, 1]


def _spec(path: str) -> LatentSpec:
  contract = read_contract(path)
  spec = LatentSpec.from_contract(contract)
  if spec is None:
    raise _not_synthesis(path, describe(contract) if contract else "no recorded latent inputs")
  return spec


def _saved_model_generator(path: str) -> Generator:
  spec = _spec(path)
  loaded = tf.saved_model.load(path)
  fn = loaded.signatures[SIGNATURE_KEY]

  def run(z: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
    named = {k: tf.constant(v) for k, v in _named(spec, z, ids).items()}
    (out,) = fn(**named).values()
    _ = loaded  # the loaded object owns the variables: keep it alive with the function
    return out.numpy()

  return Generator("saved_model", spec, run)


def _tflite_generator(path: str) -> Generator:
  spec = _spec(path)
  lite = LiteRTModel(path)
  return Generator("tflite", spec, lambda z, ids: lite.outputs(_named(spec, z, ids)))


def load_generator(path: str) -> Generator:
  """The synthesis generator at `path` (module docstring); ValueError for anything else."""
  kind = model_kind(path)
  load = {
    "workdir": _workdir_generator,
    "saved_model": _saved_model_generator,
    "tflite": _tflite_generator,
  }[kind]
  return load(path)


def generate_images(
  generator: Generator,
  num: int,
  seed: int,
  truncation: float | None = None,
  classes: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
  """(float32 [num, S, S, C] in [-1, 1], int32 class ids [num] or None): the generator on the
  latents of `seed` (data.latents.sample_latents; truncation <= 0 or None: off), class-conditional
  sample i of class classes[i % len(classes)] (default: every class in turn)."""
  if isinstance(num, bool) or not isinstance(num, int) or num < 1:
    raise ValueError(f"num must be a positive int, got {num!r}")
  spec = generator.spec
  if classes and not spec.num_classes:
    raise ValueError(f"classes {list(classes)} given, but the generator is unconditional")
  truncation = truncation if truncation and truncation > 0 else None
  z = sample_latents(seed, num, spec.z_dim, spec.distribution, truncation).numpy()
  ids = class_ids(num, spec.num_classes, classes or None).numpy() if spec.num_classes else None
  return run_batched(generator, z, ids), ids


def run_batched(generator: Generator, z: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
  """The generator on latents z [n, z_dim] (and class ids [n]), _BATCH at a time."""
  outs = [
    generator.run(z[i : i + _BATCH], None if ids is None else ids[i : i + _BATCH])
    for i in range(0, len(z), _BATCH)
  ]
  return np.concatenate(outs)


def write_index(output_dir: str, names: Sequence[str], captions: Sequence[str], title: str) -> str:
  """output_dir/index.html: the images in a grid (8 a row), each with its caption."""
  cells = [
    f'<td><img src="{html.escape(n)}" style="width:{DISPLAY_WIDTH}px"><br>{html.escape(c)}</td>'
    for n, c in zip(names, captions, strict=True)
  ]
  rows = ["<tr>" + "".join(cells[i : i + 8]) + "</tr>" for i in range(0, len(cells), 8)]
  lines = [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8">',
    f"<title>{html.escape(title)}</title>",
    "<style>td{padding:4px;text-align:center;font-family:monospace}</style></head><body>",
    f"<h3>{html.escape(title)}</h3>",
    "<table>",
    *rows,
    "</table></body></html>",
  ]
  return write_text_atomic(os.path.join(output_dir, INDEX_FILE), "\n".join(lines) + "\n")


def generate(
  model_path: str,
  output_dir: str,
  *,
  num: int,
  seed: int = 0,
  truncation: float | None = None,
  classes: Sequence[int] | None = None,
) -> GenerateResult:
  """Writes `num` images of the generator at `model_path` (module docstring) into `output_dir`:
  NNNNNN.png, index.html and generate.json."""
  generator = load_generator(model_path)
  images, ids = generate_images(generator, num, seed, truncation, classes)
  os.makedirs(output_dir, exist_ok=True)
  if images.ndim == 2:  # a 2-D mixture G: its points [num, 2], saved as .npy and drawn
    np.save(os.path.join(output_dir, POINTS_FILE), images)
    names = [save_png(to_uint8(scatter(images)[0]), os.path.join(output_dir, "points.png"))]
    names, captions = [os.path.basename(names[0])], [f"{num} points ({POINTS_FILE})"]
  else:
    names = [f"{i:06d}.png" for i in range(num)]
    for name, image in zip(names, to_uint8(images), strict=True):
      save_png(image, os.path.join(output_dir, name))
    captions = [f"#{i}" + ("" if ids is None else f" class {ids[i]}") for i in range(num)]
  truncated = f", truncation {truncation}" if truncation and truncation > 0 else ""
  title = f"{model_path}: seed {seed}{truncated}"
  index = write_index(output_dir, names, captions, title)
  record = write_json_atomic(
    os.path.join(output_dir, RECORD_FILE),
    {
      "model": os.path.abspath(model_path),
      "kind": generator.kind,
      "num": num,
      "seed": seed,
      "truncation": truncation if truncation and truncation > 0 else None,
      "classes": None if ids is None else [int(c) for c in ids],
      "latents": generator.spec.to_json(),
      "images": names,
    },
  )
  return GenerateResult(
    output_dir, index, tuple(names), None if ids is None else tuple(int(c) for c in ids), record
  )
