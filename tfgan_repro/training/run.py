"""train(config, workdir): the training loop (strategy, optimizers, schedule, callbacks, resume)."""

from __future__ import annotations

import dataclasses
import math
import os

import keras
import ml_collections
import tensorflow as tf
from absl import logging

from tfgan_repro import data
from tfgan_repro.models import GANModel, build_model
from tfgan_repro.training import callbacks as cb
from tfgan_repro.training.checkpointing import Checkpointer, prepare_workdir
from tfgan_repro.training.schedules import LinearDecayAfter

STRATEGIES = ("auto", "mirrored", "default")


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


def make_optimizer(
  config: ml_collections.ConfigDict, steps_per_epoch: int
) -> keras.optimizers.Optimizer:
  opt = config.optimizer
  lr = LinearDecayAfter(opt.lr, opt.n_epochs, opt.n_epochs_decay, steps_per_epoch)
  return keras.optimizers.Adam(learning_rate=lr, beta_1=opt.beta1, beta_2=opt.beta2)


def build_compiled(
  config: ml_collections.ConfigDict, strategy: tf.distribute.Strategy, steps_per_epoch: int
) -> GANModel:
  """The model with one optimizer per player, all variables created under `strategy.scope()`."""
  with strategy.scope():
    model = build_model(config)
    model.compile(
      g_optimizer=make_optimizer(config, steps_per_epoch),
      d_optimizer=make_optimizer(config, steps_per_epoch),
      jit_compile=config.train.jit_compile,
    )
    model.build_optimizers()
  return model


def display_batch(config: ml_collections.ConfigDict) -> tuple[tf.Tensor, ...]:
  """A fixed held-out batch shown in TensorBoard and the sample sheet."""
  ds = data.make_dataset(
    config.data, "test", config.eval.sample_rows, training=False, seed=config.seed
  )
  return next(iter(ds))


def train_dataset(config: ml_collections.ConfigDict, seed: int) -> tf.data.Dataset:
  """The endless, shuffled and augmented training batches that `config`'s model steps on."""
  return data.make_dataset(config.data, "train", config.batch_size, training=True, seed=seed)


def train(config: ml_collections.ConfigDict, workdir: str) -> GANModel:
  """Trains (or resumes) `config` in `workdir`; returns the trained model."""
  prepare_workdir(config, workdir)
  strategy = make_strategy(config.train.strategy)
  schedule = make_schedule(config)
  model = build_compiled(config, strategy, schedule.steps_per_epoch)
  checkpointer = Checkpointer(model, workdir, config.train.keep_checkpoints)
  start = checkpointer.restore_latest()
  if start == 0:
    model.warm_start(config)
  if start >= schedule.total_steps:
    logging.info("Run already complete at step %d", start)
    return model
  dataset = train_dataset(config, seed=config.seed + start)
  callbacks = [
    *model.training_callbacks(config),
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
  model.fit(
    dataset,
    epochs=schedule.total_steps // schedule.checkpoint_every,
    steps_per_epoch=schedule.checkpoint_every,
    initial_epoch=start // schedule.checkpoint_every,
    callbacks=callbacks,
    shuffle=False,  # the dataset shuffles itself (seeded)
    verbose=2,
  )
  return model
