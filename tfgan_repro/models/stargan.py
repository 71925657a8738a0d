"""StarGAN (Choi et al. 2018): one generator for every attribute combination, a WGAN-GP critic
with an auxiliary attribute classifier.

Code names -> paper (Sec. 3.1 Eq. 1-6, Sec. 4 Eq. 8) -> official yunjey/stargan solver.py
(single dataset, CelebA mode: binary attributes):
  x_real, label_org: x and its attributes c'                  x_real, label_org (= c_org)
  label_trg: target c, the batch's labels permuted            label_trg = label_org[randperm]
  G([x, c]) -> y; D(x) -> [D_src (patch logits), D_cls]       G(x_real, c_trg); D(x)
  D_real, D_fake: -D_src(x), D_src(G(x, c)) (Eq. 8, WGAN)     d_loss_real, d_loss_fake
  D_cls: L_cls^r, BCE of D_cls(x) vs c' summed over labels    d_loss_cls
  D_gp: (||grad D_src(x_hat)||_2 - 1)^2 (Eq. 8)               d_loss_gp
  G_fake: -D_src(G(x, c)); G_cls: L_cls^f vs c                g_loss_fake, g_loss_cls
  G_rec: L_rec = ||x - G(G(x, c), c')||_1 (Eq. 4, mean)        g_loss_rec
  L_D = D_real + D_fake + lambda_cls D_cls + lambda_gp D_gp; L_G = G_fake + lambda_rec G_rec +
  lambda_cls G_cls (Eq. 5-6; official --lambda_cls 1 --lambda_rec 10 --lambda_gp 10).
Schedule: D steps every training step i; G steps when (i + 1) % n_critic == 0 (official
--n_critic 5), after D, on the same batch and targets. The logged G losses average the G steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.models.attribute_editor import AttributeEditor
from tfgan_repro.models.gan_model import GANModel

D_LOSS_NAMES = ("D_real", "D_fake", "D_cls", "D_gp")
G_LOSS_NAMES = ("G_fake", "G_rec", "G_cls")
LOSS_NAMES = D_LOSS_NAMES + G_LOSS_NAMES
# salts of the global-batch draws (`_global_uniform`), as GANModel.step_seed's
_TARGET_SALT, _ALPHA_SALT = 1, 2


def src_gradient_penalty(
  D: Callable[..., Sequence[tf.Tensor]], real: tf.Tensor, fake: tf.Tensor, alpha: tf.Tensor
) -> tf.Tensor:
  """WGAN-GP on D's first output only (official `gradient_penalty(out_src, x_hat)`: the
  gradient of sum(D_src(x_hat)) w.r.t. x_hat, x_hat = alpha x + (1 - alpha) G(x, c)). [B]."""
  return losses.gradient_penalty(lambda x: D(x, training=True)[0], real, fake, alpha)


@keras.saving.register_keras_serializable(package="tfgan_repro")
class _EveryNthStep(keras.optimizers.schedules.LearningRateSchedule):
  """`schedule` for an optimizer stepping once every `n` training steps: its k-th update (k =
  its iterations) happens at training step (k + 1) n - 1, and gets the lr of that step."""

  def __init__(self, schedule: keras.optimizers.schedules.LearningRateSchedule, n: int):
    self.schedule, self.n = schedule, int(n)

  def __call__(self, step):
    return self.schedule((step + 1) * self.n - 1)

  def get_config(self) -> dict:
    return {"schedule": keras.saving.serialize_keras_object(self.schedule), "n": self.n}

  @classmethod
  def from_config(cls, config: dict) -> _EveryNthStep:
    return cls(keras.saving.deserialize_keras_object(config["schedule"]), config["n"])


class StarGAN(AttributeEditor, GANModel):
  """StarGAN with the official update order: a D step every training step, a G step after every
  n_critic-th. `step` counts training steps (D's updates); G's optimizer counts G's."""

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    attribute_names: Sequence[str],
    lambda_cls: float = 1.0,  # official --lambda_cls 1
    lambda_rec: float = 10.0,  # official --lambda_rec 10
    lambda_gp: float = 10.0,  # official --lambda_gp 10
    n_critic: int = 5,  # official --n_critic 5
    global_batch_size: int = 16,  # official --batch_size 16
    seed: int = 0,
    **kwargs,
  ):
    super().__init__(
      loss_names=LOSS_NAMES, global_batch_size=global_batch_size, seed=seed, **kwargs
    )
    if n_critic < 1:
      raise ValueError(f"n_critic must be >= 1, got {n_critic!r}")
    c_dim = G.input_shape[1][-1]
    if len(attribute_names) != c_dim:
      raise ValueError(
        f"G takes {c_dim} attributes but attribute_names has {len(attribute_names)}: "
        f"{list(attribute_names)}"
      )
    self.G, self.D = G, D
    self.attribute_names = tuple(attribute_names)
    self.lambda_cls, self.lambda_rec, self.lambda_gp = lambda_cls, lambda_rec, lambda_gp
    self.n_critic = n_critic
    # Built now: fit would otherwise build by calling `call` on the images alone (the data's x),
    # while G needs [images, attributes].
    self.build()

  def compile(
    self,
    *,
    g_optimizer: keras.optimizers.Optimizer,
    d_optimizer: keras.optimizers.Optimizer,
    **kwargs,
  ) -> None:
    """As GANModel's; a learning-rate schedule of G's optimizer (a function of ITS iterations,
    the G steps) is re-indexed to the training step (official: one lr decay for G and D, by
    training iteration)."""
    super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **kwargs)
    # Keras keeps the schedule in `_learning_rate` (the public property returns its value).
    schedule = g_optimizer._learning_rate
    schedules = keras.optimizers.schedules.LearningRateSchedule
    if isinstance(schedule, schedules) and not isinstance(schedule, _EveryNthStep):
      g_optimizer.learning_rate = _EveryNthStep(schedule, self.n_critic)

  @property
  def step(self) -> tf.Variable:
    """Training steps: D's optimizer iterations (G's count only every n_critic-th step)."""
    return self.d_optimizer.iterations

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G, "discriminator": self.D}

  def player_variables(self, player: str) -> list:
    return self._variables({"G": (self.G,), "D": (self.D,)}[player])

  def call(self, inputs: list[tf.Tensor], training: bool = False) -> tf.Tensor:
    """Inference path: [images, target attributes] -> edited images."""
    return self.G(inputs, training=training)

  def _global_uniform(self, shape: list, step: tf.Tensor, salt: int) -> tf.Tensor:
    """U[0, 1) of `shape` (first dim the GLOBAL batch), the same on every replica."""
    seed = tf.stack([tf.cast(self.seed, tf.int64), tf.cast(step, tf.int64) * 1000 + salt])
    return tf.random.stateless_uniform(shape, tf.cast(seed, tf.int32))

  @staticmethod
  def _local(global_values: tf.Tensor, local_size: tf.Tensor) -> tf.Tensor:
    """This replica's rows of a global-batch tensor (replica r holds rows [r n, (r + 1) n))."""
    replica = tf.distribute.get_replica_context()
    index = replica.replica_id_in_sync_group if replica is not None else 0
    start = tf.cast(index, tf.int32) * local_size
    return global_values[start : start + local_size]

  def target_labels(self, labels: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
    """Official `label_org[torch.randperm(N)]` over the GLOBAL batch, this replica's rows: the
    same targets on any number of replicas."""
    replica = tf.distribute.get_replica_context()
    everyone = replica.all_gather(labels, axis=0) if replica is not None else labels  # [N, A]
    order = tf.argsort(self._global_uniform([tf.shape(everyone)[0]], step, _TARGET_SALT))
    return tf.ensure_shape(
      self._local(tf.gather(everyone, order), tf.shape(labels)[0]), labels.shape
    )

  def _alpha(self, local_size: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
    """[n, 1, 1, 1] interpolation weights ~ U[0, 1), drawn over the global batch."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    everyone = self._global_uniform([local_size * replicas, 1, 1, 1], step, _ALPHA_SALT)
    return self._local(everyone, local_size)

  # ---- training ------------------------------------------------------------------------------
  def _apply_if(
    self, gate: tf.Tensor, optimizer: keras.optimizers.Optimizer, grads: list, variables: list
  ) -> None:
    """`optimizer.apply_gradients` when `gate` (the same on every replica), else nothing.

    apply_gradients holds a cross-replica sync (merge_call), which a tf.cond in replica context
    may not contain under MirroredStrategy; as Keras' LossScaleOptimizer does, the cond then runs
    in cross-replica context around call_for_each_replica.
    """

    def apply(grads: list) -> tf.Tensor:
      optimizer.apply_gradients(zip(grads, variables, strict=True))
      return tf.constant(True)

    def skip() -> tf.Tensor:
      return tf.constant(False)

    if tf.__internal__.distribute.strategy_supports_no_merge_call():
      tf.cond(gate, lambda: apply(grads), skip)
      return

    def cross_replica(distribution: tf.distribute.Strategy, gate, grads) -> None:
      def run() -> tf.Tensor:
        distribution.extended.call_for_each_replica(apply, args=(grads,))
        return tf.constant(True)

      tf.cond(distribution.experimental_local_results(gate)[0], run, skip)

    tf.distribute.get_replica_context().merge_call(cross_replica, args=(gate, grads))

  def train_step(self, data):
    x_real, label_org = data
    label_org = tf.cast(label_org, tf.float32)  # CelebA mode: c_org = label_org
    step = tf.identity(self.step)  # training step i, read before D's update
    label_trg = self.target_labels(label_org, step)
    local_size = tf.shape(x_real)[0]

    # Discriminator (official: every iteration).
    x_fake = tf.stop_gradient(self.G([x_real, label_trg], training=True))
    alpha = self._alpha(local_size, step)
    with tf.GradientTape() as tape:
      src_real, cls_real = self.D(x_real, training=True)
      src_fake, _ = self.D(x_fake, training=True)
      d_real, d_fake = losses.discriminator_terms("wgangp", src_real, src_fake)
      d_cls = losses.attribute_bce(cls_real, label_org)
      d_gp = src_gradient_penalty(self.D, x_real, x_fake, alpha)
      d_total = d_real + d_fake + self.lambda_cls * d_cls + self.lambda_gp * d_gp
      d_loss = self.reduce(d_total)
    self.update(tape, d_loss, self.player_variables("D"), self.d_optimizer)

    # Generator (official: when (i + 1) % n_critic == 0), against the updated D.
    g_variables = self.player_variables("G")
    is_g_step = tf.equal((step + 1) % self.n_critic, 0)

    def g_step() -> tuple[list, tuple]:
      with tf.GradientTape() as tape:
        x_fake = self.G([x_real, label_trg], training=True)
        src_fake, cls_fake = self.D(x_fake, training=True)
        g_fake = losses.generator_loss("wgangp", src_fake)
        g_cls = losses.attribute_bce(cls_fake, label_trg)
        x_rec = self.G([x_fake, label_org], training=True)
        g_rec = losses.l1_loss(x_real, x_rec)
        g_total = g_fake + self.lambda_rec * g_rec + self.lambda_cls * g_cls
        g_loss = self.reduce(g_total)
      return tape.gradient(g_loss, g_variables), (g_fake, g_rec, g_cls)

    def no_g_step() -> tuple[list, tuple]:
      zeros = tf.zeros([local_size])
      return [tf.zeros(v.shape, v.dtype) for v in g_variables], (zeros, zeros, zeros)

    grads, g_losses = tf.cond(is_g_step, g_step, no_g_step)
    self._apply_if(is_g_step, self.g_optimizer, grads, g_variables)

    # G's means count G steps only (official logs G losses on G steps).
    weight = tf.fill([local_size], tf.cast(is_g_step, tf.float32))
    for name, value in zip(G_LOSS_NAMES, g_losses, strict=True):
      self._trackers[name].update_state(value, sample_weight=weight)
    return self.log(D_real=d_real, D_fake=d_fake, D_cls=d_cls, D_gp=d_gp)
