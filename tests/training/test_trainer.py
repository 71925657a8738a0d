"""The Trainer runs a declared contract: phase order, interval gating, lazy scaling, the learning
rate of the training step, clipping, EMA, latent samplers, replicas, checkpoints. A toy model of
scalar nets (net(x) = w x) makes every update a number computed by hand: with per-example loss
w x over the batch x = [1, 2] (global batch 2), dL/dw = mean(x) = 1.5."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from configs import cyclegan
from tfgan_repro.models import contract
from tfgan_repro.models.contract import EMA, Contract, Optimizer, Phase, Player, Sampler
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.training import run
from tfgan_repro.training import trainer as trainer_lib
from tfgan_repro.training.trainer import Trainer

X = np.array([[1.0], [2.0]], np.float32)  # the batch: mean 1.5
GRAD = 1.5


def scalar_net(name: str, w: float, frozen: float | None = None) -> keras.Model:
  """x -> w x (layer "w"); with `frozen`, then x -> f x by a non-trainable layer "f"."""
  x = keras.Input((1,))
  init = keras.initializers.Constant
  y = keras.layers.Dense(1, use_bias=False, kernel_initializer=init(w), name="w")(x)
  if frozen is not None:
    f = keras.layers.Dense(1, use_bias=False, kernel_initializer=init(frozen), name="f")
    f.trainable = False
    y = f(y)
  return keras.Model(x, y, name=name)


def w(net: keras.Model) -> float:
  return float(net.get_layer("w").kernel.numpy()[0, 0])


def linear_loss(net_name: str, log: str, through: str | None = None):
  """Per-example w_net x (times w_through, read when the phase runs); logs it as `log`."""

  def loss(ctx):
    model = ctx.shared["model"]
    value = model.nets[net_name].get_layer("w").kernel[0, 0] * ctx.batch[0][:, 0]
    if through:
      value *= model.nets[through].get_layer("w").kernel[0, 0]
    return value, {log: value}

  return loss


class Toy(GANModel):
  """Scalar nets G and D (and H); the contract is whatever `declare(self)` returns."""

  def __init__(self, declare, *, frozen: float | None = None, global_batch_size: int = 2):
    super().__init__(global_batch_size=global_batch_size, seed=3)
    self.G = scalar_net("G", 1.0, frozen)
    self.D = scalar_net("D", 1.0)
    self.H = scalar_net("H", 1.0)
    self.declare = declare

  @property
  def nets(self) -> dict[str, keras.Model]:
    return {"G": self.G, "D": self.D, "H": self.H}

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  def contract(self) -> Contract:
    contract = self.declare(self)
    forward = contract.forward

    def with_model(ctx):  # the losses find the nets in ctx.shared
      ctx.shared["model"] = self
      if forward:
        forward(ctx)

    return Contract(contract.players, contract.phases, contract.sampler, contract.ema, with_model)

  def call(self, x, training=False):
    return self.G(x, training=training)


def sgd(lr: float = 0.1, **kwargs) -> Optimizer:
  return Optimizer(lr=lr, name="sgd", **kwargs)


def player(model: Toy, name: str, optimizer: Optimizer, nets: str | None = None, **kwargs):
  return Player(name, tuple(model.nets[n] for n in (nets or name)), optimizer, **kwargs)


def d_then_g(g_interval: int = 1, g_opt: Optimizer | None = None, lazy: bool = False):
  """D: loss w_D x every step; G: loss w_G w_D x (w_D read after D's update) every g_interval."""

  def declare(model):
    return Contract(
      players=(player(model, "G", g_opt or sgd()), player(model, "D", sgd())),
      phases=(
        Phase("D", ("D",), linear_loss("D", "D_loss"), logs=("D_loss",)),
        Phase(
          "G", ("G",), linear_loss("G", "G_loss", "D"), g_interval, lazy=lazy, logs=("G_loss",)
        ),
      ),
      sampler=Sampler("paired"),
    )

  return declare


def make(declare, strategy=None, steps_per_epoch: int = 1, **kwargs) -> Trainer:
  with (strategy or tf.distribute.get_strategy()).scope():
    trainer = Trainer(Toy(declare, **kwargs), steps_per_epoch=steps_per_epoch)
    trainer.compile()
  return trainer


def fit(trainer: Trainer, steps: int) -> None:
  batch = (X, X)
  data = tf.data.Dataset.from_tensors(batch).repeat()
  trainer.fit(data, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)


def test_a_later_phase_sees_the_earlier_update():
  trainer = make(d_then_g())
  logs = trainer.train_step((tf.constant(X), tf.constant(X)))
  w_d = 1.0 - 0.1 * GRAD  # D first: 0.85
  assert w(trainer.model.D) == pytest.approx(w_d)
  assert w(trainer.model.G) == pytest.approx(1.0 - 0.1 * w_d * GRAD)  # not 1 - 0.1 * 1 * 1.5
  assert float(logs["D_loss"]) == pytest.approx(GRAD)  # the unscaled mean of w_D x
  assert float(logs["G_loss"]) == pytest.approx(w_d * GRAD)
  assert int(trainer.model.step.numpy()) == 1


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "fit"])
def test_a_phase_every_third_step_runs_at_steps_2_and_5(graph):
  trainer = make(d_then_g(g_interval=3))
  g_before = []
  for _ in range(6):
    g_before.append(w(trainer.model.G))
    if graph:
      fit(trainer, 1)
    else:
      trainer.train_step((tf.constant(X), tf.constant(X)))
  optimizers = trainer.optimizers
  assert int(optimizers["G"].iterations.numpy()) == 2 and int(optimizers["D"].iterations) == 6
  assert int(trainer.step.numpy()) == 6
  # G moved only at the steps i with (i + 1) % 3 == 0: between i = 2 -> 3 and 5 -> 6.
  changed = [a != b for a, b in zip(g_before, [*g_before[1:], w(trainer.model.G)], strict=True)]
  assert changed == [False, False, True, False, False, True]
  w_d3 = 1.0 - 3 * 0.1 * GRAD  # D after its updates at steps 0, 1, 2
  assert g_before[3] == pytest.approx(1.0 - 0.1 * w_d3 * GRAD)


def test_a_lazy_phase_scales_its_loss_by_its_interval():
  trainer = make(d_then_g(g_interval=2, lazy=True))
  for _ in range(2):
    trainer.train_step((tf.constant(X), tf.constant(X)))
  w_d = 1.0 - 2 * 0.1 * GRAD  # G runs at step 1, after D's second update
  assert w(trainer.model.G) == pytest.approx(1.0 - 0.1 * 2 * w_d * GRAD)


def test_a_player_stepping_every_third_step_gets_the_rate_of_that_training_step():
  # lr 0.1 for 1 epoch, then linear decay over 1 epoch (2 steps each): 0.1 * (1 - 1/2) at step 2
  g_opt = sgd(constant_epochs=1, decay_epochs=1)
  trainer = make(d_then_g(g_interval=3, g_opt=g_opt), steps_per_epoch=2)
  for _ in range(3):
    trainer.train_step((tf.constant(X), tf.constant(X)))
  w_d = 1.0 - 3 * 0.1 * GRAD  # D keeps lr 0.1 (no decay)
  assert w(trainer.model.G) == pytest.approx(1.0 - 0.05 * w_d * GRAD)
  assert float(trainer.optimizers["G"].learning_rate) == pytest.approx(0.05)  # step 3: epoch 1


def two_nets_declare(clip_each_network: bool):
  def declare(model):
    def loss(ctx):
      value = (model.G.get_layer("w").kernel[0, 0] + model.H.get_layer("w").kernel[0, 0]) * (
        ctx.batch[0][:, 0]
      )
      return value, {}

    opt = sgd(clip_norm=0.5)
    return Contract(
      players=(player(model, "G", opt, nets="GH", clip_each_network=clip_each_network),),
      phases=(Phase("G", ("G",), loss),),
      sampler=Sampler("paired"),
    )

  return declare


@pytest.mark.parametrize("each", [False, True], ids=["joint", "each_network"])
def test_clipping_bounds_the_global_norm_of_the_players_gradient(each):
  trainer = make(two_nets_declare(each))
  trainer.train_step((tf.constant(X), tf.constant(X)))
  # Gradient (1.5, 1.5): norm 2.12 clipped to 0.5 jointly (each 0.5 / sqrt 2), or each to 0.5.
  step = 0.5 if each else 0.5 / np.sqrt(2.0)
  assert w(trainer.model.G) == pytest.approx(1.0 - 0.1 * step)
  assert w(trainer.model.H) == pytest.approx(1.0 - 0.1 * step)


def test_ema_beta_by_hand():
  beta = lambda ema, step: float(trainer_lib.ema_beta(ema, tf.constant(step), 2))  # noqa: E731
  assert beta(EMA("G", decay=0.9), 0) == pytest.approx(0.9)
  half = EMA("G", half_life_kimg=0.004)  # 4 images: 0.5 ** (2 / 4)
  assert beta(half, 0) == pytest.approx(0.5**0.5)
  ramp = EMA("G", half_life_kimg=0.004, rampup=0.5)  # half-life min(4, 0.5 * 2 * step)
  assert beta(ramp, 0) == 0.0  # no image seen: the copy takes the weights
  assert beta(ramp, 1) == pytest.approx(0.5**2.0)  # half-life 1 image
  assert beta(ramp, 10) == pytest.approx(0.5**0.5)  # capped at 4
  late = EMA("G", decay=0.9, start_step=3)
  assert [beta(late, i) for i in range(4)] == pytest.approx([0.0, 0.0, 0.9, 0.9])


def test_ema_copy_follows_the_network_and_copies_its_non_trainable_weights():
  def declare(model):
    return Contract(
      players=(player(model, "G", sgd()),),
      phases=(Phase("G", ("G",), linear_loss("G", "G_loss"), logs=("G_loss",)),),
      sampler=Sampler("paired"),
      ema=(EMA("G", decay=0.5, start_step=2),),
    )

  trainer = make(declare, frozen=2.0)
  model = trainer.model
  copy = model.ema_copies["G"]
  assert model.shipped_generators == {"G": copy} and copy is not model.G
  model.G.get_layer("f").kernel.assign([[3.0]])  # a non-trainable weight: copied as it is
  weights, want = [], None
  for i in range(3):
    trainer.train_step((tf.constant(X), tf.constant(X)))
    weights.append(w(model.G))  # 1 - 0.15 (i + 1)
    want = weights[-1] if i + 1 < 2 else 0.5 * want + 0.5 * weights[-1]
    assert w(copy) == pytest.approx(want)
  assert w(copy) == pytest.approx(0.25 * 0.85 + 0.25 * 0.7 + 0.5 * 0.55)
  assert float(copy.get_layer("f").kernel.numpy()[0, 0]) == 3.0
  assert not copy.trainable_weights


def latent_declare(distribution: str):
  def declare(model):
    return Contract(
      players=(player(model, "G", sgd()),),
      phases=(Phase("G", ("G",), linear_loss("G", "G_loss"), logs=("G_loss",)),),
      sampler=Sampler("latent", z_dim=3, distribution=distribution),
    )

  return declare


@pytest.mark.parametrize("distribution", ["normal", "uniform"])
def test_latent_sampler_draws_batch_by_z_dim(distribution):
  trainer = make(latent_declare(distribution))
  z = trainer.latent((tf.zeros([20000, 1]),), tf.constant(0, tf.int64), salt=1).numpy()
  assert z.shape == (20000, 3)
  if distribution == "normal":
    assert abs(z.mean()) < 0.02 and z.std() == pytest.approx(1.0, abs=0.02)
  else:
    assert z.min() >= -1.0 and z.max() <= 1.0
    assert abs(z.mean()) < 0.02 and z.var() == pytest.approx(1.0 / 3.0, abs=0.01)

  def draw(step: int, salt: int) -> np.ndarray:
    return trainer.latent((tf.zeros([4, 1]),), tf.constant(step), salt).numpy()

  np.testing.assert_array_equal(draw(0, 1), draw(0, 1))  # stateless: (seed, step, salt)
  assert not np.allclose(draw(0, 1), draw(1, 1)) and not np.allclose(draw(0, 1), draw(0, 2))


def test_latent_draws_differ_between_replicas(two_replicas):
  trainer = make(latent_declare("normal"), strategy=two_replicas)

  def draw():
    return trainer.latent((tf.zeros([2, 1]),), tf.constant(5, tf.int64), salt=7)

  z = two_replicas.experimental_local_results(two_replicas.run(tf.function(draw)))
  assert [tuple(t.shape) for t in z] == [(2, 3), (2, 3)]
  assert not np.allclose(z[0].numpy(), z[1].numpy())


def test_latent_draws_of_two_replicas_are_the_rows_of_one_device(two_replicas):
  one = make(latent_declare("normal"))
  two = make(latent_declare("normal"), strategy=two_replicas)
  step = tf.constant(5, tf.int64)
  want = one.latent((tf.zeros([4, 1]),), step, salt=7).numpy()
  z = two_replicas.experimental_local_results(
    two_replicas.run(tf.function(lambda: two.latent((tf.zeros([2, 1]),), step, salt=7)))
  )
  np.testing.assert_array_equal(np.concatenate([t.numpy() for t in z]), want)


def test_global_rows_are_every_replicas_rows_in_replica_order(two_replicas):
  rows = [np.arange(6, dtype=np.float32).reshape(2, 3, 1) + 100 * r for r in range(2)]

  def gather(ctx):
    return contract.global_rows(tf.constant(np.stack(rows))[ctx.replica_id_in_sync_group])

  values = two_replicas.experimental_distribute_values_from_function(gather)
  got = two_replicas.experimental_local_results(
    two_replicas.run(tf.function(contract.global_rows), args=(values,))
  )
  for replica in got:
    np.testing.assert_array_equal(replica.numpy(), np.concatenate(rows))  # exact, in order
  local = tf.constant(rows[0])
  assert contract.global_rows(local) is local  # one replica: the rows themselves


def after_declare(calls: tf.Variable, g_interval: int):
  """d_then_g whose D phase doubles w_D after its update and whose G phase (every g_interval
  steps) counts its `after` calls in `calls`."""

  def declare(model):
    base = d_then_g(g_interval)(model)
    d, g = base.phases

    def double_d():
      kernel = model.D.get_layer("w").kernel
      kernel.assign(2.0 * kernel)

    phases = (
      Phase(d.name, d.players, d.loss, logs=d.logs, after=double_d),
      Phase(g.name, g.players, g.loss, g.interval, logs=g.logs, after=lambda: calls.assign_add(1)),
    )
    return Contract(base.players, phases, base.sampler)

  return declare


@pytest.mark.parametrize("replicas", [1, 2])
def test_a_phase_after_runs_after_its_update_at_its_steps(replicas, two_replicas):
  strategy = two_replicas if replicas == 2 else tf.distribute.OneDeviceStrategy("/cpu:0")
  with strategy.scope():
    calls = tf.Variable(0, aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
  trainer = make(after_declare(calls, g_interval=2), strategy=strategy)
  fit(trainer, 1)
  assert w(trainer.model.D) == pytest.approx(2.0 * (1.0 - 0.1 * GRAD))  # (1 - 0.15) x 2, not 1.85
  assert int(calls.numpy()) == 0  # G runs at step 1 only
  fit(trainer, 3)
  assert int(calls.numpy()) == 2  # steps 1 and 3, once per step whatever the replicas


def test_gated_and_clipped_phases_on_two_replicas_equal_one_device(two_replicas):
  declare = d_then_g(g_interval=2, g_opt=sgd(clip_norm=0.5))
  results = []
  for strategy in (tf.distribute.OneDeviceStrategy("/cpu:0"), two_replicas):
    trainer = make(declare, strategy=strategy)
    fit(trainer, 4)
    results.append(
      (w(trainer.model.G), w(trainer.model.D), int(trainer.optimizers["G"].iterations.numpy()))
    )
  assert results[0][2] == results[1][2] == 2
  np.testing.assert_allclose(results[1][:2], results[0][:2], rtol=1e-6)
  w_d = 1.0 - 2 * 0.1 * GRAD  # G's first step (step 1): gradient w_D 1.5 = 1.05, clipped to 0.5
  assert w_d * GRAD > 0.5
  assert results[0][1] == pytest.approx(1.0 - 4 * 0.1 * GRAD)
  assert results[0][0] == pytest.approx(1.0 - 0.1 * 0.5 - 0.1 * 0.5)  # both G steps clipped


def adam_ema_declare(model):
  adam = Optimizer(lr=0.01)
  return Contract(
    players=(player(model, "G", adam), player(model, "D", adam)),
    phases=(
      Phase("D", ("D",), linear_loss("D", "D_loss"), logs=("D_loss",)),
      Phase("G", ("G",), linear_loss("G", "G_loss", "D"), 2, logs=("G_loss",)),
    ),
    sampler=Sampler("paired"),
    ema=(EMA("G", decay=0.5),),
  )


def _state(trainer: Trainer) -> list[float]:
  model = trainer.model
  return [
    w(model.G),
    w(model.D),
    w(model.ema_copies["G"]),
    int(trainer.step.numpy()),
    *[int(opt.iterations.numpy()) for opt in trainer.optimizers.values()],
    *[float(v.numpy().sum()) for opt in trainer.optimizers.values() for v in opt.variables],
  ]


def test_checkpoint_round_trip_resumes_as_if_uninterrupted(tmp_path):
  straight = make(adam_ema_declare)
  fit(straight, 4)
  first = make(adam_ema_declare)
  fit(first, 2)
  path = tf.train.Checkpoint(**first.checkpoint_items()).write(str(tmp_path / "ckpt"))
  resumed = make(adam_ema_declare)
  assert set(resumed.checkpoint_items()) == {
    "model",
    "step",
    "optimizer_G",
    "optimizer_D",
    "ema_G",
  }
  tf.train.Checkpoint(**resumed.checkpoint_items()).read(path).assert_existing_objects_matched()
  assert _state(resumed) == pytest.approx(_state(first))
  fit(resumed, 2)
  assert _state(resumed) == pytest.approx(_state(straight), rel=1e-6)
  assert _state(straight)[3:6] == [4, 2, 4]  # step, G's and D's updates


def test_optimizer_names():
  step = tf.Variable(0, dtype=tf.int64)
  rms = trainer_lib.make_optimizer(Optimizer(lr=5e-5, name="rmsprop"), step, 1)
  assert isinstance(rms, keras.optimizers.RMSprop) and rms.rho == 0.99
  assert float(rms.learning_rate) == pytest.approx(5e-5)
  assert isinstance(trainer_lib.make_optimizer(sgd(), step, 1), keras.optimizers.SGD)
  adam = trainer_lib.make_optimizer(Optimizer(lr=2e-4), step, 1)
  assert isinstance(adam, keras.optimizers.Adam) and adam.beta_1 == 0.5
  with pytest.raises(ValueError, match="optimizer name must be one of"):
    Optimizer(lr=1.0, name="adagrad")


def test_undeclared_logs_and_repeated_names_are_refused():
  def declare(model):
    loss = linear_loss("G", "G_loss")
    return Contract((player(model, "G", sgd()),), (Phase("G", ("G",), loss),), Sampler("paired"))

  trainer = make(declare)
  with pytest.raises(ValueError, match="logs \\['G_loss'\\], declared \\[\\]"):
    trainer.train_step((tf.constant(X), tf.constant(X)))
  loss = linear_loss("G", "G_loss")
  with pytest.raises(ValueError, match="logged names repeat"):
    Contract(
      (),
      (Phase("a", (), loss, logs=("x",)), Phase("b", (), loss, logs=("x",))),
      Sampler("paired"),
    )


def test_adam_players_and_ema_on_two_replicas_equal_one_device(two_replicas):
  states = []
  for strategy in (tf.distribute.OneDeviceStrategy("/cpu:0"), two_replicas):
    trainer = make(adam_ema_declare, strategy=strategy)
    fit(trainer, 2)
    states.append(_state(trainer))
  assert states[0][3:6] == [2, 1, 2]  # step, G's and D's updates
  assert states[1] == pytest.approx(states[0], rel=1e-6)
  assert states[0][2] != states[0][0]  # the EMA copy lags G


def test_training_data_must_be_of_the_samplers_kind():
  config = cyclegan.get_config("tiny")  # unaligned A and B
  with pytest.raises(
    ValueError,
    match="config.data.dataset_mode is 'unaligned', but model 'cycle_gan' trains on 'paired' "
    "batches: set it to 'aligned'",
  ):
    run.train_dataset(config, Sampler("paired"), seed=0)
  a, b = next(iter(run.train_dataset(config, Sampler("latent", z_dim=2), seed=0)))  # any images
  assert a.shape == b.shape == (1, 32, 32, 3)
