"""Export library: trained Keras generators -> SavedModel (TF Serving) and TFLite (float32,
float16, dynamic range, int8), each checked against the Keras model on real images
(docs/pitfalls.md, Export); numbered TF Serving versions with TFLite metadata (export.versioned).

Serving keys: signature "serving_default", input "images" (float32 NHWC in [-1, 1], any batch /
height / width), output "outputs" (export.saved_model).
"""

from __future__ import annotations

from export.parity import DEFAULT_TOLERANCE, parity_stats
from export.parity_error import ParityError
from export.quantization import QUANTIZATIONS, converter_fn
from export.saved_model import (
  INPUT_KEY,
  OUTPUT_KEY,
  SIGNATURE_KEY,
  check_saved_model,
  export_saved_model,
)
from export.tflite import LiteRTModel, check_tflite, export_tflite, tflite_outputs
from export.versioned import (
  ExportedArtifact,
  export_version,
  format_artifacts,
  next_version,
)

__all__ = [
  "DEFAULT_TOLERANCE",
  "INPUT_KEY",
  "OUTPUT_KEY",
  "SIGNATURE_KEY",
  "QUANTIZATIONS",
  "ExportedArtifact",
  "LiteRTModel",
  "ParityError",
  "check_saved_model",
  "check_tflite",
  "converter_fn",
  "export_saved_model",
  "export_tflite",
  "export_version",
  "format_artifacts",
  "next_version",
  "parity_stats",
  "tflite_outputs",
]
