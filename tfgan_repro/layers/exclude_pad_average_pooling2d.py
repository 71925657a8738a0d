"""PyTorch's `nn.AvgPool2d(k, stride, padding, count_include_pad=False)`, exact alignment."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ExcludePadAveragePooling2D(keras.layers.Layer):
  """Average over each k x k window of the input zero-padded by `padding`, dividing by the number
  of real (non-pad) pixels in the window.

  Output size floor((H + 2p - k) / s) + 1, as PyTorch (ceil_mode=False). Keras "same" pooling also
  excludes pads but pads (0, 1) for k3 s2 on even sizes where PyTorch pads (1, 1), which shifts
  the windows by one pixel. Default: pix2pixHD's MultiscaleDiscriminator downsampler
  `nn.AvgPool2d(3, stride=2, padding=[1, 1], count_include_pad=False)`.
  """

  # pix2pixHD: nn.AvgPool2d(3, stride=2, padding=[1, 1], count_include_pad=False)
  def __init__(self, pool_size: int = 3, strides: int = 2, padding: int = 1, **kwargs: Any):
    super().__init__(**kwargs)
    if pool_size < 1 or strides < 1 or not 0 <= padding <= pool_size // 2:
      raise ValueError(
        f"need pool_size >= 1, strides >= 1, 0 <= padding <= pool_size // 2, got "
        f"pool_size={pool_size!r}, strides={strides!r}, padding={padding!r}"
      )
    self.pool_size = int(pool_size)
    self.strides = int(strides)
    self.padding = int(padding)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    p, k, s = self.padding, self.pool_size, self.strides
    pads = [[0, 0], [p, p], [p, p], [0, 0]]
    window_mean = tf.nn.avg_pool2d(tf.pad(inputs, pads), k, s, "VALID")
    # Fraction of real pixels per window, from a one-channel map of ones: (N, H', W', 1).
    real_fraction = tf.nn.avg_pool2d(tf.pad(tf.ones_like(inputs[..., :1]), pads), k, s, "VALID")
    return window_mean / real_fraction

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    n, h, w, c = input_shape
    p, k, s = self.padding, self.pool_size, self.strides

    def size(d: int | None) -> int | None:
      return None if d is None else (d + 2 * p - k) // s + 1

    return (n, size(h), size(w), c)

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "pool_size": self.pool_size,
      "strides": self.strides,
      "padding": self.padding,
    }
