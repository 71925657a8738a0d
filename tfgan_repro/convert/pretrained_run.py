"""An official PyTorch generator checkpoint -> a workdir of model "pretrained" (config.json +
checkpoints/ckpt-0) that `load_run`, export and translate take like a trained run."""

from __future__ import annotations

import hashlib
import os

import ml_collections
import tensorflow as tf

from tfgan_repro.convert.torch_checkpoint import ARCHITECTURES, assign_state_dict, load_state_dict
from tfgan_repro.models import PretrainedGenerator, build_model
from tfgan_repro.training.checkpointing import CHECKPOINT_DIR, prepare_workdir

PRETRAINED_MODEL = "pretrained"  # tfgan_repro.models.pretrained registry name
# load_run reads the step from the checkpoint name: an imported generator took no step here.
IMPORT_STEP = 0


def _check_config(config: ml_collections.ConfigDict) -> None:
  if config.model != PRETRAINED_MODEL:
    raise ValueError(
      f"config.model must be {PRETRAINED_MODEL!r} (configs/pretrained.py), got {config.model!r}"
    )
  if config.generator.name not in ARCHITECTURES:
    raise ValueError(
      f"config.generator.name must be one of {', '.join(ARCHITECTURES)}, "
      f"got {config.generator.name!r}"
    )
  if config.generator.get("upsample", "transpose") != "transpose":
    raise ValueError(
      "config.generator.upsample must be 'transpose' (the official ConvTranspose2d), "
      f"got {config.generator.upsample!r}"
    )


def convert_torch_checkpoint(
  checkpoint: str, config: ml_collections.ConfigDict
) -> PretrainedGenerator:
  """Builds `config` (model "pretrained") and fills its generator from the official state_dict
  at `checkpoint`; keys or shapes that differ from config.generator raise ValueError."""
  _check_config(config)
  state_dict = load_state_dict(checkpoint)
  model = build_model(config)
  assign_state_dict(
    model.G,
    state_dict,
    arch=config.generator.name,
    dropout=config.generator.dropout > 0,
    source=f"checkpoint {checkpoint!r}",
  )
  return model


def _sha256(path: str) -> str:
  digest = hashlib.sha256()
  with open(path, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
      digest.update(chunk)
  return digest.hexdigest()


def import_torch_checkpoint(
  checkpoint: str, config: ml_collections.ConfigDict, workdir: str
) -> tuple[PretrainedGenerator, str]:
  """Converts `checkpoint` (see convert_torch_checkpoint) and saves it as a workdir: config.json
  (with imported_from: the file's path and sha256) and checkpoints/ckpt-0.

  The conversion happens before anything is written: a mismatching file leaves no workdir. A
  workdir of another architecture raises (prepare_workdir); one of the same is overwritten.
  Returns (model, checkpoint prefix).
  """
  model = convert_torch_checkpoint(checkpoint, config)
  config = ml_collections.ConfigDict(config.to_dict())
  config.imported_from = ml_collections.ConfigDict(
    {"checkpoint": os.path.abspath(checkpoint), "sha256": _sha256(checkpoint)}
  )
  prepare_workdir(config, workdir)
  manager = tf.train.CheckpointManager(
    tf.train.Checkpoint(model=model), os.path.join(workdir, CHECKPOINT_DIR), max_to_keep=1
  )
  return model, manager.save(checkpoint_number=IMPORT_STEP)
