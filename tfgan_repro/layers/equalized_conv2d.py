"""A stride-1 convolution with the equalised learning rate of Progressive GAN (Karras et al. 2018,
Sec. 4.1) and the learning-rate multiplier of StyleGAN / StyleGAN2.

Code names -> paper -> official: `kernel` = w_hat [k, k, C_in, filters] (stored N(0,
1/lr_multiplier^2), official `get_weight(..., use_wscale=True)`); `gain * lr_multiplier /
sqrt(k * k * C_in)` = c, the He constant applied at run time (official `wscale` /
`runtime_coef`); `bias` used as `bias * lr_multiplier` (official `apply_bias`, initialised 0).
"""

from __future__ import annotations

import math
from typing import Any

import keras
import tensorflow as tf

PADDINGS = ("same", "valid")  # official conv2d uses padding="SAME"


@keras.saving.register_keras_serializable(package="tfgan_repro")
class EqualizedConv2D(keras.layers.Conv2D):
  """y = conv(x, kernel * gain * lr_multiplier / sqrt(k * k * C_in)) + bias * lr_multiplier.

  NHWC, stride 1. The kernel starts N(0, 1/lr_multiplier^2), the bias at 0. A Keras Conv2D (same
  weights, shapes and FLOPs) whose call applies the run-time scale.
  """

  def __init__(
    self,
    filters: int,
    kernel_size: int,
    gain: float = 1.0,  # PGGAN networks.py conv2d(gain=...); sqrt(2) before leaky ReLU
    lr_multiplier: float = 1.0,  # StyleGAN2 networks_stylegan2.py conv2d_layer(lrmul=...)
    use_bias: bool = True,
    padding: str = "same",  # official networks.py conv2d: padding='SAME'
    **kwargs: Any,
  ):
    if int(filters) < 1:
      raise ValueError(f"EqualizedConv2D needs filters >= 1, got filters={filters!r}")
    if int(kernel_size) < 1:
      raise ValueError(f"EqualizedConv2D needs kernel_size >= 1, got kernel_size={kernel_size!r}")
    if not lr_multiplier > 0:
      raise ValueError(
        f"EqualizedConv2D needs lr_multiplier > 0, got lr_multiplier={lr_multiplier!r}"
      )
    if str(padding).lower() not in PADDINGS:
      raise ValueError(f"unknown padding={padding!r}; valid: {', '.join(PADDINGS)}")
    super().__init__(
      int(filters),
      int(kernel_size),
      padding=str(padding).lower(),
      data_format="channels_last",
      use_bias=bool(use_bias),
      kernel_initializer=keras.initializers.RandomNormal(stddev=1.0 / float(lr_multiplier)),
      bias_initializer="zeros",
      **kwargs,
    )
    self.gain = float(gain)
    self.lr_multiplier = float(lr_multiplier)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 4 or input_shape[-1] is None:
      raise ValueError(f"EqualizedConv2D expects NHWC input with known channels, got {input_shape}")
    super().build(input_shape)
    fan_in = self.kernel_size[0] * self.kernel_size[1] * int(input_shape[-1])
    self.weight_gain = self.gain * self.lr_multiplier / math.sqrt(fan_in)

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    kernel = tf.cast(self.kernel, inputs.dtype) * tf.cast(self.weight_gain, inputs.dtype)
    y = tf.nn.conv2d(inputs, kernel, strides=1, padding=self.padding.upper())
    if self.bias is not None:
      y = y + tf.cast(self.bias, inputs.dtype) * tf.cast(self.lr_multiplier, inputs.dtype)
    return y

  def get_config(self) -> dict[str, Any]:
    return {
      **keras.layers.Layer.get_config(self),  # name, dtype, trainable: the rest is fixed here
      "filters": self.filters,
      "kernel_size": self.kernel_size[0],
      "gain": self.gain,
      "lr_multiplier": self.lr_multiplier,
      "use_bias": self.use_bias,
      "padding": self.padding,
    }
