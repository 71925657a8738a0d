"""History of generated images shown to the discriminator (Shrivastava et al. 2017; CycleGAN Sec. 4)."""

from __future__ import annotations

import keras
import tensorflow as tf


class ImagePool(keras.layers.Layer):
  """The official `ImagePool`: stores up to `pool_size` fakes; once full, each query returns a
  stored image with probability 0.5 (and stores the new one in its place), else the new image.

  The buffer and count are non-trainable variables with `aggregation="none"`, so under a
  MirroredStrategy every replica keeps its own pool (docs/pitfalls.md), and checkpoints hold them.
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
    """images [B, H, W, C] with a static B; seed: int32 [2] stateless seed (replica id folded in).

    Branch-free (selects instead of tf.cond / while loops), so XLA compiles it once.
    """
    if self.pool_size == 0:
      return images
    if images.shape[0] is None:
      raise ValueError(f"ImagePool needs a static batch size, got images of shape {images.shape}")
    chosen = []
    for i in range(images.shape[0]):
      image = images[i]
      rand = tf.random.stateless_uniform([2], tf.random.experimental.stateless_fold_in(seed, i))
      count = self.count.value
      filling = count < self.pool_size  # official: fill the pool first, returning the new image
      swap = tf.logical_and(tf.logical_not(filling), rand[0] > 0.5)  # official: p > 0.5 swaps
      random_slot = tf.minimum(tf.cast(rand[1] * self.pool_size, tf.int32), self.pool_size - 1)
      slot = tf.where(filling, tf.minimum(count, self.pool_size - 1), random_slot)
      stored = tf.gather(self.images.value, slot)  # not [slot]: XLA needs slice bounds constant
      kept = tf.where(
        tf.logical_or(filling, swap), image, stored
      )  # writing `stored` back is a no-op
      self.images.assign(tf.tensor_scatter_nd_update(self.images.value, [[slot]], kept[None]))
      self.count.assign(count + tf.cast(filling, tf.int32))
      chosen.append(tf.where(swap, stored, image))
    return tf.stack(chosen)  # [B, H, W, C]
