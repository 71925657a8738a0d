"""Normalization layers by the official `--norm` names (networks.get_norm_layer)."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_repro.layers.batch_normalization import BatchNormalization
from tfgan_repro.layers.initializers import gamma_init
from tfgan_repro.layers.instance_normalization import InstanceNormalization

# official: --norm instance | batch | none
NORMALIZATIONS = ("instance", "batch", "none")


def check_normalization(norm: str) -> str:
  """Returns `norm` or raises ValueError listing the valid names."""
  if norm not in NORMALIZATIONS:
    raise ValueError(f"unknown norm {norm!r}; valid: {', '.join(NORMALIZATIONS)}")
  return norm


def bias_for_normalization(norm: str) -> bool:
  """Official rule `use_bias = norm_layer == nn.InstanceNorm2d`: False for batch AND for none."""
  return check_normalization(norm) == "instance"


def normalization(norm: str, name: str | None = None, init: str = "normal") -> keras.layers.Layer:
  """A fresh normalization layer for NHWC features.

  instance: InstanceNorm2d(affine=False, track_running_stats=False) (official --norm instance).
  batch: BatchNorm2d(affine=True): eps 1e-5, PyTorch momentum 0.1 = Keras momentum 0.9, gamma
    ~ N(1, 0.02) and beta 0 (official init_weights). Keras defaults (1e-3, 0.99) differ
    (docs/pitfalls.md). Its running variance moves by the unbiased batch variance, as PyTorch's
    (layers/batch_normalization.py). Built under a strategy of several replicas it is
    synchronized: the batch statistics are those of the global batch, so a step on N replicas
    equals a step on one device (docs/design.md); official DataParallel keeps per-GPU
    statistics. On one replica it is plain batch norm: Keras' synchronized moments take E[x^2] -
    E[x]^2 and a full-size count tensor even then (slower, and the variance loses precision).
    init="torch": gamma 1 (PyTorch's default, for official code without init_weights).
  none: identity (official `Identity()`).
  """
  check_normalization(norm)
  if norm == "instance":
    return InstanceNormalization(epsilon=1e-5, affine=False, name=name)
  if norm == "batch":
    return BatchNormalization(
      epsilon=1e-5,
      momentum=0.9,
      gamma_initializer=gamma_init(init),
      synchronized=tf.distribute.get_strategy().num_replicas_in_sync > 1,
      name=name,
    )
  return keras.layers.Identity(name=name)
