"""Tiny CycleGAN-like generators for the export tests: reflect pad, instance norm (moments),
strided Conv2D, Conv2DTranspose, tanh; 8 feature channels, any input size >= 4 px."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

EPSILON = 1e-5  # PyTorch InstanceNorm2d default eps (docs/pitfalls.md)


@keras.saving.register_keras_serializable(package="tfgan_repro_tests")
class InstanceNorm(keras.layers.Layer):
  """(x - mean_hw) * rsqrt(var_hw + eps) * gamma + beta, per image and channel."""

  def build(self, input_shape: tuple) -> None:
    self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gamma")
    self.beta = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="beta")

  def call(self, x: tf.Tensor) -> tf.Tensor:
    mean, var = tf.nn.moments(x, axes=[1, 2], keepdims=True)  # [N, 1, 1, C]
    return (x - mean) * tf.math.rsqrt(var + EPSILON) * self.gamma + self.beta


@keras.saving.register_keras_serializable(package="tfgan_repro_tests")
class ReflectPad(keras.layers.Layer):
  """tf.pad REFLECT by `pad` pixels on height and width."""

  def __init__(self, pad: int, **kwargs):
    super().__init__(**kwargs)
    self.pad = pad

  def call(self, x: tf.Tensor) -> tf.Tensor:
    p = self.pad
    return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

  def get_config(self) -> dict:
    return {**super().get_config(), "pad": self.pad}


def tiny_generator(seed: int, channels: int = 3, width: int = 8) -> keras.Model:
  """[N, H, W, channels] -> [N, H, W, channels] in (-1, 1); H, W even and >= 4.

  The two ReflectPad(3) layers see H and H (after 7x7 valid, s2 'same', transposed s2 'same'):
  REFLECT needs 3 <= H - 1, so 4 px is the smallest valid size.
  """
  keras.utils.set_random_seed(seed)
  x = keras.Input((None, None, channels), name="photo")  # Keras would name the signature "photo"
  h = keras.layers.Conv2D(width, 7)(ReflectPad(3)(x))
  h = keras.layers.ReLU()(InstanceNorm()(h))
  h = keras.layers.Conv2D(width, 3, strides=2, padding="same")(h)
  h = keras.layers.ReLU()(InstanceNorm()(h))
  h = keras.layers.Conv2DTranspose(width, 3, strides=2, padding="same")(h)
  h = keras.layers.ReLU()(InstanceNorm()(h))
  h = keras.layers.Conv2D(channels, 7)(ReflectPad(3)(h))
  model = keras.Model(x, keras.layers.Activation("tanh")(h))
  # Non-trivial norm affine parameters, so a dropped gamma / beta would show in the parity.
  rng = np.random.default_rng(seed)
  for layer in model.layers:
    if isinstance(layer, InstanceNorm):
      layer.gamma.assign(rng.uniform(0.5, 1.5, width).astype("float32"))
      layer.beta.assign(rng.uniform(-0.5, 0.5, width).astype("float32"))
  return model


def random_images(shape: tuple[int, int, int, int], seed: int = 0) -> np.ndarray:
  """Uniform float32 images in [-1, 1]."""
  return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)
