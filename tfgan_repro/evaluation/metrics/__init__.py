"""Metrics: image quality against a ground truth (PSNR, SSIM), segmentation scores (FCN-score),
attribute-editing scores (flip / keep accuracy, edit fidelity)."""

from tfgan_repro.evaluation.metrics.attribute_edit import (
  attribute_accuracy,
  edit_accuracy,
  edit_fidelity,
  flip_targets,
  reconstruction_scores,
)
from tfgan_repro.evaluation.metrics.image_quality import (
  identity_baseline,
  paired_scores,
  psnr,
  ssim,
)
from tfgan_repro.evaluation.metrics.segmentation import (
  confusion_matrix,
  per_class_iou,
  segmentation_scores,
)

__all__ = [
  "attribute_accuracy",
  "confusion_matrix",
  "edit_accuracy",
  "edit_fidelity",
  "flip_targets",
  "identity_baseline",
  "paired_scores",
  "per_class_iou",
  "psnr",
  "reconstruction_scores",
  "segmentation_scores",
  "ssim",
]
