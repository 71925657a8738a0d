"""The main job: train (or resume), write samples, evaluate against the truth, export.

What it samples, scores and exports is the model's task's (tfgan_repro.tasks)."""

from __future__ import annotations

import os

import ml_collections

from export.versioned import format_artifacts
from export.workdir_export import export_workdir
from tfgan_repro.tasks import task_of
from tfgan_repro.training import distributed
from tfgan_repro.training import run as training


def run(
  config: ml_collections.ConfigDict,
  workdir: str,
  *,
  resume_changed: tuple[str, ...] = (),
  overwrite: bool = False,
) -> dict[str, str]:
  """Trains `config` in `workdir` (a rerun: `resume_changed`, `overwrite` as training.train),
  then its task writes samples and scores it, then export; returns what was written (nothing on
  a multi-worker run's other workers, which write nothing)."""
  model = training.train(
    config,
    workdir,
    resume_changed=resume_changed,
    overwrite=overwrite,
    task_callbacks=lambda model, out: task_of(model).training_callbacks(config, model, out),
  )
  if not distributed.is_chief(model.distribute_strategy):
    return {}  # multi-worker: the chief samples, scores and exports
  task = task_of(model)
  written = {
    "config": os.path.join(workdir, "config.json"),
    "checkpoints": os.path.join(workdir, "checkpoints"),
    "tensorboard": os.path.join(workdir, "tensorboard"),
    **task.write_samples(config, model, workdir),
  }
  result = task.evaluate(config, model)
  result["step"] = int(model.step.numpy())
  written["eval"] = task.write(result, workdir)
  print(task.format(result), flush=True)
  if config.export.enabled:
    written["export"] = _export(config, workdir)
  for name, path in written.items():
    print(f"{name:>12}: {path}", flush=True)
  return written


def _export(config: ml_collections.ConfigDict, workdir: str) -> str:
  """Exports the run's generators as float32 SavedModel + TFLite, each checked; returns the
  export folder."""
  artifacts = export_workdir(
    workdir,
    quantizations=("float32",),
    tflite_size=config.export.tflite_size or None,
    num_check_images=config.export.num_check_images,
    tolerance=config.export.tolerance,
  )
  print(format_artifacts(artifacts), flush=True)
  return os.path.join(workdir, "export")
