"""Weight normalization with mean-only batch normalization (Salimans & Kingma 2016, Sec. 2 and
2.1), the `mean_only_bn` of the official Triple-GAN classifier (zhenxuan00/triple-gan zca_bn.py
MeanOnlyBNLayer, after TimSalimans/weight_norm nn.py).

Wraps a Conv2D or Dense layer built without bias, of kernel V: y = (V * x) g / ||V|| per output
unit (the norm over every kernel axis but the last), then y - mean + b, the mean that of the
batch (and all spatial positions) in training calls, else the moving mean, which training calls
move by moving_mean <- momentum * moving_mean + (1 - momentum) * batch mean (official
avg_batch_mean, bn_updates). Parameters: V, g (init 1), b (init 0); moving_mean is not trained.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class MeanOnlyWeightNorm(keras.layers.Wrapper):
  """`layer` (no bias) with its kernel weight-normalised and mean-only batch norm after it.

  momentum: of the moving mean (official Triple-GAN CIFAR-10 classifier wn_defs momentum .999).
  """

  def __init__(self, layer: keras.layers.Layer, momentum: float = 0.999, **kwargs: Any):
    super().__init__(layer, **kwargs)
    if getattr(layer, "use_bias", False):
      raise ValueError(f"layer must be built with use_bias=False, got {layer.name!r} with a bias")
    if not 0.0 <= momentum < 1.0:
      raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    self.momentum = float(momentum)

  def build(self, input_shape) -> None:
    if not self.layer.built:
      self.layer.build(input_shape)
    units = int(self.layer.kernel.shape[-1])
    self.g = self.add_weight(name="g", shape=(units,), initializer="ones")
    self.b = self.add_weight(name="b", shape=(units,), initializer="zeros")
    self.moving_mean = self.add_weight(
      name="moving_mean", shape=(units,), initializer="zeros", trainable=False
    )
    self.built = True

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    kernel = self.layer.kernel
    axes = list(range(len(kernel.shape) - 1))
    scale = self.g / tf.sqrt(tf.reduce_sum(tf.square(kernel), axis=axes))  # [units]
    y = self.layer(inputs) * scale
    if training:
      mean = tf.reduce_mean(y, axis=list(range(len(y.shape) - 1)))  # [units]
      self.moving_mean.assign(self.momentum * self.moving_mean + (1.0 - self.momentum) * mean)
    else:
      mean = self.moving_mean
    return y - mean + self.b

  def compute_output_shape(self, input_shape):
    return self.layer.compute_output_shape(input_shape)

  def get_config(self) -> dict:
    return {**super().get_config(), "momentum": self.momentum}
