"""An official PyTorch generator checkpoint -> a workdir of model "pretrained" (config.json +
checkpoints/ckpt-0) that `load_run`, export and translate take like a trained run; an official
StyleGAN2 generator -> a workdir of model "pretrained_stylegan2" that export and generate take."""

from __future__ import annotations

import hashlib
import os

import ml_collections
import tensorflow as tf

from tfgan_repro.convert import stylegan2_checkpoint
from tfgan_repro.convert.torch_checkpoint import ARCHITECTURES, assign_state_dict, load_state_dict
from tfgan_repro.models import PretrainedGenerator, build_model
from tfgan_repro.training.checkpointing import CHECKPOINT_DIR, prepare_workdir

PRETRAINED_MODEL = "pretrained"  # tfgan_repro.models.pretrained registry name
PRETRAINED_STYLEGAN2_MODEL = "pretrained_stylegan2"  # tfgan_repro.models.pretrained_synthesis
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


def import_stylegan2_checkpoint(
  checkpoint: str,
  config: ml_collections.ConfigDict,
  workdir: str,
  *,
  layout: str = "auto",
  network: str | None = None,
) -> tuple[PretrainedGenerator, str]:
  """An official StyleGAN2 generator (stylegan2-ada-pytorch network pickle or rosinality
  checkpoint, read without running it: convert.stylegan2_checkpoint) saved as a workdir of
  model "pretrained_stylegan2" (configs/pretrained_stylegan2.py): the architecture keys of
  config.generator are set from the checkpoint, its truncation_psi / truncation_cutoff /
  noise_mode kept; config.imported_from records the file, its sha256, its layout and where
  w_avg came from. layout: "auto" (from the file), "stylegan2-ada" or "rosinality"; network: the
  checkpoint key (default G_ema / g_ema). Nothing is written when the file does not convert.
  Returns (model, checkpoint prefix)."""
  if config.model != PRETRAINED_STYLEGAN2_MODEL:
    raise ValueError(
      f"config.model must be {PRETRAINED_STYLEGAN2_MODEL!r} (configs/pretrained_stylegan2.py), "
      f"got {config.model!r}"
    )
  readers = {
    "auto": lambda: stylegan2_checkpoint.read_stylegan2_checkpoint(checkpoint),
    "stylegan2-ada": lambda: stylegan2_checkpoint.read_stylegan2_ada_pickle(
      checkpoint, network or stylegan2_checkpoint.ADA_NETWORKS[0]
    ),
    "rosinality": lambda: stylegan2_checkpoint.read_rosinality_checkpoint(
      checkpoint, network or stylegan2_checkpoint.ROSINALITY_NETWORKS[0]
    ),
  }
  if layout not in readers:
    raise ValueError(f"layout must be one of {', '.join(readers)}, got {layout!r}")
  if layout == "auto" and network is not None:
    raise ValueError(f"network={network!r} needs an explicit layout, got layout='auto'")
  imported = readers[layout]()
  config = ml_collections.ConfigDict(config.to_dict())
  config.generator.update(stylegan2_checkpoint.generator_kwargs(imported.config))
  config.data.load_size = config.data.crop_size = imported.config.img_resolution
  model = build_model(config)
  stylegan2_checkpoint.assign_generator(model.G, imported)
  config.imported_from = ml_collections.ConfigDict(
    {
      "checkpoint": os.path.abspath(checkpoint),
      "sha256": _sha256(checkpoint),
      "layout": imported.layout,
      "w_avg_from": imported.w_avg_from,
    }
  )
  prepare_workdir(config, workdir)
  manager = tf.train.CheckpointManager(
    tf.train.Checkpoint(model=model), os.path.join(workdir, CHECKPOINT_DIR), max_to_keep=1
  )
  return model, manager.save(checkpoint_number=IMPORT_STEP)
