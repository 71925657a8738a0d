"""Numbered, atomic exports of generators in the layout TF Serving expects, each artifact checked.

Layout (one model per generator; TF Serving's --model_base_path is EXPORT_ROOT/<network>):

  EXPORT_ROOT/<network>/<version>/                  version = 1, 2, ... (TF Serving serves the
    saved_model.pb, variables/, fingerprint.pb        highest); the SavedModel (serving_default,
                                                      and translate_bytes for any-size nets)
    tflite/<network>_<quantization>_<size>.tflite     e.g. G_AB_int8_256.tflite, static [1, s, s, C]
    tflite/<network>_<quantization>_<size>.json       its metadata (below)

TF Serving reads only saved_model.pb and variables/ of a version folder and skips folders whose
name is not a number, so the tflite/ folder and the hidden staging folders (".<version>.tmp-*")
are left alone. A version is built under a staging name and renamed into place once every
artifact passed its check (export.staging): TF Serving never sees half a version, and a failed
check leaves nothing. With formats=("tflite",) only, the SavedModel is converted from a scratch
copy and not kept; such a version folder is not servable by TF Serving.

Metadata (`<file>.json`): network, quantization, file size, input / output (name, NHWC shape,
dtype, range [-1, 1] and, for int8, scale and zero point: float = scale * (q - zero_point)),
calibration (image count and source) for int8, the source (checkpoint, step) and the measured
parity against Keras (max / mean |diff|, PSNR, check image count, latency).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from export.inputs import INPUT_KEY, Inputs, as_inputs, input_shapes, resize_inputs, take
from export.parity import DEFAULT_TOLERANCE, keras_outputs, parity_stats
from export.parity_error import ParityError
from export.quantization import (
  CALIBRATED,
  Int8Calibration,
  converter_fn,
  normalization_layers,
  psnr_db,
  resolve_quantization,
  tensor_io,
)
from export.saved_model import export_saved_model, load_serving, serving_outputs
from export.staging import path_bytes, staged_directory
from export.tflite import LiteRTModel, export_tflite

FORMATS = ("saved_model", "tflite")
TFLITE_DIR = "tflite"
# Issue 3 target for int8 against the float model (and the gate for every quantized artifact).
DEFAULT_MIN_PSNR = 30.0
TIMING_RUNS = 5  # median of this many batch-1 runs (after one untimed warm-up run)


@dataclasses.dataclass(frozen=True)
class ExportedArtifact:
  """One checked artifact of a version.

  artifact: "saved_model" or "tflite_<quantization>"; bytes: size on disk (a SavedModel's files
  without tflite/); max_abs / mean_abs / psnr_db: against model(images, training=False) on the
  check images (PSNR over the batch, +inf when equal); latency_ms: median per image, batch 1.
  """

  network: str
  version: int
  artifact: str
  path: str
  bytes: int
  max_abs: float
  mean_abs: float
  psnr_db: float
  latency_ms: float


def version_numbers(base: str) -> list[int]:
  """The numbered version folders under `base`, ascending (none when `base` does not exist)."""
  if not os.path.isdir(base):
    return []
  return sorted(
    int(name)
    for name in os.listdir(base)
    if name.isdigit() and os.path.isdir(os.path.join(base, name))
  )


def next_version(base: str) -> int:
  """1 + the highest numbered version folder under `base`, or 1."""
  versions = version_numbers(base)
  return versions[-1] + 1 if versions else 1


def tflite_name(network: str, quantization: str, size: int) -> str:
  return f"{network}_{quantization}_{size}.tflite"


def median_ms(run: Callable[[], object], runs: int = TIMING_RUNS) -> float:
  """Median wall time of `run()` in ms over `runs` calls, after one untimed warm-up call."""
  run()
  times = []
  for _ in range(runs):
    start = time.perf_counter()
    run()
    times.append(time.perf_counter() - start)
  return 1000.0 * statistics.median(times)


def _validate(
  generators: Mapping[str, keras.Model],
  formats: Sequence[str],
  quantizations: Sequence[str],
  tflite_size: int | None,
  version: int | None,
) -> tuple[list[str], list[str]]:
  if not generators:
    raise ValueError(f"generators must name at least one model, got {generators!r}")
  for name in generators:
    if not name or name.startswith(".") or os.sep in name or name.isdigit():
      raise ValueError(f"generators keys must be plain, non-numeric folder names, got {name!r}")
  formats = list(dict.fromkeys(formats))
  if not formats or any(f not in FORMATS for f in formats):
    raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats!r}")
  quantizations = list(dict.fromkeys(resolve_quantization(q) for q in quantizations))
  if "tflite" in formats:
    if not quantizations:
      raise ValueError("quantizations must name at least one TFLite variant, got none")
    if isinstance(tflite_size, bool) or not isinstance(tflite_size, int) or tflite_size < 1:
      raise ValueError(f"tflite_size must be a positive int, got {tflite_size!r}")
  if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
    raise ValueError(f"version must be None or a positive int, got {version!r}")
  if version is not None and version < 1:
    raise ValueError(f"version must be None or a positive int, got {version!r}")
  return formats, quantizations


def export_version(
  generators: Mapping[str, keras.Model],
  export_root: str,
  check_images: Mapping[str, Inputs],
  *,
  formats: Sequence[str] = FORMATS,
  quantizations: Sequence[str] = ("float32",),
  tflite_size: int | None = None,
  calibration_images: Mapping[str, np.ndarray] | None = None,
  version: int | None = None,
  tolerance: float = DEFAULT_TOLERANCE,
  min_psnr: float = DEFAULT_MIN_PSNR,
  source: Mapping[str, object] | None = None,
  translate_bytes: bool = True,
) -> list[ExportedArtifact]:
  """Writes export_root/<network>/<version>/ for each generator (layout: module docstring).

  check_images / calibration_images: per network, float32 [N, H, W, C] in [-1, 1] from the
  network's input domain (held-out images for the check; training images for int8 calibration,
  resized to tflite_size here); a network of several inputs (export.inputs) takes its check
  inputs as a dict by serving key (int8 calibration is for networks of one image input). version: None = next_version per network; an existing version
  is refused. Float artifacts (SavedModel, TFLite float32) must match Keras to `tolerance` (max
  |diff|), quantized ones must reach `min_psnr` dB; a failure raises ParityError and writes
  nothing for that network. source: recorded in each metadata file (e.g. checkpoint, step); its
  "calibration" entry, a dict (e.g. split, seed), goes to the int8 files' "calibration" record.
  translate_bytes: add the SavedModel's "translate_bytes" signature (encoded images in and out)
  when the network takes any height and width and maps 1 or 3 channels to 1 or 3 channels.
  Returns one ExportedArtifact per artifact.
  """
  formats, quantizations = _validate(generators, formats, quantizations, tflite_size, version)
  if not tolerance > 0:
    raise ValueError(f"tolerance must be > 0, got {tolerance!r}")
  if not math.isfinite(min_psnr):
    raise ValueError(f"min_psnr must be a finite number of dB, got {min_psnr!r}")
  for name in generators:
    if name not in check_images:
      raise ValueError(f"check_images has no images for network {name!r}: {list(check_images)}")
    calibrated = "tflite" in formats and any(q in CALIBRATED for q in quantizations)
    if calibrated and name not in (calibration_images or {}):
      raise ValueError(f"calibration_images has no images for network {name!r} (int8 needs them)")
  rows = []
  for name, model in generators.items():
    base = os.path.join(export_root, name)
    number = next_version(base) if version is None else version
    final = os.path.join(base, str(number))
    if os.path.exists(final):
      raise ValueError(f"version {number} of {name!r} exists at {final}; choose another version")
    inputs = as_inputs(check_images[name], model)
    calibration = None
    if calibration_images is not None and name in calibration_images:
      if len(inputs) != 1:
        raise ValueError(
          f"int8 calibration needs a network of one image input; {name!r} takes {list(inputs)}"
        )
      calibration = as_inputs(calibration_images[name], model)
      calibration = resize_inputs(calibration, tflite_size)[INPUT_KEY]
    with staged_directory(final) as staging:
      found = _export_network(
        name,
        model,
        staging,
        inputs,
        formats=formats,
        quantizations=quantizations,
        tflite_size=tflite_size,
        calibration=calibration,
        tolerance=tolerance,
        min_psnr=min_psnr,
        source=dict(source or {}),
        translate_bytes=translate_bytes,
      )
    rows.extend(
      dataclasses.replace(r, version=number, path=os.path.join(final, r.path)) for r in found
    )
  return rows


def _export_network(
  name: str,
  model: keras.Model,
  staging: str,
  inputs: dict[str, np.ndarray],
  *,
  formats: list[str],
  quantizations: list[str],
  tflite_size: int | None,
  calibration: np.ndarray | None,
  tolerance: float,
  min_psnr: float,
  source: dict,
  translate_bytes: bool,
) -> list[ExportedArtifact]:
  """Writes one version into `staging`; returns its rows with paths relative to `staging`."""
  rows = []
  expected = keras_outputs(model, inputs)
  keep_saved_model = "saved_model" in formats
  scratch = None if keep_saved_model else tempfile.mkdtemp(dir=staging, prefix=".saved_model-")
  # TF Serving's REST clients send encoded images: translate_bytes where the net takes one image
  # of any size and maps images to images, 1 or 3 channels (not one-hot label maps;
  # export.saved_model); the scratch copy only feeds the TFLite converter.
  shapes = input_shapes(model)
  shape = shapes.get(INPUT_KEY, ())
  any_size = len(shapes) == 1 and shape[1:3] == (None, None)
  image_to_image = shape[-1:] in ((1,), (3,)) and model.outputs[0].shape[-1] in (1, 3)
  saved_model = export_saved_model(
    model,
    staging if keep_saved_model else scratch,
    translate_bytes=translate_bytes and keep_saved_model and any_size and image_to_image,
  )
  if keep_saved_model:
    _, fn, _ = load_serving(saved_model)
    actual = serving_outputs(fn, inputs)
    stats = parity_stats(expected, actual)
    _require(stats["max_abs"] <= tolerance, f"{name} SavedModel", stats, f"tolerance {tolerance}")
    one = {key: tf.constant(value) for key, value in take(inputs, 0, 1).items()}  # batch 1
    rows.append(
      ExportedArtifact(
        name,
        0,
        "saved_model",
        ".",
        path_bytes(saved_model),
        stats["max_abs"],
        stats["mean_abs"],
        psnr_db(expected, actual),
        median_ms(lambda: fn(**one)),
      )
    )
  if "tflite" in formats:
    lite_inputs = resize_inputs(inputs, tflite_size)
    lite_expected = keras_outputs(model, lite_inputs)
    num = len(lite_expected)
    int8 = (
      None if calibration is None else Int8Calibration(calibration, normalization_layers(model))
    )
    os.makedirs(os.path.join(staging, TFLITE_DIR))
    for quantization in quantizations:
      relative = os.path.join(TFLITE_DIR, tflite_name(name, quantization, tflite_size))
      path = export_tflite(
        saved_model,
        os.path.join(staging, relative),
        input_size=tflite_size,
        convert=converter_fn(quantization, int8 if quantization in CALIBRATED else None),
      )
      lite = LiteRTModel(path)
      actual = np.concatenate([lite(take(lite_inputs, i, i + 1)) for i in range(num)])
      stats = parity_stats(lite_expected, actual)
      psnr = psnr_db(lite_expected, actual)
      artifact = f"{name} TFLite {quantization}"
      if quantization == "float32":
        _require(stats["max_abs"] <= tolerance, artifact, stats, f"tolerance {tolerance}")
      else:
        _require(psnr >= min_psnr, artifact, stats, f"PSNR {psnr:.2f} dB < min_psnr {min_psnr}")
      latency = median_ms(lambda lite=lite: lite(take(lite_inputs, 0, 1)))
      row = ExportedArtifact(
        name,
        0,
        f"tflite_{quantization}",
        relative,
        os.path.getsize(path),
        stats["max_abs"],
        stats["mean_abs"],
        psnr,
        latency,
      )
      _write_metadata(path, row, lite, quantization, calibration, source, num)
      rows.append(row)
  if scratch is not None:
    shutil.rmtree(scratch)
  return rows


def _require(ok: bool, artifact: str, stats: dict[str, float], bound: str) -> None:
  if not ok:
    raise ParityError(
      f"{artifact} does not match its Keras model: max |diff| {stats['max_abs']:.3g} "
      f"(mean {stats['mean_abs']:.3g}); {bound}"
    )


def _finite_or_none(value: float) -> float | None:
  return value if math.isfinite(value) else None  # JSON has no inf: null = identical outputs


def _write_metadata(
  path: str,
  row: ExportedArtifact,
  lite: LiteRTModel,
  quantization: str,
  calibration: np.ndarray | None,
  source: dict,
  num_check: int,
) -> str:
  metadata = {
    "network": row.network,
    "file": os.path.basename(path),
    "bytes": row.bytes,
    "quantization": quantization,
    "input": tensor_io(lite.input),
    "output": tensor_io(lite.output),
    "source": {k: v for k, v in source.items() if k != "calibration"},
    "parity": {
      "reference": "Keras model(images, training=False)",
      "check_images": num_check,
      "max_abs": row.max_abs,
      "mean_abs": row.mean_abs,
      "psnr_db": _finite_or_none(row.psnr_db),
      "latency_ms": row.latency_ms,
      "num_threads": lite.num_threads,
    },
  }
  if len(lite.inputs) > 1:  # every named input (export.inputs), the image one included
    metadata["inputs"] = {
      key: tensor_io(details, image=key == INPUT_KEY) for key, details in lite.inputs.items()
    }
  if quantization in CALIBRATED:
    metadata["calibration"] = {"images": len(calibration), **source.get("calibration", {})}
  target = os.path.splitext(path)[0] + ".json"
  with open(target, "w") as f:
    json.dump(metadata, f, indent=2, sort_keys=True)
  return target


def format_artifacts(rows: Sequence[ExportedArtifact]) -> str:
  """A plain-text table, one line per artifact, columns aligned."""
  header = ("network", "version", "artifact", "KiB", "max_abs", "mean_abs", "PSNR dB", "ms/img")
  lines = [
    (
      r.network,
      str(r.version),
      r.artifact,
      f"{r.bytes / 1024:.1f}",
      f"{r.max_abs:.2e}",
      f"{r.mean_abs:.2e}",
      "inf" if r.psnr_db == math.inf else f"{r.psnr_db:.2f}",
      f"{r.latency_ms:.2f}",
    )
    for r in rows
  ]
  widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
  return "\n".join(
    "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
    for line in [header, *lines]
  )
