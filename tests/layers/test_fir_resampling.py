import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import fir_resampling as fir

torch = pytest.importorskip("torch")


def _torch_upfirdn2d(x, f, up=1, down=1, padding=(0, 0, 0, 0), gain=1.0):
  """The official upfirdn2d behaviour in NCHW torch: zero insertion, pad / crop, depthwise
  convolution with the flipped filter, every `down`-th pixel."""
  x = torch.from_numpy(np.transpose(x, (0, 3, 1, 2)).copy())
  n, c, h, w = x.shape
  x = x.reshape(n, c, h, 1, w, 1)
  x = torch.nn.functional.pad(x, [0, up - 1, 0, 0, 0, up - 1]).reshape(n, c, h * up, w * up)
  x0, x1, y0, y1 = padding
  x = torch.nn.functional.pad(x, [max(x0, 0), max(x1, 0), max(y0, 0), max(y1, 0)])
  x = x[:, :, max(-y0, 0) : x.shape[2] - max(-y1, 0), max(-x0, 0) : x.shape[3] - max(-x1, 0)]
  k = torch.from_numpy((f * gain)[::-1, ::-1].copy())[None, None].repeat(c, 1, 1, 1)
  y = torch.nn.functional.conv2d(x, k, groups=c)[:, :, ::down, ::down]
  return np.transpose(y.numpy(), (0, 2, 3, 1))


def test_setup_filter_is_the_normalised_outer_product():
  f = fir.setup_filter()
  np.testing.assert_allclose(f, np.outer([1, 3, 3, 1], [1, 3, 3, 1]) / 64.0)
  with pytest.raises(ValueError, match="resample filter"):
    fir.setup_filter([1, -1])


@pytest.mark.parametrize(
  "up, down, padding, gain",
  [
    (1, 1, (1, 2, 2, 1), 1.0),
    (2, 1, (2, 1, 2, 1), 4.0),
    (1, 2, (1, 1, 1, 1), 1.0),
    (2, 1, (-1, 0, 1, -1), 2.0),
  ],
)
def test_upfirdn2d_equals_the_official_behaviour(up, down, padding, gain):
  x = np.random.default_rng(0).normal(size=(2, 6, 6, 3)).astype(np.float32)
  f = fir.setup_filter()
  got = fir.upfirdn2d(tf.constant(x), f, up=up, down=down, padding=padding, gain=gain)
  np.testing.assert_allclose(got, _torch_upfirdn2d(x, f, up, down, padding, gain), atol=1e-5)


def test_up_and_down_sampling_keep_a_constant_image_constant_inside():
  x = tf.fill([1, 8, 8, 2], 3.0)
  up = fir.upsample2d(x, fir.setup_filter())
  down = fir.downsample2d(x, fir.setup_filter())
  assert up.shape == (1, 16, 16, 2) and down.shape == (1, 4, 4, 2)
  np.testing.assert_allclose(up[:, 2:-2, 2:-2], 3.0, rtol=1e-6)  # gain 4 keeps the mean
  np.testing.assert_allclose(down[:, 1:-1, 1:-1], 3.0, rtol=1e-6)
  # the border sees the zero padding: 3 * (3 + 3 + 1) / 8 along each padded side
  np.testing.assert_allclose(down[0, 0, 0, 0], 3.0 * (7 / 8) ** 2, rtol=1e-6)


def test_resample_padding_is_the_official_conv2d_resample_padding():
  assert fir.resample_padding(3, 4, up=2) == (1, 1)
  assert fir.resample_padding(3, 4, down=2) == (2, 2)
  assert fir.resample_padding(1, 4, down=2) == (1, 1)
