"""GANModel: what every family's keras.Model shares: its nets, its training contract, and what
eval and export read (generators, directions, the shipped networks)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.models.contract import Contract


class _Untracked:
  """Holds what the model must neither track nor checkpoint (the trainer's state)."""

  def __init__(self, value):
    self.value = value


class GANModel(keras.Model):
  """Base class of the GAN families; subclasses define their nets, `contract()` (what the trainer,
  tfgan_repro.training.trainer.Trainer, runs: models/contract.py) and `generators`.

  Losses are per-example vectors; the trainer reduces them over the GLOBAL batch and draws the
  step's random seeds (StepContext.seed folds in the replica id).
  """

  task: str | None = None  # the name of its task in tfgan_repro.tasks.TASKS; each family sets it

  def __init__(self, *, global_batch_size: int, seed: int = 0, **kwargs):
    super().__init__(**kwargs)
    if global_batch_size < 1:
      raise ValueError(f"global_batch_size must be >= 1, got {global_batch_size}")
    self.global_batch_size = global_batch_size
    self.seed = seed
    self._trainer_state = _Untracked({"step": None, "ema_copies": {}})

  def build(self, input_shape=None) -> None:
    """Nothing to create: the networks are functional models, built when constructed."""
    self.built = True

  # ---- training (run by training/trainer.py) -----------------------------------------------
  def contract(self) -> Contract:
    """What the trainer runs: players, phases, EMA copies, sampler (models/contract.py)."""
    raise NotImplementedError(f"{type(self).__name__} declares no training contract")

  def bind_trainer(self, step: tf.Variable, ema_copies: dict[str, keras.Model]) -> None:
    """Called by the trainer: its step counter and the EMA copies it keeps (not tracked here:
    the trainer checkpoints them)."""
    self._trainer_state = _Untracked({"step": step, "ema_copies": dict(ema_copies)})

  @property
  def step(self) -> tf.Variable | tf.Tensor:
    """The training steps done: the trainer's counter (0 before a trainer is bound)."""
    step = self._trainer_state.value["step"]
    return tf.constant(0, tf.int64) if step is None else step

  @property
  def ema_copies(self) -> dict[str, keras.Model]:
    """The trainer's EMA copies of networks, by network name (contract EMA)."""
    return dict(self._trainer_state.value["ema_copies"])

  @property
  def shipped_generators(self) -> dict[str, keras.Model]:
    """What eval and export use: per generator its EMA copy if it has one, else the network."""
    copies = self.ema_copies
    return {name: copies.get(name, net) for name, net in self.generators.items()}

  def warm_start_from(self, previous: GANModel) -> None:
    """A fresh run with config.init_from starts from `previous`, the model of that run (restored
    by the trainer; pix2pixHD: the previous stage). Default: refused."""
    raise ValueError(f"{type(self).__name__} cannot start from another run (config.init_from)")

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

  def translate(self, name: str, images: tf.Tensor) -> tf.Tensor:
    """Generator `name` applied by the family's test protocol (what eval scores): by default
    inference mode, `shipped_generators[name](images, training=False)`."""
    return self.shipped_generators[name](images, training=False)

  @property
  def export_generators(self) -> dict[str, keras.Model]:
    """The networks `export` writes, by name: `shipped_generators`, unless a family serves other
    inputs (pix2pixHD: named label and instance maps; export.inputs)."""
    return self.shipped_generators

  def serving_inputs(self, inputs: np.ndarray) -> np.ndarray | dict[str, np.ndarray]:
    """A generator's inputs as the data pipeline yields them, in the form `export_generators`
    serves (export.inputs): by default unchanged (pix2pixHD: named label and instance maps)."""
    return inputs

  def display_images(self, *batch: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """Named image grids (each a dict of [N, H, W, 3] columns) for TensorBoard and sample sheets."""
    raise NotImplementedError

  def training_callbacks(self, config) -> list:
    """Keras callbacks the family adds to the training loop, run before checkpointing (pix2pixHD:
    the feature clusters of the last epoch). Default: none."""
    return []
