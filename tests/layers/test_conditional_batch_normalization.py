import keras
import numpy as np
import pytest

from tfgan_repro.layers import ConditionalBatchNormalization

X = np.array(  # [N=2, H=1, W=2, C=2]
  [[[[1.0, 2.0], [3.0, 6.0]]], [[[5.0, 2.0], [7.0, 6.0]]]], np.float32
)
Y = np.array([[1.0], [2.0]], np.float32)  # [N=2, K=1]


def _layer() -> ConditionalBatchNormalization:
  """gain W = [3, 4] (sigma 5: W_SN = [0.6, 0.8]), bias W = [1, 0] (sigma 1), stored u and v
  set to the converged singular vectors, so both SN kernels are known exactly."""
  layer = ConditionalBatchNormalization()
  layer.build([X.shape, Y.shape])
  layer.gain.layer.kernel.assign([[3.0, 4.0]])
  layer.gain.u.assign([0.6, 0.8])
  layer.gain.v.assign([1.0])
  layer.bias.layer.kernel.assign([[1.0, 0.0]])
  layer.bias.u.assign([1.0, 0.0])
  layer.bias.v.assign([1.0])
  return layer


def test_inference_uses_the_running_statistics_and_the_class_gain_and_bias():
  layer = _layer()
  layer.bn.moving_mean.assign([1.0, 2.0])
  layer.bn.moving_variance.assign([4.0, 1.0])
  out = np.asarray(layer([X, Y], training=False))
  normalized = (X - [1.0, 2.0]) / np.sqrt(np.array([4.0, 1.0]) + 1e-5)
  gain = 1.0 + Y * [0.6, 0.8]  # [N, C]: sample 0 (1.6, 1.8), sample 1 (2.2, 2.6)
  bias = Y * [1.0, 0.0]
  expected = normalized * gain[:, None, None, :] + bias[:, None, None, :]
  np.testing.assert_allclose(out, expected, rtol=1e-5)
  np.testing.assert_allclose(out[1, 0, 1], [3.0 * 2.2 + 2.0, 4.0 * 2.6], rtol=1e-5)


def test_training_normalizes_by_the_batch_and_moves_the_stored_statistics_as_pytorch():
  layer = _layer()
  out = np.asarray(layer([X, Y], training=True))
  # channel 0 values 1, 3, 5, 7: mean 4, biased var 5, unbiased 20 / 3; channel 1: 2, 6, 2, 6
  # mean 4, biased var 4, unbiased 16 / 3.
  expected = [(1 - 4) / np.sqrt(5 + 1e-5) * 1.6 + 1.0, (2 - 4) / np.sqrt(4 + 1e-5) * 1.8]
  np.testing.assert_allclose(out[0, 0, 0], expected, rtol=1e-5)
  np.testing.assert_allclose(layer.bn.moving_mean.numpy(), [0.4, 0.4], rtol=1e-6)
  np.testing.assert_allclose(
    layer.bn.moving_variance.numpy(), [0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * 16 / 3], rtol=1e-6
  )


def test_parameters_are_the_two_bias_free_linears_and_the_sn_vectors_are_not_trained():
  layer = ConditionalBatchNormalization()
  layer.build([(None, 4, 4, 8), (None, 5)])
  assert sum(int(np.prod(w.shape)) for w in layer.trainable_weights) == 2 * 5 * 8
  assert sorted(w.path.split("/")[-1] for w in layer.non_trainable_weights) == sorted(
    ["moving_mean", "moving_variance", "u", "v", "u", "v"]
  )
  assert layer.bn.epsilon == 1e-5 and layer.bn.momentum == 0.9


def test_config_round_trip_and_bad_arguments():
  layer = ConditionalBatchNormalization(momentum=0.8, epsilon=1e-4, sn_epsilon=1e-6)
  clone = ConditionalBatchNormalization.from_config(layer.get_config())
  assert (clone.momentum, clone.epsilon, clone.sn_epsilon) == (0.8, 1e-4, 1e-6)
  with pytest.raises(ValueError, match="momentum must be in .0, 1., got 1.5"):
    ConditionalBatchNormalization(momentum=1.5)
  with pytest.raises(ValueError, match="expects .x NHWC, y_cond"):
    ConditionalBatchNormalization()([keras.Input((4, 4, 2)), keras.Input((2, 2, 2))])
