"""Generates images with a trained synthesis (noise -> image) generator; writes PNGs + index.html.

python -m bin.generate --model=RUN --num=64 --seed=0 --output=samples/
bazel run //bin:generate -- --model=RUN/export/G/1 --num=16 --seed=3 --truncation=0.5 --output=out
python -m bin.generate --model=RUN/export/G/1/tflite/G_float32_32.tflite --num=8 --output=out
python -m bin.generate --model=RUN --num=20 --class=3,7 --output=out   # class-conditional
python -m bin.generate --model=RUN --interpolate=1,2,3 --frames=30 --output=walk   # frames + GIF

--model: a training workdir, a SavedModel directory or a .tflite file (jobs.generate). The same
--seed gives the same images from all three (and from the SavedModel's `generate` signature).
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from jobs import generate as generation
from jobs import latent_tools

_MODEL = flags.DEFINE_string(
  "model", None, "Training workdir, SavedModel directory or .tflite file.", required=True
)
_NUM = flags.DEFINE_integer("num", 16, "Images to generate.")
_SEED = flags.DEFINE_integer("seed", 0, "Latent seed (tfgan_repro.data.latents).")
_TRUNCATION = flags.DEFINE_float(
  "truncation", 0.0, "Truncation T: latents with |z| > T are redrawn (BigGAN Sec. 3.1); 0 = off."
)
_CLASS = flags.DEFINE_list(
  "class", [], "Class ids of a class-conditional generator, cycled (default: every class)."
)
_INTERPOLATE = flags.DEFINE_list(
  "interpolate",
  [],
  "Seeds to walk through (jobs.latent_tools): frames and a GIF, not --num images.",
)
_FRAMES = flags.DEFINE_integer("frames", 30, "Frames per leg of an --interpolate walk.")
_OUTPUT = flags.DEFINE_string("output", None, "Folder for the PNGs and index.html.", required=True)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  try:
    classes = [int(c) for c in _CLASS.value]
  except ValueError as err:
    raise app.UsageError(f"--class must list integer class ids, got {_CLASS.value}") from err
  if _INTERPOLATE.value:
    try:
      seeds = [int(s) for s in _INTERPOLATE.value]
    except ValueError as err:
      raise app.UsageError(
        f"--interpolate must list integer seeds, got {_INTERPOLATE.value}"
      ) from err
    record = latent_tools.interpolate(
      cli.user_path(_MODEL.value),
      cli.user_path(_OUTPUT.value),
      seeds=seeds,
      frames=_FRAMES.value,
      class_id=classes[0] if classes else None,
    )
    print(f"{len(record['frames'])} frame(s) and {record['gif']}", flush=True)
    return
  result = generation.generate(
    cli.user_path(_MODEL.value),
    cli.user_path(_OUTPUT.value),
    num=_NUM.value,
    seed=_SEED.value,
    truncation=_TRUNCATION.value or None,
    classes=classes or None,
  )
  print(f"{len(result.images)} image(s): {result.index}", flush=True)


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
