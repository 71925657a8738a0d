"""The class embedding V of the projection discriminator (Miyato & Koyama 2018, Eq. 3), stored so
that SpectralNormalization normalises it as BigGAN-PyTorch's `layers.SNEmbedding`."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ProjectionEmbedding(keras.layers.Layer):
  """class ids int [N] -> V[y] [N, output_dim] (the paper's y^T V, y one-hot).

  V is held as `kernel` [output_dim, num_classes], the transpose of PyTorch's
  `nn.Embedding.weight` [num_classes, output_dim]: SpectralNormalization views a kernel as the
  matrix [fan_in, out] with u over `out`, so wrapped in it this layer is BigGAN-PyTorch's
  `SNEmbedding` (u0 [1, num_embeddings]: u over the classes; W_SN = V / sigma(V)).
  Parameters: num_classes * output_dim.
  """

  def __init__(
    self,
    num_classes: int,
    output_dim: int,
    kernel_initializer: str | dict = "orthogonal",  # official --D_init ortho
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    if num_classes < 1 or output_dim < 1:
      raise ValueError(
        f"num_classes and output_dim must be >= 1, got {num_classes!r}, {output_dim!r}"
      )
    self.num_classes, self.output_dim = int(num_classes), int(output_dim)
    self.kernel_initializer = keras.initializers.get(kernel_initializer)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    self.kernel = self.add_weight(
      shape=(self.output_dim, self.num_classes),
      initializer=self.kernel_initializer,
      name="kernel",
    )

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    ids = tf.cast(inputs, tf.int32)
    return tf.gather(tf.transpose(self.kernel), ids)  # [num_classes, output_dim][ids] -> [N, D]

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (*input_shape, self.output_dim)

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "num_classes": self.num_classes,
      "output_dim": self.output_dim,
      "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
    }
