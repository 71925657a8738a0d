"""What the absl binaries share: config flag, user paths, default workdir."""

from __future__ import annotations

import os
import sys

# Binaries only: hide TF's C++ INFO lines (oneDNN, CUDA probing) unless the user set a level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

import ml_collections  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import flags, logging  # noqa: E402
from ml_collections import config_flags  # noqa: E402

import configs  # noqa: E402
from tfgan_repro.util.paths import user_path  # noqa: E402  (re-exported for the binaries)

DEFAULT_CONFIG = "cyclegan.py:seasons64"


def _config_file(path: str) -> str:
  """`--config` file: the user's path if it exists, else one of the shipped configs/."""
  resolved = user_path(path)
  if os.path.exists(resolved):
    return resolved
  shipped = os.path.join(os.path.dirname(configs.__file__), os.path.relpath(path, "configs"))
  return shipped if os.path.exists(shipped) else path


def resolve_config_argv(argv: list[str]) -> list[str]:
  """Rewrites `--config=FILE[:VARIANT]` so FILE is found from any working directory."""
  out = []
  for arg in argv:
    if arg.startswith("--config=") and "." in arg.split("=", 1)[1]:
      spec = arg.split("=", 1)[1]
      file, sep, variant = spec.partition(":")
      arg = f"--config={_config_file(file)}{sep}{variant}"
    out.append(arg)
  return out


def define_config_flag() -> flags.FlagHolder:
  default = os.path.join(os.path.dirname(configs.__file__), DEFAULT_CONFIG)
  return config_flags.DEFINE_config_file(
    "config", default, "Config file and variant: FILE[:VARIANT]."
  )


def default_workdir(config: ml_collections.ConfigDict) -> str:
  name = f"{config.model}-{config.data.source}-{config.data.crop_size}px"
  return os.path.join(os.path.expanduser("~"), "tfgan_repro_runs", name)


def main_argv() -> list[str]:
  """argv for `app.run`, with `--config` resolved; TF INFO logs are silenced (absl `-v` flags still apply)."""
  tf.get_logger().setLevel("WARNING")
  logging.set_verbosity(logging.WARNING)
  return resolve_config_argv(sys.argv)
