"""Numbered, atomic exports of generators in the layout TF Serving expects, each artifact checked.

Layout (one model per generator; TF Serving's --model_base_path is EXPORT_ROOT/<network>):

  EXPORT_ROOT/<network>/<version>/                  version = 1, 2, ... (TF Serving serves the
    saved_model.pb, variables/, fingerprint.pb        highest); the SavedModel (serving_default,
                                                      and translate_bytes for any-size nets)
    tflite/<network>_<quantization>_<size>.tflite     e.g. G_AB_int8_256.tflite, static [1, s, s, C]
    tflite/<network>_<quantization>_<size>.json       its metadata (below)

TF Serving reads only saved_model.pb and variables/ of a version folder and skips folders whose
name is not a number, so the tflite/ folder is left alone; staging happens in EXPORT_ROOT/.staging-*
(outside every model base path). A version is whole: every network's version is staged, checked,
then renamed into place (export.staging.version_staging), one export root at a time
(export.export_lock): TF Serving never sees half a version or G_AB/N without G_BA/N, a failed
check leaves nothing, and a killed export's leftovers are cleared by the next one. With
formats=("tflite",) only, the SavedModel is converted from a scratch copy and not kept; such a
version folder is not servable by TF Serving.

Metadata (`<file>.json`): network, quantization, file size, the input contract (export.contract;
also in the SavedModel's assets/input_contract.json), input / output (name, NHWC shape,
dtype, range [-1, 1] and, for int8, scale and zero point: float = scale * (q - zero_point)),
calibration (image count and source) for int8, the source (checkpoint, step) and the measured
parity against Keras (max / mean |diff|, PSNR, check image count, latency).
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from export.contract import CONTRACT_KEY, input_contract
from export.export_lock import DEFAULT_TIMEOUT_S, export_lock
from export.inputs import INPUT_KEY, Inputs, as_inputs, input_shapes, resize_inputs, take
from export.parity import DEFAULT_TOLERANCE, FloatGate, keras_outputs, parity_stats
from export.parity_error import ParityError
from export.quantization import (
  CALIBRATED,
  Int8Calibration,
  converter_fn,
  normalization_layers,
  resolve_quantization,
  tensor_io,
)
from export.saved_model import export_saved_model, load_serving, serving_outputs
from export.staging import VersionStaging, path_bytes, version_staging
from export.tflite import LiteRTModel, export_tflite
from tfgan_repro.evaluation.metrics import image_quality
from tfgan_repro.util import timing
from tfgan_repro.util.atomic import write_json_atomic

FORMATS = ("saved_model", "tflite")
TFLITE_DIR = "tflite"
# Target PSNR of int8 against the float model, and the gate of every quantized artifact
# (docs/design.md, "Shipping and its gates").
DEFAULT_MIN_PSNR = 30.0
TIMING_RUNS = 5  # median of this many batch-1 runs (after one untimed warm-up run)


@dataclasses.dataclass(frozen=True)
class ExportedArtifact:
  """One checked artifact of a version.

  artifact: "saved_model" or "tflite_<quantization>"; bytes: size on disk (a SavedModel's files
  without tflite/); max_abs / mean_abs / psnr_db: against model(images, training=False) on the
  check images (PSNR over the batch, +inf when equal); latency_ms: median per image, batch 1;
  float64_max_abs / keras_float64_max_abs: float32 artifacts' and the Keras model's max |diff|
  from the float64 reference (export.parity.FloatGate; None for quantized ones or without one).
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
  float64_max_abs: float | None = None
  keras_float64_max_abs: float | None = None


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
  lock_timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[ExportedArtifact]:
  """Writes export_root/<network>/<version>/ for each generator (layout: module docstring).

  check_images / calibration_images: per network, float32 [N, H, W, C] in [-1, 1] from the
  network's input domain (held-out images for the check; training images for int8 calibration,
  resized to tflite_size here); a network of several inputs (export.inputs) takes its check
  inputs as a dict by serving key (int8 calibration is for networks of one image input).
  version: one number for all the networks, None = 1 + the highest any of them has; a version any
  of them has is refused. The version is whole: all networks are staged, then renamed into place
  together (export.staging.version_staging), under the export root's lock (export.export_lock,
  waiting up to `lock_timeout_s` for another export). Float artifacts (SavedModel, TFLite
  float32) pass export.parity.FloatGate (max |diff| from a float64 rebuild <= max(8 x Keras
  float32's own, `tolerance`)), quantized ones must reach `min_psnr` dB; a failure raises
  ParityError and writes no version of any network. source: recorded in each metadata file
  (e.g. checkpoint, step); its
  "calibration" entry, a dict (e.g. split, seed), goes to the int8 files' "calibration" record.
  translate_bytes: add the SavedModel's "translate_bytes" signature (encoded images in and out)
  when the network takes any height and width and maps 1 or 3 channels to 1 or 3 channels.
  Returns one ExportedArtifact per artifact.
  """
  formats, quantizations = _validate(generators, formats, quantizations, tflite_size, version)
  _validate_gates(tolerance, min_psnr)
  _check_images(generators, check_images, calibration_images, formats, quantizations)
  with export_lock(export_root, lock_timeout_s), version_staging(export_root) as stage:
    number = _whole_version(export_root, list(generators), version)
    rows = _stage_networks(
      stage,
      export_root,
      number,
      generators,
      check_images,
      calibration_images,
      formats=formats,
      quantizations=quantizations,
      tflite_size=tflite_size,
      tolerance=tolerance,
      min_psnr=min_psnr,
      source=source,
      translate_bytes=translate_bytes,
    )
    stage.commit(number)
  return rows


def _stage_networks(
  stage: VersionStaging,
  export_root: str,
  number: int,
  generators: Mapping[str, keras.Model],
  check_images: Mapping[str, Inputs],
  calibration_images: Mapping[str, np.ndarray] | None,
  *,
  formats: list[str],
  quantizations: list[str],
  tflite_size: int | None,
  tolerance: float,
  min_psnr: float,
  source: Mapping[str, object] | None,
  translate_bytes: bool,
) -> list[ExportedArtifact]:
  """Stages version `number` of each network in turn; returns their rows, paths final."""
  rows = []
  for name, model in generators.items():
    inputs = as_inputs(check_images[name], model)
    calibration = _calibration(calibration_images, name, model, inputs, tflite_size)
    found = _export_network(
      name,
      model,
      stage.network_folder(name),
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
    rows.extend(_in_version(found, os.path.join(export_root, name, str(number)), number))
    _after_network_staged(name)
  return rows


def _validate_gates(tolerance: float, min_psnr: float) -> None:
  """ValueError unless the float gate's tolerance is > 0 and min_psnr is finite."""
  if not tolerance > 0:
    raise ValueError(f"tolerance must be > 0, got {tolerance!r}")
  if not math.isfinite(min_psnr):
    raise ValueError(f"min_psnr must be a finite number of dB, got {min_psnr!r}")


def _in_version(found: list[ExportedArtifact], final: str, number: int) -> list[ExportedArtifact]:
  """A network's staged rows, numbered `number`, their paths under its final folder."""
  return [dataclasses.replace(r, version=number, path=os.path.join(final, r.path)) for r in found]


def _after_network_staged(name: str) -> None:
  """Called once each network's version is staged (a test seam: the kill tests stop here)."""


def _check_images(
  generators: Mapping[str, keras.Model],
  check_images: Mapping[str, Inputs],
  calibration_images: Mapping[str, np.ndarray] | None,
  formats: list[str],
  quantizations: list[str],
) -> None:
  """ValueError unless every network has check images, and calibration images where int8 needs
  them."""
  calibrated = "tflite" in formats and any(q in CALIBRATED for q in quantizations)
  for name in generators:
    if name not in check_images:
      raise ValueError(f"check_images has no images for network {name!r}: {list(check_images)}")
    if calibrated and name not in (calibration_images or {}):
      raise ValueError(f"calibration_images has no images for network {name!r} (int8 needs them)")


def _whole_version(export_root: str, names: list[str], version: int | None) -> int:
  """The version number of this export, one for all its networks: `version`, or 1 + the highest
  of any of them when None; a version that any of them has is refused."""
  if version is None:
    return max(next_version(os.path.join(export_root, name)) for name in names)
  for name in names:
    final = os.path.join(export_root, name, str(version))
    if os.path.exists(final):
      raise ValueError(f"version {version} of {name!r} exists at {final}; choose another version")
  return version


def _calibration(
  calibration_images: Mapping[str, np.ndarray] | None,
  name: str,
  model: keras.Model,
  inputs: dict[str, np.ndarray],
  tflite_size: int | None,
) -> np.ndarray | None:
  """The network's int8 calibration images at tflite_size, or None when it has none."""
  if calibration_images is None or name not in calibration_images:
    return None
  if len(inputs) != 1:
    raise ValueError(
      f"int8 calibration needs a network of one image input; {name!r} takes {list(inputs)}"
    )
  given = calibration_images[name]
  if not isinstance(given, Mapping):  # the one input's array: images, or a synthesis G's latents
    given = {next(iter(inputs)): given}
  calibration = as_inputs(given, model)
  return next(iter(resize_inputs(calibration, tflite_size).values()))


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
  keep_saved_model = "saved_model" in formats
  scratch = None if keep_saved_model else tempfile.mkdtemp(dir=staging, prefix=".saved_model-")
  # The input contract (export.contract): given per network in source["input_contracts"].
  contract = source.get("input_contracts", {}).get(name) or input_contract(model)
  source = {**source, CONTRACT_KEY: contract}
  saved_model = export_saved_model(
    model,
    staging if keep_saved_model else scratch,
    translate_bytes=translate_bytes and keep_saved_model and _takes_any_image(model),
    contract=contract,
  )
  rows = []
  gate = FloatGate(model, tolerance)
  if keep_saved_model:
    rows.append(_check_saved_model(name, model, saved_model, inputs, gate))
  if "tflite" in formats:
    lite_inputs = resize_inputs(inputs, tflite_size)
    lite_expected = keras_outputs(model, lite_inputs)
    int8 = (
      None if calibration is None else Int8Calibration(calibration, normalization_layers(model))
    )
    os.makedirs(os.path.join(staging, TFLITE_DIR))
    for quantization in quantizations:
      row, lite = _export_tflite_variant(
        name,
        saved_model,
        staging,
        lite_inputs,
        lite_expected,
        quantization=quantization,
        tflite_size=tflite_size,
        int8=int8 if quantization in CALIBRATED else None,
        gate=gate,
        min_psnr=min_psnr,
      )
      num = len(lite_expected)
      _write_metadata(lite.path, row, lite, quantization, calibration, source, num)
      rows.append(row)
  if scratch is not None:
    shutil.rmtree(scratch)
  return rows


def _takes_any_image(model: keras.Model) -> bool:
  """Whether the SavedModel gets "translate_bytes": TF Serving's REST clients send encoded images,
  so where the net takes one image of any size and maps images to images, 1 or 3 channels (not
  one-hot label maps; export.saved_model)."""
  shapes = input_shapes(model)
  shape = shapes.get(INPUT_KEY, ())
  any_size = len(shapes) == 1 and shape[1:3] == (None, None)
  return any_size and shape[-1:] in ((1,), (3,)) and model.outputs[0].shape[-1] in (1, 3)


def _check_saved_model(
  name: str,
  model: keras.Model,
  saved_model: str,
  inputs: dict[str, np.ndarray],
  gate: FloatGate,
) -> ExportedArtifact:
  """The SavedModel's row (path "."), after its float32 gate (export.parity.FloatGate)."""
  expected = keras_outputs(model, inputs)
  _, fn, _ = load_serving(saved_model)
  actual = serving_outputs(fn, inputs)
  stats = gate.check(f"{name} SavedModel", inputs, expected, actual)
  one = {key: tf.constant(value) for key, value in take(inputs, 0, 1).items()}  # batch 1
  return ExportedArtifact(
    name,
    0,
    "saved_model",
    ".",
    path_bytes(saved_model),
    stats["max_abs"],
    stats["mean_abs"],
    image_quality.psnr(expected, actual, reduction="batch_mse"),
    timing.median_ms(lambda: fn(**one), TIMING_RUNS, warmup=1),
    stats["float64_max_abs"],
    stats["keras_float64_max_abs"],
  )


def _export_tflite_variant(
  name: str,
  saved_model: str,
  staging: str,
  lite_inputs: dict[str, np.ndarray],
  expected: np.ndarray,
  *,
  quantization: str,
  tflite_size: int | None,
  int8: Int8Calibration | None,
  gate: FloatGate,
  min_psnr: float,
) -> tuple[ExportedArtifact, LiteRTModel]:
  """Converts one TFLite variant into staging/tflite/, checks it against the Keras outputs
  `expected` on `lite_inputs` (float32: `gate`, export.parity.FloatGate; quantized: PSNR of the
  batch MSE >= min_psnr) and times it; returns its row (path relative to `staging`) and the
  loaded model."""
  relative = os.path.join(TFLITE_DIR, tflite_name(name, quantization, tflite_size))
  path = export_tflite(
    saved_model,
    os.path.join(staging, relative),
    input_size=tflite_size,
    convert=converter_fn(quantization, int8),
  )
  lite = LiteRTModel(path)
  actual = lite.outputs(lite_inputs)
  psnr = image_quality.psnr(expected, actual, reduction="batch_mse")
  artifact = f"{name} TFLite {quantization}"
  if quantization == "float32":
    stats = gate.check(artifact, lite_inputs, expected, actual)
  else:
    stats = parity_stats(expected, actual)
    _require(psnr >= min_psnr, artifact, stats, f"PSNR {psnr:.2f} dB < min_psnr {min_psnr}")
  latency = timing.median_ms(lambda: lite(take(lite_inputs, 0, 1)), TIMING_RUNS, warmup=1)
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
    stats.get("float64_max_abs"),
    stats.get("keras_float64_max_abs"),
  )
  return row, lite


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
    CONTRACT_KEY: source.get(CONTRACT_KEY),
    "source": {
      k: v for k, v in source.items() if k not in ("calibration", "input_contracts", CONTRACT_KEY)
    },
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
  return write_json_atomic(os.path.splitext(path)[0] + ".json", metadata, sort_keys=True)


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
