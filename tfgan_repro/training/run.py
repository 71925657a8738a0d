"""train(config, workdir): the training loop (strategy, the model's trainer, data of its sampler,
schedule, callbacks, resume, warm start)."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable

import keras
import ml_collections
import tensorflow as tf
from absl import logging

from tfgan_repro import data
from tfgan_repro.models import GANModel, build_model
from tfgan_repro.models.contract import Sampler
from tfgan_repro.training import callbacks as cb
from tfgan_repro.training.checkpointing import Checkpointer, load_run
from tfgan_repro.training.run_dir import open_run
from tfgan_repro.training.trainer import Trainer

STRATEGIES = ("auto", "mirrored", "default")
# The data.dataset_mode each image sampler trains on (latent samplers take any: real images + z).
SAMPLER_MODES = {"unpaired": "unaligned", "paired": "aligned", "labelled": "attributes"}


@dataclasses.dataclass(frozen=True)
class Schedule:
  """Step counts of a run: the paper's epochs mapped to optimizer steps."""

  steps_per_epoch: int
  total_steps: int  # a whole number of checkpoint intervals
  checkpoint_every: int


def make_strategy(name: str) -> tf.distribute.Strategy:
  """auto: MirroredStrategy over the visible GPUs if any, else the default (one device)."""
  if name not in STRATEGIES:
    raise ValueError(f"config.train.strategy must be one of {STRATEGIES}, got {name!r}")
  gpus = tf.config.list_logical_devices("GPU")
  if name == "mirrored" or (name == "auto" and gpus):
    return tf.distribute.MirroredStrategy()
  return tf.distribute.get_strategy()


def make_schedule(config: ml_collections.ConfigDict) -> Schedule:
  """Epochs of `config` in steps; the total is rounded up to whole checkpoint intervals."""
  train = config.train
  steps_per_epoch = train.steps_per_epoch or math.ceil(
    data.epoch_size(config.data, "train") / config.batch_size
  )
  total = (
    train.max_steps
    or (config.optimizer.n_epochs + config.optimizer.n_epochs_decay) * steps_per_epoch
  )
  every = max(1, min(train.checkpoint_every, total))
  return Schedule(steps_per_epoch, math.ceil(total / every) * every, every)


def build_trainer(
  config: ml_collections.ConfigDict, strategy: tf.distribute.Strategy, steps_per_epoch: int
) -> Trainer:
  """`config`'s model and its trainer (optimizers built), all variables created under
  `strategy.scope()`."""
  with strategy.scope():
    trainer = Trainer(build_model(config), steps_per_epoch=steps_per_epoch)
    trainer.compile(jit_compile=config.train.jit_compile)
  return trainer


def display_batch(config: ml_collections.ConfigDict) -> tuple[tf.Tensor, ...]:
  """A fixed held-out batch shown in TensorBoard and the sample sheet, as a tuple (one element
  for dataset_modes "images" and "points", whose batches are one tensor)."""
  ds = data.make_dataset(
    config.data, "test", config.eval.sample_rows, training=False, seed=config.seed
  )
  batch = next(iter(ds))
  return tuple(batch) if isinstance(batch, (tuple, list)) else (batch,)


def train_dataset(
  config: ml_collections.ConfigDict, sampler: Sampler, seed: int, start_step: int = 0
) -> tf.data.Dataset:
  """The endless, shuffled and augmented training batches of `sampler` (the model's contract):
  config.data's pipeline, whose dataset_mode must be the one the sampler's kind trains on. The
  order is a function of `seed` alone and the stream starts at batch `start_step`, so a resumed
  run sees the batches the uninterrupted run would have."""
  mode = data.resolve_data_config(config.data).dataset_mode
  want = SAMPLER_MODES.get(sampler.kind)
  if want is not None and mode != want:
    raise ValueError(
      f"config.data.dataset_mode is {mode!r}, but model {config.model!r} trains on "
      f"{sampler.kind!r} batches: set it to {want!r}"
    )
  return data.make_dataset(
    config.data, "train", config.batch_size, training=True, seed=seed, skip_batches=start_step
  )


def warm_start(model: GANModel, init_from: str) -> None:
  """Starts `model` from the newest checkpoint of the run in `init_from` (config.init_from: the
  previous stage; its own init_from is not followed), through `model.warm_start_from`."""
  previous_config, previous, step = load_run(init_from)
  logging.info("Warm start from %s (%s, step %d)", init_from, previous_config.model, step)
  model.warm_start_from(previous)


def train(
  config: ml_collections.ConfigDict,
  workdir: str,
  *,
  resume_changed: tuple[str, ...] = (),
  overwrite: bool = False,
  task_callbacks: Callable[[GANModel], list] | None = None,
) -> GANModel:
  """Trains (or resumes) `config` in `workdir`; returns the trained model. A rerun resumes only
  with the config of the run's config.json, or with the keys in `resume_changed` changed, or
  starts afresh with `overwrite` (run_dir.open_run). task_callbacks: the model -> the Keras
  callbacks its task adds (tasks.Task.training_callbacks; the trainer imports no task)."""
  open_run(config, workdir, resume_changed=resume_changed, overwrite=overwrite)
  keras.utils.set_random_seed(config.seed)  # the initial weights: a run is a function of its seed
  strategy = make_strategy(config.train.strategy)
  schedule = make_schedule(config)
  trainer = build_trainer(config, strategy, schedule.steps_per_epoch)
  model = trainer.model
  checkpointer = Checkpointer(trainer.checkpoint_items(), workdir, config.train.keep_checkpoints)
  start = checkpointer.restore_latest()
  if start == 0 and config.get("init_from"):
    warm_start(model, config.init_from)
    trainer.reset_ema()
  if start >= schedule.total_steps:
    logging.info("Run already complete at step %d", start)
    return model
  dataset = train_dataset(config, trainer.contract.sampler, seed=config.seed, start_step=start)
  callbacks = [
    *model.training_callbacks(config),
    *(task_callbacks(model) if task_callbacks else []),
    cb.NonFiniteGuard(checkpointer),
    cb.CheckpointEvery(checkpointer),
    cb.TensorBoardLogger(
      os.path.join(workdir, "tensorboard"), config.train.log_every, display_batch(config)
    ),
  ]
  print(
    f"Training {config.model} for {schedule.total_steps} steps ({schedule.steps_per_epoch} per epoch) "
    f"from step {start} on {strategy.num_replicas_in_sync} replica(s)",
    flush=True,
  )
  trainer.fit(
    dataset,
    epochs=schedule.total_steps // schedule.checkpoint_every,
    steps_per_epoch=schedule.checkpoint_every,
    initial_epoch=start // schedule.checkpoint_every,
    callbacks=callbacks,
    shuffle=False,  # the dataset shuffles itself (seeded)
    verbose=2,
  )
  return model
