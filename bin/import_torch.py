"""Imports an official PyTorch CycleGAN / pix2pix generator checkpoint as a workdir:
`bazel run //bin:import_torch -- --checkpoint=latest_net_G.pth --arch=resnet_9 --workdir=OUT`
(also `python -m bin.import_torch`). OUT then works with export, translate and load_run.

Defaults are those of the official models using each architecture (configs/pretrained.py):
resnet_* as CycleGAN (--norm instance, no dropout), unet_* as pix2pix (--norm batch, dropout 0.5).
Needs torch (`pip install torch==2.13.0` or `pip install -e .[test]`) for reading the checkpoint only.
"""

from __future__ import annotations

import sys

from absl import app, flags

from bin import cli
from configs import pretrained
from tfgan_repro.convert import import_torch_checkpoint
from tfgan_repro.layers.normalization import NORMALIZATIONS

_CHECKPOINT = flags.DEFINE_string(
  "checkpoint", None, "Official generator state_dict (.pth), e.g. latest_net_G.pth.", required=True
)
_ARCH = flags.DEFINE_enum(
  "arch",
  None,
  pretrained.ARCHITECTURES,
  "Official --netG (resnet_9 = resnet_9blocks).",
  required=True,
)
_WORKDIR = flags.DEFINE_string("workdir", None, "Workdir to write.", required=True)
_NGF = flags.DEFINE_integer("ngf", 64, "Official --ngf.")  # official --ngf 64
_NORM = flags.DEFINE_enum(
  "norm",
  None,
  NORMALIZATIONS,
  "Official --norm (default: instance for resnet_*, batch for unet_*).",
)
_DROPOUT = flags.DEFINE_float(
  "dropout", None, "Dropout rate, 0 for official --no_dropout (default: 0 resnet_*, 0.5 unet_*)."
)
_DROPOUT_AT_INFERENCE = flags.DEFINE_bool(
  "dropout_at_inference",
  False,
  "Keep dropout on when serving (pix2pix paper Sec. 3.1; official test.py without --eval).",
)
_INPUT_NC = flags.DEFINE_integer("input_nc", 3, "Official --input_nc.")  # official --input_nc 3
_OUTPUT_NC = flags.DEFINE_integer("output_nc", 3, "Official --output_nc.")  # official --output_nc 3


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = pretrained.get_config(_ARCH.value)
  config.generator.ngf = _NGF.value
  config.generator.input_channels = _INPUT_NC.value
  config.generator.output_channels = _OUTPUT_NC.value
  config.generator.dropout_at_inference = _DROPOUT_AT_INFERENCE.value
  if _NORM.value is not None:
    config.generator.norm = _NORM.value
  if _DROPOUT.value is not None:
    config.generator.dropout = _DROPOUT.value
  workdir = cli.user_path(_WORKDIR.value)
  try:
    model, path = import_torch_checkpoint(cli.user_path(_CHECKPOINT.value), config, workdir)
  except (ValueError, ImportError) as err:
    sys.exit(f"import_torch: {err}")
  print(
    f"Imported {_ARCH.value} ({model.G.count_params():,} parameters, "
    f"{', '.join(f'{k}={v}' for k, v in sorted(config.generator.items()) if k != 'name')}) "
    f"into {workdir} (checkpoint {path}); generator key: G"
  )


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
