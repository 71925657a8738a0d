"""Endless training streams whose order is a function of (seed, epoch) alone, so a resumed run
continues exactly where the stopped one was (a run's data position is its step)."""

from __future__ import annotations

import tensorflow as tf

_ENDLESS = 2**62  # epochs / examples: more than any run takes
_EPOCH_MIX = 1_000_003  # a prime: (seed, epoch) -> one int64 shuffle seed


def epoch_seed(seed: int, epoch: tf.Tensor) -> tf.Tensor:
  """int64 shuffle seed of `epoch` of the stream seeded `seed`."""
  return tf.constant(seed % 2**31, tf.int64) * _EPOCH_MIX + tf.cast(epoch, tf.int64)


def shuffled_epochs(
  ds: tf.data.Dataset, count: int, buffer: int, seed: int, start: int = 0
) -> tf.data.Dataset:
  """Endless (index, example): `ds` (`count` examples) repeated, epoch e shuffled with a buffer of
  `buffer` by the seed of (seed, e), from example number `start` on (epoch start // count, its
  first start % count examples skipped); `index` counts examples from 0 at the run's start, so it
  seeds per-example augmentation the same way in a resumed run."""
  if count < 1 or buffer < 1 or start < 0:
    raise ValueError(
      f"count and buffer must be >= 1 and start >= 0, got {count}, {buffer}, {start}"
    )
  first_epoch, offset = divmod(start, count)

  def epoch(e: tf.Tensor) -> tf.data.Dataset:
    # This function's own graph: its order must not depend on a global seed (tf.random.set_seed
    # also rejects a tensor seed when the global seed is 0).
    tf.compat.v1.set_random_seed(None)
    return ds.shuffle(min(buffer, count), seed=epoch_seed(seed, e), reshuffle_each_iteration=False)

  examples = tf.data.Dataset.range(first_epoch, _ENDLESS).flat_map(epoch).skip(offset)
  return tf.data.Dataset.zip(tf.data.Dataset.range(start, _ENDLESS), examples)
