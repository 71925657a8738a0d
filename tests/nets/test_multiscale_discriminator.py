import numpy as np
import pytest

from tfgan_repro.layers import ExcludePadAveragePooling2D
from tfgan_repro.nets import build


def test_one_patchgan_output_per_scale():
  model = build("multiscale", num_d=3)
  # 256 -> 30 (70x70 PatchGAN); pooled to 128 -> 14; to 64 -> 6.
  assert model.compute_output_shape((1, 256, 256, 3)) == [
    (1, 30, 30, 1),
    (1, 14, 14, 1),
    (1, 6, 6, 1),
  ]
  per_scale = sum(int(np.prod(w.shape)) for w in model.trainable_weights) // 3
  assert per_scale == 2_764_737


def test_coarser_scales_see_the_pix2pixhd_pooled_input():
  model = build("multiscale", ndf=4, num_d=3)
  pool = model.get_layer("scale1_downsample")
  assert isinstance(pool, ExcludePadAveragePooling2D)
  assert (pool.pool_size, pool.strides, pool.padding) == (3, 2, 1)
  assert model.get_layer("scale2_downsample").input is pool.output
  assert model.get_layer("scale1_conv1_pad").input is pool.output


def test_each_scale_is_the_patchgan_on_its_input():
  model = build("multiscale", ndf=4, num_d=2)
  single = build("patch", ndf=4)
  x = np.random.default_rng(0).uniform(-1, 1, (1, 64, 64, 3)).astype("float32")
  for layer in single.layers[1:]:
    layer.set_weights(model.get_layer(f"scale1_{layer.name}").get_weights())
  pooled = ExcludePadAveragePooling2D()(x)
  np.testing.assert_allclose(np.asarray(model(x)[1]), np.asarray(single(pooled)), atol=1e-6)


def test_invalid_num_d():
  with pytest.raises(ValueError, match="num_d must be >= 1, got 0"):
    build("multiscale", num_d=0)
  assert len(build("multiscale", ndf=2, num_d=1).outputs) == 1


def test_finest_scale_is_the_patchgan_on_the_input_itself():
  model = build("multiscale", ndf=4, num_d=2)
  single = build("patch", ndf=4)
  x = np.random.default_rng(1).uniform(-1, 1, (1, 64, 64, 3)).astype("float32")
  for layer in single.layers[1:]:
    layer.set_weights(model.get_layer(f"scale0_{layer.name}").get_weights())
  outputs = model(x)
  np.testing.assert_allclose(np.asarray(outputs[0]), np.asarray(single(x)), atol=1e-6)
  # 70x70 PatchGAN: 64 -> 32 -> 16 -> 8 -> 7 -> 6; the pooled 32 px input: 16, 8, 4, 3 -> 2.
  assert [tuple(o.shape) for o in outputs] == [(1, 6, 6, 1), (1, 2, 2, 1)]
