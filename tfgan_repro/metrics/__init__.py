"""Metrics: image quality against a ground truth (PSNR, SSIM), segmentation scores (FCN-score)."""

from tfgan_repro.metrics.image_quality import identity_baseline, paired_scores, psnr, ssim
from tfgan_repro.metrics.segmentation import (
  confusion_matrix,
  per_class_iou,
  segmentation_scores,
)

__all__ = [
  "confusion_matrix",
  "identity_baseline",
  "paired_scores",
  "per_class_iou",
  "psnr",
  "segmentation_scores",
  "ssim",
]
