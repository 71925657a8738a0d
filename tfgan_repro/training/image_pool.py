"""History of generated images shown to the discriminator (Shrivastava et al. 2017; CycleGAN Sec. 4)."""

from __future__ import annotations

import keras
import tensorflow as tf


class ImagePool(keras.layers.Layer):
  """The official `ImagePool`: stores up to `pool_size` fakes; once full, each query returns a
  stored image with probability 0.5 (and stores the new one in its place), else the new image.

  The buffer and count are non-trainable variables with `aggregation="none"`, so under a
  MirroredStrategy every replica keeps its own pool (NOTES.md), and checkpoints hold them.
  `pool_size` 0 disables the pool (returns the input).
  """

  def __init__(self, pool_size: int, image_shape: tuple[int, int, int], **kwargs):
    super().__init__(**kwargs)
    if pool_size < 0:
      raise ValueError(f"pool_size must be >= 0, got {pool_size}")
    self.pool_size = pool_size
    self.image_shape = tuple(image_shape)
    self.images = self.add_weight(
      shape=(max(pool_size, 1), *self.image_shape),
      initializer="zeros",
      trainable=False,
      aggregation="none",
      name="images",
    )
    self.count = self.add_weight(
      shape=(),
      dtype="int32",
      initializer="zeros",
      trainable=False,
      aggregation="none",
      name="count",
    )

  def call(self, images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """images [B, H, W, C]; seed: int32 [2] stateless seed (fold the replica id in before calling)."""
    if self.pool_size == 0:
      return images
    batch = tf.shape(images)[0]

    def body(i, out):
      rand = tf.random.stateless_uniform([2], tf.random.experimental.stateless_fold_in(seed, i))
      chosen = tf.cond(
        self.count.value < self.pool_size,
        lambda: self._store(images[i]),
        lambda: tf.cond(rand[0] > 0.5, lambda: self._swap(images[i], rand[1]), lambda: images[i]),
      )
      return i + 1, out.write(i, chosen)

    out = tf.TensorArray(images.dtype, size=batch)
    _, out = tf.while_loop(lambda i, _: i < batch, body, [tf.constant(0), out])
    return tf.reshape(out.stack(), tf.shape(images))  # [B, H, W, C]

  def _store(self, image: tf.Tensor) -> tf.Tensor:
    """Filling: keep the new image and return it."""
    count = self.count.value
    self.images.assign(tf.tensor_scatter_nd_update(self.images.value, [[count]], image[None]))
    self.count.assign(count + 1)
    return image

  def _swap(self, image: tf.Tensor, uniform: tf.Tensor) -> tf.Tensor:
    """Official: p > 0.5 returns a random stored image and stores the new one in its place."""
    slot = tf.minimum(tf.cast(uniform * self.pool_size, tf.int32), self.pool_size - 1)
    old = tf.identity(self.images.value[slot])
    self.images.assign(tf.tensor_scatter_nd_update(self.images.value, [[slot]], image[None]))
    return old
