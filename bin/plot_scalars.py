"""A TensorBoard scalar of one or more runs as a line chart (PNG) and a table.

python -m bin.plot_scalars --workdir=RUN_A,RUN_B --tag=eval/fid --batch_size=64 --out=fid.png

Each run's `tensorboard/` event files are read (tfgan_repro/training/plots.py); the legend names
the runs by --names (default: each workdir's folder name). x is the step, or thousands of training
images (kimg) with --batch_size.
"""

from __future__ import annotations

import os

from absl import app, flags

from bin import cli
from tfgan_repro.training import plots

_WORKDIR = flags.DEFINE_list("workdir", None, "Run directories, comma-separated.", required=True)
_TAG = flags.DEFINE_string("tag", "eval/fid", "The scalar's tag (callbacks.py ScoreEvery: eval/*).")
_NAMES = flags.DEFINE_list("names", None, "Legend names, one per workdir (default: folder names).")
_BATCH = flags.DEFINE_integer("batch_size", 0, "Global batch size: x in kimg; 0: x in steps.")
_OUT = flags.DEFINE_string("out", None, "PNG file to write.", required=True)
_WIDTH = flags.DEFINE_integer("width", 640, "Chart width in pixels.")
_HEIGHT = flags.DEFINE_integer("height", 400, "Chart height in pixels.")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  workdirs = [cli.user_path(w) for w in _WORKDIR.value]
  names = _NAMES.value or [os.path.basename(os.path.normpath(w)) for w in workdirs]
  if len(names) != len(workdirs):
    raise app.UsageError(f"--names needs {len(workdirs)} names, got {len(names)}: {names}")
  x_label = "kimg" if _BATCH.value else "step"
  series = {}
  for name, workdir in zip(names, workdirs, strict=True):
    points = plots.read_scalars(workdir, _TAG.value)
    series[name] = plots.to_kimg(points, _BATCH.value) if _BATCH.value else points
  out = cli.user_path(_OUT.value)
  plots.plot_lines(
    series, out, width=_WIDTH.value, height=_HEIGHT.value, x_label=x_label, title=_TAG.value
  )
  print(plots.format_table(series, x_label))
  print(f"wrote {out}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
