import numpy as np
import pytest

from tfgan_repro.layers import ExcludePadAveragePooling2D


def _reference(x, k=3, s=2, p=1):
  """PyTorch AvgPool2d(k, s, p, count_include_pad=False) on one (H, W) map."""
  h, w = x.shape
  out = np.zeros(((h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1))
  for i in range(out.shape[0]):
    for j in range(out.shape[1]):
      r0, c0 = i * s - p, j * s - p
      window = x[max(r0, 0) : r0 + k, max(c0, 0) : c0 + k]
      out[i, j] = window.mean()
  return out


@pytest.mark.parametrize("size", [(4, 4), (5, 7)])
def test_matches_pytorch_count_include_pad_false(size):
  x = np.random.default_rng(0).normal(size=(1, *size, 1)).astype("float32")
  y = np.asarray(ExcludePadAveragePooling2D()(x))
  np.testing.assert_allclose(y[0, :, :, 0], _reference(x[0, :, :, 0]), atol=1e-6)


def test_hand_values_on_4x4():
  x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
  y = np.asarray(ExcludePadAveragePooling2D()(x))[0, :, :, 0]
  # Window of output (0, 0) covers rows/cols -1..1: the real pixels 0, 1, 4, 5.
  # Output (1, 1) covers rows/cols 1..3: 5 6 7 / 9 10 11 / 13 14 15.
  np.testing.assert_allclose(y, [[2.5, 4.0], [8.5, 10.0]], rtol=1e-6)


def test_output_shape_config_and_invalid_arguments():
  layer = ExcludePadAveragePooling2D()
  assert layer.compute_output_shape((None, 7, None, 3)) == (None, 4, None, 3)
  assert ExcludePadAveragePooling2D.from_config(layer.get_config()).padding == 1
  with pytest.raises(ValueError, match="padding=2"):
    ExcludePadAveragePooling2D(3, 2, 2)
