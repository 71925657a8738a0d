import numpy as np
import tensorflow as tf

from tfgan_repro.nets import build
from tfgan_repro.nets.profiling import receptive_field


def test_one_logit_per_pixel_and_receptive_field_1():
  model = build("pixel", ndf=4)
  assert model.compute_output_shape((1, 9, 7, 3)) == (1, 9, 7, 1)
  assert receptive_field(model) == 1


def test_parameters_with_batch_norm():
  # 1x1 convs: 3*64+64, 64*128 (no bias) + BN 2*128, 128*1 (no bias: official bias=use_bias).
  model = build("pixel", norm="batch")
  assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 256 + 8192 + 256 + 128


def test_each_logit_depends_on_its_own_pixel_only():
  # 1x1 convs: d out[2, 5] / d input is non-zero at input pixel (2, 5) alone (no instance norm,
  # which would couple every pixel through its statistics).
  model = build("pixel", ndf=4, norm="none")
  x = tf.random.stateless_normal((1, 6, 7, 3), seed=(5, 6))
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = model(x)[0, 2, 5, 0]
  grad = np.abs(np.asarray(tape.gradient(y, x))[0]).sum(axis=-1)
  assert list(zip(*np.nonzero(grad), strict=True)) == [(2, 5)]
