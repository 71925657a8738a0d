import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.nets import build
from tfgan_repro.nets.profiling import receptive_field


def test_70x70_patchgan_gives_30x30_at_256():
  assert build("patch").compute_output_shape((1, 256, 256, 3)) == (1, 30, 30, 1)


def test_pix2pixhd_padding_2_gives_35x35_at_256():
  # floor((256 + 4 - 4) / 2) + 1 = 129 -> 65 -> 33, then stride 1: 34 -> 35
  assert build("patch", padding=2).compute_output_shape((1, 256, 256, 3)) == (1, 35, 35, 1)


def test_conditional_pix2pix_patchgan_parameters():
  model = build("patch", input_channels=6, norm="batch")
  assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 2_768_705


def test_layout_and_bias_rule():
  model = build("patch", ndf=4, norm="batch")
  assert [model.get_layer(f"conv{i}").filters for i in range(1, 5)] == [4, 8, 16, 32]
  assert [model.get_layer(f"conv{i}").strides for i in range(1, 5)] == [(2, 2)] * 3 + [(1, 1)]
  assert model.get_layer("conv1").use_bias and model.get_layer("conv_out").use_bias
  assert not model.get_layer("conv2").use_bias
  assert "conv1_norm" not in {layer.name for layer in model.layers}
  assert model.get_layer("conv1_lrelu").negative_slope == pytest.approx(0.2)


@pytest.mark.parametrize("n_layers, field", [(1, 16), (3, 70), (5, 286)])
def test_analytic_receptive_field_matches_the_paper(n_layers, field):
  # pix2pix Sec. 4.4: 16x16 and 70x70 PatchGAN, 286x286 ImageGAN.
  assert receptive_field(build("patch", n_layers=n_layers, ndf=2)) == field


def test_numeric_receptive_field_is_70():
  # d out[7, 7] / d input on random weights; norm "none" avoids instance norm's global coupling.
  model = build("patch", ndf=4, norm="none")
  x = tf.random.stateless_normal((1, 128, 128, 3), seed=(1, 2))
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = model(x)[0, 7, 7, 0]  # output 14x14; its field rows 8 * 7 - 23 .. + 69 lie inside
  grad = np.abs(np.asarray(tape.gradient(y, x))[0]).sum(axis=-1)
  rows, cols = np.nonzero(grad.sum(axis=1))[0], np.nonzero(grad.sum(axis=0))[0]
  assert (rows.min(), rows.max() - rows.min() + 1) == (33, 70)
  assert (cols.min(), cols.max() - cols.min() + 1) == (33, 70)


@pytest.mark.parametrize("n_layers, side", [(1, 126), (3, 30), (5, 6)])
def test_n_layers_sets_the_patch_grid(n_layers, side):
  # k4 s2 p1 halves the side n_layers times (256 / 2^n), then two k4 s1 p1 convs take 1 each.
  model = build("patch", n_layers=n_layers, ndf=2)
  assert model.compute_output_shape((1, 256, 256, 3)) == (1, side, side, 1)


def test_numeric_receptive_field_of_one_layer_is_16():
  # n_layers 1 at 64 px: output 30x30. out[j] sees conv1 rows j - 1 .. j + 2 of conv2 ... by hand:
  # input rows 2j - 5 .. 2j + 10, 16 of them; j = 10: rows 15 .. 30.
  model = build("patch", n_layers=1, ndf=4, norm="none")
  x = tf.random.stateless_normal((1, 64, 64, 3), seed=(3, 4))
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = model(x)[0, 10, 10, 0]
  grad = np.abs(np.asarray(tape.gradient(y, x))[0]).sum(axis=-1)
  rows, cols = np.nonzero(grad.sum(axis=1))[0], np.nonzero(grad.sum(axis=0))[0]
  assert (rows.min(), rows.max()) == (15, 30)
  assert (cols.min(), cols.max()) == (15, 30)
