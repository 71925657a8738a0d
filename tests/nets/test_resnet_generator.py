import keras
import numpy as np
import pytest

from tfgan_repro.layers import InferenceDropout, InstanceNormalization, ReflectionPadding2D
from tfgan_repro.nets import build

# ngf 4: up1 16 -> 8 channels, up2 8 -> 4, 3x3 taps with a bias (instance norm) in every mode;
# pixel_shuffle convolves to 4x the channels: 3*3*16*32 + 32 and 3*3*8*16 + 16.
UP_PARAMS = {
  "transpose": 3 * 3 * 16 * 8 + 8 + 3 * 3 * 8 * 4 + 4,
  "nearest_conv": 3 * 3 * 16 * 8 + 8 + 3 * 3 * 8 * 4 + 4,
  "bilinear_conv": 3 * 3 * 16 * 8 + 8 + 3 * 3 * 8 * 4 + 4,
  "pixel_shuffle": 3 * 3 * 16 * 32 + 32 + 3 * 3 * 8 * 16 + 16,
}
UP_LAYER = {  # the layer each mode adds beside its conv, and its class
  "transpose": ("up1", "CroppedConv2DTranspose"),
  "nearest_conv": ("up1_resize", "UpSampling2D"),
  "bilinear_conv": ("up1_resize", "UpSampling2D"),
  "pixel_shuffle": ("up1_shuffle", "DepthToSpace"),
}


def _up_params(model):
  return sum(
    int(np.prod(w.shape)) for w in model.trainable_weights if w.path.startswith(("up1/", "up2/"))
  )


@pytest.mark.parametrize("mode", ["transpose", "nearest_conv", "bilinear_conv", "pixel_shuffle"])
def test_each_upsampling_builds_its_layers(mode):
  model = build("resnet_6", ngf=4, upsample=mode, output_channels=2)
  assert _up_params(model) == UP_PARAMS[mode]
  name, cls = UP_LAYER[mode]
  assert type(model.get_layer(name)).__name__ == cls
  if mode.endswith("_conv"):
    assert model.get_layer(name).interpolation == mode.split("_")[0]
  x = np.random.default_rng(0).uniform(-1, 1, (1, 32, 24, 3)).astype("float32")
  y = np.asarray(model(x))
  assert y.shape == (1, 32, 24, 2)
  assert np.abs(y).max() <= 1.0  # tanh


def test_nearest_and_bilinear_differ_only_in_the_resize():
  # Same weights, same input: a second nearest net gives the same output, the bilinear one
  # another (the resize is the only difference).
  nearest = build("resnet_6", ngf=4, upsample="nearest_conv")
  bilinear = build("resnet_6", ngf=4, upsample="bilinear_conv")
  twin = build("resnet_6", ngf=4, upsample="nearest_conv")
  bilinear.set_weights(nearest.get_weights())
  twin.set_weights(nearest.get_weights())
  x = np.random.default_rng(1).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
  y = np.asarray(nearest(x))
  np.testing.assert_array_equal(np.asarray(twin(x)), y)
  assert np.abs(np.asarray(bilinear(x)) - y).max() > 1e-3


def test_layers_follow_the_official_layout():
  model = build("resnet_9", ngf=4)
  assert model.get_layer("conv_in_pad").padding == ((3, 3), (3, 3))
  assert isinstance(model.get_layer("conv_in_pad"), ReflectionPadding2D)
  assert model.get_layer("conv_in").kernel_size == (7, 7)
  assert model.get_layer("down1_pad").padding == ((1, 1), (1, 1))  # zero pad 1 + valid, stride 2
  assert model.get_layer("down2").strides == (2, 2) and model.get_layer("down2").filters == 16
  assert model.get_layer("up1").crop == (1, 0)  # ConvTranspose k3 s2 p1 op1
  assert model.get_layer("up2").filters == 4
  assert isinstance(model.get_layer("block9_norm2"), InstanceNormalization)
  assert len([layer for layer in model.layers if layer.name.endswith("_add")]) == 9
  assert model.get_layer("tanh").dtype_policy.name == "float32"


def test_bias_follows_the_norm_except_the_output_conv():
  instance = build("resnet_6", ngf=4)
  batch = build("resnet_6", ngf=4, norm="batch")
  assert instance.get_layer("down1").use_bias and not batch.get_layer("down1").use_bias
  assert not batch.get_layer("up1").use_bias and batch.get_layer("conv_out").use_bias

  # 18 convs: in, 2 down, 6 * 2 in blocks, 2 up, out; with batch norm only conv_out has a bias.
  def biases(model):
    return [w.path.split("/")[0] for w in model.trainable_weights if w.path.endswith("bias")]

  assert len(biases(instance)) == 18
  assert biases(batch) == ["conv_out"]


def test_official_init_at_paper_size():
  model = build("resnet_6")
  kernel, bias = (np.asarray(w) for w in model.get_layer("block1_conv1").weights)
  assert kernel.shape == (3, 3, 256, 256)
  assert abs(kernel.std() - 0.02) < 0.0005 and abs(kernel.mean()) < 0.0005  # N(0, 0.02)
  np.testing.assert_array_equal(bias, 0.0)


def test_dropout_placement_and_inference_switch():
  model = build("resnet_6", ngf=4, dropout=0.5)
  drops = [layer for layer in model.layers if "dropout" in layer.name]
  assert len(drops) == 6 and all(type(d) is keras.layers.Dropout for d in drops)
  model = build("resnet_6", ngf=4, dropout=0.5, dropout_at_inference=True)
  assert isinstance(model.get_layer("block3_dropout"), InferenceDropout)


def test_fixed_image_size_and_invalid_arguments():
  assert tuple(build("resnet_6", ngf=4, image_size=(32, 16)).input.shape) == (None, 32, 16, 3)
  with pytest.raises(ValueError, match="divisible by 4, got 30"):
    build("resnet_6", image_size=30)
  with pytest.raises(ValueError, match="unknown upsample 'deconv'; valid: transpose"):
    build("resnet_6", upsample="deconv")
  with pytest.raises(ValueError, match="unknown norm 'layer'; valid: instance, batch, none"):
    build("resnet_6", norm="layer")
  with pytest.raises(ValueError, match="dropout must be in \\[0, 1\\), got 1.5"):
    build("resnet_6", dropout=1.5)
