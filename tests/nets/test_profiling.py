import keras
import pytest
import tensorflow as tf

from tfgan_repro.layers.concat_condition import ConcatCondition
from tfgan_repro.layers.modulated_conv2d import ModulatedConv2D
from tfgan_repro.nets import build
from tfgan_repro.nets.profiling import (
  format_summary,
  network_summary,
  receptive_field,
  receptive_field_or_none,
)


def _conv_model():
  inputs = keras.Input((None, None, 4))
  outputs = keras.layers.Conv2D(8, 3, padding="same", use_bias=False, name="conv")(inputs)
  return keras.Model(inputs, outputs)


def test_conv2d_flops_are_2x_macs_and_match_the_tf_profiler():
  # 16 * 16 * 8 outputs, each 3 * 3 * 4 multiply-accumulates: 73,728 MACs = 147,456 FLOPs.
  model = _conv_model()
  summary = network_summary(model, (16, 16, 4))
  assert summary["flops"] == 147_456
  assert summary["layers"] == [
    {
      "name": "conv",
      "class": "Conv2D",
      "output_shape": (16, 16, 8),
      "params": 288,
      "flops": 147_456,
    }
  ]
  fn = tf.function(lambda x: model(x)).get_concrete_function(tf.TensorSpec((1, 16, 16, 4)))
  options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
  options["output"] = "none"
  assert tf.compat.v1.profiler.profile(graph=fn.graph, options=options).total_float_ops == 147_456


def test_transposed_conv_and_dense_flops():
  inputs = keras.Input((None, None, 2))
  x = keras.layers.Conv2DTranspose(5, 3, strides=2, name="t")(inputs)  # 4x4 -> 9x9
  x = keras.layers.Dense(6, name="d")(x)
  summary = network_summary(keras.Model(inputs, x), (4, 4, 2))
  rows = {row["name"]: row for row in summary["layers"]}
  assert rows["t"]["flops"] == 2 * (4 * 4 * 2) * (3 * 3 * 5)  # each input scatters k*k*Cout
  assert rows["d"]["output_shape"] == (9, 9, 6)
  assert rows["d"]["flops"] == 2 * (9 * 9 * 6) * 5
  assert summary["trainable_params"] == (3 * 3 * 2 * 5 + 5) + (5 * 6 + 6)


def test_70x70_patchgan_summary_at_256():
  summary = network_summary(build("patch"), (256, 256, 3))
  rows = {row["name"]: row for row in summary["layers"]}
  assert rows["conv4"]["output_shape"] == (31, 31, 512)
  assert rows["conv_out"]["output_shape"] == (30, 30, 1)
  assert summary["trainable_params"] == 2_764_737
  flops = 2 * (
    128 * 128 * 64 * 16 * 3
    + 64 * 64 * 128 * 16 * 64
    + 32 * 32 * 256 * 16 * 128
    + 31 * 31 * 512 * 16 * 256
    + 30 * 30 * 1 * 16 * 512
  )
  assert summary["flops"] == flops == 6_293_618_688


def test_resnet_9_summary_at_256_has_every_layer():
  model = build("resnet_9")
  summary = network_summary(model, (256, 256, 3))
  rows = {row["name"]: row for row in summary["layers"]}
  assert len(rows) == len(model.layers) - 1  # all but the InputLayer
  assert summary["trainable_params"] == 11_378_179
  assert rows["block1_add"]["output_shape"] == (64, 64, 256)
  assert rows["block1_conv1"]["flops"] == 2 * 64 * 64 * 256 * (3 * 3 * 256)
  assert rows["up1"]["output_shape"] == (128, 128, 128)  # ConvTranspose k3 s2 p1 op1: 2H
  assert rows["up1"]["flops"] == 2 * 64 * 64 * 256 * (3 * 3 * 128)
  macs = (
    2 * 256 * 256 * 64 * 7 * 7 * 3  # conv_in, conv_out (3 <-> 64 channels, 7x7)
    + 4 * 64 * 64 * 256 * 3 * 3 * 128  # down1, down2, up1, up2 (up: input pixels x k*k*C_out)
    + 18 * 64 * 64 * 256 * 3 * 3 * 256  # 9 blocks x 2 convs
  )
  assert summary["flops"] == 2 * macs == 99_103_014_912


def test_nested_model_is_expanded_and_a_nested_model_called_twice_raises():
  inputs = keras.Input((None, None, 4))
  inner = _conv_model()
  outer = keras.Model(inputs, keras.layers.ReLU(name="relu")(inner(inputs)))
  summary = network_summary(outer, (16, 16, 4))
  assert [(r["name"], r["params"], r["flops"]) for r in summary["layers"]] == [
    (f"{inner.name}/conv", 288, 147_456),
    ("relu", 0, 0),
  ]
  assert summary["trainable_params"] == 288 and summary["flops"] == 147_456
  square = keras.Model(inputs, keras.layers.Conv2D(4, 1)(inputs))  # 4 -> 4 channels
  x = keras.Input((None, None, 4))
  twice = keras.Model(x, square(square(x)))
  with pytest.raises(ValueError, match="is called more than once"):
    network_summary(twice, (16, 16, 4))


def _two_input_model():
  """[image (H, W, 3), attributes (2,)] -> conv(image) with embed(attributes) at every pixel ->
  1x1 conv head (the attribute editors' shape: ConcatCondition broadcasts the vector)."""
  image = keras.Input((None, None, 3), name="image")
  attributes = keras.Input((2,), name="attributes")
  x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(image)
  y = keras.layers.Dense(4, name="embed")(attributes)
  x = ConcatCondition(name="concat")([x, y])
  return keras.Model([image, attributes], keras.layers.Conv2D(1, 1, name="head")(x))


def test_two_input_summary_has_hand_counted_params_and_flops():
  model = _two_input_model()
  summary = network_summary(model, {"image": (8, 8, 3), "attributes": (2,)})
  assert summary["input_shape"] == (8, 8, 3)
  assert summary["input_shapes"] == {"image": (8, 8, 3), "attributes": (2,)}
  rows = {r["name"]: (r["output_shape"], r["params"], r["flops"]) for r in summary["layers"]}
  assert rows == {
    "conv": ((8, 8, 4), 3 * 3 * 3 * 4 + 4, 2 * (8 * 8 * 4) * (3 * 3 * 3)),
    "embed": ((4,), 2 * 4 + 4, 2 * 4 * 2),
    "concat": ((8, 8, 8), 0, 0),
    "head": ((8, 8, 1), 8 * 1 + 1, 2 * (8 * 8 * 1) * 8),
  }
  assert summary["trainable_params"] == 112 + 12 + 9 == 133
  assert summary["flops"] == 13_824 + 16 + 1_024 == 14_864
  # The same shapes in input order; the receptive field is not defined for two inputs.
  assert network_summary(model, [(8, 8, 3), (2,)])["layers"] == summary["layers"]
  assert receptive_field_or_none(model) is None
  assert (
    format_summary(summary)
    .splitlines()[-1]
    .startswith("input image (8, 8, 3), attributes (2,): 133 trainable params, 14,864 FLOPs")
  )
  with pytest.raises(ValueError, match="input_shape must give 2 shapes"):
    network_summary(model, (8, 8, 3))


def test_format_summary_is_a_table_with_totals():
  text = format_summary(network_summary(_conv_model(), (16, 16, 4)))
  lines = text.splitlines()
  assert lines[0].split() == ["layer", "class", "output", "shape", "params", "FLOPs"]
  assert lines[2].split() == ["conv", "Conv2D", "(16,", "16,", "8)", "288", "147,456"]
  assert lines[-1].startswith(
    "input (16, 16, 4): 288 trainable params, 147,456 FLOPs (0.000 GFLOPs"
  )


def test_summary_rejects_a_wrong_input_rank():
  with pytest.raises(ValueError, match="input_shape must be"):
    network_summary(_conv_model(), (16, 16))


def test_receptive_field_of_pooling_chain_and_unsupported_graphs():
  inputs = keras.Input((None, None, 1))
  x = keras.layers.Conv2D(1, 3, dilation_rate=2)(inputs)  # 1 + 2 * 2 = 5
  x = keras.layers.AveragePooling2D(2)(x)  # + 1 * 1 = 6, jump 2
  x = keras.layers.Conv2D(1, 3)(x)  # + 2 * 2 = 10
  assert receptive_field(keras.Model(inputs, x)) == 10
  with pytest.raises(ValueError, match="needs a chain of layers"):
    receptive_field(build("multiscale", ndf=2))
  assert receptive_field_or_none(build("multiscale", ndf=2)) is None
  assert receptive_field_or_none(build("patch", ndf=2)) == 70
  with pytest.raises(ValueError, match="does not handle Conv2DTranspose"):
    receptive_field(keras.Model(inputs, keras.layers.Conv2DTranspose(1, 3)(inputs)))


def test_modulated_conv_flops_count_the_style_affine_and_the_conv():
  x, w = keras.Input((4, 4, 3), name="x"), keras.Input((5,), name="w")
  same = ModulatedConv2D(2, 3, name="same")([x, w])  # [4, 4, 2]
  up = ModulatedConv2D(6, 3, up=2, name="up")([same, w])
  model = keras.Model([x, w], up)
  rows = {r["name"]: r["flops"] for r in network_summary(model, [(4, 4, 3), (5,)])["layers"]}
  assert rows["same"] == 2 * 5 * 3 + 2 * (4 * 4 * 2) * 3 * 3 * 3
  assert rows["up"] == 2 * 5 * 2 + 2 * (4 * 4 * 2) * 3 * 3 * 6  # transposed: input x k^2 x out
