"""Translates image files with a trained generator and writes an index.html results page.

bazel run //tfgan_repro:translate -- --model=RUN --input=photos/ --output=translated/
bazel run //tfgan_repro:translate -- --model=RUN/export/G_AB/G_AB.tflite --input=x.jpg --output=out
python -m bin.translate --model=SAVED_MODEL_DIR --input=photos/ --output=out --size=256

--model: a SavedModel directory, a .tflite file or a training workdir (jobs.translate).
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from jobs import translate as translation

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


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  result = translation.translate(
    cli.user_path(_MODEL.value),
    cli.user_path(_INPUT.value),
    cli.user_path(_OUTPUT.value),
    size=_SIZE.value,
    network=_NETWORK.value,
  )
  print(result.index, flush=True)


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
