import keras
import numpy as np
import pytest

from tfgan_repro.layers import UPSAMPLE_MODES, upsample


def _model(mode, in_channels=3, filters=7):
  inputs = keras.Input((None, None, in_channels))
  return keras.Model(inputs, upsample(inputs, filters, mode, use_bias=True, name="up"))


@pytest.mark.parametrize(
  "mode, params",
  [
    ("transpose", 3 * 3 * 3 * 7 + 7),
    ("nearest_conv", 3 * 3 * 3 * 7 + 7),
    ("bilinear_conv", 3 * 3 * 3 * 7 + 7),
    ("pixel_shuffle", 3 * 3 * 3 * 28 + 28),  # conv to 4 * filters
  ],
)
def test_doubles_size_and_sets_channels(mode, params):
  model = _model(mode)
  y = model(np.zeros((2, 5, 6, 3), "float32"))
  assert tuple(y.shape) == (2, 10, 12, 7)
  assert model.count_params() == params


def _identity_kernel(model):
  kernel = np.zeros(model.get_layer("up").kernel.shape, "float32")
  kernel[1, 1, 0, 0] = 1.0
  model.get_layer("up").set_weights([kernel, np.zeros(kernel.shape[-1], "float32")])


def test_nearest_conv_with_identity_kernel_repeats_pixels():
  model = _model("nearest_conv", in_channels=1, filters=1)
  _identity_kernel(model)
  x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32").reshape(1, 2, 2, 1)
  np.testing.assert_array_equal(
    np.asarray(model(x))[0, :, :, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
  )


def test_bilinear_conv_uses_half_pixel_centres():
  model = _model("bilinear_conv", in_channels=1, filters=1)
  _identity_kernel(model)
  x = np.array([0.0, 1.0], "float32").reshape(1, 1, 2, 1)
  # PyTorch align_corners=False: samples at -0.25, 0.25, 0.75, 1.25 of the 2 pixels, edge-clamped.
  np.testing.assert_allclose(np.asarray(model(x))[0, 0, :, 0], [0.0, 0.25, 0.75, 1.0])


def test_pixel_shuffle_with_identity_kernels_places_channels_in_blocks():
  model = _model("pixel_shuffle", in_channels=1, filters=1)
  kernel = np.zeros((3, 3, 1, 4), "float32")
  kernel[1, 1, 0, :] = [1.0, 2.0, 3.0, 4.0]  # channel i * 2 + j -> block pixel (i, j)
  model.get_layer("up").set_weights([kernel, np.zeros(4, "float32")])
  y = np.asarray(model(np.array([[1.0, 10.0], [100.0, 1000.0]], "float32").reshape(1, 2, 2, 1)))
  # Each input pixel v becomes the 2x2 block [[v, 2v], [3v, 4v]].
  np.testing.assert_array_equal(y[0, :2, :2, 0], [[1, 2], [3, 4]])
  np.testing.assert_array_equal(y[0, 2:, 2:, 0], [[1000, 2000], [3000, 4000]])


@pytest.mark.parametrize("training", [False, True])  # training computes only the kept window
def test_transpose_is_pytorch_conv_transpose_k3_s2_p1_op1(training):
  # PyTorch: full[2i + t] += x[i] * w[t] over 2 * (n - 1) + 3 outputs; padding 1 drops full[0],
  # output_padding 1 keeps 2n of them. 1-D, x = (1, 2), w = (1, 10, 100):
  # full = (1, 10, 100 + 2, 20, 200) -> (10, 102, 20, 200). A separable 2-D kernel w w^T on the
  # separable input x x^T gives the outer product of the 1-D result, plus the bias 0.5.
  model = _model("transpose", in_channels=1, filters=1)
  w = np.array([1.0, 10.0, 100.0], "float32")
  model.get_layer("up").set_weights([np.outer(w, w).reshape(3, 3, 1, 1), np.array([0.5], "f")])
  x = np.outer([1.0, 2.0], [1.0, 2.0]).astype("float32").reshape(1, 2, 2, 1)
  y = np.asarray(model(x, training=training))[0, :, :, 0]
  row = np.array([10.0, 102.0, 20.0, 200.0])
  np.testing.assert_allclose(y, np.outer(row, row) + 0.5)


def test_unknown_mode_lists_the_modes():
  assert UPSAMPLE_MODES == ("transpose", "nearest_conv", "bilinear_conv", "pixel_shuffle")
  with pytest.raises(
    ValueError, match="unknown upsample mode 'deconv'; valid: transpose, nearest_conv"
  ):
    _model("deconv")
