"""Weights from other implementations -> this library's networks and workdirs."""

from tfgan_repro.convert.pretrained_run import (
  convert_torch_checkpoint,
  import_stylegan2_checkpoint,
  import_torch_checkpoint,
)
from tfgan_repro.convert.stylegan2_checkpoint import read_stylegan2_checkpoint
from tfgan_repro.convert.torch_checkpoint import (
  ARCHITECTURES,
  assign_state_dict,
  load_state_dict,
  official_module_paths,
  strip_data_parallel,
)

__all__ = [
  "ARCHITECTURES",
  "assign_state_dict",
  "convert_torch_checkpoint",
  "import_stylegan2_checkpoint",
  "import_torch_checkpoint",
  "load_state_dict",
  "official_module_paths",
  "read_stylegan2_checkpoint",
  "strip_data_parallel",
]
