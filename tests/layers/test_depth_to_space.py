import numpy as np
import pytest

from tfgan_repro.layers import DepthToSpace


def test_moves_channel_blocks_to_space_in_tf_order():
  x = np.arange(4, dtype="float32").reshape(1, 1, 1, 4)  # channel (i * 2 + j) -> pixel (i, j)
  y = np.asarray(DepthToSpace(2)(x))
  np.testing.assert_array_equal(y[0, :, :, 0], [[0, 1], [2, 3]])


def test_output_shape_and_config():
  layer = DepthToSpace(2)
  assert layer.compute_output_shape((None, 3, None, 12)) == (None, 6, None, 3)
  assert DepthToSpace.from_config(layer.get_config()).block_size == 2
  with pytest.raises(ValueError, match="block_size must be >= 2, got 1"):
    DepthToSpace(1)
