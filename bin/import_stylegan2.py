"""Imports an official StyleGAN2 generator as a workdir, reading the file without running it:
`bazel run //bin:import_stylegan2 -- --checkpoint=network-snapshot-025000.pkl --workdir=OUT`
(also `python -m bin.import_stylegan2`), then
`python -m bin.generate --model=OUT --num=16 --seed=0 --output=samples/` or export OUT.

--checkpoint: a stylegan2-ada-pytorch network pickle (G_ema; the TF pickles of NVlabs/stylegan2
converted by its legacy.py too) or a rosinality/stylegan2-pytorch checkpoint (g_ema). The
architecture comes from the file (tfgan_repro.convert.stylegan2_checkpoint); torch is not needed.
"""

from __future__ import annotations

import math
import sys

from absl import app, flags

from bin import cli
from configs import pretrained_stylegan2
from tfgan_repro.convert.pretrained_run import import_stylegan2_checkpoint

_CHECKPOINT = flags.DEFINE_string(
  "checkpoint", None, "network-snapshot-*.pkl or a rosinality .pt checkpoint.", required=True
)
_WORKDIR = flags.DEFINE_string("workdir", None, "Workdir to write.", required=True)
_LAYOUT = flags.DEFINE_enum(
  "layout", "auto", ["auto", "stylegan2-ada", "rosinality"], "The file's layout (auto: detected)."
)
_NETWORK = flags.DEFINE_string(
  "network", None, "Checkpoint key of the generator (default G_ema / g_ema; needs --layout)."
)
_TRUNCATION_PSI = flags.DEFINE_float(
  "truncation_psi", 1.0, "Truncation psi baked into G (official generate.py --trunc; 1 = off)."
)
_TRUNCATION_CUTOFF = flags.DEFINE_integer(
  "truncation_cutoff", None, "Truncate only the first ws (official truncation_cutoff; all)."
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = pretrained_stylegan2.get_config()
  config.generator.truncation_psi = _TRUNCATION_PSI.value
  config.generator.truncation_cutoff = _TRUNCATION_CUTOFF.value
  workdir = cli.user_path(_WORKDIR.value)
  try:
    model, path = import_stylegan2_checkpoint(
      cli.user_path(_CHECKPOINT.value),
      config,
      workdir,
      layout=_LAYOUT.value,
      network=_NETWORK.value,
    )
  except ValueError as err:
    sys.exit(f"import_stylegan2: {err}")
  g = model.G
  trainable = sum(math.prod(w.shape) for w in g.trainable_weights)
  print(
    f"Imported a StyleGAN2 generator ({trainable:,} trainable parameters, "
    f"{g.output_shape[1]} px, z_dim {model.z_dim}) into {workdir} (checkpoint {path}); "
    "generator key: G"
  )


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
