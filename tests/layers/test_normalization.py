import keras
import numpy as np
import pytest

from tfgan_repro.layers import (
  InstanceNormalization,
  bias_for_normalization,
  normalization,
)


def test_instance_is_affine_free_pytorch_instancenorm():
  layer = normalization("instance", name="n")
  assert isinstance(layer, InstanceNormalization)
  assert (layer.epsilon, layer.affine, layer.name) == (1e-5, False, "n")


def test_batch_has_pytorch_eps_momentum_and_official_gamma_init():
  layer = normalization("batch")
  assert isinstance(layer, keras.layers.BatchNormalization)
  assert (layer.epsilon, layer.momentum) == (1e-5, 0.9)
  layer.build((None, 4, 4, 4000))
  gamma, beta = np.asarray(layer.gamma), np.asarray(layer.beta)
  assert abs(gamma.mean() - 1.0) < 0.002 and abs(gamma.std() - 0.02) < 0.002  # N(1, 0.02)
  np.testing.assert_array_equal(beta, 0.0)


def test_none_is_identity():
  x = np.ones((1, 2, 2, 1), "float32")
  layer = normalization("none")
  assert isinstance(layer, keras.layers.Identity)
  np.testing.assert_array_equal(np.asarray(layer(x)), x)


def test_bias_rule_of_the_official_code():
  assert [bias_for_normalization(n) for n in ("instance", "batch", "none")] == [True, False, False]


def test_unknown_norm_lists_valid_names():
  with pytest.raises(ValueError, match="unknown norm 'group'; valid: instance, batch, none"):
    normalization("group")
