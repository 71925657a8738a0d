"""Export a set of trained generators to checked SavedModel and TFLite artifacts."""

from __future__ import annotations

import os
import time

import keras
import numpy as np
import tensorflow as tf

from export.artifact_report import ArtifactReport
from export.parity import DEFAULT_TOLERANCE, as_images, require_parity
from export.saved_model import check_saved_model, export_saved_model, image_input_shape
from export.staging import path_bytes, staged_directory
from export.tflite import check_tflite, export_tflite


def _tflite_images(images: np.ndarray, size: int | None) -> np.ndarray:
  """The check batch at the TFLite input size: an antialiased bilinear resize when a static size
  differs from the images' size (clipped: float round-off may step just outside [-1, 1])."""
  if size is None or images.shape[1:3] == (size, size):
    return images
  resized = tf.image.resize(images, (size, size), method="bilinear", antialias=True)
  return np.clip(resized.numpy(), -1.0, 1.0)  # [N, size, size, C]


def export_generators(
  generators: dict[str, keras.Model],
  export_dir: str,
  images: np.ndarray,
  *,
  tflite_size: int | None,
  tolerance: float = DEFAULT_TOLERANCE,
) -> list[ArtifactReport]:
  """Writes export_dir/<name>/saved_model/ and export_dir/<name>/<name>.tflite per generator.

  Each artifact is checked against model(images, training=False) (SavedModel on the batch,
  TFLite per image, resized to tflite_size when that is set and differs); a check over
  `tolerance` (max |diff|) raises ParityError. Each network's folder is built under a temporary
  name and renamed into place only once both artifacts pass, so a failure leaves no artifact.
  Returns one ArtifactReport per artifact, in order (name, saved_model), (name, tflite), ...
  """
  if not generators:
    raise ValueError(f"generators must name at least one model, got {generators!r}")
  for name in generators:
    if not name or name.startswith(".") or os.sep in name or (os.altsep and os.altsep in name):
      raise ValueError(f"generators keys must be plain folder names, got {name!r}")
  if not tolerance > 0:
    raise ValueError(f"tolerance must be > 0, got {tolerance!r}")
  reports = []
  for name, model in generators.items():
    checked = as_images(images, image_input_shape(model)[-1])
    final = os.path.join(export_dir, name)
    with staged_directory(final) as staging:
      timed = []
      start = time.perf_counter()
      saved_model = export_saved_model(model, os.path.join(staging, "saved_model"))
      seconds = time.perf_counter() - start
      stats = check_saved_model(saved_model, model, checked)
      require_parity(stats, tolerance=tolerance, artifact=f"{name} SavedModel")
      timed.append(("saved_model", "saved_model", seconds, stats))

      start = time.perf_counter()
      tflite = export_tflite(
        saved_model, os.path.join(staging, f"{name}.tflite"), input_size=tflite_size
      )
      seconds = time.perf_counter() - start
      stats = check_tflite(tflite, model, _tflite_images(checked, tflite_size))
      require_parity(stats, tolerance=tolerance, artifact=f"{name} TFLite")
      timed.append(("tflite", f"{name}.tflite", seconds, stats))
    for fmt, relative, seconds, stats in timed:
      path = os.path.join(final, relative)
      reports.append(
        ArtifactReport(
          name, fmt, path, path_bytes(path), stats["max_abs"], stats["mean_abs"], seconds
        )
      )
  return reports
