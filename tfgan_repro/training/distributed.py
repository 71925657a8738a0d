"""Multi-worker and TPU training: the strategies, which process writes, and a dead worker.

The same training code runs under every strategy (docs/distributed.md). Under
MultiWorkerMirroredStrategy every worker runs `train` with the same command; the cluster comes from
the standard `TF_CONFIG` environment variable (what Kubernetes operators, GKE and Vertex AI set).
Only the chief writes into the workdir (config.json, checkpoints, TensorBoard, samples, eval,
exports); every other worker writes the same things into a private temporary folder that is
removed when training ends, because a checkpoint save may run collective ops that every worker
must join (TF multi-worker guide, "Model saving and loading"). All workers restore from the
chief's checkpoints, so the workdir must be storage they share (GCS, NFS) to resume.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator

import tensorflow as tf
from absl import logging

# Errors a collective op raises when a peer died or cannot be reached: UnavailableError from
# the coordination service or an aborted collective, DeadlineExceededError after
# CommunicationOptions.timeout_seconds, CancelledError / AbortedError on the collectives the
# failure cancelled.
PEER_ERRORS = (
  tf.errors.UnavailableError,
  tf.errors.DeadlineExceededError,
  tf.errors.CancelledError,
  tf.errors.AbortedError,
)


class WorkerFailedError(RuntimeError):
  """A multi-worker run lost a worker (it died or cannot be reached); every worker must be
  restarted, and the run resumes from the last complete checkpoint."""


def multi_worker_strategy(timeout_seconds: float = 0) -> tf.distribute.MultiWorkerMirroredStrategy:
  """MultiWorkerMirroredStrategy over the cluster of `TF_CONFIG` (one worker, this process, when
  it is unset); each collective fails after `timeout_seconds` (0: no limit, TF's default), so a
  worker waiting on a dead peer fails instead of hanging."""
  if timeout_seconds < 0:
    raise ValueError(f"config.train.collective_timeout must be >= 0, got {timeout_seconds}")
  if "TF_CONFIG" not in os.environ:
    logging.warning("train.strategy multi_worker without TF_CONFIG: training on this worker alone")
  options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout_seconds or None)
  return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)


def tpu_strategy(address: str) -> tf.distribute.TPUStrategy:
  """TPUStrategy on the TPU at `address` (config.train.tpu: a TPU name or grpc://host:port; ""
  lets TPUClusterResolver find it: the TPU_NAME variable, Colab, or the TPU of a TPU VM), after
  connecting to its cluster and initialising it (TF TPU guide)."""
  resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=address)
  tf.config.experimental_connect_to_cluster(resolver)
  tf.tpu.experimental.initialize_tpu_system(resolver)
  return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy: tf.distribute.Strategy) -> bool:
  """Whether this process writes the run's outputs: always, except under a multi-worker cluster,
  where the chief does (the "chief" task, or worker 0 when the cluster has no chief). A TPU
  strategy has one client, this one."""
  if isinstance(strategy, tf.distribute.TPUStrategy):
    return True
  resolver = strategy.cluster_resolver
  task_type = getattr(resolver, "task_type", None)
  if resolver is None or task_type is None:
    return True
  if task_type == "chief":
    return True
  jobs = resolver.cluster_spec().as_dict()
  return task_type == "worker" and resolver.task_id == 0 and "chief" not in jobs


def spans_workers(strategy: tf.distribute.Strategy) -> bool:
  """Whether `strategy` is multi-worker with more than one worker process in its cluster."""
  if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
    return False
  jobs = strategy.cluster_resolver.cluster_spec().as_dict()
  return sum(len(jobs.get(job, ())) for job in ("chief", "worker")) > 1


@contextlib.contextmanager
def output_dir(workdir: str, strategy: tf.distribute.Strategy) -> Iterator[str]:
  """The folder this process writes its run outputs into: `workdir` on the chief, a new
  temporary folder on any other worker, removed on leaving (also on error)."""
  if is_chief(strategy):
    yield workdir
    return
  resolver = strategy.cluster_resolver
  scratch = tempfile.mkdtemp(prefix=f"tfgan_{resolver.task_type}{resolver.task_id}_")
  try:
    yield scratch
  finally:
    shutil.rmtree(scratch, ignore_errors=True)


def _sum_over_replicas(strategy: tf.distribute.Strategy, value: int) -> int:
  """`value` of every replica summed: a collective all-reduce, so also a barrier."""

  @tf.function
  def total(value: tf.Tensor) -> tf.Tensor:
    per_replica = strategy.run(lambda: tf.identity(value))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

  return int(total(tf.constant(value, tf.int64)).numpy())


def barrier(strategy: tf.distribute.Strategy) -> None:
  """Under a multi-worker `strategy`, waits until every worker has reached this call."""
  if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
    _sum_over_replicas(strategy, 0)


def check_same_step(strategy: tf.distribute.Strategy, step: int) -> None:
  """Under a multi-worker `strategy` (a barrier too): ValueError unless every worker restored the
  same training `step`, as when a worker cannot read the chief's checkpoints."""
  if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
    return
  replicas = strategy.num_replicas_in_sync
  summed = _sum_over_replicas(strategy, step)
  if summed != step * replicas:
    raise ValueError(
      f"the workers restored different steps (this one {step}, the sum over {replicas} replicas "
      f"{summed}): every worker must read the chief's checkpoints, so the workdir must be "
      "storage they all share"
    )


def distribute_batches(
  strategy: tf.distribute.Strategy, dataset: tf.data.Dataset, global_batch_size: int
) -> tf.data.Dataset | tf.distribute.DistributedDataset:
  """Under a multi-worker or TPU `strategy`: the endless `dataset` (batches of
  `global_batch_size`, the same seeded stream on every worker) fed as replica r's rows
  [r n, (r + 1) n) of each global batch, n = global_batch_size / replicas, with static shapes; so
  N workers step on the batches one device would. Other strategies: `dataset` unchanged (Keras
  distributes it).

  Keras' own `experimental_distribute_dataset` would shard by DATA and rebatch, which under a
  multi-worker strategy leaves the per-replica batch size unknown (None): the image pool and XLA
  on TPU need it static (docs/pitfalls.md, Multi-worker)."""
  if not isinstance(
    strategy, (tf.distribute.MultiWorkerMirroredStrategy, tf.distribute.TPUStrategy)
  ):
    return dataset
  replicas = strategy.num_replicas_in_sync
  if global_batch_size % replicas:
    raise ValueError(
      f"config.batch_size must be a multiple of the {replicas} replicas, got {global_batch_size}"
    )
  per_replica = global_batch_size // replicas

  def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
    local = replicas // context.num_input_pipelines  # replicas this worker feeds, in order
    first = context.input_pipeline_id * local

    def rows(*batch) -> tf.data.Dataset:
      def mine(t: tf.Tensor) -> tf.Tensor:
        # [global, ...] -> [replicas, per_replica, ...] -> this worker's [local, per_replica, ...]
        split = tf.reshape(t, [replicas, per_replica, *t.shape[1:]])
        return split[first : first + local]

      return tf.data.Dataset.from_tensor_slices(
        tf.nest.map_structure(mine, batch if len(batch) > 1 else batch[0])
      )

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
    # Endless, declared so: with an unknown length a multi-worker iterator would handle partial
    # batches (get_next_as_optional), which also leaves the batch size unknown.
    endless = tf.data.experimental.assert_cardinality(tf.data.INFINITE_CARDINALITY)
    return dataset.flat_map(rows).apply(endless).with_options(options)

  return strategy.distribute_datasets_from_function(dataset_fn)


def peer_error(err: BaseException) -> BaseException | None:
  """The collective error (PEER_ERRORS) that `err` is or was raised from, else None."""
  while err is not None:
    if isinstance(err, PEER_ERRORS):
      return err
    err = err.__cause__ or err.__context__
  return None


def worker_failed(err: Exception, step: int, checkpoint: str | None) -> WorkerFailedError:
  """The error a multi-worker run raises for the collective error `err` at training `step`."""
  first_line = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
  return WorkerFailedError(
    f"multi-worker training stopped at step {step}: a worker died or cannot be reached "
    f"({type(err).__name__}: {first_line}). Restart every worker with the same command to resume "
    f"from the last complete checkpoint: {checkpoint}"
  )
