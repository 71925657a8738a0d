"""The state of ADA (Karras et al. 2020, Sec. 3): the augmentation probability p and the sign
statistic of D's real logits that tunes it (official stylegan2-ada-pytorch training_loop.py
`augment_pipe.p` and `ada_stats`)."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_repro.losses import ada_augmentation


def _replica_sum(name: str) -> keras.Variable:
  """A float32 statistic kept per replica and summed over the replicas when read."""
  return keras.Variable(
    0.0,
    dtype="float32",
    trainable=False,
    aggregation="sum",
    synchronization="on_read",
    name=name,
  )


class AdaController(keras.layers.Layer):
  """p and the running sum and count of sign(D(x)) over D's real logits since the last update.

  Every `interval` steps (official ada_interval 4; the steps i with (i + 1) % interval == 0, as
  the official adjusts after batch_idx % ada_interval == 0 with batch_idx counted after the step)
  p <- max(p + sign(r_t - target) x global_batch x interval / (kimg x 1000), 0), r_t the mean
  sign (losses.ada_augmentation.ada_adjust), and the statistic restarts. target 0: p stays at
  `p` (official --aug fixed --p).

  Under a strategy: p is a mirrored variable, read by every replica and assigned in
  cross-replica context (`update`, a phase's `after`); the sums are on-read variables with SUM
  aggregation (as Keras metrics), so each replica adds its own logits in `observe` and `update`
  reads the sum over replicas: N replicas keep the statistic of one device. All three are
  checkpointed with the model.
  """

  def __init__(
    self,
    *,
    target: float,
    interval: int = ada_augmentation.ADA_INTERVAL,
    kimg: float = ada_augmentation.ADA_KIMG,
    p: float = 0.0,  # official training_loop.py augment_p 0
    global_batch_size: int,
    **kwargs,
  ):
    super().__init__(**kwargs)
    if target < 0 or target > 1:
      raise ValueError(f"target must be in [0, 1], got {target!r}")
    if interval < 1:
      raise ValueError(f"interval must be >= 1, got {interval!r}")
    if kimg <= 0:
      raise ValueError(f"kimg must be > 0, got {kimg!r}")
    if p < 0 or p > 1:
      raise ValueError(f"p must be in [0, 1], got {p!r}")
    if target and p:
      raise ValueError(f"p is the fixed probability, for target 0; got p {p!r}, target {target!r}")
    self.target, self.interval, self.kimg = float(target), int(interval), float(kimg)
    self.global_batch_size = int(global_batch_size)
    self.p = keras.Variable(
      float(p), dtype="float32", trainable=False, aggregation="only_first_replica", name="p"
    )
    self.signs = _replica_sum("signs_real")
    self.count = _replica_sum("count_real")

  @property
  def adaptive(self) -> bool:
    """p follows the heuristic (target > 0), else it stays fixed."""
    return self.target > 0

  def observe(self, real_logits: tf.Tensor) -> tf.Tensor:
    """Adds sign(D(x)) of this replica's real logits [N, ...] to the statistic (when adaptive);
    returns the per-example mean sign [N] (official 'Loss/signs/real', for logging)."""
    signs = tf.sign(tf.cast(tf.stop_gradient(real_logits), tf.float32))
    n = tf.shape(signs)[0]
    per_example = tf.reduce_mean(tf.reshape(signs, [n, -1]), axis=1)  # [N]
    if self.adaptive:
      self.signs.assign_add(tf.reduce_sum(signs))
      self.count.assign_add(tf.cast(tf.size(signs), tf.float32))
    return per_example

  def update(self, step: tf.Tensor) -> None:
    """After training step `step` (0-based, cross-replica context): at the steps (step + 1) %
    interval == 0, p adjusted from the statistic, which restarts; nothing when not adaptive."""
    if not self.adaptive:
      return

    def adjust() -> tf.Tensor:
      r_t = tf.math.divide_no_nan(
        tf.convert_to_tensor(self.signs), tf.convert_to_tensor(self.count)
      )
      images = self.global_batch_size * self.interval
      self.p.assign(ada_augmentation.ada_adjust(self.p, r_t, images, self.target, self.kimg))
      self.signs.assign(0.0)
      self.count.assign(0.0)
      return tf.constant(True)

    due = tf.equal((tf.cast(step, tf.int64) + 1) % self.interval, 0)
    tf.cond(due, adjust, lambda: tf.constant(False))
