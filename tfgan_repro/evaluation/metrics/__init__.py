"""Metrics: image quality against a ground truth (PSNR, SSIM), segmentation scores (FCN-score),
attribute-editing scores (flip / keep accuracy, edit fidelity), synthesis scores of activations
(FID, KID, Inception Score, precision / recall, perceptual path length)."""

from tfgan_repro.evaluation.metrics.attribute_edit import (
  attribute_accuracy,
  edit_accuracy,
  edit_fidelity,
  flip_targets,
  reconstruction_scores,
)
from tfgan_repro.evaluation.metrics.image_quality import (
  PSNR_REDUCTIONS,
  paired_scores,
  psnr,
  ssim,
)
from tfgan_repro.evaluation.metrics.metric_fid import fid, frechet_distance, gaussian_stats
from tfgan_repro.evaluation.metrics.metric_is import inception_score
from tfgan_repro.evaluation.metrics.metric_kid import kid, mmd2_unbiased, polynomial_kernel
from tfgan_repro.evaluation.metrics.metric_ppl import path_distances, perceptual_path_length
from tfgan_repro.evaluation.metrics.metric_pr import knn_radii, precision_recall
from tfgan_repro.evaluation.metrics.segmentation import (
  confusion_matrix,
  per_class_iou,
  segmentation_scores,
)
from tfgan_repro.evaluation.metrics.synthesis import synthesis_metrics

__all__ = [
  "PSNR_REDUCTIONS",
  "attribute_accuracy",
  "confusion_matrix",
  "edit_accuracy",
  "edit_fidelity",
  "fid",
  "flip_targets",
  "frechet_distance",
  "gaussian_stats",
  "inception_score",
  "kid",
  "knn_radii",
  "mmd2_unbiased",
  "paired_scores",
  "path_distances",
  "per_class_iou",
  "perceptual_path_length",
  "polynomial_kernel",
  "precision_recall",
  "psnr",
  "reconstruction_scores",
  "segmentation_scores",
  "ssim",
  "synthesis_metrics",
]
