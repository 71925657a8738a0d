import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import conv2d, conv_transpose2d


def _torch_conv_transpose(x, w, stride, padding, output_padding):
  """PyTorch ConvTranspose2d semantics on one example: out[s*i + a, s*j + b] += x[i, j] w[a, b],
  then keep [p, p + (H - 1) s - 2p + k + op). x (H, W, Cin), w Keras layout (k, k, Cout, Cin)."""
  h, wd, _ = x.shape
  k = w.shape[0]
  full = np.zeros(
    ((h - 1) * stride + k + output_padding, (wd - 1) * stride + k + output_padding, w.shape[2])
  )
  for i in range(h):
    for j in range(wd):
      full[i * stride : i * stride + k, j * stride : j * stride + k] += np.tensordot(
        w, x[i, j], axes=([3], [0])
      )
  out_h = (h - 1) * stride - 2 * padding + k + output_padding
  out_w = (wd - 1) * stride - 2 * padding + k + output_padding
  return full[padding : padding + out_h, padding : padding + out_w]


def _torch_conv(x, w, stride, padding, mode):
  """PyTorch Conv2d (cross-correlation) after zero / reflect padding; w (k, k, Cin, Cout)."""
  x = np.pad(
    x,
    ((padding, padding), (padding, padding), (0, 0)),
    mode="constant" if mode == "zeros" else "reflect",
  )
  k = w.shape[0]
  out_h, out_w = (x.shape[0] - k) // stride + 1, (x.shape[1] - k) // stride + 1
  out = np.zeros((out_h, out_w, w.shape[3]))
  for i in range(out_h):
    for j in range(out_w):
      patch = x[i * stride : i * stride + k, j * stride : j * stride + k]
      out[i, j] = np.tensordot(patch, w, axes=([0, 1, 2], [0, 1, 2]))
  return out


def _model(fn, in_channels, **kwargs):
  inputs = keras.Input((None, None, in_channels))
  return keras.Model(inputs, fn(inputs, name="c", **kwargs))


def test_conv_transpose_k3_s2_p1_op1_single_channel_is_pytorch_exact():
  model = _model(
    conv_transpose2d, 1, filters=1, kernel_size=3, strides=2, padding=1, output_padding=1
  )
  assert model.get_layer("c").crop == (1, 0)  # valid 2H+1, keep [1, 2H+1)
  x = np.random.default_rng(0).normal(size=(1, 4, 5, 1)).astype("float32")
  w = np.asarray(model.get_layer("c").kernel)
  expected = _torch_conv_transpose(x[0], w, 2, 1, 1)
  for training in (False, True):  # full output sliced (converts to TFLite) / explicit padding
    y = np.asarray(model(x, training=training))
    assert y.shape == (1, 8, 10, 1)
    # 1-D view of the rule out[2i + t - 1] += x[i] w[t]: out[0] gets only x[0] w[1] (t = 1, i = 0).
    np.testing.assert_allclose(y[0], expected, atol=1e-5)
    np.testing.assert_allclose(y[0, 0, 0, 0], x[0, 0, 0, 0] * w[1, 1, 0, 0], atol=1e-6)


def test_cropped_conv_transpose_gradients_agree_between_training_and_inference_paths():
  model = _model(
    conv_transpose2d, 3, filters=2, kernel_size=3, strides=2, padding=1, output_padding=1
  )
  x = tf.constant(np.random.default_rng(1).normal(size=(2, 5, 4, 3)).astype("float32"))
  grads = []
  for training in (False, True):
    with tf.GradientTape() as tape:
      tape.watch(x)
      loss = tf.reduce_sum(tf.sin(model(x, training=training)))
    grads.append(tape.gradient(loss, [x, *model.trainable_variables]))
  for a, b in zip(*grads, strict=True):
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_keras_same_k3_s2_is_shifted_by_one_pixel():
  # Why the crop: Keras "same" keeps [0, 2H) of the full output, PyTorch p1 op1 keeps [1, 2H + 1).
  x = np.random.default_rng(1).normal(size=(1, 3, 3, 1)).astype("float32")
  layer = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", use_bias=False)
  y = np.asarray(layer(x))
  w = np.asarray(layer.kernel)
  np.testing.assert_allclose(y[0], _torch_conv_transpose(x[0], w, 2, 0, 0)[:6, :6], atol=1e-5)
  assert not np.allclose(y[0], _torch_conv_transpose(x[0], w, 2, 1, 1), atol=1e-3)


def test_conv_transpose_k4_s2_p1_uses_same_and_is_pytorch_exact():
  model = _model(conv_transpose2d, 2, filters=3, kernel_size=4, strides=2, padding=1)
  assert [type(layer).__name__ for layer in model.layers[1:]] == ["Conv2DTranspose"]
  assert model.get_layer("c").padding == "same"
  x = np.random.default_rng(2).normal(size=(1, 3, 5, 2)).astype("float32")
  y = np.asarray(model(x))
  assert y.shape == (1, 6, 10, 3)  # (H - 1) * 2 - 2 + 4 = 2H
  np.testing.assert_allclose(
    y[0], _torch_conv_transpose(x[0], np.asarray(model.get_layer("c").kernel), 2, 1, 0), atol=1e-5
  )


@pytest.mark.parametrize("mode", ["zeros", "reflect"])
def test_conv_k3_s2_p1_is_pytorch_exact_on_odd_sizes(mode):
  model = _model(conv2d, 2, filters=3, kernel_size=3, strides=2, padding=1, padding_mode=mode)
  x = np.random.default_rng(3).normal(size=(1, 7, 6, 2)).astype("float32")
  y = np.asarray(model(x))
  assert y.shape == (1, 4, 3, 3)  # floor((H + 2 - 3) / 2) + 1
  np.testing.assert_allclose(
    y[0], _torch_conv(x[0], np.asarray(model.get_layer("c").kernel), 2, 1, mode), atol=1e-5
  )


def test_weights_are_official_normal_init_and_zero_bias():
  inputs = keras.Input((None, None, 64))
  model = keras.Model(inputs, conv2d(inputs, 64, 3, name="c"))
  kernel, bias = (np.asarray(w) for w in model.get_layer("c").weights)
  assert abs(kernel.std() - 0.02) < 0.001 and abs(kernel.mean()) < 0.001  # 36864 draws
  np.testing.assert_array_equal(bias, 0.0)


def test_two_layers_get_different_weights():
  inputs = keras.Input((None, None, 4))
  model = keras.Model(inputs, conv2d(conv2d(inputs, 4, 3, name="a"), 4, 3, name="b"))
  assert not np.allclose(
    np.asarray(model.get_layer("a").kernel), np.asarray(model.get_layer("b").kernel)
  )


def test_invalid_arguments_raise():
  inputs = keras.Input((None, None, 1))
  with pytest.raises(ValueError, match="unknown padding_mode 'replicate'; valid: zeros, reflect"):
    conv2d(inputs, 1, 3, padding=1, padding_mode="replicate", name="c")
  with pytest.raises(ValueError, match="output_padding=2"):
    conv_transpose2d(inputs, 1, 3, strides=2, padding=1, output_padding=2, name="t")
