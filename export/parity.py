"""Output parity between an exported artifact and its Keras model (NOTES.md, Export: every
artifact is checked against the Keras model on real inputs)."""

from __future__ import annotations

import math

import keras
import numpy as np

from export.inputs import model_inputs
from export.parity_error import ParityError

# Lead's brief: float32 artifacts must match Keras to 1e-4; the correct export routes measured
# ~1e-6 (NOTES.md, Export), so this leaves float32 round-off headroom and catches garbage.
DEFAULT_TOLERANCE = 1e-4


def keras_outputs(model: keras.Model, inputs: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
  """The reference: the Keras model in inference mode on an image batch or on named inputs
  (export.inputs.as_inputs), as float32."""
  x = model_inputs(inputs) if isinstance(inputs, dict) else inputs
  return keras.ops.convert_to_numpy(model(x, training=False)).astype(np.float32)


def parity_stats(expected: np.ndarray, actual: np.ndarray) -> dict[str, float]:
  """max and mean |actual - expected|; any non-finite difference (NaN, inf) counts as inf."""
  expected = np.asarray(expected, dtype=np.float32)
  actual = np.asarray(actual, dtype=np.float32)
  if expected.shape != actual.shape:
    raise ValueError(f"actual has shape {actual.shape}, expected shape {expected.shape}")
  diff = np.abs(actual - expected)
  if not np.isfinite(diff).all():
    return {"max_abs": math.inf, "mean_abs": math.inf}
  return {"max_abs": float(diff.max()), "mean_abs": float(diff.mean())}


def require_parity(stats: dict[str, float], *, tolerance: float, artifact: str) -> None:
  """Raises ParityError unless stats["max_abs"] <= tolerance."""
  if not stats["max_abs"] <= tolerance:
    raise ParityError(
      f"{artifact} does not match its Keras model: max |diff| {stats['max_abs']:.3g} "
      f"(mean {stats['mean_abs']:.3g}) > tolerance {tolerance:.3g}"
    )
