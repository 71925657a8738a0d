"""Per-example PSNR and SSIM of a translation against its ground truth.

Images are [N, H, W, C] in `value_range` (default [-1, 1], the pipeline's range). Both metrics
map it to [0, 1] and call tf.image with max_val=1: PSNR is unchanged by that (MAX = hi - lo =
2 on [-1, 1]); SSIM is not shift-invariant, and [0, 1] with max_val 1 is its usual setting
(Wang et al. 2004: C1 = (0.01 L)^2, C2 = (0.03 L)^2, 11x11 Gaussian window, sigma 1.5).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

VALUE_RANGE = (-1.0, 1.0)  # official: Normalize((0.5,) * 3, (0.5,) * 3) gives [-1, 1]
SSIM_FILTER_SIZE = 11  # Wang et al. 2004, Sec. III-C (tf.image.ssim default)

Images = np.ndarray | tf.Tensor


def _to_unit(images: Images, value_range: tuple[float, float], name: str) -> tf.Tensor:
  lo, hi = value_range
  if not hi > lo:
    raise ValueError(f"value_range must be (lo, hi) with hi > lo, got {value_range!r}")
  images = tf.convert_to_tensor(images, tf.float32)
  if images.shape.rank != 4:
    raise ValueError(f"{name} must be [N, H, W, C], got shape {images.shape}")
  return (images - lo) / (hi - lo)


def psnr(x: Images, y: Images, value_range: tuple[float, float] = VALUE_RANGE) -> tf.Tensor:
  """PSNR [N] in dB: 10 log10(MAX^2 / MSE), MAX = hi - lo; +inf where x == y."""
  return tf.image.psnr(_to_unit(x, value_range, "x"), _to_unit(y, value_range, "y"), max_val=1.0)


def ssim(x: Images, y: Images, value_range: tuple[float, float] = VALUE_RANGE) -> tf.Tensor:
  """SSIM [N] (mean over pixels and channels); needs H, W >= 11 (the Gaussian window)."""
  ux, uy = _to_unit(x, value_range, "x"), _to_unit(y, value_range, "y")
  if min(ux.shape[1], ux.shape[2]) < SSIM_FILTER_SIZE:
    raise ValueError(f"ssim needs images of at least {SSIM_FILTER_SIZE} px a side, got {ux.shape}")
  return tf.image.ssim(ux, uy, max_val=1.0, filter_size=SSIM_FILTER_SIZE)


def paired_scores(
  pred: Images, target: Images, value_range: tuple[float, float] = VALUE_RANGE
) -> dict[str, float]:
  """Mean PSNR and SSIM of predictions against their ground truth: {"psnr": dB, "ssim": ...}."""
  return {
    "psnr": float(tf.reduce_mean(psnr(pred, target, value_range))),
    "ssim": float(tf.reduce_mean(ssim(pred, target, value_range))),
  }


def identity_baseline(
  a: Images, b_true: Images, value_range: tuple[float, float] = VALUE_RANGE
) -> dict[str, float]:
  """The scores of leaving the input unchanged (G(a) = a): what a translation must beat."""
  return paired_scores(a, b_true, value_range)
