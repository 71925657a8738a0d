"""Export library: trained Keras generators -> SavedModel (TF Serving) and float32 TFLite, each
checked against the Keras model on real images (NOTES.md, Export).

Serving keys: signature "serving_default", input "images" (float32 NHWC in [-1, 1], any batch /
height / width), output "outputs" (export.saved_model).
"""

from __future__ import annotations

from export.artifact_report import ArtifactReport, format_report
from export.generators import export_generators
from export.parity import DEFAULT_TOLERANCE, parity_stats, require_parity
from export.parity_error import ParityError
from export.saved_model import (
  INPUT_KEY,
  OUTPUT_KEY,
  SIGNATURE_KEY,
  check_saved_model,
  export_saved_model,
)
from export.tflite import check_tflite, export_tflite

__all__ = [
  "DEFAULT_TOLERANCE",
  "INPUT_KEY",
  "OUTPUT_KEY",
  "SIGNATURE_KEY",
  "ArtifactReport",
  "ParityError",
  "check_saved_model",
  "check_tflite",
  "export_generators",
  "export_saved_model",
  "export_tflite",
  "format_report",
  "parity_stats",
  "require_parity",
]
