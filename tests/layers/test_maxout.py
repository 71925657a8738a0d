import keras
import numpy as np
import pytest

from tfgan_repro.layers import Maxout


def test_maxout_is_the_max_over_consecutive_groups_of_pieces():
  layer = Maxout(3, 2)
  x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
  y = np.asarray(layer(x))
  kernel, bias = (w.numpy() for w in layer.linear.weights)
  assert kernel.shape == (5, 6) and bias.shape == (6,)
  h = x @ kernel + bias  # [4, 6]: unit i is pieces 2i, 2i + 1
  np.testing.assert_allclose(y, np.maximum(h[:, 0::2], h[:, 1::2]), rtol=1e-6, atol=1e-6)
  assert y.shape == (4, 3)


def test_maxout_round_trips_its_config_and_rejects_empty_sizes():
  inputs = keras.Input((2,))
  model = keras.Model(inputs, Maxout(4, 5, name="m")(inputs))
  clone = keras.Model.from_config(model.get_config())
  clone.set_weights(model.get_weights())
  x = np.ones((1, 2), np.float32)
  np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(clone(x)))
  assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 2 * 20 + 20
  with pytest.raises(ValueError, match="pieces >= 1"):
    Maxout(4, 0)
