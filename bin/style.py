"""W-space tools of a trained style-based generator (StyleGAN2; jobs.latent_tools).

python -m bin.style --model=RUN --seeds=1,2,3 --psi=0.7 --output=out      # one PNG per seed
python -m bin.style --model=RUN --rows=1,2 --cols=3,4,5 --styles=0,1,2,3 --output=out  # mixing
python -m bin.style --model=RUN --walk=1,2,3 --frames=30 --output=out      # linear walk in W
python -m bin.style --model=RUN --project=photo.png --steps=1000 --output=out  # image -> w

--model: a training workdir (or an imported official generator's, bin.import_stylegan2).
"""

from __future__ import annotations

import os

from absl import app, flags

from bin import cli
from jobs import latent_tools
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.training.images import save_png

_MODEL = flags.DEFINE_string("model", None, "Training workdir of a StyleGAN2 G.", required=True)
_OUTPUT = flags.DEFINE_string("output", None, "Folder for what is written.", required=True)
_SEEDS = flags.DEFINE_list("seeds", [], "Seeds to generate, one PNG each.")
_PSI = flags.DEFINE_float("psi", 1.0, "Truncation psi in W (1 = off; StyleGAN App. B).")
_CUTOFF = flags.DEFINE_integer("cutoff", None, "Truncate only the first CUTOFF ws.")
_ROWS = flags.DEFINE_list("rows", [], "Style mixing: the row seeds.")
_COLS = flags.DEFINE_list("cols", [], "Style mixing: the column seeds.")
_STYLES = flags.DEFINE_list("styles", [str(i) for i in range(7)], "Layers taken from the columns.")
_WALK = flags.DEFINE_list("walk", [], "Seeds of a linear walk in W (frames + GIF).")
_FRAMES = flags.DEFINE_integer("frames", 30, "Frames per leg of --walk.")
_PROJECT = flags.DEFINE_string("project", None, "Image file to project into W.")
_STEPS = flags.DEFINE_integer("steps", latent_tools.PROJECT_STEPS, "Projection steps.")
_EXTRACTOR = flags.DEFINE_string(
  "extractor", None, "Feature network (a .keras file) for the projection's distance."
)


def _ints(flag: flags.FlagHolder) -> list[int]:
  try:
    return [int(v) for v in flag.value]
  except ValueError as err:
    raise app.UsageError(f"--{flag.name} must list integers, got {flag.value}") from err


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  model, output = cli.user_path(_MODEL.value), cli.user_path(_OUTPUT.value)
  if _PROJECT.value:
    record = latent_tools.project_image(
      model,
      cli.user_path(_PROJECT.value),
      output,
      steps=_STEPS.value,
      extractor=cli.user_path(_EXTRACTOR.value) if _EXTRACTOR.value else None,
    )
    print(f"projected in {record['steps']} steps: {output}", flush=True)
    return
  if _ROWS.value or _COLS.value:
    path = latent_tools.style_mixing(
      model,
      output,
      row_seeds=_ints(_ROWS),
      col_seeds=_ints(_COLS),
      col_styles=_ints(_STYLES),
      psi=_PSI.value,
    )
    print(f"style mixing grid: {path}", flush=True)
    return
  style = latent_tools.load_style_generator(model)
  if _WALK.value:
    frames = latent_tools.interpolate_w(style, _ints(_WALK), _FRAMES.value, psi=_PSI.value)
    latent_tools.save_frames(frames, output)
    print(f"{len(frames)} frame(s) and {latent_tools.GIF_FILE} in {output}", flush=True)
    return
  if not _SEEDS.value:
    raise app.UsageError("give one of --seeds, --rows/--cols, --walk or --project")
  ws = style.ws(style.w_of_seeds(_ints(_SEEDS)), _PSI.value, _CUTOFF.value)
  os.makedirs(output, exist_ok=True)
  for seed, image in zip(_ints(_SEEDS), to_uint8(style.images(ws)), strict=True):
    save_png(image, os.path.join(output, f"seed{seed:05d}.png"))
  print(f"{len(_SEEDS.value)} image(s) in {output}", flush=True)


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
