"""The training contract: what a model declares, as data, and the trainer runs.

After the `phases` of NVlabs stylegan2-ada-pytorch (training/training_loop.py): a model names its
players (the networks an optimizer updates, with that optimizer's settings), its phases (which
players a loss updates, in which order, how often), the EMA copies it ships, and the input
sampler of its task. The trainer (tfgan_repro.training) builds the optimizers, learning-rate
schedules, EMA copies and checkpoint contents from this declaration; no model builds an optimizer
or applies gradients itself.

One training step, as the trainer runs it (docs/design.md, "The training contract"):
  1. `forward(ctx)` (optional) runs once with the tape of every phase due at this step
     recording, and leaves tensors in `ctx.shared` (pix2pix: one G pass feeds D's and G's
     losses, as the official forward());
  2. each due phase, in declaration order: its `loss(ctx)` under its own tape -> per-example
     values, reduced over the GLOBAL batch; the gradient of its players' networks, clipped as
     each player says, applied by each player's optimizer; then its `after()` (WGAN: the
     critic's weights clipped after each critic update). Later phases see earlier updates
     (CycleGAN: G then D; pix2pix: D then G) and `ctx.shared` tensors earlier phases left;
  3. the EMA copies are updated; the step counter advances.
A phase with interval k runs at the steps i with (i + 1) % k == 0 (official StarGAN: G when
(i + 1) % n_critic == 0); `lazy=True` multiplies its loss by k (StyleGAN2 Sec. 3.1, lazy
regularisation).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import keras
import tensorflow as tf

SAMPLERS = ("unpaired", "paired", "labelled", "latent", "latent_class")
LATENT_DISTRIBUTIONS = ("normal", "uniform")
OPTIMIZERS = ("adam", "sgd", "rmsprop")


@dataclasses.dataclass(frozen=True)
class Optimizer:
  """The optimizer of one player (Adam unless `name` says otherwise), with the official linear
  learning-rate policy.

  The rate is `lr` for `constant_epochs` epochs, then decays linearly to 0 over `decay_epochs`
  (official pytorch-CycleGAN-and-pix2pix --n_epochs / --n_epochs_decay); decay_epochs = 0 keeps
  it constant. clip_norm > 0 clips the gradient's global norm first (torch clip_grad_norm_).
  name: "adam" (beta_1, beta_2, epsilon), "sgd" (momentum) or "rmsprop" (rho, momentum, epsilon;
  WGAN, Arjovsky et al. 2017, Algorithm 1).
  """

  lr: float
  beta_1: float = 0.5  # official --beta1 0.5 (CycleGAN, pix2pix, StarGAN, Fader)
  beta_2: float = 0.999  # torch.optim.Adam default
  epsilon: float = 1e-7  # keras.optimizers.Adam default (torch: 1e-8)
  constant_epochs: int = 0
  decay_epochs: int = 0
  clip_norm: float = 0.0
  name: str = "adam"
  rho: float = (
    0.99  # RMSProp's moving-average decay: torch.optim.RMSprop alpha 0.99 (official WGAN)
  )
  momentum: float = 0.0  # SGD / RMSProp momentum (torch default 0)

  def __post_init__(self):
    if self.name not in OPTIMIZERS:
      raise ValueError(f"optimizer name must be one of {OPTIMIZERS}, got {self.name!r}")
    if self.lr <= 0 or min(self.constant_epochs, self.decay_epochs, self.clip_norm) < 0:
      raise ValueError(f"invalid optimizer settings: {self}")


@dataclasses.dataclass(frozen=True)
class Player:
  """Networks one optimizer updates. clip_each_network: clip_norm applies to each network's
  gradient on its own (official Fader Networks: one clip per discriminator)."""

  name: str
  networks: tuple[keras.Model, ...]
  optimizer: Optimizer
  clip_each_network: bool = False

  @property
  def variables(self) -> list:
    return [v for net in self.networks for v in net.trainable_variables]


@dataclasses.dataclass
class StepContext:
  """What a phase's loss sees: this replica's batch, the step index (before its updates), the
  tensors earlier parts of the step left in `shared`, and per-replica random seeds."""

  batch: tuple
  step: tf.Tensor
  global_batch_size: int
  seed: Callable[[int], tf.Tensor]  # salt -> stateless int32 [2] seed, replica id folded in
  # salt -> stateless int32 [2] seed of (run seed, step, salt), the same on every replica: for
  # draws made for the global batch and split by `replica_rows`
  batch_seed: Callable[[int], tf.Tensor] | None = None
  latent: Callable[[int], tf.Tensor] | None = None  # salt -> [n, z_dim] latents of the sampler
  # salt -> int32 [n] classes uniform in [0, num_classes) of a "latent_class" sampler
  classes: Callable[[int], tf.Tensor] | None = None
  shared: dict = dataclasses.field(default_factory=dict)


def replica_rows(draw: Callable[[tf.Tensor], tf.Tensor], local: tf.Tensor) -> tf.Tensor:
  """This replica's `local` rows [r n, (r + 1) n) of draw(global rows) (r the replica id), the
  draw made for the whole global batch: a step on N replicas sees the draws of the step on one
  device (docs/design.md: 2 replicas == 1 device) and the replicas see different rows."""
  replica = tf.distribute.get_replica_context()
  index = replica.replica_id_in_sync_group if replica is not None else 0
  replicas = replica.num_replicas_in_sync if replica is not None else 1
  start = tf.cast(index, tf.int32) * local
  return draw(local * replicas)[start : start + local]


def global_rows(local: tf.Tensor) -> tf.Tensor:
  """The rows [n, ...] of `local` on every replica, in replica order: the global batch
  [N n, ...] (N replicas; `local` itself on one). Summed over the replicas after zero padding to
  this replica's place, which is exact; ReplicaContext.all_gather fails under
  MultiWorkerMirroredStrategy (docs/pitfalls.md, Multi-worker)."""
  replica = tf.distribute.get_replica_context()
  if replica is None or replica.num_replicas_in_sync == 1:
    return local
  rows = tf.shape(local)[0]
  before = tf.cast(replica.replica_id_in_sync_group, tf.int32) * rows
  after = (replica.num_replicas_in_sync - 1) * rows - before
  paddings = tf.concat([[[before, after]], tf.zeros([local.shape.rank - 1, 2], tf.int32)], 0)
  return replica.all_reduce(tf.distribute.ReduceOp.SUM, tf.pad(local, paddings))


# A phase's loss: ctx -> (per-example total [n], {name: per-example value [n]} to log).
Loss = Callable[[StepContext], tuple[tf.Tensor, Mapping[str, tf.Tensor]]]


@dataclasses.dataclass(frozen=True)
class Phase:
  """One update: `loss` of `players`' networks, every `interval` steps (lazy: loss x interval).

  logs: the names of the per-example values `loss` returns to log, declared so that the trainer
  creates their metrics before the step is traced; the logged means count the steps the phase
  ran. A phase with interval > 1 runs inside a conditional: it differentiates only what its loss
  computes itself (tensors `forward` left in ctx.shared are constants to it), and what it writes
  to ctx.shared is not seen by later phases. `after()` runs in cross-replica context once per
  step the phase runs, after its updates, so it may assign its players' (mirrored) variables.
  """

  name: str
  players: tuple[str, ...]
  loss: Loss
  interval: int = 1
  lazy: bool = False
  logs: tuple[str, ...] = ()
  # Run after the phase's optimizers applied, at the steps the phase runs (WGAN weight clipping,
  # Arjovsky et al. 2017, Algorithm 1, line 8); None: nothing.
  after: Callable[[], None] | None = None

  def __post_init__(self):
    if self.interval < 1:
      raise ValueError(f"phase {self.name!r}: interval must be >= 1, got {self.interval}")


@dataclasses.dataclass(frozen=True)
class EMA:
  """An exponential moving average of a network's weights, shipped instead of it.

  Per step, ema = beta * ema + (1 - beta) * weights, with beta = `decay`, or from a half-life in
  images: beta = 0.5 ** (global_batch / (half_life_kimg * 1000)) (stylegan2-ada-pytorch
  ema_kimg), the half-life capped at `rampup` x images seen when given (ema_rampup). Before
  `start_step` the copy equals the network (BigGAN-PyTorch --ema_start).
  """

  network: str
  decay: float | None = None
  half_life_kimg: float | None = None
  rampup: float | None = None
  start_step: int = 0

  def __post_init__(self):
    if (self.decay is None) == (self.half_life_kimg is None):
      raise ValueError(f"EMA of {self.network!r}: give exactly one of decay, half_life_kimg")


@dataclasses.dataclass(frozen=True)
class Sampler:
  """The input of a training step. Image kinds come from the data pipeline: "unpaired" (A, B),
  "paired" (A, B aligned), "labelled" (images, labels); latent kinds add z drawn in the step:
  "latent" (real images + z), "latent_class" (real images, labels + z and sampled classes)."""

  kind: str
  z_dim: int = 0
  distribution: str = "normal"
  num_classes: int = 0

  def __post_init__(self):
    if self.kind not in SAMPLERS:
      raise ValueError(f"sampler kind must be one of {SAMPLERS}, got {self.kind!r}")
    if self.distribution not in LATENT_DISTRIBUTIONS:
      raise ValueError(
        f"latent distribution must be one of {LATENT_DISTRIBUTIONS}, got {self.distribution!r}"
      )
    if self.kind.startswith("latent") and self.z_dim < 1:
      raise ValueError(f"a {self.kind!r} sampler needs z_dim >= 1, got {self.z_dim}")
    if self.kind == "latent_class" and self.num_classes < 1:
      raise ValueError(f"a 'latent_class' sampler needs num_classes >= 1, got {self.num_classes}")


@dataclasses.dataclass(frozen=True)
class Contract:
  """Everything the trainer needs from a model."""

  players: tuple[Player, ...]
  phases: tuple[Phase, ...]
  sampler: Sampler
  ema: tuple[EMA, ...] = ()
  forward: Callable[[StepContext], None] | None = None

  def __post_init__(self):
    names = [p.name for p in self.players]
    if len(set(names)) != len(names):
      raise ValueError(f"player names repeat: {names}")
    for phase in self.phases:
      unknown = set(phase.players) - set(names)
      if unknown:
        raise ValueError(f"phase {phase.name!r} updates unknown players {sorted(unknown)}")
    logs = [name for phase in self.phases for name in phase.logs]
    if len(set(logs)) != len(logs):
      raise ValueError(f"logged names repeat across phases: {logs}")

  def player(self, name: str) -> Player:
    return next(p for p in self.players if p.name == name)

  def due(self, step: int) -> tuple[Phase, ...]:
    """The phases that run at training step `step` (0-based)."""
    return tuple(p for p in self.phases if (step + 1) % p.interval == 0)
