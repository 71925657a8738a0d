"""The main job: train (or resume), write samples, evaluate against the truth, export."""

from __future__ import annotations

import os

import ml_collections
import numpy as np

from export.versioned import format_artifacts
from export.workdir_export import export_workdir
from tfgan_repro.models import GANModel
from tfgan_repro.models.attribute_editor import AttributeEditor
from tfgan_repro.tasks import attribute_editing as attribute_evaluation
from tfgan_repro.tasks import translation as evaluation
from tfgan_repro.training import images as image_utils
from tfgan_repro.training import run as training


def write_samples(config: ml_collections.ConfigDict, model: GANModel, workdir: str) -> str:
  """A PNG sheet: the grids of `display_images` side by side, one row per held-out example."""
  grids = model.display_images(*training.display_batch(config)).values()
  sheet = np.concatenate([image_utils.grid(columns) for columns in grids], axis=1)
  return image_utils.save_png(sheet, os.path.join(workdir, "samples.png"))


def run(config: ml_collections.ConfigDict, workdir: str) -> dict[str, str]:
  """Trains `config` in `workdir`, then samples, evaluates and exports; returns what was written."""
  model = training.train(config, workdir)
  written = {
    "config": os.path.join(workdir, "config.json"),
    "checkpoints": os.path.join(workdir, "checkpoints"),
    "tensorboard": os.path.join(workdir, "tensorboard"),
    "samples": write_samples(config, model, workdir),
  }
  result = evaluation.evaluate(config, model)
  result["step"] = int(model.step.numpy())
  written["eval"] = evaluation.write_eval(result, workdir)
  print(evaluation.format_eval(result), flush=True)
  if isinstance(model, AttributeEditor):  # slider sheets and score plots (attribute_evaluation)
    slides = attribute_evaluation.sweep(config, model, None, workdir)
    written["sliders"] = attribute_evaluation.write_sweep(slides, workdir)
  if config.export.enabled:
    artifacts = export_workdir(
      workdir,
      quantizations=("float32",),
      tflite_size=config.export.tflite_size or None,
      num_check_images=config.export.num_check_images,
      tolerance=config.export.tolerance,
    )
    print(format_artifacts(artifacts), flush=True)
    written["export"] = os.path.join(workdir, "export")
  for name, path in written.items():
    print(f"{name:>12}: {path}", flush=True)
  return written
