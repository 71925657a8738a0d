"""Categorical conditional batch normalization (de Vries et al. 2017; Miyato & Koyama 2018,
Sec. 5, the class-conditional SNGAN generator)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.batch_normalization import BatchNormalization


@keras.saving.register_keras_serializable(package="tfgan_repro")
class CategoricalConditionalBatchNormalization(BatchNormalization):
  """[x [N, H, W, C], y int [N]] -> gamma[y] * BN(x) + beta[y]: batch norm without an affine map
  of its own, then the scale and shift of class y (official sngan_projection
  source/links/categorical_conditional_batch_normalization.py: `gammas`, `betas` = EmbedID(n_cat,
  C) initialised to 1 and 0). Weights: gammas, betas [num_classes, C] (2 K C parameters); the
  running statistics are those of layers/batch_normalization.py (unbiased variance update, as
  chainer's BatchNormalization), synchronized over replicas when `synchronized` (None: when built
  under a strategy of several replicas, as layers/normalization.py's batch norm).
  """

  def __init__(
    self,
    num_classes: int,
    momentum: float = 0.9,  # official CategoricalConditionalBatchNormalization decay=0.9
    epsilon: float = 2e-5,  # official eps=2e-5
    synchronized: bool | None = None,
    **kwargs: Any,
  ):
    if num_classes < 1:
      raise ValueError(f"num_classes must be >= 1, got {num_classes!r}")
    if synchronized is None:
      synchronized = tf.distribute.get_strategy().num_replicas_in_sync > 1
    kwargs.update(center=False, scale=False)
    super().__init__(momentum=momentum, epsilon=epsilon, synchronized=synchronized, **kwargs)
    self.num_classes = int(num_classes)

  def build(self, input_shape: list[tuple[int | None, ...]]) -> None:
    x_shape = tuple(input_shape[0])
    super().build(x_shape)
    self.input_spec = None  # two inputs: x and y
    self.gammas = self.add_weight(
      name="gammas", shape=(self.num_classes, x_shape[-1]), initializer="ones"
    )
    self.betas = self.add_weight(
      name="betas", shape=(self.num_classes, x_shape[-1]), initializer="zeros"
    )

  def call(self, inputs: list[tf.Tensor], training: bool | None = None, mask: Any = None):
    x, y = inputs
    h = super().call(x, training=training)
    ids = tf.reshape(tf.cast(y, tf.int32), [-1])  # [N]
    gamma = tf.cast(tf.gather(self.gammas, ids), h.dtype)[:, None, None, :]  # [N, 1, 1, C]
    beta = tf.cast(tf.gather(self.betas, ids), h.dtype)[:, None, None, :]  # [N, 1, 1, C]
    return gamma * h + beta

  def compute_output_shape(self, input_shape: list[tuple[int | None, ...]]) -> tuple:
    return tuple(input_shape[0])

  def get_config(self) -> dict[str, Any]:
    config = super().get_config()
    for key in ("center", "scale"):  # fixed: no affine map of its own
      config.pop(key, None)
    return {**config, "num_classes": self.num_classes}
