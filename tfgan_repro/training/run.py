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
from tfgan_repro.training import distributed
from tfgan_repro.training.checkpointing import CHECKPOINT_DIR, Checkpointer, load_run
from tfgan_repro.training.precision import dtype_policy, uses_loss_scaling
from tfgan_repro.training.run_dir import open_run
from tfgan_repro.training.trainer import Trainer

STRATEGIES = ("auto", "mirrored", "default", "multi_worker", "tpu")
# The data.dataset_mode each image sampler trains on ("latent" takes any: real images + z;
# "latent_class" needs the real images' class labels).
SAMPLER_MODES = {
  "unpaired": "unaligned",
  "paired": "aligned",
  "labelled": "attributes",
  "latent_class": "labelled_images",
}


@dataclasses.dataclass(frozen=True)
class Schedule:
  """Step counts of a run: the paper's epochs mapped to optimizer steps."""

  steps_per_epoch: int
  total_steps: int  # a whole number of checkpoint intervals
  checkpoint_every: int


def make_strategy(
  name: str, *, tpu: str = "", collective_timeout: float = 0
) -> tf.distribute.Strategy:
  """auto: MirroredStrategy over the visible GPUs if any, else the default (one device);
  mirrored; default; multi_worker: MultiWorkerMirroredStrategy over the cluster of TF_CONFIG,
  each collective failing after `collective_timeout` seconds (0: no limit); tpu: TPUStrategy on
  the TPU at `tpu` ("" = found by TPUClusterResolver). docs/distributed.md."""
  if name not in STRATEGIES:
    raise ValueError(f"config.train.strategy must be one of {STRATEGIES}, got {name!r}")
  if name == "multi_worker":
    return distributed.multi_worker_strategy(collective_timeout)
  if name == "tpu":
    return distributed.tpu_strategy(tpu)
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
  `strategy.scope()` and the networks under the dtype policy of config.train.precision (the
  global policy is restored afterwards; mixed_float16 wraps each optimizer in a
  LossScaleOptimizer)."""
  name = config.train.get("precision", "float32")
  with dtype_policy(name), strategy.scope():
    trainer = Trainer(
      build_model(config),
      steps_per_epoch=steps_per_epoch,
      loss_scaling=uses_loss_scaling(name),
    )
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
  task_callbacks: Callable[[GANModel, str], list] | None = None,
) -> GANModel:
  """Trains (or resumes) `config` in `workdir`; returns the trained model. A rerun resumes only
  with the config of the run's config.json, or with the keys in `resume_changed` changed, or
  starts afresh with `overwrite` (run_dir.open_run). task_callbacks: (the model, the folder to
  write into) -> the Keras callbacks its task adds (tasks.Task.training_callbacks; the trainer
  imports no task).

  Under train.strategy multi_worker only the chief writes into `workdir`; the other workers
  restore from its checkpoints and write into a temporary folder removed at the end
  (distributed.output_dir); a worker that dies stops the others with WorkerFailedError."""
  train_config = config.train
  strategy = make_strategy(
    train_config.strategy,
    tpu=train_config.get("tpu", ""),
    collective_timeout=train_config.get("collective_timeout", 0),
  )
  chief = distributed.is_chief(strategy)
  if chief:
    open_run(config, workdir, resume_changed=resume_changed, overwrite=overwrite)
  keras.utils.set_random_seed(config.seed)  # the initial weights: a run is a function of its seed
  schedule = make_schedule(config)
  trainer = build_trainer(config, strategy, schedule.steps_per_epoch)
  model = trainer.model
  checkpointer = Checkpointer(trainer.checkpoint_items(), workdir, train_config.keep_checkpoints)
  start = checkpointer.restore_latest() if chief else 0  # the chief sets unreadable ones aside
  distributed.barrier(strategy)
  if not chief:
    start = checkpointer.restore_latest()
  distributed.check_same_step(strategy, start)
  if start == 0 and config.get("init_from"):
    warm_start(model, config.init_from)
    trainer.reset_ema()
  if start >= schedule.total_steps:
    logging.info("Run already complete at step %d", start)
    return model
  dataset = train_dataset(config, trainer.contract.sampler, seed=config.seed, start_step=start)
  print(
    f"Training {config.model} for {schedule.total_steps} steps ({schedule.steps_per_epoch} per epoch) "
    f"from step {start} on {strategy.num_replicas_in_sync} replica(s)",
    flush=True,
  )
  with distributed.output_dir(workdir, strategy) as out:
    saver = checkpointer
    if out != workdir:
      saver = Checkpointer(trainer.checkpoint_items(), out, train_config.keep_checkpoints)
    callbacks = [
      *model.training_callbacks(config),
      *(task_callbacks(model, out) if task_callbacks else []),
      cb.NonFiniteGuard(saver),
      cb.CheckpointEvery(saver),
      cb.TensorBoardLogger(
        os.path.join(out, "tensorboard"), train_config.log_every, display_batch(config)
      ),
    ]
    try:
      trainer.fit(
        distributed.distribute_batches(strategy, dataset, config.batch_size),
        epochs=schedule.total_steps // schedule.checkpoint_every,
        steps_per_epoch=schedule.checkpoint_every,
        initial_epoch=start // schedule.checkpoint_every,
        callbacks=callbacks,
        shuffle=False,  # the dataset shuffles itself (seeded)
        verbose=2,
      )
    except Exception as err:
      cause = distributed.peer_error(err)
      if cause is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        raise
      latest = tf.train.latest_checkpoint(os.path.join(workdir, CHECKPOINT_DIR))
      raise distributed.worker_failed(cause, int(trainer.step.numpy()), latest) from err
  return model
