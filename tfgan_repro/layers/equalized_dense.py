"""A fully connected layer with the equalised learning rate of Progressive GAN (Karras et al. 2018,
Sec. 4.1) and the learning-rate multiplier of StyleGAN / StyleGAN2.

Code names -> paper -> official: `kernel` = w_hat (stored N(0, 1/lr_multiplier^2), official
`get_weight(..., use_wscale=True)` / StyleGAN2 `get_weight(lrmul=...)`); `gain * lr_multiplier /
sqrt(fan_in)` = c, the per-layer He constant applied at run time (official `wscale` /
`runtime_coef`); `bias` used as `bias * lr_multiplier` (StyleGAN2 `apply_bias_act(lrmul=...)`).
"""

from __future__ import annotations

import math
from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_repro")
class EqualizedDense(keras.layers.Dense):
  """y = x (kernel * gain * lr_multiplier / sqrt(fan_in)) + bias * lr_multiplier.

  The kernel [fan_in, units] is initialised N(0, 1/lr_multiplier^2) so the effective weight starts
  N(0, gain^2 / fan_in) (He init, PGGAN Sec. 4.1). The bias is stored as bias_init / lr_multiplier,
  so the bias the layer adds starts at `bias_init` for every lr_multiplier (equal to
  stylegan2-ada-pytorch `FullyConnectedLayer` whenever lr_multiplier = 1 or bias_init = 0, which
  covers every official use). Input [N, fan_in] (any leading axes), output [..., units]. A Keras
  Dense (same weights, shapes and FLOPs) whose call applies the run-time scale.
  """

  def __init__(
    self,
    units: int,
    gain: float = 1.0,  # PGGAN networks.py dense(gain=...); sqrt(2) before leaky ReLU
    lr_multiplier: float = 1.0,  # StyleGAN2 networks_stylegan2.py dense_layer(lrmul=...)
    use_bias: bool = True,
    bias_init: float = 0.0,  # StyleGAN2 biases start at 0 (apply_bias_act)
    **kwargs: Any,
  ):
    if int(units) < 1:
      raise ValueError(f"EqualizedDense needs units >= 1, got units={units!r}")
    if not lr_multiplier > 0:
      raise ValueError(
        f"EqualizedDense needs lr_multiplier > 0, got lr_multiplier={lr_multiplier!r}"
      )
    super().__init__(
      int(units),
      use_bias=bool(use_bias),
      kernel_initializer=keras.initializers.RandomNormal(stddev=1.0 / float(lr_multiplier)),
      bias_initializer=keras.initializers.Constant(float(bias_init) / float(lr_multiplier)),
      **kwargs,
    )
    self.gain = float(gain)
    self.lr_multiplier = float(lr_multiplier)
    self.bias_init = float(bias_init)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if input_shape[-1] is None:
      raise ValueError(f"EqualizedDense needs a known last input axis, got shape {input_shape}")
    super().build(input_shape)
    self.weight_gain = self.gain * self.lr_multiplier / math.sqrt(int(input_shape[-1]))

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    kernel = tf.cast(self.kernel, inputs.dtype) * tf.cast(self.weight_gain, inputs.dtype)
    y = keras.ops.matmul(inputs, kernel)
    if self.bias is not None:
      y = y + tf.cast(self.bias, inputs.dtype) * tf.cast(self.lr_multiplier, inputs.dtype)
    return y

  def get_config(self) -> dict[str, Any]:
    return {
      **keras.layers.Layer.get_config(self),  # name, dtype, trainable: the rest is fixed here
      "units": self.units,
      "gain": self.gain,
      "lr_multiplier": self.lr_multiplier,
      "use_bias": self.use_bias,
      "bias_init": self.bias_init,
    }
