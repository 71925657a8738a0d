import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.layers import DownsampleConv2D, ModulatedConv2D, ToRGB, setup_filter

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _t(x: np.ndarray):
  return torch.from_numpy(np.ascontiguousarray(x))


def _torch_blur(x, pad, gain=1.0):
  """NCHW depthwise [1, 3, 3, 1] filter with symmetric padding `pad` (the official upfirdn2d
  with up = down = 1)."""
  c = x.shape[1]
  k = _t(setup_filter() * gain)[None, None].repeat(c, 1, 1, 1)
  return F.conv2d(F.pad(x, [pad] * 4), k, groups=c)


def _torch_modulated_conv(layer, x, w, up, demodulate):
  """The official modulated conv behaviour in torch (NCHW), from the layer's weights: affine,
  x * s, conv (up 2: stride-2 transposed conv, then the FIR filter with padding 1 and gain 4),
  * demodulation coefficients, + bias."""
  a_kernel, a_bias = (v.numpy() for v in layer.affine.weights)
  styles = _t(w) @ _t(a_kernel) / math.sqrt(a_kernel.shape[0]) + _t(a_bias)
  weight = _t(layer.kernel.numpy().transpose(3, 2, 0, 1)) * layer.weight_gain  # [O, I, k, k]
  xt = _t(x.transpose(0, 3, 1, 2)) * styles[:, :, None, None]
  if up == 2:
    y = _torch_blur(F.conv_transpose2d(xt, weight.transpose(0, 1), stride=2), 1, gain=4.0)
  else:
    y = F.conv2d(xt, weight, padding=weight.shape[-1] // 2)
  if demodulate:
    d = ((weight[None] * styles[:, None, :, None, None]) ** 2).sum([2, 3, 4]) + 1e-8
    y = y * d.rsqrt()[:, :, None, None]
  y = y + _t(layer.bias.numpy())[None, :, None, None]
  return y.numpy().transpose(0, 2, 3, 1)


def _inputs(seed=0, c=3, size=5, w_dim=6):
  rng = np.random.default_rng(seed)
  x = rng.normal(size=(2, size, size, c)).astype(np.float32)
  w = rng.normal(size=(2, w_dim)).astype(np.float32)
  return x, w


@pytest.mark.parametrize("up, demodulate", [(1, True), (2, True), (1, False), (2, False)])
def test_modulated_conv_equals_the_official_behaviour_fused_or_not(up, demodulate):
  keras.utils.set_random_seed(0)
  x, w = _inputs()
  layer = ModulatedConv2D(4, 3, demodulate=demodulate, up=up)
  layer([x, w])  # builds
  layer.bias.assign(np.arange(4, dtype=np.float32))  # a bias that shows
  got = layer([x, w]).numpy()
  assert got.shape == (2, 5 * up, 5 * up, 4)
  np.testing.assert_allclose(got, _torch_modulated_conv(layer, x, w, up, demodulate), atol=1e-4)
  fused = ModulatedConv2D(4, 3, demodulate=demodulate, up=up, fused=True)
  fused([x, w])
  fused.set_weights(layer.get_weights())
  np.testing.assert_allclose(fused([x, w]).numpy(), got, atol=1e-5)


def test_modulated_conv_counts_as_the_official_synthesis_layer():
  layer = ModulatedConv2D(512, 3, use_bias=True)
  layer.build([(None, 8, 8, 256), (None, 512)])
  # affine 512 * 256 + 256, weight 512 * 256 * 9, bias 512 (noise_strength: NoiseInjection)
  assert layer.count_params() == 512 * 256 + 256 + 512 * 256 * 9 + 512 == 1_311_488
  assert float(layer.affine.bias.numpy()[0]) == 1.0  # official bias_init=1


def test_demodulation_gives_unit_output_scale_for_unit_input():
  keras.utils.set_random_seed(1)
  x = np.random.default_rng(1).normal(size=(4, 16, 16, 64)).astype(np.float32)
  w = np.random.default_rng(2).normal(size=(4, 8)).astype(np.float32)
  y = ModulatedConv2D(64, 3, use_bias=False)([x, w]).numpy()
  # Eq. 3: demodulated outputs keep unit standard deviation for i.i.d. unit inputs (interior)
  assert abs(float(np.std(y[:, 1:-1, 1:-1])) - 1.0) < 0.05


def test_to_rgb_adds_the_upsampled_skip_image():
  keras.utils.set_random_seed(0)
  x, w = _inputs(size=4)
  rgb = ToRGB(3)
  alone = rgb([x, w]).numpy()
  np.testing.assert_allclose(alone, _torch_modulated_conv(rgb, x, w, 1, False), atol=1e-5)
  img = np.full((2, 2, 2, 3), 2.0, np.float32)
  both = rgb([x, w, img]).numpy()
  # a constant image up-sampled stays 2 away from the borders (gain 4)
  np.testing.assert_allclose((both - alone)[:, 1:-1, 1:-1], 2.0, rtol=1e-5)
  assert rgb.count_params() == 6 * 3 + 3 + 3 * 3 + 3
  clone = ToRGB.from_config(rgb.get_config())
  assert clone.filters == 3 and clone.demodulate is False


@pytest.mark.parametrize("kernel_size", [3, 1])
def test_downsample_conv_equals_the_official_behaviour(kernel_size):
  keras.utils.set_random_seed(0)
  x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype(np.float32)
  layer = DownsampleConv2D(4, kernel_size, use_bias=kernel_size == 3)
  got = layer(x).numpy()
  assert got.shape == (2, 4, 4, 4)
  weight = _t(layer.kernel.numpy().transpose(3, 2, 0, 1)) * layer.weight_gain
  xt = _t(x.transpose(0, 3, 1, 2))
  if kernel_size == 3:  # official conv2d_resample: blur with padding 2, then stride-2 conv
    want = F.conv2d(_torch_blur(xt, 2), weight, stride=2)
  else:  # 1x1: blur with padding 1, every 2nd pixel, then the conv
    want = F.conv2d(_torch_blur(xt, 1)[:, :, ::2, ::2], weight)
  np.testing.assert_allclose(got, want.numpy().transpose(0, 2, 3, 1), atol=1e-5)


def test_bad_arguments_raise_naming_them():
  with pytest.raises(ValueError, match="up must be 1 or 2, got 3"):
    ModulatedConv2D(4, 3, up=3)
  with pytest.raises(ValueError, match="kernel_size must be odd"):
    ModulatedConv2D(4, 2)
  with pytest.raises(ValueError, match="ModulatedConv2D expects"):
    ModulatedConv2D(4, 3).build([(None, 8), (None, 4)])


def test_non_fused_form_converts_to_tflite_with_plain_convolutions(tmp_path):
  x, w = _inputs()
  keras.utils.set_random_seed(0)
  xi, wi = keras.Input((5, 5, 3)), keras.Input((6,))
  model = keras.Model([xi, wi], ModulatedConv2D(4, 3, up=2)([xi, wi]))
  fn = tf.function(lambda a, b: model([a, b]))
  concrete = fn.get_concrete_function(tf.TensorSpec([2, 5, 5, 3]), tf.TensorSpec([2, 6]))
  converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], fn)
  interpreter = tf.lite.Interpreter(model_content=converter.convert())
  interpreter.allocate_tensors()
  inputs = interpreter.get_input_details()
  by_shape = {tuple(d["shape"]): d["index"] for d in inputs}
  interpreter.set_tensor(by_shape[(2, 5, 5, 3)], x)
  interpreter.set_tensor(by_shape[(2, 6)], w)
  interpreter.invoke()
  out = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
  np.testing.assert_allclose(out, model([x, w]).numpy(), atol=1e-4)
