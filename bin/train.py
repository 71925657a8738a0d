"""Trains a GAN from a config, then evaluates and exports it (the main job).

bazel run //bin:train                        # CycleGAN on procedural seasons, 64 px
bazel run //bin:train -- --config=configs/cyclegan.py:paper --workdir=runs/paper
python -m bin.train --config.train.max_steps=100

A rerun into the same workdir resumes only with the config of its config.json: a changed key is
refused naming it, unless --resume_changed lists it (train.max_steps, eval.*, export.*, ...:
tfgan_repro/training/run_dir.py, RESUMABLE) or --overwrite starts the run afresh.
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from jobs import main_job

_CONFIG = cli.define_config_flag()
_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory (default: ~/tfgan_repro_runs/NAME).")
_RESUME_CHANGED = flags.DEFINE_list(
  "resume_changed",
  [],
  "Config keys allowed to differ from the workdir's config.json when resuming (e.g. "
  "train.max_steps,eval.num_images); config.json takes the new values.",
)
_OVERWRITE = flags.DEFINE_bool(
  "overwrite",
  False,
  "Start afresh in an existing workdir: removes its checkpoints/, tensorboard/, config.json, "
  "eval.json and samples; keeps export/.",
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = _CONFIG.value
  workdir = cli.user_path(_WORKDIR.value) if _WORKDIR.value else cli.default_workdir(config)
  main_job.run(
    config, workdir, resume_changed=tuple(_RESUME_CHANGED.value), overwrite=_OVERWRITE.value
  )


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
