"""Mixed precision (config.train.precision): the Keras dtype policy the networks are built under
and whether the optimizers scale the loss.

Keras mixed precision guide (keras.io/guides/mixed_precision): under "mixed_float16" /
"mixed_bfloat16" layers compute in float16 / bfloat16 and keep float32 variables; float16 needs
dynamic loss scaling (Micikevicius et al. 2018, Sec. 3.2; keras.optimizers.LossScaleOptimizer),
bfloat16 has float32's exponent range and needs none. Normalisations and losses compute in
float32 (the layers cast in and back; the trainer casts each loss).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import keras

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def check_precision(precision: str) -> str:
  """`precision` if it is one of PRECISIONS, else ValueError naming config.train.precision."""
  if precision not in PRECISIONS:
    raise ValueError(f"config.train.precision must be one of {PRECISIONS}, got {precision!r}")
  return precision


def uses_loss_scaling(precision: str) -> bool:
  """Whether `precision` computes in float16, whose gradients need loss scaling."""
  return check_precision(precision) == "mixed_float16"


@contextlib.contextmanager
def dtype_policy(precision: str) -> Iterator[keras.DTypePolicy]:
  """Keras' global dtype policy set to `precision` inside the block and restored after it (the
  layers built inside keep theirs), so the policy never outlives the model it was set for."""
  check_precision(precision)
  previous = keras.mixed_precision.dtype_policy()
  keras.mixed_precision.set_dtype_policy(precision)
  try:
    yield keras.mixed_precision.dtype_policy()
  finally:
    keras.mixed_precision.set_dtype_policy(previous)
