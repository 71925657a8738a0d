"""Trains a GAN from a config, then evaluates and exports it (the main job).

bazel run //tfgan_repro:train                        # CycleGAN on procedural seasons, 64 px
bazel run //tfgan_repro:train -- --config=configs/cyclegan.py:paper --workdir=runs/paper
python -m bin.train --config.train.max_steps=100
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from jobs import main_job

_CONFIG = cli.define_config_flag()
_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory (default: ~/tfgan_repro_runs/NAME).")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = _CONFIG.value
  workdir = cli.user_path(_WORKDIR.value) if _WORKDIR.value else cli.default_workdir(config)
  main_job.run(config, workdir)


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
