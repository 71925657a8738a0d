"""Instance normalization (Ulyanov et al. 2016) as PyTorch's `nn.InstanceNorm2d`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf


def _normalize(x: tf.Tensor, epsilon: float) -> tf.Tensor:
  """x_hat = (x - mu) * rsqrt(sigma^2 + eps) per example and channel, with the closed-form gradient
  dx = rsqrt(sigma^2 + eps) * (dy - mean(dy) - x_hat * mean(dy * x_hat)) in three passes over dy
  (autodiff of the moments takes about twice as many full-size ops; same value up to rounding)."""

  @tf.custom_gradient
  def normalize(x: tf.Tensor) -> tuple[tf.Tensor, Callable[[tf.Tensor], tf.Tensor]]:
    mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)  # (N, 1, 1, C)
    variance = tf.reduce_mean(tf.math.squared_difference(x, mean), axis=[1, 2], keepdims=True)
    scale = tf.math.rsqrt(variance + epsilon)  # (N, 1, 1, C)
    x_hat = x * scale - mean * scale  # two full-size element-wise ops

    def grad(dy: tf.Tensor) -> tf.Tensor:
      dy_mean = tf.reduce_mean(dy, axis=[1, 2], keepdims=True)
      dy_x_hat_mean = tf.reduce_mean(dy * x_hat, axis=[1, 2], keepdims=True)
      return scale * (dy - dy_mean - x_hat * dy_x_hat_mean)

    return x_hat, grad

  return normalize(x)


@keras.saving.register_keras_serializable(package="tfgan_repro")
class InstanceNormalization(keras.layers.Layer):
  """y = (x - mu) / sqrt(sigma^2 + eps) [* gamma + beta], moments per example and channel over H, W.

  Built from mean / squared difference / rsqrt only (no custom ops, converts to TFLite builtins)
  and computed in float32 even under a mixed-precision policy (cast in, cast back). Uses the biased
  variance, as PyTorch. Defaults are PyTorch's `InstanceNorm2d` and the official CycleGAN
  `--norm instance` (affine=False, track_running_stats=False): no weights, no running statistics.
  Input NHWC.
  """

  def __init__(self, epsilon: float = 1e-5, affine: bool = False, **kwargs: Any):
    # PyTorch InstanceNorm2d: eps=1e-5, affine=False
    super().__init__(**kwargs)
    if epsilon <= 0:
      raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    self.epsilon = float(epsilon)
    self.affine = bool(affine)
    self.gamma = None
    self.beta = None

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 4 or input_shape[-1] is None:
      raise ValueError(
        f"InstanceNormalization expects NHWC input with known channels, got shape {input_shape}"
      )
    if self.affine:
      # PyTorch InstanceNorm2d(affine=True) initializes weight to ones, bias to zeros.
      channels = (input_shape[-1],)
      self.gamma = self.add_weight(shape=channels, initializer="ones", name="gamma", autocast=False)
      self.beta = self.add_weight(shape=channels, initializer="zeros", name="beta", autocast=False)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    compute = tf.float64 if inputs.dtype == tf.float64 else tf.float32  # float64: references
    x = tf.cast(inputs, compute)
    x_hat = _normalize(x, self.epsilon)
    if self.affine:
      x_hat = x_hat * tf.cast(self.gamma, compute) + tf.cast(self.beta, compute)
    return tf.cast(x_hat, inputs.dtype)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return input_shape

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "epsilon": self.epsilon, "affine": self.affine}
