"""Trainer: the one training step every family runs, built from the model's declared contract.

What it builds from `model.contract()` (tfgan_repro.models.contract; docs/design.md, "The training
contract"): one Keras optimizer per player, whose learning rate is the official linear policy
(schedules.LinearDecayAfter) of the TRAINING step `step` (so a player updated every n-th step gets
the rate of that step, as official StarGAN decays G's and D's rates by iteration); the per-player
gradient clipping; the EMA copies; a metric per logged loss; and what a checkpoint holds.

One step (contract.py's docstring gives the order): `forward` under the tape of every phase that
runs each step, then each phase in declaration order; a phase with interval k > 1 is gated inside
the traced step with tf.cond, and its optimizer applies in cross-replica context (merge_call, then
call_for_each_replica), since apply_gradients holds a cross-replica sync that a cond in replica
context may not contain. Losses are per-example; the ONE reduction is
`tf.nn.compute_average_loss` over the GLOBAL batch, because the Keras 3 optimizer sums gradients
over replicas. Random draws fold in the replica id (`seed_of`); latents (and a class-conditional
sampler's classes) are drawn for the global batch and split by replica (`latent`, `classes`). A
phase's `after` hook runs in cross-replica context after its optimizers applied (`_after`).

Mixed precision (training/precision.py): each loss is cast to float32 before its reduction. With
`loss_scaling` (mixed_float16) each optimizer is a keras.optimizers.LossScaleOptimizer: a phase's
loss is multiplied by its first player's loss scale (`scale_loss`) under the tape, and each
player's optimizer receives the gradient at its own scale (clipping, if any, sees the true
gradient), which its `apply_gradients` divides out, skipping the update and halving the scale
when a gradient is not finite (Micikevicius et al. 2018, Sec. 3.2).
"""

from __future__ import annotations

import contextlib
import functools

import keras
import tensorflow as tf

from tfgan_repro.models import contract as contract_lib
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.training import distributed
from tfgan_repro.training.fused_adam import FusedAdam
from tfgan_repro.training.schedules import LinearDecayAfter

# Folded into the seed of a step's class draw: a stream apart from the latents of the same salt.
CLASS_STREAM = 1


def make_optimizer(
  settings: contract_lib.Optimizer, step: tf.Variable, steps_per_epoch: int
) -> keras.optimizers.Optimizer:
  """The player's optimizer; its learning rate reads the training step `step` when applied."""
  if settings.decay_epochs:
    schedule = LinearDecayAfter(
      settings.lr, settings.constant_epochs, settings.decay_epochs, steps_per_epoch
    )
    learning_rate = lambda: schedule(step)  # noqa: E731
  else:
    learning_rate = lambda: tf.constant(settings.lr, tf.float32)  # noqa: E731
  if settings.name == "sgd":
    return keras.optimizers.SGD(learning_rate, momentum=settings.momentum)
  if settings.name == "rmsprop":
    return keras.optimizers.RMSprop(
      learning_rate, rho=settings.rho, momentum=settings.momentum, epsilon=settings.epsilon
    )
  return FusedAdam(
    learning_rate, beta_1=settings.beta_1, beta_2=settings.beta_2, epsilon=settings.epsilon
  )


def ema_beta(ema: contract_lib.EMA, step: tf.Tensor, global_batch_size: int) -> tf.Tensor:
  """beta of the EMA update after training step `step` (0-based): `decay`, or from the half-life
  in images 0.5 ** (batch / max(half_life, 1e-8)) with the half-life capped at rampup x the images
  seen before this step (stylegan2-ada-pytorch training_loop.py, ema_kimg / ema_rampup); 0 (the
  copy := the network) while the steps done, step + 1, are fewer than start_step
  (BigGAN-PyTorch utils.ema.update: decay 0 while itr < start_itr)."""
  step = tf.cast(step, tf.float32)
  if ema.decay is not None:
    beta = tf.constant(ema.decay, tf.float32)
  else:
    half_life = tf.constant(ema.half_life_kimg * 1000.0, tf.float32)
    if ema.rampup is not None:
      half_life = tf.minimum(half_life, step * global_batch_size * ema.rampup)
    beta = 0.5 ** (global_batch_size / tf.maximum(half_life, 1e-8))
  return tf.where(step + 1.0 < ema.start_step, 0.0, beta)


class Trainer(keras.Model):
  """Trains `model` by its contract; `fit` it like any Keras model (call `compile()` first).

  Attributes: model (the family), contract, step (int64 training steps done), optimizers
  ({player: optimizer}), ema_copies ({network: copy}). Build it inside `strategy.scope()`.
  steps_per_epoch: the run's epoch length in steps (the learning-rate policy counts epochs).
  build_optimizers: create the optimizers' slots now (needed before a step under a strategy);
  False for a trainer that only restores a run for evaluation or export.
  loss_scaling: wrap each optimizer in keras.optimizers.LossScaleOptimizer (dynamic loss
  scaling, for networks built under the mixed_float16 policy).
  """

  def __init__(
    self,
    model: GANModel,
    *,
    steps_per_epoch: int,
    build_optimizers: bool = True,
    loss_scaling: bool = False,
    **kwargs,
  ):
    super().__init__(**kwargs)
    if steps_per_epoch < 1:
      raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
    self.model = model
    self.contract = model.contract()
    self.global_batch_size = model.global_batch_size
    self.seed = model.seed
    self.step = tf.Variable(
      0,
      dtype=tf.int64,
      trainable=False,
      name="step",
      aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
    )
    self._optimizers = {
      player.name: make_optimizer(player.optimizer, self.step, steps_per_epoch)
      for player in self.contract.players
    }
    if loss_scaling:  # Keras' defaults: initial scale 2 ** 15, doubled after 2000 finite steps
      self._optimizers = {
        name: keras.optimizers.LossScaleOptimizer(optimizer)
        for name, optimizer in self._optimizers.items()
      }
    if build_optimizers:
      for player in self.contract.players:
        self._optimizers[player.name].build(player.variables)
    self._ema_copies = {ema.network: self._clone(ema.network) for ema in self.contract.ema}
    self._trackers = {
      name: keras.metrics.Mean(name=name) for phase in self.contract.phases for name in phase.logs
    }
    model.bind_trainer(self.step, dict(self._ema_copies))

  # ---- what the trainer holds ----------------------------------------------------------------
  @property
  def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
    """One optimizer per player, by name."""
    return dict(self._optimizers)

  @property
  def ema_copies(self) -> dict[str, keras.Model]:
    return dict(self._ema_copies)

  @property
  def metrics(self) -> list:
    return list(self._trackers.values())

  def checkpoint_items(self, optimizers: bool = True) -> dict[str, object]:
    """Everything a resumed run needs: the model (nets, pools, model state), each optimizer
    (optimizer_<player>), the EMA copies (ema_<network>) and the step."""
    items: dict[str, object] = {"model": self.model, "step": self.step}
    if optimizers:
      items.update({f"optimizer_{name}": opt for name, opt in self._optimizers.items()})
    items.update({f"ema_{name}": copy for name, copy in self._ema_copies.items()})
    return items

  def build(self, input_shape=None) -> None:
    """Nothing to create: the networks are built when constructed."""
    self.built = True

  def _maybe_symbolic_build(self, iterator=None, data_batch=None) -> None:
    """Keras' fit hook that builds unbuilt layers from a first batch, skipped under
    MultiWorkerMirroredStrategy: the networks are built when constructed, and Keras 3 takes that
    batch by one `strategy.reduce` over the whole batch structure, which a multi-worker strategy
    refuses for a tuple (docs/pitfalls.md, Multi-worker)."""
    if isinstance(self.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy):
      return
    super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

  def compile(self, *, jit_compile: bool = False, **kwargs) -> None:
    """Keras' compile without an optimizer of its own (each player has one)."""
    super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)

  def call(self, inputs, training: bool = False):
    return self.model(inputs, training=training)

  # ---- EMA -------------------------------------------------------------------------------------
  def _network(self, name: str) -> keras.Model:
    net = self.model.generators.get(name, getattr(self.model, name, None))
    if not isinstance(net, keras.Model):
      known = sorted(self.model.generators)
      raise ValueError(f"EMA of {name!r}: the model has no such network (generators: {known})")
    return net

  def _clone(self, name: str) -> keras.Model:
    net = self._network(name)
    copy = keras.models.clone_model(net)
    copy.set_weights(net.get_weights())
    copy.trainable = False
    return copy

  def reset_ema(self) -> None:
    """Each EMA copy := its network (after weights were loaded from elsewhere)."""
    for name, copy in self._ema_copies.items():
      copy.set_weights(self._network(name).get_weights())

  def _update_ema(self, step: tf.Tensor) -> None:
    if not self._ema_copies:
      return

    def update(strategy: tf.distribute.Strategy, step) -> None:
      step = strategy.experimental_local_results(step)[0]
      for ema in self.contract.ema:
        net, copy = self._network(ema.network), self._ema_copies[ema.network]
        beta = ema_beta(ema, step, self.global_batch_size)
        for mine, theirs in zip(copy.weights, net.weights, strict=True):  # clone: same order
          value = tf.convert_to_tensor(theirs)
          mine.assign(beta * mine + (1.0 - beta) * value if theirs.trainable else value)

    # Cross-replica context: the copies are mirrored variables without a replica aggregation.
    tf.distribute.get_replica_context().merge_call(update, args=(step,))

  # ---- randomness ------------------------------------------------------------------------------
  def batch_seed(self, step: tf.Tensor, salt: int) -> tf.Tensor:
    """Stateless int32 [2] seed unique to (run seed, step, salt), the same on every replica."""
    seed = tf.stack([tf.cast(self.seed, tf.int64), tf.cast(step, tf.int64) * 1000 + salt])
    return tf.cast(seed, tf.int32)

  def seed_of(self, step: tf.Tensor, salt: int) -> tf.Tensor:
    """Stateless int32 [2] seed unique to (run seed, step, salt, replica)."""
    replica = tf.distribute.get_replica_context()
    replica_id = replica.replica_id_in_sync_group if replica is not None else 0
    return tf.random.experimental.stateless_fold_in(self.batch_seed(step, salt), replica_id)

  def latent(self, batch: tuple, step: tf.Tensor, salt: int) -> tf.Tensor:
    """[n, z_dim] latents of the sampler for this replica's n examples (normal, or uniform in
    [-1, 1]), drawn for the whole global batch from (run seed, step, salt) and split by replica
    (contract.replica_rows)."""
    sampler = self.contract.sampler
    seed = self.batch_seed(step, salt)

    def draw(rows: tf.Tensor) -> tf.Tensor:
      shape = [rows, sampler.z_dim]
      if sampler.distribution == "uniform":
        return tf.random.stateless_uniform(shape, seed, minval=-1.0, maxval=1.0)
      return tf.random.stateless_normal(shape, seed)

    return contract_lib.replica_rows(draw, tf.shape(tf.nest.flatten(batch)[0])[0])

  def classes(self, batch: tuple, step: tf.Tensor, salt: int) -> tf.Tensor:
    """int32 [n] classes uniform in [0, num_classes) of a "latent_class" sampler for this
    replica's n examples: drawn for the whole global batch from (run seed, step, salt) on a stream
    of their own (not the latents' of the same salt) and split by replica as `latent`."""
    num_classes = self.contract.sampler.num_classes
    seed = tf.random.experimental.stateless_fold_in(self.batch_seed(step, salt), CLASS_STREAM)

    def draw(rows: tf.Tensor) -> tf.Tensor:
      return tf.random.stateless_uniform([rows], seed, minval=0, maxval=num_classes, dtype=tf.int32)

    return contract_lib.replica_rows(draw, tf.shape(tf.nest.flatten(batch)[0])[0])

  # ---- one step --------------------------------------------------------------------------------
  def _context(self, data) -> contract_lib.StepContext:
    batch = tuple(data) if isinstance(data, (tuple, list)) else (data,)
    step = tf.identity(self.step)  # the training step i, read before any update
    latent = classes = None
    if self.contract.sampler.kind.startswith("latent"):
      latent = functools.partial(self.latent, batch, step)
    if self.contract.sampler.kind == "latent_class":
      classes = functools.partial(self.classes, batch, step)
    return contract_lib.StepContext(
      batch=batch,
      step=step,
      global_batch_size=self.global_batch_size,
      seed=functools.partial(self.seed_of, step),
      batch_seed=functools.partial(self.batch_seed, step),
      latent=latent,
      classes=classes,
    )

  def _variables(self, phase: contract_lib.Phase) -> list:
    return [v for name in phase.players for v in self.contract.player(name).variables]

  def _loss(self, phase: contract_lib.Phase, ctx) -> tuple[tf.Tensor, tf.Tensor, dict]:
    """(scalar loss for gradients, per-example total, logs) of `phase`."""
    total, logs = phase.loss(ctx)
    if set(logs) != set(phase.logs):
      raise ValueError(f"phase {phase.name!r} logs {sorted(logs)}, declared {list(phase.logs)}")
    total = tf.cast(total, tf.float32)  # float32 even when the nets compute in (b)float16
    loss = tf.nn.compute_average_loss(total, global_batch_size=self.global_batch_size)
    if phase.lazy:  # StyleGAN2 Sec. 3.1: a lazy regulariser's loss x its interval
      loss *= float(phase.interval)
    return loss, total, {name: tf.cast(logs[name], tf.float32) for name in phase.logs}

  def _loss_scale(self, phase: contract_lib.Phase) -> tf.Tensor | None:
    """The loss scale of `phase`'s first player's optimizer; None without loss scaling."""
    optimizer = self._optimizers[phase.players[0]]
    if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
      return None
    return optimizer.scale_loss(tf.constant(1.0, tf.float32))

  def _player_grads(
    self, player: contract_lib.Player, grads: list, scale: tf.Tensor | None, first: bool
  ) -> list:
    """The gradients `player`'s optimizer applies, from those of the loss x `scale` (the phase's
    loss scale; None: unscaled): clipped (`_clip`) and, with loss scaling, at the scale of the
    player's own optimizer (its apply_gradients divides it out). `first`: the player whose
    optimizer's scale the phase used."""
    if scale is None:
      return self._clip(player, grads)
    if first and not player.optimizer.clip_norm:
      return grads
    own = self._optimizers[player.name].scale_loss(tf.constant(1.0, tf.float32))
    grads = self._clip(player, [None if g is None else g / scale for g in grads])
    return [None if g is None else g * own for g in grads]

  def _clip(self, player: contract_lib.Player, grads: list) -> list:
    """torch clip_grad_norm_(max_norm=clip_norm) of the GLOBAL batch's gradient, returned as this
    replica's share: summed over replicas first (a replica's part has not the step's norm),
    clipped, then divided by the replica count (the optimizer sums them over replicas again)."""
    clip_norm = player.optimizer.clip_norm
    if not clip_norm:
      return grads
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    context = tf.distribute.get_replica_context()
    if replicas > 1 and context is not None:
      grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
    if player.clip_each_network:  # official Fader Networks: one clip per network
      groups, start = [], 0
      for net in player.networks:
        size = len(net.trainable_variables)
        groups.append(tf.clip_by_global_norm(grads[start : start + size], clip_norm)[0])
        start += size
      grads = [g for group in groups for g in group]
    else:
      grads = tf.clip_by_global_norm(grads, clip_norm)[0]
    return [g / replicas for g in grads] if replicas > 1 else list(grads)

  def _by_player(self, phase: contract_lib.Phase, grads: list):
    start = 0
    for name in phase.players:
      player = self.contract.player(name)
      variables = player.variables
      yield player, variables, grads[start : start + len(variables)]
      start += len(variables)

  def _track(self, phase: contract_lib.Phase, logs: dict, weight: tf.Tensor | None = None):
    for name in phase.logs:
      value = logs[name]
      sample_weight = None if weight is None else tf.fill(tf.shape(value), weight)
      self._trackers[name].update_state(value, sample_weight=sample_weight)

  def _run_phase(self, phase: contract_lib.Phase, ctx, tape: tf.GradientTape) -> None:
    variables = self._variables(phase)
    scale = self._loss_scale(phase)
    with tape:
      loss, _, logs = self._loss(phase, ctx)
      if scale is not None:
        loss *= scale
    grads = tape.gradient(loss, variables)
    for player, player_vars, player_grads in self._by_player(phase, grads):
      if player.optimizer.clip_norm:
        player_grads = [
          tf.zeros_like(v) if g is None else g
          for g, v in zip(player_grads, player_vars, strict=True)
        ]
      first = player.name == phase.players[0]
      player_grads = self._player_grads(player, player_grads, scale, first)
      self._optimizers[player.name].apply_gradients(zip(player_grads, player_vars, strict=True))
    self._after(phase)
    self._track(phase, logs)

  def _run_gated_phase(self, phase: contract_lib.Phase, ctx) -> None:
    variables = self._variables(phase)
    due = tf.equal((ctx.step + 1) % phase.interval, 0)
    local_size = tf.shape(tf.nest.flatten(ctx.batch)[0])[0]
    scale = self._loss_scale(phase)

    def run() -> tuple[list, dict]:
      with tf.GradientTape() as tape:
        loss, _, logs = self._loss(phase, ctx)
        if scale is not None:
          loss *= scale
      grads = tape.gradient(loss, variables)
      grads = [
        tf.zeros_like(v) if g is None else tf.convert_to_tensor(g)
        for g, v in zip(grads, variables, strict=True)
      ]
      return grads, {name: tf.reshape(v, [local_size]) for name, v in logs.items()}

    def skip() -> tuple[list, dict]:
      zeros = tf.zeros([local_size])
      return [tf.zeros(v.shape, v.dtype) for v in variables], {n: zeros for n in phase.logs}

    grads, logs = tf.cond(due, run, skip)
    for player, player_vars, player_grads in self._by_player(phase, grads):
      first = player.name == phase.players[0]
      player_grads = self._player_grads(player, player_grads, scale, first)
      self._apply_if(due, self._optimizers[player.name], player_grads, player_vars)
    self._after(phase, due)
    self._track(phase, logs, weight=tf.cast(due, tf.float32))

  @staticmethod
  def _after(phase: contract_lib.Phase, gate: tf.Tensor | None = None) -> None:
    """`phase.after()` in cross-replica context (it may assign mirrored variables), when `gate`
    (the same on every replica) if given."""
    if phase.after is None:
      return

    def run() -> tf.Tensor:
      phase.after()
      return tf.constant(True)

    def cross_replica(strategy: tf.distribute.Strategy, *gate) -> None:
      if not gate:
        phase.after()
        return
      tf.cond(strategy.experimental_local_results(gate[0])[0], run, lambda: tf.constant(False))

    args = () if gate is None else (gate,)
    tf.distribute.get_replica_context().merge_call(cross_replica, args=args)

  @staticmethod
  def _apply_if(
    gate: tf.Tensor, optimizer: keras.optimizers.Optimizer, grads: list, variables: list
  ) -> None:
    """`optimizer.apply_gradients` when `gate` (the same on every replica), else nothing: the
    cond runs in cross-replica context around call_for_each_replica (as Keras'
    LossScaleOptimizer applies conditionally); on the default strategy too."""

    def apply(grads: list) -> tf.Tensor:
      optimizer.apply_gradients(zip(grads, variables, strict=True))
      return tf.constant(True)

    def skip() -> tf.Tensor:
      return tf.constant(False)

    def cross_replica(strategy: tf.distribute.Strategy, gate, grads) -> None:
      def run() -> tf.Tensor:
        strategy.extended.call_for_each_replica(apply, args=(grads,))
        return tf.constant(True)

      tf.cond(strategy.experimental_local_results(gate)[0], run, skip)

    tf.distribute.get_replica_context().merge_call(cross_replica, args=(gate, grads))

  def train_step(self, data):
    ctx = self._context(data)
    every_step = [phase for phase in self.contract.phases if phase.interval == 1]
    tapes = {phase.name: tf.GradientTape() for phase in every_step}
    if self.contract.forward is not None:
      with contextlib.ExitStack() as recording:
        for tape in tapes.values():
          recording.enter_context(tape)
        self.contract.forward(ctx)
    for phase in self.contract.phases:
      if phase.interval == 1:
        self._run_phase(phase, ctx, tapes[phase.name])
      else:
        self._run_gated_phase(phase, ctx)
    self._update_ema(ctx.step)
    self.step.assign_add(1)
    logs = {name: tracker.result() for name, tracker in self._trackers.items()}
    if distributed.spans_workers(tf.distribute.get_strategy()):
      # Keras 3 reduces each log over the workers with strategy.reduce(MEAN, v, axis=0), which
      # needs a batch axis: [1] per replica, the replicas' mean out (docs/pitfalls.md).
      logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs
