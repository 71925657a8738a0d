"""Perceptual path length: the percentile filter, the end-point distances of a linear G in W and
the slerp of the Z path."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.evaluation.metrics import metric_ppl


def test_mean_keeps_the_values_between_the_1st_lower_and_99th_higher_percentiles():
  d = np.arange(1000, dtype=np.float64)  # 1st "lower": index 9.99 -> 9; 99th "higher": 990
  assert metric_ppl.perceptual_path_length(d) == pytest.approx(np.arange(9, 991).mean())
  with pytest.raises(ValueError, match="finite"):
    metric_ppl.perceptual_path_length(np.array([1.0, np.nan]))


def test_end_point_distances_of_a_linear_generator_are_the_squared_path_velocity():
  rng = np.random.default_rng(0)
  a = tf.constant(rng.normal(size=(4, 6)), tf.float32)  # synthesis: w [N, 4] -> x [N, 6]
  seen = []

  def mapping(z):
    seen.append(z.numpy())
    return 2.0 * z  # w = 2 z

  d = metric_ppl.path_distances(
    mapping, lambda w: w @ a, lambda x: x, z_dim=4, num_samples=5, seed=3, batch_size=3
  )
  assert d.shape == (5,)
  z0 = np.concatenate([seen[0], seen[2]])  # batches of 3 and 2: z0 and z1 mapped in turn
  z1 = np.concatenate([seen[1], seen[3]])
  expected = (((2.0 * (z1 - z0)) @ a.numpy()) ** 2).sum(-1)  # t = 0: d = |(w1 - w0) A|^2
  np.testing.assert_allclose(d, expected, rtol=2e-2)
  again = metric_ppl.path_distances(
    lambda z: 2.0 * z, lambda w: w @ a, lambda x: x, z_dim=4, num_samples=5, seed=3, batch_size=3
  )
  np.testing.assert_array_equal(d, again)  # the seed fixes every draw


def test_slerp_runs_on_the_unit_sphere_between_the_normalised_end_points():
  a = tf.constant([[3.0, 0.0]])
  b = tf.constant([[0.0, 2.0]])
  np.testing.assert_allclose(metric_ppl.slerp(a, b, tf.constant([[0.0]])), [[1.0, 0.0]], atol=1e-6)
  np.testing.assert_allclose(metric_ppl.slerp(a, b, tf.constant([[1.0]])), [[0.0, 1.0]], atol=1e-6)
  half = np.sqrt(0.5)
  np.testing.assert_allclose(
    metric_ppl.slerp(a, b, tf.constant([[0.5]])), [[half, half]], atol=1e-6
  )


def test_bad_space_or_sampling_raises():
  with pytest.raises(ValueError, match="space"):
    metric_ppl.path_distances(None, None, None, 2, 1, 0, space="x")
  with pytest.raises(ValueError, match="sampling"):
    metric_ppl.path_distances(None, None, None, 2, 1, 0, sampling="mid")
