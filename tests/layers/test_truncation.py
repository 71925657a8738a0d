import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import Truncation


def test_truncation_tracks_w_avg_in_training_and_truncates_in_inference():
  layer = Truncation(3, w_avg_beta=0.5, truncation_psi=0.5, truncation_cutoff=2)
  w = tf.constant([[2.0, 0.0], [4.0, 2.0]])
  ws = layer(w, training=True)
  assert ws.shape == (2, 3, 2)
  np.testing.assert_array_equal(ws[:, 1], w)  # training: broadcast, never truncated
  np.testing.assert_allclose(layer.w_avg.numpy(), [1.5, 0.5])  # lerp(mean [3, 1], 0, 0.5)
  out = layer(w, training=False).numpy()
  np.testing.assert_allclose(layer.w_avg.numpy(), [1.5, 0.5])  # inference: no update
  np.testing.assert_allclose(out[0, :2], [[1.75, 0.25]] * 2)  # w_avg + 0.5 (w - w_avg)
  np.testing.assert_allclose(out[:, 2], w)  # past the cutoff
  assert not layer.w_avg.trainable and layer.count_params() == 2


def test_truncation_arguments_are_checked():
  with pytest.raises(ValueError, match="num_ws must be >= 1, got 0"):
    Truncation(0)
  with pytest.raises(ValueError, match="w_avg_beta must be in"):
    Truncation(2, w_avg_beta=1.5)
