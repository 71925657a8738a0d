"""Evaluation: metrics against ground truth and the judge networks that score generated images."""
