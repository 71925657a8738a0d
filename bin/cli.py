"""What the absl binaries share: config flag, user paths, default workdir."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable

# Binaries only: hide TF's C++ INFO lines (oneDNN, CUDA probing) unless the user set a level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

import ml_collections  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags, logging  # noqa: E402
from ml_collections import config_flags  # noqa: E402

import configs  # noqa: E402
from tfgan_repro import data  # noqa: E402
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


# Data settings that make two runs' data different (shuffling, caching and augmentation aside).
IDENTITY_KEYS = (
  "source",
  "dataset_mode",
  "direction",
  "attributes",
  "balanced",
  "label_format",
  "num_classes",
  "aspect_ratio",
  "load_size",
  "crop_size",
  "preprocess",
  "num_train",
  "num_test",
  "procedural_seed",
)
TFDS_SOURCES = ("tfds", "tfds_paired", "celeb_a")  # sources read by tfds name (+ data_dir)


def data_identity(config: ml_collections.ConfigDict) -> dict:
  """What identifies a run's data: IDENTITY_KEYS of the resolved data block, the absolute data
  path when one is given, and the tfds name and data_dir of a tfds source."""
  cfg = data.resolve_data_config(config.data)
  identity = {key: cfg[key] for key in IDENTITY_KEYS}
  if cfg.path:
    identity["path"] = os.path.normpath(os.path.abspath(user_path(cfg.path)))
  if cfg.source in TFDS_SOURCES:
    identity["name"] = cfg.name
    identity["data_dir"] = os.path.abspath(user_path(cfg.data_dir)) if cfg.data_dir else ""
  return identity


def data_hash(config: ml_collections.ConfigDict) -> str:
  """8 hex digits of sha256 over `data_identity(config)`."""
  text = json.dumps(data_identity(config), sort_keys=True)
  return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def default_workdir(config: ml_collections.ConfigDict) -> str:
  """~/tfgan_repro_runs/MODEL-SOURCE-CROPpx-DATAHASH: runs on different data never share one."""
  name = f"{config.model}-{config.data.source}-{config.data.crop_size}px-{data_hash(config)}"
  return os.path.join(os.path.expanduser("~"), "tfgan_repro_runs", name)


def main_argv() -> list[str]:
  """argv for `app.run`, with `--config` resolved; TF INFO logs are silenced (absl `-v` flags still apply)."""
  tf.get_logger().setLevel("WARNING")
  logging.set_verbosity(logging.WARNING)
  return resolve_config_argv(sys.argv)


def define_judge_flags(
  kind: str, *, size: int, steps: int, batch_size: int, num_train: int, num_test: int
) -> dict[str, flags.FlagHolder]:
  """The flags every judge-network binary takes (evaluation/judge_training.py): out, size, steps,
  batch_size, num_train, num_test, seed, log_every; `judge_kwargs` reads them."""
  return {
    "out": flags.DEFINE_string("out", None, f"{kind} file to write (.keras).", required=True),
    "size": flags.DEFINE_integer("size", size, "Image height in pixels (the run's crop size)."),
    "steps": flags.DEFINE_integer("steps", steps, "Training steps."),
    "batch": flags.DEFINE_integer("batch_size", batch_size, "Training batch size."),
    "num_train": flags.DEFINE_integer("num_train", num_train, "Training images."),
    "num_test": flags.DEFINE_integer("num_test", num_test, "Held-out images scored."),
    "seed": flags.DEFINE_integer("seed", 0, "Seed of the weights, shuffling and flips."),
    "log_every": flags.DEFINE_integer("log_every", 100, "Steps between progress lines."),
  }


def judge_kwargs(judge_flags: dict[str, flags.FlagHolder], argv: list[str]) -> dict:
  """The judge trainer's keyword arguments from `define_judge_flags` (out resolved as a user
  path); refuses positional arguments."""
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  kwargs = {name: holder.value for name, holder in judge_flags.items()}
  kwargs["out"] = user_path(kwargs["out"])
  return kwargs


def train_judge_main(
  judge_flags: dict[str, flags.FlagHolder],
  argv: list[str],
  train: Callable[..., dict],
  accuracy_path: Callable[[str], str],
) -> None:
  """Trains a judge with `train`(**judge_kwargs), prints its train seconds and held-out scores
  (JSON), then the judge file and its accuracy JSON."""
  kwargs = judge_kwargs(judge_flags, argv)
  out = kwargs["out"]
  result = train(**kwargs)
  print(json.dumps({k: result[k] for k in ("train_seconds", "test")}))
  print(f"judge: {out}\naccuracy: {accuracy_path(out)}")
