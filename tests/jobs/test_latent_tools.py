"""The W-space tools of style-based generators (jobs.latent_tools, jobs.style_generator) on a tiny
StyleGAN2 G: truncation towards w_avg, the style-mixing grid, walks in W, projection into W."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from jobs import latent_tools
from tfgan_repro import nets
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.tasks import style_generator


@pytest.fixture(scope="module")
def style():
  keras.utils.set_random_seed(0)
  G = nets.build("stylegan2_generator", **nets.NETWORKS.get("stylegan2_generator").tiny_kwargs)
  G.get_layer("truncation").w_avg.assign(np.full(G.get_layer("truncation").w_avg.shape, 0.25))
  return style_generator.style_parts(G)


def test_truncation_moves_the_first_cutoff_ws_towards_w_avg(style):
  w = np.ones((2, style.w_avg.shape[0]), np.float32)
  ws = style.ws(w, psi=0.5, cutoff=1)
  assert ws.shape == (2, style.num_ws, w.shape[1])
  np.testing.assert_allclose(ws[:, 0], 0.625)  # 0.25 + 0.5 (1 - 0.25)
  np.testing.assert_allclose(ws[:, 1:], 1.0)


def test_style_mixing_grid_has_the_seeds_on_its_edges_and_the_mixes_inside(style):
  grid = latent_tools.mix_styles(style, [1, 2], [3], col_styles=[0])
  size = style.synthesis.outputs[0].shape[1]
  assert grid.shape == (3 * size, 2 * size, 3)
  rows, cols = style.w_of_seeds([1, 2]), style.w_of_seeds([3])
  np.testing.assert_array_equal(grid[:size, size:], to_uint8(style.images(style.ws(cols)))[0])
  mixed = style.ws(rows[1:])
  mixed[:, 0] = cols[0]
  np.testing.assert_array_equal(grid[2 * size :, size:], to_uint8(style.images(mixed))[0])
  np.testing.assert_array_equal(grid[2 * size :, :size], to_uint8(style.images(style.ws(rows)))[1])
  with pytest.raises(ValueError, match="col_styles"):
    latent_tools.mix_styles(style, [1], [2], col_styles=[style.num_ws])


def test_a_walk_in_w_ends_on_the_seeds_images(style):
  frames = latent_tools.interpolate_w(style, [4, 5], frames=3, loop=False)
  ends = to_uint8(style.images(style.ws(style.w_of_seeds([4, 5]))))
  assert frames.shape[0] == 4
  np.testing.assert_array_equal(frames[[0, -1]], ends)


def test_noise_regularizer_is_zero_for_a_checkerboard_free_white_noise_of_no_correlation():
  alternating = tf.constant(np.indices((8, 8)).sum(0) % 2 * 2.0 - 1.0, tf.float32)  # +-1 checker
  # one-pixel shifts of a checkerboard correlate at -1 along each axis: (-1)^2 + (-1)^2
  assert float(latent_tools.noise_regularization(alternating)) == pytest.approx(2.0)
  assert float(latent_tools.noise_regularization(tf.ones([16, 16]))) == pytest.approx(4.0)


def test_projection_recovers_an_image_of_the_generator(style):
  target = style.images(style.ws(style.w_of_seeds([9])))[0]
  start = float(np.mean((style.images(style.ws(style.w_avg[None]))[0] - target) ** 2))
  w, history = latent_tools.project(style, target, steps=60, w_avg_samples=256)
  assert w.shape == style.w_avg.shape and len(history) == 60
  end = float(np.mean((style.images(style.ws(w[None]))[0] - target) ** 2))
  assert end < 0.5 * start, (start, end, history[::10])
  with pytest.raises(ValueError, match="target must be"):
    latent_tools.project(style, target[:4], steps=1)
