"""Export a trained run for TF Serving and devices: `bazel run //export:export -- --workdir=RUN`
(also `python -m bin.export_main --workdir=RUN`; not export.py, which would shadow the
`export` package when Bazel starts this file as a script).

Writes RUN/export/<network>/<version>/ for every generator of the run, from its newest (or
`--checkpoint`) checkpoint: the SavedModel directly in the numbered version folder (TF Serving:
--model_base_path=RUN/export/<network>) and the TFLite variants with their metadata in its
tflite/ folder (layout and metadata: export/versioned.py). Every artifact is checked against the
Keras model on held-out images; prints a table of artifact, size, max / mean |diff|, PSNR and
latency per image on this machine. A failed check writes nothing (--min_psnr gates the quantized
ones); a version holds every network or none, one export of a run at a time (export/versioned.py).
Default TFLite variants: float32, float16, dynamic range; add int8 / int8_float_norm with
--quantize (docs/tflite.md: int8 only calibrated on >= 100 images and behind a quality gate).
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from export.export_lock import ExportLockedError
from export.parity_error import ParityError
from export.quantization import ALIASES, MIN_CALIBRATION_IMAGES, QUANTIZATIONS
from export.versioned import DEFAULT_MIN_PSNR, FORMATS, format_artifacts
from export.workdir_export import DEFAULT_QUANTIZATIONS, NUM_CHECK_IMAGES, export_workdir

_WORKDIR = flags.DEFINE_string("workdir", None, "Training workdir (config.json + checkpoints/).")
_CHECKPOINT = flags.DEFINE_string(
  "checkpoint", None, "Checkpoint prefix (e.g. RUN/checkpoints/ckpt-500); default: the newest."
)
_FORMATS = flags.DEFINE_list("formats", list(FORMATS), f"Artifacts: {', '.join(FORMATS)}.")
_QUANTIZE = flags.DEFINE_list(
  "quantize",
  list(DEFAULT_QUANTIZATIONS),
  f"TFLite variants: {', '.join([*QUANTIZATIONS, *ALIASES])} (none = float32); int8 ones are "
  "calibrated on --num_calibration training images.",
)
_TFLITE_SIZE = flags.DEFINE_integer(
  "tflite_size", None, "Static TFLite input side in pixels; default: the training crop size."
)
_VERSION = flags.DEFINE_integer(
  "version", None, "Version number; default: 1 + the highest existing one."
)
_MIN_PSNR = flags.DEFINE_float(
  "min_psnr", DEFAULT_MIN_PSNR, "Fail when a quantized TFLite is below this PSNR (dB) vs Keras."
)
_NUM_CALIBRATION = flags.DEFINE_integer(
  "num_calibration", MIN_CALIBRATION_IMAGES, "int8 calibration images (training data, >= 100)."
)
_NUM_CHECK = flags.DEFINE_integer(
  "num_check_images", NUM_CHECK_IMAGES, "Held-out images each artifact is checked on."
)
_TRANSLATE_BYTES = flags.DEFINE_bool(
  "translate_bytes", True, "Add the SavedModel's translate_bytes signature (encoded images)."
)
flags.mark_flag_as_required("workdir")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  try:
    rows = export_workdir(
      cli.user_path(_WORKDIR.value),
      checkpoint=cli.user_path(_CHECKPOINT.value) if _CHECKPOINT.value else None,
      formats=tuple(_FORMATS.value),
      quantizations=tuple(_QUANTIZE.value),
      tflite_size=_TFLITE_SIZE.value,
      version=_VERSION.value,
      num_check_images=_NUM_CHECK.value,
      num_calibration=_NUM_CALIBRATION.value,
      min_psnr=_MIN_PSNR.value,
      translate_bytes=_TRANSLATE_BYTES.value,
    )
  except (ValueError, ParityError, ExportLockedError) as err:  # message, exit 1
    raise SystemExit(f"export failed: {err}") from err
  print(format_artifacts(rows), flush=True)


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
