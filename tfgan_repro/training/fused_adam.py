"""Adam (Kingma & Ba 2015, Algorithm 1) as keras.optimizers.Adam, each dense update one kernel."""

from __future__ import annotations

import keras
import tensorflow as tf


class FusedAdam(keras.optimizers.Adam):
  """keras.optimizers.Adam whose dense update of a weight is TF's fused `ResourceApplyAdam` kernel.

  Same slots (momentum m, velocity v), checkpoints and formula as keras.optimizers.Adam (and
  tf.keras 2's Adam, which ran this kernel), with alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t):
      m <- m + (g - m)(1 - beta_1);  v <- v + (g^2 - v)(1 - beta_2);  w <- w - alpha m / (sqrt(v) + eps)
  Keras 3 runs that as about a dozen element-wise ops over every weight, each a pass through
  memory; the kernel makes one (docs/pitfalls.md, "Adam's update on CPU"). The kernel takes every
  constant in float32, so it is Adam with beta_2 = float32(0.999) in both 1 - beta_2 and beta_2^t;
  Keras 3 takes 1 - beta_2 from the float64 0.999 and beta_2^t from the float32 one, so its v
  moves 1.3e-5 (relative) faster and its bias correction is off by as much (PyTorch: float64 in
  both). Sparse gradients (tf.IndexedSlices) and amsgrad take Keras' path.
  """

  def update_step(
    self, gradient: tf.Tensor, variable: tf.Variable, learning_rate: tf.Tensor
  ) -> None:
    if self.amsgrad or isinstance(gradient, tf.IndexedSlices):
      super().update_step(gradient, variable, learning_rate)
      return
    dtype = variable.dtype
    index = self._get_variable_index(variable)
    step = tf.cast(self.iterations + 1, dtype)
    beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
    tf.raw_ops.ResourceApplyAdam(
      # handles: under a strategy, of this update's replica (tf.distribute's update context)
      var=variable.handle,
      m=self._momentums[index].handle,
      v=self._velocities[index].handle,
      beta1_power=tf.pow(beta_1, step),
      beta2_power=tf.pow(beta_2, step),
      lr=tf.cast(learning_rate, dtype),
      beta1=beta_1,
      beta2=beta_2,
      epsilon=tf.cast(self.epsilon, dtype),
      grad=tf.cast(gradient, dtype),
    )
