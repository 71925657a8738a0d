"""Export a training workdir's generators: load the run, draw check and calibration images from
its data, and write a checked, numbered version per generator (export.versioned).

Not part of //export:lib (it imports tfgan_repro, which depends on that library): Bazel target
//export:run_lib, used by the `export` binary.
"""

from __future__ import annotations

import os

import keras
import ml_collections
import numpy as np
import tensorflow as tf

from export.contract import input_contract
from export.parity import DEFAULT_TOLERANCE
from export.quantization import CALIBRATED, MIN_CALIBRATION_IMAGES, resolve_quantization
from export.versioned import DEFAULT_MIN_PSNR, FORMATS, ExportedArtifact, export_version
from tfgan_repro import data
from tfgan_repro.models import GANModel
from tfgan_repro.nets.common import without_inference_dropout
from tfgan_repro.tasks import Task, task_of
from tfgan_repro.training.checkpointing import (
  CHECKPOINT_DIR,
  load_run,
)

EXPORT_DIR = "export"  # RUN/export/<network>/<version>/
# docs/tflite.md: ship float16 and dynamic range by default; int8 on request, gated.
DEFAULT_QUANTIZATIONS = ("float32", "float16", "dynamic")
NUM_CHECK_IMAGES = 4  # held-out images each artifact is compared on (config.export default)


def calibration_images(
  data_config: ml_collections.ConfigDict, domain: str, num: int, seed: int
) -> np.ndarray:
  """float32 [num, crop, crop, C]: `num` training images of `domain` ("A" | "B"), as
  training sees them (random crop / flip of the endless shuffled training stream, so num may
  exceed the split's size; unpaired or paired as data.dataset_mode)."""
  side = {"A": 0, "B": 1}[domain]
  stream = data.make_dataset(data_config, "train", 1, training=True, seed=seed)
  return np.concatenate([pair[side].numpy() for pair in stream.take(num)])  # [num, H, W, C]


def export_workdir(
  workdir: str,
  *,
  checkpoint: str | None = None,
  formats: tuple[str, ...] = FORMATS,
  quantizations: tuple[str, ...] = DEFAULT_QUANTIZATIONS,
  tflite_size: int | None = None,
  version: int | None = None,
  num_check_images: int = NUM_CHECK_IMAGES,
  num_calibration: int = MIN_CALIBRATION_IMAGES,
  min_psnr: float = DEFAULT_MIN_PSNR,
  tolerance: float | None = None,
  seed: int = 0,
  translate_bytes: bool = True,
) -> list[ExportedArtifact]:
  """Exports every generator of the run in `workdir` from its newest (or the named) checkpoint
  into workdir/export/<network>/<version>/ (export.versioned layout).

  Check images: the first `num_check_images` held-out (test) examples of each generator's input
  domain. int8 calibration: `num_calibration` training images of that domain (>= 100).
  tflite_size: None = the training crop size. translate_bytes: the SavedModel's encoded-image
  signature (export.versioned.export_version). Generators with dropout at inference (pix2pix)
  are exported without it (official test.py --eval; `without_inference_dropout`): a random net
  cannot be checked against Keras. The networks and their check inputs are the model's task's
  (tfgan_repro.tasks: Task.export_generators / export_check_inputs; named inputs for generators
  of several, export.inputs). tolerance: None = the run's config.export.tolerance. Returns the
  artifacts' rows.
  """
  quantizations, calibrate = _check_counts(
    formats, quantizations, num_check_images, num_calibration
  )
  config, model, step = load_run(workdir, checkpoint)
  if tolerance is None:  # the run's own gate (config.export.tolerance)
    tolerance = config.get("export", {}).get("tolerance", DEFAULT_TOLERANCE)
  task = task_of(model)
  generators, eval_mode = _eval_mode_generators(task.export_generators(model))
  sources = {name: model.directions[name][0] for name in generators}  # each one's input domain
  check = {
    name: task.export_check_inputs(config, model, name, num_check_images) for name in generators
  }
  calibration = (
    _calibrations(task, config, model, sources, num_calibration, seed) if calibrate else None
  )
  source = _source_record(workdir, checkpoint, step, config.model, eval_mode, sources, seed)
  # export.contract: what each generator's inputs hold
  source["input_contracts"] = _input_contracts(task, config, model, generators, sources)
  return export_version(
    generators,
    os.path.join(workdir, EXPORT_DIR),
    check,
    formats=formats,
    quantizations=quantizations,
    tflite_size=tflite_size or config.data.crop_size,
    calibration_images=calibration,
    version=version,
    tolerance=tolerance,
    min_psnr=min_psnr,
    source=source,
    translate_bytes=translate_bytes,
  )


def _calibrations(
  task: Task,
  config: ml_collections.ConfigDict,
  model: GANModel,
  sources: dict[str, str],
  num: int,
  seed: int,
) -> dict[str, np.ndarray]:
  """Each generator's int8 calibration inputs (`_calibration`), in the order of `sources`."""
  return {n: _calibration(task, config, model, n, sources[n], num, seed) for n in sources}


def _input_contracts(
  task: Task,
  config: ml_collections.ConfigDict,
  model: GANModel,
  generators: dict[str, keras.Model],
  sources: dict[str, str],
) -> dict:
  """Each generator's input contract: the task's (Task.export_contract), else the one known from
  its inputs' channels (export.contract.input_contract)."""
  return {
    name: task.export_contract(config, model, name)
    or input_contract(net, config.data, sources[name])
    for name, net in generators.items()
  }


def _calibration(
  task: Task,
  config: ml_collections.ConfigDict,
  model: GANModel,
  name: str,
  domain: str,
  num: int,
  seed: int,
) -> np.ndarray:
  """The task's int8 calibration inputs of `name` (Task.calibration_inputs: a synthesis G's
  latents), else `num` training images of its input `domain`."""
  inputs = task.calibration_inputs(config, model, name, num, seed)
  return calibration_images(config.data, domain, num, seed) if inputs is None else inputs


def _eval_mode_generators(
  served: dict[str, keras.Model],
) -> tuple[dict[str, keras.Model], list[str]]:
  """(the generators without dropout at inference, the names of those that had it)."""
  generators = {name: without_inference_dropout(net) for name, net in served.items()}
  return generators, sorted(n for n, net in generators.items() if net is not served[n])


def _check_counts(
  formats: tuple[str, ...],
  quantizations: tuple[str, ...],
  num_check_images: int,
  num_calibration: int,
) -> tuple[tuple[str, ...], bool]:
  """(canonical quantizations, whether int8 calibration is needed); ValueError for a count that
  is not a positive int or too few calibration images."""
  if isinstance(num_check_images, bool) or not isinstance(num_check_images, int):
    raise ValueError(f"num_check_images must be a positive int, got {num_check_images!r}")
  if num_check_images < 1:
    raise ValueError(f"num_check_images must be a positive int, got {num_check_images!r}")
  quantizations = tuple(resolve_quantization(q) for q in quantizations)
  calibrate = "tflite" in formats and any(q in CALIBRATED for q in quantizations)
  if calibrate and num_calibration < MIN_CALIBRATION_IMAGES:
    raise ValueError(
      f"num_calibration must be >= {MIN_CALIBRATION_IMAGES} for int8, got {num_calibration!r}"
    )
  return quantizations, calibrate


def _source_record(
  workdir: str,
  checkpoint: str | None,
  step: int,
  model: str,
  eval_mode: list[str],
  domains: dict[str, str],
  seed: int,
) -> dict:
  """What the metadata records of the artifacts' source: the run, its checkpoint and step, the
  networks exported in official --eval mode, and where the int8 calibration images come from
  (calibration_images)."""
  return {
    "workdir": os.path.abspath(workdir),
    "checkpoint": os.path.abspath(
      checkpoint or tf.train.latest_checkpoint(os.path.join(workdir, CHECKPOINT_DIR))
    ),
    "step": step,
    "model": model,
    "inference_dropout_removed": eval_mode,  # networks exported in official --eval mode
    "calibration": {
      "split": "train",
      "transform": "training (random crop and flip)",
      "domains": domains,
      "seed": seed,
    },
  }
