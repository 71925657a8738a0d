"""Test-session set-up: two logical CPU devices, so MirroredStrategy runs replica math on CPU."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

# docs/pitfalls.md: logical devices must be configured before any op runs.
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)


@pytest.fixture(scope="session")
def two_replicas() -> tf.distribute.MirroredStrategy:
  """One two-replica CPU strategy for the whole session: a second MirroredStrategy in a process
  restarts the collective instance keys, and synchronized batch norm's all-reduce then meets the
  first one's ("Collective instance 100 expected type ...", tensorflow/tensorflow#62790)."""
  return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
