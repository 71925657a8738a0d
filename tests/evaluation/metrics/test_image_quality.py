"""Tests of PSNR / SSIM on hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tfgan_repro.evaluation.metrics import image_quality


def test_psnr_of_constant_offsets_per_image_mean_and_batch_mse():
  x = np.zeros((2, 8, 8, 3), np.float32)
  y = x + np.array([0.2, 0.02], np.float32)[:, None, None, None]
  # [-1, 1]: MAX = 2, MSE = 0.04 -> 10 log10(4 / 0.04) = 20 dB; MSE = 4e-4 -> 40 dB.
  # per_image_mean: (20 + 40) / 2 = 30 dB. batch_mse: MSE = (0.04 + 4e-4) / 2 = 0.0202 ->
  # 10 log10(4 / 0.0202) = 22.967 dB.
  assert image_quality.psnr(x, y, reduction="per_image_mean") == pytest.approx(30.0, rel=1e-5)
  assert image_quality.psnr(x, y, reduction="batch_mse") == pytest.approx(
    10 * math.log10(4 / 0.0202), rel=1e-6
  )
  # [0, 255]: offset 25.5 -> MSE 650.25 -> 10 log10(65025 / 650.25) = 20 dB.
  for reduction in image_quality.PSNR_REDUCTIONS:
    got = image_quality.psnr(x[:1], x[:1] + 25.5, value_range=(0.0, 255.0), reduction=reduction)
    assert got == pytest.approx(20.0, rel=1e-5)
    assert image_quality.psnr(x, x, reduction=reduction) == math.inf
  assert image_quality.psnr(x, x + np.nan, reduction="batch_mse") == -math.inf


def test_ssim_of_constant_images():
  x = np.zeros((1, 16, 16, 3), np.float32)  # 0.5 on [0, 1]
  y = np.full((1, 16, 16, 3), -0.5, np.float32)  # 0.25 on [0, 1]
  # Zero variance: SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1), C1 = (0.01)^2.
  expected = (2 * 0.5 * 0.25 + 1e-4) / (0.25 + 0.0625 + 1e-4)  # 0.800064
  # rtol 1e-3: tf.image.ssim works in float32, and its variance terms (E[x^2] - E[x]^2, ~1e-7
  # rounding) are divided by C2 = 9e-4, which moves the result by ~1.3e-4 here.
  np.testing.assert_allclose(image_quality.ssim(x, y).numpy(), [expected], rtol=1e-3)
  np.testing.assert_allclose(image_quality.ssim(x, x).numpy(), [1.0], rtol=1e-6)


def test_paired_scores_are_the_mean_psnr_and_ssim():
  a = np.zeros((2, 16, 16, 3), np.float32)
  b_true = np.full((2, 16, 16, 3), 0.2, np.float32)
  scores = image_quality.paired_scores(a, b_true)
  assert scores["psnr"] == pytest.approx(20.0, rel=1e-5)
  # 0.5 vs 0.6 on [0, 1]: (0.6 + 1e-4) / (0.61 + 1e-4)
  assert scores["ssim"] == pytest.approx(0.6001 / 0.6101, rel=1e-3)  # float32, as above


def test_bad_inputs_raise():
  with pytest.raises(ValueError, match=r"at least 11 px a side, got \(1, 8, 8, 3\)"):
    image_quality.ssim(np.zeros((1, 8, 8, 3)), np.zeros((1, 8, 8, 3)))
  with pytest.raises(ValueError, match=r"x must be \[N, H, W, C\], got shape \(8, 8, 3\)"):
    image_quality.psnr(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)), reduction="batch_mse")
  with pytest.raises(ValueError, match=r"value_range must be .* got \(1.0, 1.0\)"):
    image_quality.psnr(
      np.zeros((1, 8, 8, 3)), np.zeros((1, 8, 8, 3)), (1.0, 1.0), reduction="per_image_mean"
    )
  with pytest.raises(ValueError, match=r"reduction must be one of .*batch_mse.* got 'mean'"):
    image_quality.psnr(np.zeros((1, 8, 8, 3)), np.zeros((1, 8, 8, 3)), reduction="mean")
  with pytest.raises(ValueError, match=r"x and y must have one shape"):
    image_quality.psnr(np.zeros((1, 8, 8, 3)), np.zeros((2, 8, 8, 3)), reduction="batch_mse")
