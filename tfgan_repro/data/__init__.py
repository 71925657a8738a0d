"""Data: the tf.data pipeline (pipeline.py), its sources (folders, tfds, procedural) and transforms."""

from tfgan_repro.data.pipeline import (
  INSTANCE_ID_SCALE,
  NoGroundTruthError,
  default_data_config,
  domain_channels,
  domain_images,
  epoch_size,
  label_palette,
  make_dataset,
  paired_dataset,
  paired_test_arrays,
  resolve_data_config,
  unpaired_dataset,
)

__all__ = [
  "INSTANCE_ID_SCALE",
  "NoGroundTruthError",
  "default_data_config",
  "domain_channels",
  "domain_images",
  "epoch_size",
  "label_palette",
  "make_dataset",
  "paired_dataset",
  "paired_test_arrays",
  "resolve_data_config",
  "unpaired_dataset",
]
