"""Trains the MLP GAN of a 2-D mixture config once per (loss, seed) and prints the modes covered
and the high-quality fraction (a markdown table and JSON).

bazel run //bin:loss_zoo -- --config=configs/dcgan.py:ring8 --steps=5000 --seeds=0,1,2
(also `python -m bin.loss_zoo`).
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from jobs import loss_zoo
from tfgan_repro.data.procedural import mixtures

_CONFIG = cli.define_config_flag()
_MODES = flags.DEFINE_list(
  "gan_modes",
  "nonsaturating,minimax,lsgan,wgangp,hinge,rasgan,ralsgan,rahinge",
  "Adversarial losses (losses.ALL_GAN_MODES) to compare.",
)
_SEEDS = flags.DEFINE_list("seeds", "0,1,2", "Run seeds.")
_STEPS = flags.DEFINE_integer("steps", 5000, "Training steps of every run.")
_WORKDIR = flags.DEFINE_string("workdir", "", "Where the runs go (default: a temporary folder).")
_JSON = flags.DEFINE_string("json", "", "Also write the results here.")


def main(argv: list[str]) -> None:
  del argv
  config = _CONFIG.value
  if config.data.dataset_mode != "points":
    raise app.UsageError(f"--config must be a 2-D mixture config, got {config.data.source!r}")
  results = loss_zoo.loss_zoo(
    config,
    _MODES.value,
    [int(s) for s in _SEEDS.value],
    _STEPS.value,
    cli.user_path(_WORKDIR.value) if _WORKDIR.value else None,
  )
  num_modes = mixtures.mixture(config.data.source).num_modes
  print(loss_zoo.format_table(config.data.source, results, num_modes), flush=True)
  if _JSON.value:
    with open(cli.user_path(_JSON.value), "w") as f:
      json.dump(results, f, indent=2)


def run_main() -> None:
  app.run(main, argv=cli.main_argv())


if __name__ == "__main__":
  run_main()
