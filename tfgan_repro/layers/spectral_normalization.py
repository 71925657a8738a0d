"""Spectral normalisation (Miyato et al. 2018) as a wrapper of a layer with a `kernel`."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


def _l2_normalize(x: tf.Tensor, epsilon: float) -> tf.Tensor:
  """x / (||x|| + eps) (official Miyato chainer sn `_l2normalize`)."""
  return x / (tf.norm(x) + epsilon)


@keras.saving.register_keras_serializable(package="tfgan_repro")
class SpectralNormalization(keras.layers.Wrapper):
  """The wrapped layer computed with W_SN = W / sigma(W) (Miyato et al. 2018, Eq. 8), sigma
  estimated by power iteration (Algorithm 1).

  W is viewed as the matrix [fan_in, out] (a Keras Dense / Conv2D kernel reshaped: the
  transpose of the paper's W). u [out] and v [fan_in] are non-trainable variables, so
  checkpoints hold them (torch.nn.utils.spectral_norm's weight_u / weight_v buffers). A training
  call runs `power_iterations` steps v <- W u / ||W u||, u <- W^T v / ||W^T v|| from the stored
  u, stores u and v, and uses sigma = v^T W u with u and v constants (Eq. 12's gradient); an
  inference call updates nothing and uses sigma = v^T W u from the stored u and v (as PyTorch
  in eval mode), so it reproduces the normalised weight of the last training call. Building runs
  one update from random u, so sigma > 0 before any training call.

  The trainable kernel is never overwritten: keras.layers.SpectralNormalization assigns W / sigma
  to the kernel in each training call, so its gradient skips d(W / sigma) / dW and the optimizer
  updates W_SN instead of W.
  """

  def __init__(
    self,
    layer: keras.layers.Layer,
    power_iterations: int = 1,  # Miyato et al. 2018, Sec. 2.1: one iteration per update
    epsilon: float = 1e-12,  # official pfnet-research/sngan_projection _l2normalize eps
    **kwargs: Any,
  ):
    super().__init__(layer, **kwargs)
    if power_iterations < 1:
      raise ValueError(f"power_iterations must be >= 1, got {power_iterations!r}")
    if epsilon <= 0:
      raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    self.power_iterations = int(power_iterations)
    self.epsilon = float(epsilon)

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if not self.layer.built:
      self.layer.build(input_shape)
    if not hasattr(self.layer, "kernel"):
      raise ValueError(f"SpectralNormalization needs a layer with a kernel, got {self.layer.name}")
    shape = tuple(self.layer.kernel.shape)
    out = shape[-1]
    fan_in = 1
    for d in shape[:-1]:
      fan_in *= d
    # torch.nn.utils.spectral_norm: u, v ~ N(0, 1), normalised before use
    self.u = self.add_weight(
      shape=(out,),
      initializer=keras.initializers.RandomNormal(stddev=1.0),
      trainable=False,
      autocast=False,
      name="u",
    )
    self.v = self.add_weight(
      shape=(fan_in,),
      initializer=keras.initializers.RandomNormal(stddev=1.0),
      trainable=False,
      autocast=False,
      name="v",
    )
    with tf.init_scope():  # one power iteration at build, so inference before training is sane
      self.normalized_kernel(training=True)
    self.built = True

  def _matrix(self) -> tf.Tensor:
    kernel = tf.convert_to_tensor(self.layer.kernel.value)
    dtype = tf.float64 if kernel.dtype == tf.float64 else tf.float32  # float32 at least, as u, v
    kernel = tf.cast(kernel, dtype)
    return tf.reshape(kernel, [-1, kernel.shape[-1]])  # [..., out] -> [fan_in, out]

  def normalized_kernel(self, training: bool = False) -> tf.Tensor:
    """W / sigma(W) in the kernel's shape; training: one power-iteration update of u and v."""
    w = self._matrix()
    u, v = tf.convert_to_tensor(self.u.value), tf.convert_to_tensor(self.v.value)
    if training:
      u = _l2_normalize(u, self.epsilon)
      for _ in range(self.power_iterations):
        v = _l2_normalize(tf.linalg.matvec(w, u), self.epsilon)  # [fan_in]
        u = _l2_normalize(tf.linalg.matvec(w, v, transpose_a=True), self.epsilon)  # [out]
      u, v = tf.stop_gradient(u), tf.stop_gradient(v)
      self.u.assign(u)
      self.v.assign(v)
    sigma = tf.tensordot(v, tf.linalg.matvec(w, u), 1)  # v^T W u
    kernel = self.layer.kernel
    return tf.cast(tf.reshape(w / sigma, kernel.shape), kernel.dtype)

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    kernel = self.normalized_kernel(training=bool(training))
    with keras.StatelessScope(state_mapping=[(self.layer.kernel, kernel)]):
      return self.layer(inputs)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return self.layer.compute_output_shape(input_shape)

  def get_config(self) -> dict[str, Any]:
    return {
      **super().get_config(),
      "power_iterations": self.power_iterations,
      "epsilon": self.epsilon,
    }
