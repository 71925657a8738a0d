import keras
import numpy as np
import pytest

from tfgan_repro.layers import InferenceDropout
from tfgan_repro.nets import build, unet_generator


def _shape_at(model, layer_name, size):
  return keras.Model(model.input, model.get_layer(layer_name).output).compute_output_shape(
    (1, size, size, 3)
  )


def test_bottleneck_is_1x1_and_skips_concatenate_equal_halves():
  model = build("unet_128", ngf=4)
  assert _shape_at(model, "down7", 128) == (1, 1, 1, 32)  # ngf * 8 at 128 / 2^7
  assert _shape_at(model, "skip7", 128) == (1, 2, 2, 64)  # cat(LReLU(down6), up7): 32 + 32
  assert _shape_at(model, "skip2", 128) == (1, 64, 64, 8)  # cat(LReLU(down1), up2): 4 + 4
  assert model.compute_output_shape((1, 128, 128, 3)) == (1, 128, 128, 3)


def test_skip_carries_the_in_place_leaky_relu_of_the_official_block():
  model = build("unet_256", ngf=4)
  for level in (2, 5, 8):
    skip_input = model.get_layer(f"skip{level}").input[0]
    assert skip_input is model.get_layer(f"down{level}_lrelu").output
    assert model.get_layer(f"down{level}_pad").input is skip_input  # also feeds the down conv
  assert model.get_layer("down2_lrelu").negative_slope == pytest.approx(0.2)


def test_norm_and_bias_placement_with_batch_norm():
  model = build("unet_256", ngf=4, norm="batch")
  names = {layer.name for layer in model.layers}
  assert {f"down{level}_norm" for level in range(2, 8)} <= names
  assert "down1_norm" not in names and "down8_norm" not in names  # outermost / innermost
  assert {f"up{level}_norm" for level in range(2, 9)} <= names and "up1_norm" not in names
  assert not model.get_layer("down1").use_bias and not model.get_layer("up8").use_bias
  assert model.get_layer("up1").use_bias  # outermost ConvTranspose2d keeps the default bias
  assert model.get_layer("up1").kernel_size == (4, 4) and model.get_layer("up1").padding == "same"


def test_dropout_in_the_three_blocks_above_the_innermost():
  model = build("unet_256", ngf=4, dropout=0.5)
  drops = sorted(layer.name for layer in model.layers if "dropout" in layer.name)
  assert drops == ["up5_dropout", "up6_dropout", "up7_dropout"]
  assert model.get_layer("up5_dropout").rate == 0.5


def test_dropout_at_inference_when_configured():
  x = np.random.default_rng(0).uniform(-1, 1, (1, 128, 128, 3)).astype("float32")
  on = build("unet_128", ngf=4, dropout=0.5, dropout_at_inference=True)
  assert isinstance(on.get_layer("up5_dropout"), InferenceDropout)
  assert not np.allclose(np.asarray(on(x, training=False)), np.asarray(on(x, training=False)))
  off = build("unet_128", ngf=4, dropout=0.5)
  np.testing.assert_array_equal(
    np.asarray(off(x, training=False)), np.asarray(off(x, training=False))
  )


def test_invalid_arguments_raise():
  with pytest.raises(ValueError, match="divisible by 256, got 128"):
    build("unet_256", image_size=128)
  with pytest.raises(ValueError, match="num_downs must be >= 5, got 4"):
    unet_generator(num_downs=4)
