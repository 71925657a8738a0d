"""Translates image files with a trained generator and writes an index.html results page.

bazel run //bin:translate -- --model=RUN --input=photos/ --output=translated/
bazel run //bin:translate -- --model=RUN/export/G_AB/G_AB.tflite --input=x.jpg --output=out
python -m bin.translate --model=SAVED_MODEL_DIR --input=photos/ --output=out --size=256

--model: a SavedModel directory, a .tflite file or a training workdir (jobs.translate).
Exits 1 when no file was translated (each skipped file and its reason are on stderr; the model's
input contract is named).
"""

from __future__ import annotations

import sys

from absl import app, flags

from bin import cli
from export.contract import describe
from jobs import translate as translation
from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS

_MODEL = flags.DEFINE_string(
  "model", None, "SavedModel directory, .tflite file or training workdir.", required=True
)
_INPUT = flags.DEFINE_string("input", None, "Image file or folder (recursive).", required=True)
_OUTPUT = flags.DEFINE_string(
  "output", None, "Folder for the results and index.html.", required=True
)
_SIZE = flags.DEFINE_integer("size", None, "Resize inputs to SIZE x SIZE first (default: keep).")
_NETWORK = flags.DEFINE_string(
  "network", None, "A workdir's generator, e.g. G_BA (default: its first, G_AB for CycleGAN)."
)
_MAX_PIXELS = flags.DEFINE_integer(
  "max_pixels",
  DEFAULT_MAX_PIXELS,
  "Skip images of more pixels (width x height, read from the header before decoding).",
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  result = translation.translate(
    cli.user_path(_MODEL.value),
    cli.user_path(_INPUT.value),
    cli.user_path(_OUTPUT.value),
    size=_SIZE.value,
    network=_NETWORK.value,
    max_pixels=_MAX_PIXELS.value,
  )
  print(result.index, flush=True)
  if not result.outputs:
    print(
      f"translate: nothing translated ({result.summary()}); the model takes "
      f"{describe(result.contract)}",
      file=sys.stderr,
      flush=True,
    )
    sys.exit(1)


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
