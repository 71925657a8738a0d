"""Metrics: image quality against a ground truth (PSNR, SSIM)."""

from tfgan_repro.metrics.image_quality import identity_baseline, paired_scores, psnr, ssim

__all__ = ["identity_baseline", "paired_scores", "psnr", "ssim"]
