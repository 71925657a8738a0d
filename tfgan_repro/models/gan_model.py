"""GANModel: what every family's keras.Model shares (loss reduction, seeds, updates, logging)."""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro import data


class GANModel(keras.Model):
  """Base class of the GAN families; subclasses define their nets, `train_step` and `generators`.

  Losses are per-example vectors; `reduce` averages them over the GLOBAL batch, because the
  Keras 3 optimizer sums gradients over replicas (NOTES.md). Random draws use `step_seed`,
  which folds in the replica id so replicas draw different numbers.
  """

  def __init__(
    self, *, loss_names: tuple[str, ...], global_batch_size: int, seed: int = 0, **kwargs
  ):
    super().__init__(**kwargs)
    if global_batch_size < 1:
      raise ValueError(f"global_batch_size must be >= 1, got {global_batch_size}")
    self.global_batch_size = global_batch_size
    self.seed = seed
    # Created here, not in train_step: variables cannot be made inside the traced step.
    self._trackers = {name: keras.metrics.Mean(name=name) for name in loss_names}
    self.g_optimizer: keras.optimizers.Optimizer | None = None
    self.d_optimizer: keras.optimizers.Optimizer | None = None

  def compile(
    self,
    *,
    g_optimizer: keras.optimizers.Optimizer,
    d_optimizer: keras.optimizers.Optimizer,
    **kwargs,
  ) -> None:
    """One optimizer per player (G's and D's; each family's train_step orders their updates)."""
    super().compile(**kwargs)
    self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer

  def build(self, input_shape=None) -> None:
    """Nothing to create: the networks are functional models, built when constructed."""
    self.built = True

  # ---- pieces subclasses use -------------------------------------------------------------
  def reduce(self, per_example: tf.Tensor) -> tf.Tensor:
    """Scalar loss for gradients: sum over this replica's examples / global batch size."""
    return tf.nn.compute_average_loss(per_example, global_batch_size=self.global_batch_size)

  def step_seed(self, step: tf.Tensor, salt: int) -> tf.Tensor:
    """Stateless int32 [2] seed unique to (run seed, step, salt, replica)."""
    replica = tf.distribute.get_replica_context()
    replica_id = replica.replica_id_in_sync_group if replica is not None else 0
    seed = tf.stack([tf.cast(self.seed, tf.int64), tf.cast(step, tf.int64) * 1000 + salt])
    return tf.random.experimental.stateless_fold_in(tf.cast(seed, tf.int32), replica_id)

  def update(
    self,
    tape: tf.GradientTape,
    loss: tf.Tensor,
    variables: list,
    optimizer: keras.optimizers.Optimizer,
    clip_norm: float = 0.0,
  ) -> None:
    """One optimizer step of `variables` on `loss` (reduced by `reduce` inside the tape);
    clip_norm > 0 first clips the gradient's global norm (`clip_gradients`)."""
    grads = tape.gradient(loss, variables)
    if clip_norm:
      grads = self.clip_gradients(grads, clip_norm)
    optimizer.apply_gradients(zip(grads, variables, strict=False))

  def clip_gradients(self, grads: list[tf.Tensor], clip_norm: float) -> list[tf.Tensor]:
    """torch clip_grad_norm_(max_norm=clip_norm) of the GLOBAL batch's gradient, returned as this
    replica's share: the gradients are summed over replicas first (the norm of a per-replica
    part is not the step's), clipped, then divided by the replica count, since the optimizer sums
    them over replicas again. Gradients must not be None."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    context = tf.distribute.get_replica_context()
    if replicas > 1 and context is not None:
      grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
    grads, _ = tf.clip_by_global_norm(grads, clip_norm)
    return [g / replicas for g in grads] if replicas > 1 else grads

  def log(self, **per_example: tf.Tensor) -> dict[str, tf.Tensor]:
    """Track the true (unscaled) mean of each per-example loss; returns the logs dict."""
    for name, value in per_example.items():
      self._trackers[name].update_state(value)
    return {name: tracker.result() for name, tracker in self._trackers.items()}

  @property
  def metrics(self) -> list:
    return list(self._trackers.values())

  # ---- what subclasses define --------------------------------------------------------------
  @property
  def generators(self) -> dict[str, keras.Model]:
    """The networks a user ships (exported and evaluated), by name."""
    raise NotImplementedError

  @property
  def networks(self) -> dict[str, keras.Model]:
    """One network per role ("generator", "discriminator"), as built: what `summary` reports."""
    raise NotImplementedError

  @property
  def directions(self) -> dict[str, tuple[str, str]]:
    """Per generator, the data domains it maps from and to (what eval scores it against)."""
    return {name: ("A", "B") for name in self.generators}

  @property
  def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
    """One optimizer per player, by name."""
    return {"G": self.g_optimizer, "D": self.d_optimizer}

  def translate(self, name: str, images: tf.Tensor) -> tf.Tensor:
    """Generator `name` applied by the family's test protocol (what eval scores): by default
    inference mode, `generators[name](images, training=False)`."""
    return self.generators[name](images, training=False)

  @property
  def export_generators(self) -> dict[str, keras.Model]:
    """The networks `export` writes, by name: `generators`, unless a family serves other inputs
    (pix2pixHD: named label and instance maps; export.inputs)."""
    return self.generators

  def export_check_inputs(self, config, name: str, num: int) -> np.ndarray | dict[str, np.ndarray]:
    """Held-out inputs the exported `name` is checked on (export.inputs): by default the first
    `num` test examples of its source domain."""
    return data.domain_images(config.data, "test", self.directions[name][0], num)

  def display_images(self, *batch: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """Named image grids (each a dict of [N, H, W, 3] columns) for TensorBoard and sample sheets."""
    raise NotImplementedError

  @property
  def step(self) -> tf.Variable:
    """The training step counter (an optimizer's `iterations`)."""
    return next(iter(self.optimizers.values())).iterations

  def checkpoint_items(self) -> dict[str, object]:
    """Everything a resumed run needs: nets (with pools) and optimizers."""
    return {"model": self, **{f"optimizer_{k}": v for k, v in self.optimizers.items()}}

  def build_optimizers(self) -> None:
    """Create optimizer slots now (inside strategy.scope(); NOTES.md)."""
    for name, optimizer in self.optimizers.items():
      optimizer.build(self.player_variables(name))

  def player_variables(self, player: str) -> list:
    """Trainable variables the optimizer `player` updates."""
    raise NotImplementedError

  def warm_start(self, config) -> None:
    """Called by the training loop on a fresh run (no checkpoint yet): load weights from
    elsewhere (pix2pixHD: the previous stage's run). Default: nothing."""

  def training_callbacks(self, config) -> list:
    """Keras callbacks the family adds to the training loop, run before checkpointing (pix2pixHD:
    the feature clusters of the last epoch). Default: none."""
    return []

  @staticmethod
  def _variables(nets: Iterable[keras.Model]) -> list:
    return [v for net in nets for v in net.trainable_variables]
