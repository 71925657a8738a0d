"""Class-conditional batch normalization of BigGAN (Brock et al. 2019, Sec. 3 and App. B), as
BigGAN-PyTorch's `layers.ccbn`."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.batch_normalization import BatchNormalization
from tfgan_repro.layers.spectral_normalization import SpectralNormalization


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ConditionalBatchNormalization(keras.layers.Layer):
  """[x [N, H, W, C], y_cond [N, K]] -> BN(x) * (1 + gain(y_cond)) + bias(y_cond).

  Code names -> paper -> BigGAN-PyTorch `ccbn`: BN(x) = batch normalization without affine
  parameters (`F.batch_norm(x, stored_mean, stored_var, None, None, ...)`: batch statistics in
  training, the running ones in inference; moving_mean / moving_variance = `stored_mean` /
  `stored_var`, moved as PyTorch with momentum 0.1 and the unbiased variance); gain and bias =
  the per-sample BN gains and biases "linearly projected" from the condition (Sec. 3: the shared
  class embedding, and in the hierarchical G a chunk of z concatenated to it), `ccbn.gain` and
  `ccbn.bias`: bias-free linear layers K -> C, spectrally normalised (`which_linear` =
  `SNLinear(bias=False)` when G_param = 'SN'). Parameters: 2 K C. Built under a strategy of
  several replicas the statistics are those of the global batch (official `cross_replica`).
  """

  def __init__(
    self,
    momentum: float = 0.9,  # official F.batch_norm momentum 0.1 (PyTorch) = Keras 0.9
    epsilon: float = 1e-5,  # official BN_eps (launch_BigGAN_bs256x8.sh --BN_eps 1e-5)
    spectral_norm: bool = True,  # official G_param 'SN': which_linear = SNLinear
    sn_epsilon: float = 1e-12,  # official SNLinear eps default (layers.SN)
    kernel_initializer: str | dict = "orthogonal",  # official --G_init ortho
    synchronized: bool = False,  # official cross_replica
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    if not 0.0 <= momentum < 1.0:
      raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if epsilon <= 0:
      raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    self.momentum, self.epsilon = float(momentum), float(epsilon)
    self.spectral_norm, self.sn_epsilon = bool(spectral_norm), float(sn_epsilon)
    self.kernel_initializer = keras.initializers.get(kernel_initializer)
    self.synchronized = bool(synchronized)

  def _linear(self, units: int, name: str) -> keras.layers.Layer:
    dense = keras.layers.Dense(
      units,
      use_bias=False,  # official which_linear(..., bias=False) in G
      kernel_initializer=self.kernel_initializer.__class__.from_config(
        self.kernel_initializer.get_config()
      ),
      dtype=self.dtype_policy,
      name=f"{name}_dense" if self.spectral_norm else name,
    )
    if not self.spectral_norm:
      return dense
    return SpectralNormalization(dense, epsilon=self.sn_epsilon, dtype=self.dtype_policy, name=name)

  def build(self, input_shape: list[tuple[int | None, ...]]) -> None:
    if len(input_shape) != 2 or len(input_shape[0]) != 4 or len(input_shape[1]) != 2:
      raise ValueError(
        f"ConditionalBatchNormalization expects [x NHWC, y_cond [N, K]], got {input_shape}"
      )
    x_shape, y_shape = (tuple(s) for s in input_shape)
    channels = x_shape[-1]
    self.bn = BatchNormalization(
      momentum=self.momentum,
      epsilon=self.epsilon,
      center=False,
      scale=False,
      synchronized=self.synchronized,
      dtype=self.dtype_policy,
      name="bn",
    )
    self.bn.build(x_shape)
    self.gain, self.bias = self._linear(channels, "gain"), self._linear(channels, "bias")
    self.gain.build(y_shape)
    self.bias.build(y_shape)

  def call(self, inputs: list[tf.Tensor], training: bool | None = None) -> tf.Tensor:
    x, y = inputs
    gain = 1.0 + self.gain(y, training=training)[:, None, None, :]  # [N, C] -> [N, 1, 1, C]
    bias = self.bias(y, training=training)[:, None, None, :]  # [N, C] -> [N, 1, 1, C]
    return self.bn(x, training=training) * gain + bias

  def compute_output_shape(
    self, input_shape: list[tuple[int | None, ...]]
  ) -> tuple[int | None, ...]:
    return tuple(input_shape[0])

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "momentum": self.momentum,
      "epsilon": self.epsilon,
      "spectral_norm": self.spectral_norm,
      "sn_epsilon": self.sn_epsilon,
      "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
      "synchronized": self.synchronized,
    }
