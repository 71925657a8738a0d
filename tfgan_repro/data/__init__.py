"""Data: the tf.data pipelines (pipeline.py; attributes.py for attribute editing; images.py for
noise -> image synthesis), their sources (folders, tfds, CelebA, procedural, TFRecord shards:
tfrecords.py) and transforms."""

from tfgan_repro.data.attributes import (
  attribute_dataset,
  attribute_names,
  attribute_test_arrays,
)
from tfgan_repro.data.config import (
  INSTANCE_ID_SCALE,
  NoGroundTruthError,
  default_data_config,
  resolve_data_config,
)
from tfgan_repro.data.images import image_arrays, image_count, image_dataset
from tfgan_repro.data.pipeline import (
  domain_channels,
  domain_images,
  epoch_size,
  label_palette,
  make_dataset,
  paired_dataset,
  paired_test_arrays,
  unpaired_dataset,
)
from tfgan_repro.data.tfrecords import read_info, verify_tfrecords, write_tfrecords

__all__ = [
  "INSTANCE_ID_SCALE",
  "NoGroundTruthError",
  "attribute_dataset",
  "attribute_names",
  "attribute_test_arrays",
  "default_data_config",
  "domain_channels",
  "domain_images",
  "epoch_size",
  "image_arrays",
  "image_count",
  "image_dataset",
  "label_palette",
  "make_dataset",
  "paired_dataset",
  "paired_test_arrays",
  "read_info",
  "resolve_data_config",
  "unpaired_dataset",
  "verify_tfrecords",
  "write_tfrecords",
]
