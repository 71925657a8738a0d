"""The end of StyleGAN2's mapping network (Karras et al. 2020; StyleGAN, Karras et al. 2019,
Sec. 2 and App. B, "truncation trick in W"): the running mean of w, the broadcast of w to the
synthesis layers, and the truncation w' = w_avg + psi (w - w_avg).

Code names -> paper symbols -> official stylegan2-ada-pytorch `training/networks.py`
MappingNetwork:
  w_avg [w_dim] (non-trainable)      w-bar (the mean of W)       `w_avg` (buffer)
  w_avg_beta = 0.995                 -                           w_avg_beta=0.995
  num_ws                             one w per layer             num_ws (broadcast)
  truncation_psi, truncation_cutoff  psi; the layers truncated   truncation_psi, truncation_cutoff
Training calls move w_avg towards the batch mean of w (official: whenever the mapping runs in
training mode) and never truncate (the official training loop passes psi 1); inference calls
truncate the first `truncation_cutoff` ws (None: all) when psi != 1. w_avg is an ON_READ
variable averaged over replicas (each replica moves its own copy; checkpoints and the EMA copy
read the mean), so it may be updated inside a replica's conditional.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class Truncation(keras.layers.Layer):
  """w [N, w_dim] -> ws [N, num_ws, w_dim] (w_avg tracking and truncation as above)."""

  def __init__(
    self,
    num_ws: int,
    w_avg_beta: float = 0.995,  # official MappingNetwork w_avg_beta=0.995
    truncation_psi: float = 1.0,  # official Generator.forward truncation_psi=1 (off)
    truncation_cutoff: int | None = None,  # official truncation_cutoff=None (every w)
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    if int(num_ws) < 1:
      raise ValueError(f"num_ws must be >= 1, got {num_ws!r}")
    if not 0.0 <= w_avg_beta <= 1.0:
      raise ValueError(f"w_avg_beta must be in [0, 1], got {w_avg_beta!r}")
    if truncation_cutoff is not None and int(truncation_cutoff) < 0:
      raise ValueError(f"truncation_cutoff must be >= 0 or None, got {truncation_cutoff!r}")
    self.num_ws = int(num_ws)
    self.w_avg_beta = float(w_avg_beta)
    self.truncation_psi = float(truncation_psi)
    self.truncation_cutoff = None if truncation_cutoff is None else int(truncation_cutoff)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 2 or input_shape[-1] is None:
      raise ValueError(f"Truncation expects w [N, w_dim], got shape {input_shape}")
    self.w_avg = keras.Variable(
      initializer="zeros",  # official torch.zeros([w_dim])
      shape=(int(input_shape[-1]),),
      dtype="float32",
      trainable=False,
      aggregation="mean",
      synchronization="on_read",
      name="w_avg",
    )

  def update_w_avg(self, w: tf.Tensor) -> None:
    """w_avg <- lerp(mean_n w, w_avg, w_avg_beta) (official `w_avg.copy_(...lerp(...))`)."""
    mean = tf.reduce_mean(tf.cast(tf.stop_gradient(w), tf.float32), axis=0)
    self.w_avg.assign(mean + self.w_avg_beta * (self.w_avg - mean))

  def broadcast(self, w: tf.Tensor) -> tf.Tensor:
    """[N, w_dim] -> [N, num_ws, w_dim] (no update, no truncation)."""
    return tf.tile(w[:, None, :], [1, self.num_ws, 1])

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    if training:
      self.update_w_avg(inputs)
      return self.broadcast(inputs)
    ws = self.broadcast(inputs)
    if self.truncation_psi == 1.0:
      return ws
    avg = tf.cast(self.w_avg, ws.dtype)
    truncated = avg + self.truncation_psi * (ws - avg)
    cutoff = self.num_ws if self.truncation_cutoff is None else self.truncation_cutoff
    mask = tf.constant(
      [[[1.0]] * min(cutoff, self.num_ws) + [[0.0]] * max(self.num_ws - cutoff, 0)]
    )
    mask = tf.cast(mask, ws.dtype)  # [1, num_ws, 1]
    return mask * truncated + (1.0 - mask) * ws

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (input_shape[0], self.num_ws, input_shape[1])

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "num_ws": self.num_ws,
      "w_avg_beta": self.w_avg_beta,
      "truncation_psi": self.truncation_psi,
      "truncation_cutoff": self.truncation_cutoff,
    }
