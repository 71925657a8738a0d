"""ConcatCondition: the condition broadcast over every pixel after the feature channels."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.layers import ConcatCondition


def test_values_follow_the_channels_at_every_pixel():
  x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 5, 4)).astype(np.float32)
  c = np.array([[1.0, -1.0], [0.25, 3.0]], np.float32)
  y = ConcatCondition()([tf.constant(x), tf.constant(c)]).numpy()
  assert y.shape == (2, 3, 5, 6)
  np.testing.assert_array_equal(y[..., :4], x)
  np.testing.assert_array_equal(y[..., 4:], np.broadcast_to(c[:, None, None, :], (2, 3, 5, 2)))


def test_symbolic_shapes_any_size_and_config_round_trip():
  image, c = keras.Input((None, None, 3)), keras.Input((1,))
  out = ConcatCondition(name="concat")([image, c])
  assert tuple(out.shape) == (None, None, None, 4)
  model = keras.Model([image, c], out)
  clone = keras.Model.from_config(model.get_config())
  x, cond = np.ones((1, 7, 9, 3), np.float32), np.full((1, 1), -1.0, np.float32)
  np.testing.assert_array_equal(clone([x, cond]), model([x, cond]))
  assert clone([x, cond]).shape == (1, 7, 9, 4) and float(clone([x, cond])[0, 6, 8, 3]) == -1.0
