"""ADA's augmentation pipeline (losses/ada_augmentation.py): identity at p = 0, exact blits, colour
matrices against hand values, each operation at probability p, the geometric sampler against a
torch reflect-pad + grid_sample reference, exact gradients, replica rows, and the p update."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.losses import ada_augmentation as ada

SEED = tf.constant([3, 7])


def _images(b=4, h=8, w=8, c=3, seed=0) -> tf.Tensor:
  return tf.constant(np.random.default_rng(seed).uniform(-1, 1, [b, h, w, c]), tf.float32)


@pytest.mark.parametrize("pipeline", sorted(ada.PIPELINES))
@pytest.mark.parametrize("channels", [1, 3])
def test_p_zero_is_the_identity_exactly(pipeline, channels):
  x = _images(c=channels)
  np.testing.assert_array_equal(ada.ada_augment(x, 0.0, SEED, pipeline), x)


def test_xflip_at_p_one_flips_half_the_samples_exactly():
  x = _images(b=32).numpy()
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "xflip").numpy()
  flipped = [np.array_equal(y[i], x[i, :, ::-1]) for i in range(32)]
  kept = [np.array_equal(y[i], x[i]) for i in range(32)]
  assert all(f != k for f, k in zip(flipped, kept, strict=True))  # each exactly one of the two
  assert 8 <= sum(flipped) <= 24  # official i = floor(U * 2): half flipped


def test_rotate90_and_xint_move_whole_pixels_exactly():
  x = _images(b=16).numpy()
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "rotate90").numpy()
  turns = [[k for k in range(4) if np.array_equal(y[i], np.rot90(x[i], k))] for i in range(16)]
  assert all(len(t) == 1 for t in turns) and len({t[0] for t in turns}) > 1
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "xint").numpy()
  # Integer shifts within xint_max x 8 = 1 px, borders reflected as torch's "reflect" padding.
  padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
  for i in range(16):
    shifts = [
      (dy, dx)
      for dy in (-1, 0, 1)
      for dx in (-1, 0, 1)
      if np.array_equal(y[i], padded[i, 1 - dy : 9 - dy, 1 - dx : 9 - dx])
    ]
    assert len(shifts) == 1, i


def test_color_matrices_give_the_hand_values():
  red = tf.constant([[[[1.0, 0.0, 0.0]]]])  # one RGB pixel [1, 1, 1, 3]
  one = tf.ones([1])

  def apply(matrix):
    return ada.transform_color(red, matrix).numpy().reshape(3)

  np.testing.assert_allclose(apply(ada.translate3d(0.25 * one)), [1.25, 0.25, 0.25])
  np.testing.assert_allclose(apply(ada.scale3d(0.5 * one)), [0.5, 0.0, 0.0])
  # Householder reflection across the plane normal to (1, 1, 1): x - 2 (x . v) v
  np.testing.assert_allclose(apply(ada.luma_flip3d(one)), [1 / 3, -2 / 3, -2 / 3], atol=1e-6)
  # A third of a turn about the grey axis cycles R -> G -> B.
  np.testing.assert_allclose(apply(ada.hue_rotate3d(2 * math.pi / 3 * one)), [0, 1, 0], atol=1e-6)
  # Saturation s: grey (1/3, 1/3, 1/3) + s x the rest (2/3, -1/3, -1/3).
  np.testing.assert_allclose(apply(ada.saturation3d(0.0 * one)), [1 / 3] * 3, atol=1e-6)
  np.testing.assert_allclose(apply(ada.saturation3d(2.0 * one)), [5 / 3, -1 / 3, -1 / 3], atol=1e-6)
  gray = tf.constant([[[[0.5]]]])  # one channel: the mean row of the matrix
  np.testing.assert_allclose(ada.transform_color(gray, ada.translate3d(0.25 * one)), [[[[0.75]]]])


def test_each_colour_operation_at_p_one_is_its_per_sample_transform():
  x = _images(b=8).numpy()
  grey = x.mean(axis=-1, keepdims=True)
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "brightness").numpy()
  b = (y - x).reshape(8, -1)
  np.testing.assert_allclose(b, b[:, :1] * np.ones_like(b), atol=1e-6)  # one offset a sample
  assert 0.02 < np.std(b[:, 0]) < 0.6  # N(0, 0.2^2) draws
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "contrast").numpy()
  c = (y / x).reshape(8, -1)
  np.testing.assert_allclose(c, c[:, :1] * np.ones_like(c), rtol=1e-5)  # one gain a sample
  assert (c > 0).all() and np.std(np.log2(c[:, 0])) > 0.1  # lognormal, log2 std 0.5
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "hue").numpy()
  np.testing.assert_allclose(y.mean(-1, keepdims=True), grey, atol=1e-6)  # luma kept
  np.testing.assert_allclose(  # a rotation: the chroma's length kept
    np.linalg.norm(y - y.mean(-1, keepdims=True), axis=-1),
    np.linalg.norm(x - grey, axis=-1),
    rtol=1e-4,
  )
  y = ada.ada_augment(tf.constant(x), 1.0, SEED, "saturation").numpy()
  np.testing.assert_allclose(y.mean(-1, keepdims=True), grey, atol=1e-6)
  s = ((y - grey) / (x - grey)).reshape(8, -1)
  np.testing.assert_allclose(s, s[:, :1] * np.ones_like(s), rtol=1e-3)  # one factor a sample


@pytest.mark.parametrize("op", ["brightness", "lumaflip", "xflip", "scale", "rotate", "xfrac"])
def test_each_operation_runs_with_probability_p(op):
  n, p = 2000, 0.3
  x = _images(b=n, h=4, w=4, c=3)
  y = ada.ada_augment(x, p, SEED, op).numpy()
  changed = np.abs(y - x.numpy()).reshape(n, -1).max(axis=1) > 1e-6
  # xflip and lumaflip pick "flip" half the time (official i = floor(U * 2)).
  want = p / 2 if op in ("xflip", "lumaflip") else p
  assert abs(changed.mean() - want) < 0.04, changed.mean()  # ~4 standard errors


def _torch_warp(x: np.ndarray, g_inv: np.ndarray) -> np.ndarray:
  """Reference: reflect padding by W - 1 and H - 1 (torch "reflect"), then affine_grid +
  grid_sample (bilinear, align_corners=False) with G_inv in pixels from the image centre, as the
  official AugmentPipe without its 2x wavelet filtering."""
  torch = pytest.importorskip("torch")
  f = torch.nn.functional
  images = torch.tensor(x).permute(0, 3, 1, 2)  # NCHW
  n, c, h, w = images.shape
  padded = f.pad(images, [w - 1, w - 1, h - 1, h - 1], mode="reflect")
  hp, wp = padded.shape[2:]
  to_norm = np.diag([2.0 / wp, 2.0 / hp, 1.0])
  from_norm = np.diag([w / 2.0, h / 2.0, 1.0])
  theta = torch.tensor(to_norm @ g_inv @ from_norm, dtype=torch.float32)[:, :2]  # [N, 2, 3]
  grid = f.affine_grid(theta, [n, c, h, w], align_corners=False)
  out = f.grid_sample(padded, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
  return out.permute(0, 2, 3, 1).numpy()


def test_geometric_sampler_equals_reflect_pad_and_grid_sample():
  x = _images(b=3, h=8, w=10).numpy()
  one = tf.ones([3])
  angle = tf.constant([0.3, -2.0, 1.1])
  g_inv = (
    ada.translate2d(tf.constant([0.7, -1.3, 2.0]), tf.constant([-0.4, 1.5, 0.0]))
    @ ada.rotate2d(tf.cos(angle), tf.sin(angle))
    @ ada.scale2d(tf.constant([1.2, 0.8, 1.0]), tf.constant([0.9, 1.1, 1.4]))
    @ ada.scale2d(-one, one)
  )
  got = ada.transform_geometry(tf.constant(x), g_inv).numpy()
  np.testing.assert_allclose(got, _torch_warp(x, g_inv.numpy()), atol=1e-5)


def test_gradient_is_the_adjoint_of_the_augmentation():
  x = _images(b=4)
  u = _images(b=4, seed=1)
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = ada.ada_augment(x, 1.0, SEED, "bg")  # linear in x
    inner = tf.reduce_sum(y * u)
  grad = tape.gradient(inner, x)
  # <A^T u, x> = <u, A x> for the linear map A: the gathers' gradient is the exact transpose.
  np.testing.assert_allclose(tf.reduce_sum(grad * x), inner, rtol=1e-5)
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = ada.ada_augment(x, 0.5, SEED, "bgc")
  grad = tape.gradient(y, x).numpy()
  assert np.isfinite(grad).all() and np.abs(grad).sum() > 0


def test_replicas_draw_their_rows_of_the_global_batch():
  x = _images(b=4)
  whole = ada.ada_augment(tf.concat([x, x], 0), 0.7, SEED)
  parts = [ada.ada_augment(x, 0.7, SEED, replica_index=r, num_replicas=2) for r in range(2)]
  np.testing.assert_allclose(tf.concat(parts, 0), whole, atol=1e-5)  # batched matmul's rounding


def test_shapes_dtype_range_and_errors():
  x = _images(b=2, h=16, w=12)
  y = ada.ada_augment(tf.cast(x, tf.float16), 0.5, SEED)
  assert y.shape == (2, 16, 12, 3) and y.dtype == tf.float16
  # Geometric ops keep values inside the input range (bilinear weights are convex).
  y = ada.ada_augment(x, 1.0, SEED, "bg").numpy()
  assert y.min() >= x.numpy().min() - 1e-6 and y.max() <= x.numpy().max() + 1e-6
  assert ada.ada_augment(_images(c=2), 1.0, SEED, "bg").shape == (4, 8, 8, 2)
  with pytest.raises(ValueError, match="colour operations need 1 or 3 channels"):
    ada.ada_augment(_images(c=2), 1.0, SEED, "color")
  with pytest.raises(ValueError, match=r"pipeline must be one of \['bg', 'bgc', 'blit'"):
    ada.ada_augment(x, 1.0, SEED, "cutout")
  assert ada.parse_pipeline("saturation,xflip") == ("xflip", "saturation")  # official order
  assert ada.PIPELINES["bgc"] == ada.BLIT + ada.GEOM + ada.COLOR


def test_ada_adjust_is_the_official_step():
  images = 64 * 4  # batch 64, ada_interval 4
  step = images / 500_000  # ada_kimg 500
  got = [float(losses.ada_adjust(0.1, r_t, images)) for r_t in (0.8, 0.2, 0.6)]
  np.testing.assert_allclose(got, [0.1 + step, 0.1 - step, 0.1], atol=1e-7)  # 0.6: sign 0
  assert float(losses.ada_adjust(1e-4, -1.0, images)) == 0.0  # clipped at 0
  with pytest.raises(ValueError, match="target and kimg must be > 0"):
    losses.ada_adjust(0.1, 0.5, images, target=0.0)
