"""The modulated convolution of StyleGAN2 (Karras et al. 2020, Sec. 2.2, Eq. 1-3).

Code names -> paper symbols -> official stylegan2-ada-pytorch `training/networks.py`
(`modulated_conv2d`, `SynthesisLayer`, `ToRGBLayer`):
  affine: w -> s (EqualizedDense, bias initialised 1;      A; `affine` (FullyConnectedLayer
          weights affine_kernel [w_dim, C_in], affine_bias)        bias_init=1)
  kernel [k, k, C_in, C_out] x 1 / sqrt(k k C_in)          w_ijk (equalised lr); `weight`
                                                               [C_out, C_in, k, k]
  s_i: input channel i's scale                              s_i (Eq. 1); `styles`
  d_j = 1 / sqrt(sum_ik (s_i w_ijk)^2 + 1e-8)               sigma_j^-1 (Eq. 3); `dcoefs`
  up = 2: stride-2 transposed conv, then the [1, 3, 3, 1]   conv2d_resample(up=2), padding 1
          FIR filter (layers/fir_resampling.py)
  bias (added after demodulation)                           `bias` (bias_act)
Non-fused (default): x * s, the conv with the shared kernel, then * d (official
fused_modconv=False; converts to TFLite as plain convolutions). Fused: each sample's modulated
and demodulated kernel (official fused_modconv=True, a grouped convolution there; one
convolution per sample here, tf.map_fn). Both compute the same function.

The He constant 1 / sqrt(k k C_in) multiplies the kernel in every mode (official TF
networks_stylegan2.py `modulated_conv2d_layer`; the PyTorch ToRGBLayer scales the styles by it
instead, which is the same product, and demodulation cancels it). Importing official PyTorch
weights: kernel = weight.permute(2, 3, 1, 0) for every layer, up-sampling ones included (the
transposed convolutions of both frameworks scatter with the kernel unflipped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.equalized_dense import EqualizedDense
from tfgan_repro.layers.fir_resampling import (
  RESAMPLE_FILTER,
  resample_padding,
  setup_filter,
  upfirdn2d,
)

DEMOD_EPSILON = 1e-8  # official modulated_conv2d: (w.square().sum(...) + 1e-8).rsqrt()


class _Held:
  """Holds a layer out of Keras' and TF's tracking (its variables are tracked by the holder's
  owner)."""

  def __init__(self, layer: keras.layers.Layer):
    self.layer = layer


@keras.saving.register_keras_serializable(package="tfgan_repro")
class ModulatedConv2D(keras.layers.Layer):
  """[x [N, H, W, C_in], w [N, w_dim]] -> [N, H up, W up, filters]: the conv of x with the kernel
  modulated by s = affine(w) (and demodulated when `demodulate`), plus `bias` when `use_bias`.

  up: 1, or 2 for StyleGAN2's up-sampling conv (transposed conv + FIR filter). fused: the fused
  per-sample form (same outputs). resample_filter: the FIR taps of up-sampling.
  """

  def __init__(
    self,
    filters: int,
    kernel_size: int,
    demodulate: bool = True,  # official modulated_conv2d(demodulate=True); ToRGB: False
    up: int = 1,
    fused: bool = False,
    use_bias: bool = True,
    resample_filter: Sequence[float] = RESAMPLE_FILTER,
    **kwargs: Any,
  ):
    super().__init__(**kwargs)
    if int(filters) < 1 or int(kernel_size) < 1:
      raise ValueError(f"filters and kernel_size must be >= 1, got {filters!r}, {kernel_size!r}")
    if kernel_size % 2 != 1:
      raise ValueError(f"kernel_size must be odd (padding k // 2 per side), got {kernel_size!r}")
    if up not in (1, 2):
      raise ValueError(f"up must be 1 or 2, got {up!r}")
    self.filters = int(filters)
    self.kernel_size = int(kernel_size)
    self.demodulate = bool(demodulate)
    self.up = int(up)
    self.fused = bool(fused)
    self.use_bias = bool(use_bias)
    self.resample_filter = tuple(float(t) for t in resample_filter)
    self._fir = setup_filter(self.resample_filter)

  def build(self, input_shape: Sequence[tuple[int | None, ...]]) -> None:
    x_shape, w_shape = input_shape
    if len(x_shape) != 4 or x_shape[-1] is None or w_shape[-1] is None:
      raise ValueError(f"ModulatedConv2D expects [NHWC x, [N, w_dim] w], got {input_shape}")
    channels = int(x_shape[-1])
    # official SynthesisLayer / ToRGBLayer: affine = FullyConnectedLayer(w_dim, C_in, bias_init=1)
    affine = EqualizedDense(channels, bias_init=1.0, dtype=self.dtype_policy, name="affine")
    affine.build(tuple(w_shape))
    self._affine = _Held(affine)
    # The affine's weights are this layer's own (no nested layer: nets/profiling.py counts and
    # times flat layers): `affine_kernel`, `affine_bias`.
    self.affine_kernel, self.affine_bias = affine.kernel, affine.bias
    k = self.kernel_size
    self.weight_gain = 1.0 / math.sqrt(channels * k * k)  # equalised lr (He constant)
    self.kernel = self.add_weight(
      shape=(k, k, channels, self.filters),
      initializer=keras.initializers.RandomNormal(stddev=1.0),  # official torch.randn
      name="kernel",
    )
    self.bias = None
    if self.use_bias:
      self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

  @property
  def affine(self) -> EqualizedDense:
    """The style affine A: w [N, w_dim] -> s [N, C_in] (its weights: affine_kernel, affine_bias)."""
    return self._affine.layer

  def _conv(self, x: tf.Tensor, kernel: tf.Tensor) -> tf.Tensor:
    """x [n, H, W, C_in] conv kernel [k, k, C_in, C_out]; with up = 2 the transposed conv and the
    FIR filter (official conv2d_resample, padding k // 2)."""
    if self.up == 1:
      return tf.nn.conv2d(x, kernel, strides=1, padding="SAME")
    k = self.kernel_size
    shape = tf.shape(x)
    out_shape = tf.stack([shape[0], (shape[1] - 1) * 2 + k, (shape[2] - 1) * 2 + k, self.filters])
    y = tf.nn.conv2d_transpose(
      x, tf.transpose(kernel, [0, 1, 3, 2]), out_shape, strides=2, padding="VALID"
    )
    p0, p1 = resample_padding(k, self._fir.shape[1], up=2)
    return upfirdn2d(y, self._fir, padding=(p0, p1, p0, p1), gain=4.0)

  def call(self, inputs: Sequence[tf.Tensor]) -> tf.Tensor:
    x, w = inputs
    styles = self.affine(w)  # [N, C_in]
    kernel = tf.cast(self.kernel, x.dtype) * tf.cast(self.weight_gain, x.dtype)
    dcoefs = None
    if self.demodulate:
      # sum_ik (s_i w_ijk)^2 = s^2 . sum_k w_ijk^2: [N, C_in] @ [C_in, C_out] -> [N, C_out]
      energy = tf.matmul(tf.square(styles), tf.reduce_sum(tf.square(kernel), axis=[0, 1]))
      dcoefs = tf.math.rsqrt(energy + DEMOD_EPSILON)
    if self.fused:
      weights = kernel[None] * styles[:, None, None, :, None]  # [N, k, k, C_in, C_out]
      if dcoefs is not None:
        weights = weights * dcoefs[:, None, None, None, :]

      def one(args: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:
        return self._conv(args[0][None], args[1])[0]

      y = tf.map_fn(one, (x, weights), fn_output_signature=x.dtype)
    else:
      y = self._conv(x * styles[:, None, None, :], kernel)
      if dcoefs is not None:
        y = y * dcoefs[:, None, None, :]
    if self.bias is not None:
      y = y + tf.cast(self.bias, y.dtype)
    return y

  def compute_output_shape(self, input_shape: Sequence[tuple[int | None, ...]]) -> tuple:
    n, h, w, _ = input_shape[0]
    scale = lambda d: None if d is None else d * self.up  # noqa: E731
    return (n, scale(h), scale(w), self.filters)

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "filters": self.filters,
      "kernel_size": self.kernel_size,
      "demodulate": self.demodulate,
      "up": self.up,
      "fused": self.fused,
      "use_bias": self.use_bias,
      "resample_filter": list(self.resample_filter),
    }
