"""PSNR and SSIM of images against a reference (a translation against its ground truth, an
exported artifact against its Keras model).

Images are [N, H, W, C] in `value_range` (default [-1, 1], the pipeline's range). SSIM and the
per-image PSNR map it to [0, 1] and call tf.image with max_val=1: PSNR is unchanged by that
(MAX = hi - lo = 2 on [-1, 1]); SSIM is not shift-invariant, and [0, 1] with max_val 1 is its
usual setting (Wang et al. 2004: C1 = (0.01 L)^2, C2 = (0.03 L)^2, 11x11 Gaussian window, sigma
1.5). PSNR always names its batch reduction (PSNR_REDUCTIONS): the mean of per-image PSNRs and
the PSNR of the batch MSE differ whenever the images' errors differ.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

VALUE_RANGE = (-1.0, 1.0)  # official: Normalize((0.5,) * 3, (0.5,) * 3) gives [-1, 1]
SSIM_FILTER_SIZE = 11  # Wang et al. 2004, Sec. III-C (tf.image.ssim default)

# How psnr reduces a batch to one number (its docstring).
PSNR_REDUCTIONS = ("per_image_mean", "batch_mse")

Images = np.ndarray | tf.Tensor


def _to_unit(images: Images, value_range: tuple[float, float], name: str) -> tf.Tensor:
  lo, hi = value_range
  if not hi > lo:
    raise ValueError(f"value_range must be (lo, hi) with hi > lo, got {value_range!r}")
  images = tf.convert_to_tensor(images, tf.float32)
  if images.shape.rank != 4:
    raise ValueError(f"{name} must be [N, H, W, C], got shape {images.shape}")
  return (images - lo) / (hi - lo)


def psnr(
  x: Images, y: Images, value_range: tuple[float, float] = VALUE_RANGE, *, reduction: str
) -> float:
  """PSNR in dB of `x` against `y` (both [N, H, W, C]): 10 log10(MAX^2 / MSE), MAX = hi - lo,
  reduced over the batch as `reduction` says (PSNR_REDUCTIONS):

  "per_image_mean": the mean of the N per-image PSNRs (tf.image.psnr, float32); +inf when an
    image equals its reference. The score of a translation against its ground truth (eval.json).
  "batch_mse": the PSNR of the MSE over the whole batch (float64); +inf when x == y, -inf when
    a difference is not finite. The export's parity against Keras (one number per artifact).
  """
  if reduction not in PSNR_REDUCTIONS:
    raise ValueError(f"reduction must be one of {PSNR_REDUCTIONS}, got {reduction!r}")
  ux, uy = _to_unit(x, value_range, "x"), _to_unit(y, value_range, "y")
  if ux.shape != uy.shape:
    raise ValueError(f"x and y must have one shape, got {ux.shape} and {uy.shape}")
  if reduction == "per_image_mean":
    return float(tf.reduce_mean(tf.image.psnr(ux, uy, max_val=1.0)))  # [N] -> mean
  lo, hi = value_range
  diff = np.asarray(x, np.float64) - np.asarray(y, np.float64)
  if not np.isfinite(diff).all():
    return -math.inf
  mse = float(np.mean(diff**2))
  return math.inf if mse == 0.0 else 10.0 * math.log10((hi - lo) ** 2 / mse)


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
    "psnr": psnr(pred, target, value_range, reduction="per_image_mean"),
    "ssim": float(tf.reduce_mean(ssim(pred, target, value_range))),
  }
