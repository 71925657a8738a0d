import numpy as np

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
