import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import MinibatchStddev

# Four 1x1 samples with 2 channels. With group_size 2 the groups are strided, as the official
# reshape [G, M, ...]: {0, 2} and {1, 3}.
_X = np.array([[0.0, 0.0], [2.0, 4.0], [2.0, 2.0], [0.0, 0.0]], np.float32).reshape(4, 1, 1, 2)


def test_groups_are_strided_and_stddev_is_averaged_over_features():
  y = MinibatchStddev(group_size=2)(_X).numpy()
  assert y.shape == (4, 1, 1, 3)
  np.testing.assert_array_equal(y[..., :2], _X)
  # group {0, 2}: per-feature std (1, 1) -> 1; group {1, 3}: std (1, 2) -> 1.5
  np.testing.assert_allclose(y[:, 0, 0, 2], [1.0, 1.5, 1.0, 1.5], rtol=1e-6)


def test_num_channels_splits_the_features():
  y = MinibatchStddev(group_size=2, num_channels=2)(_X).numpy()
  assert y.shape == (4, 1, 1, 4)
  np.testing.assert_allclose(y[:, 0, 0, 2:], [[1, 1], [1, 2], [1, 1], [1, 2]], rtol=1e-6)


def test_group_is_the_whole_batch_when_smaller_and_epsilon_is_1e_8():
  x = np.tile(_X[:2], (1, 2, 2, 1))  # [2, 2, 2, 2]: samples 0 and 1 of _X on a 2x2 grid
  y = MinibatchStddev(group_size=4)(x).numpy()
  np.testing.assert_allclose(y[..., 2], np.full((2, 2, 2), 1.5), rtol=1e-6)
  same = MinibatchStddev()(np.ones((4, 2, 2, 3), np.float32)).numpy()
  np.testing.assert_allclose(same[..., 3], np.full((4, 2, 2), 1e-4), rtol=1e-4)


def test_dynamic_batch_and_float32_statistics_under_mixed_precision():
  layer = MinibatchStddev(group_size=4, dtype="mixed_float16")
  fn = tf.function(layer, input_signature=[tf.TensorSpec([None, 1, 1, 2], tf.float16)])
  y4 = fn(tf.constant(_X, tf.float16))
  y2 = fn(tf.constant(_X[:2], tf.float16))
  assert y4.dtype == tf.float16 and y4.shape == (4, 1, 1, 3) and y2.shape == (2, 1, 1, 3)
  # group of 4: std (1, sqrt(2.75)) -> 1.3291503; group of 2: std (1, 2) -> 1.5
  np.testing.assert_allclose(y4.numpy()[:, 0, 0, 2], [1.3291503] * 4, rtol=1e-3)
  np.testing.assert_allclose(y2.numpy()[:, 0, 0, 2], [1.5, 1.5], rtol=1e-3)


def test_functional_model_config_round_trip_and_validation():
  inputs = keras.Input((4, 4, 6))
  model = keras.Model(inputs, MinibatchStddev(group_size=2, num_channels=3, name="mbstd")(inputs))
  assert model.output_shape == (None, 4, 4, 9)
  clone = keras.Model.from_config(model.get_config())
  assert clone.get_layer("mbstd").get_config()["num_channels"] == 3
  x = np.random.default_rng(0).normal(size=(4, 4, 4, 6)).astype(np.float32)
  np.testing.assert_allclose(model(x), clone(x), rtol=1e-6)
  with pytest.raises(ValueError, match="group_size=0"):
    MinibatchStddev(group_size=0)
  with pytest.raises(ValueError, match="num_channels=4"):
    MinibatchStddev(num_channels=4).build((None, 4, 4, 6))
  with pytest.raises(ValueError, match="batch divisible"):
    MinibatchStddev(group_size=4).build((6, 4, 4, 6))
