"""Test-session set-up: two logical CPU devices, so MirroredStrategy runs replica math on CPU."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

# NOTES.md: logical devices must be configured before any op runs.
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
