"""The self-attention block of SAGAN (Zhang et al. 2019), as BigGAN-PyTorch's `layers.Attention`."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.spectral_normalization import SpectralNormalization


@keras.saving.register_keras_serializable(package="tfgan_repro")
class SelfAttention(keras.layers.Layer):
  """y = x + gamma * o(h(x) softmax(f(x)^T g(x))^T) (Zhang et al. 2019, Sec. 3, Eq. 1-3).

  Code names -> paper -> BigGAN-PyTorch `Attention`: theta = f (1x1 conv to C/8, queries), phi =
  g (1x1 conv to C/8, keys), g = h (1x1 conv to C/2, values), o = v (1x1 conv C/2 -> C); keys and
  values are max-pooled 2x2 (N/4 positions), no conv has a bias, each is spectrally normalised
  (`spectral_norm`). gamma starts at 0 (Sec. 3), so the block is the identity at initialisation.
  Parameters: C^2 / 8 * 2 + C^2 / 2 * 2 + 1 = 5 C^2 / 4 + 1 (C = 64: 5121). Input NHWC, C a
  multiple of 8, H and W even.
  """

  def __init__(
    self,
    spectral_norm: bool = True,  # SAGAN Sec. 4 / BigGAN-PyTorch which_conv=SNConv2d
    kernel_initializer: str | dict = "orthogonal",  # BigGAN-PyTorch --G_init/--D_init ortho
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    self.spectral_norm = bool(spectral_norm)
    self.kernel_initializer = keras.initializers.get(kernel_initializer)

  def _conv(self, filters: int, name: str) -> keras.layers.Layer:
    conv = keras.layers.Conv2D(
      filters,
      1,
      use_bias=False,
      kernel_initializer=self.kernel_initializer.__class__.from_config(
        self.kernel_initializer.get_config()
      ),
      dtype=self.dtype_policy,
      name=name,
    )
    if not self.spectral_norm:
      return conv
    return SpectralNormalization(conv, dtype=self.dtype_policy, name=f"{name}_sn")

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 4 or input_shape[-1] is None or input_shape[-1] % 8:
      raise ValueError(
        f"SelfAttention expects NHWC input with channels a multiple of 8, got shape {input_shape}"
      )
    for size in input_shape[1:3]:
      if size is not None and size % 2:
        raise ValueError(f"SelfAttention needs even H and W (2x2 pooling), got {input_shape}")
    c = input_shape[-1]
    self.theta, self.phi = self._conv(c // 8, "theta"), self._conv(c // 8, "phi")
    self.g, self.o = self._conv(c // 2, "g"), self._conv(c, "o")
    for layer, channels in ((self.theta, c), (self.phi, c), (self.g, c), (self.o, c // 2)):
      layer.build((*input_shape[:3], channels))
    # Zhang et al. 2019, Sec. 3: "gamma is initialized as 0"
    self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    shape = tf.shape(inputs)
    b, h, w, c = shape[0], shape[1], shape[2], inputs.shape[-1]
    pool = lambda t: tf.nn.max_pool2d(t, 2, 2, "VALID")  # noqa: E731
    theta = tf.reshape(self.theta(inputs, training=training), [b, h * w, c // 8])  # [B, N, C/8]
    phi = tf.reshape(pool(self.phi(inputs, training=training)), [b, -1, c // 8])  # [B, N/4, C/8]
    g = tf.reshape(pool(self.g(inputs, training=training)), [b, -1, c // 2])  # [B, N/4, C/2]
    logits = tf.cast(tf.matmul(theta, phi, transpose_b=True), tf.float32)  # [B, N, N/4]
    beta = tf.cast(tf.nn.softmax(logits, axis=-1), inputs.dtype)  # float32 under mixed policies
    attended = tf.reshape(tf.matmul(beta, g), [b, h, w, c // 2])  # [B, N, C/2] -> [B, H, W, C/2]
    return inputs + tf.cast(self.gamma, inputs.dtype) * self.o(attended, training=training)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return input_shape

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "spectral_norm": self.spectral_norm,
      "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
    }
