"""Output parity between an exported artifact and its Keras model (docs/pitfalls.md, Export: every
artifact is checked against the Keras model on real inputs)."""

from __future__ import annotations

import math

import keras
import numpy as np

from export.inputs import model_inputs
from export.parity_error import ParityError
from export.reference import float64_model, float64_outputs

# float32 artifacts must match Keras to 1e-4 (docs/design.md, "Shipping and its gates"); the
# correct export routes measured ~1e-6 (docs/pitfalls.md, Export), so this leaves float32
# round-off headroom and catches garbage.
DEFAULT_TOLERANCE = 1e-4
# A float32 artifact may be this many times further from the float64 reference than the float32
# Keras model is (FloatGate). Measured: a correct TFLite float32 conversion of a 256 px ResNet-9
# (N(0, 0.02) weights, N(0, 0.1) biases) 2.4x (1.2e-4 vs 5.0e-5), the SavedModel 1.0x;
# tests/faults/test_parity_gate.py.
FLOAT32_ERROR_RATIO = 8.0


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


class FloatGate:
  """The gate of float32 artifacts (SavedModel, TFLite float32) of one model.

  Each artifact's max |diff| from a float64 rebuild of the model (export.reference) must be at
  most max(FLOAT32_ERROR_RATIO x the float32 Keras model's own max |diff| from it, tolerance):
  float32 round-off grows with depth (docs/pitfalls.md, Export), a broken conversion is far
  beyond it. A model that cannot be rebuilt in float64 keeps the plain gate: max |diff| from the
  Keras outputs <= tolerance.
  """

  def __init__(self, model: keras.Model, tolerance: float):
    self.model = model
    self.tolerance = tolerance
    self._reference: keras.Model | None = None
    self._built = False

  def reference(self, inputs: dict[str, np.ndarray]) -> np.ndarray | None:
    """The float64 rebuild's outputs on `inputs`, or None without a float64 rebuild."""
    if not self._built:
      self._reference, self._built = float64_model(self.model), True
    if self._reference is None:
      return None
    return float64_outputs(self.model, inputs, reference=self._reference)

  def check(
    self, artifact: str, inputs: dict[str, np.ndarray], expected: np.ndarray, actual: np.ndarray
  ) -> dict[str, float]:
    """parity_stats(expected, actual) (expected: the Keras float32 outputs on `inputs`) with
    "float64_max_abs" and "keras_float64_max_abs" (None without a float64 rebuild) added; raises
    ParityError when `actual` fails the gate."""
    stats = parity_stats(expected, actual)
    reference = self.reference(inputs)
    if reference is None:
      stats.update(float64_max_abs=None, keras_float64_max_abs=None)
      if not stats["max_abs"] <= self.tolerance:
        raise ParityError(
          f"{artifact} does not match its Keras model: max |diff| {stats['max_abs']:.3g} "
          f"(mean {stats['mean_abs']:.3g}); tolerance {self.tolerance}"
        )
      return stats
    artifact_err = _max_abs(actual, reference)
    keras_err = _max_abs(expected, reference)
    bound = max(FLOAT32_ERROR_RATIO * keras_err, self.tolerance)
    stats.update(float64_max_abs=artifact_err, keras_float64_max_abs=keras_err)
    if not artifact_err <= bound:
      raise ParityError(
        f"{artifact} does not match its Keras model: max |diff| from the float64 reference "
        f"{artifact_err:.3g}, over max({FLOAT32_ERROR_RATIO:g} x Keras float32's own "
        f"{keras_err:.3g}, tolerance {self.tolerance}) = {bound:.3g}; max |diff| from Keras "
        f"{stats['max_abs']:.3g} (mean {stats['mean_abs']:.3g})"
      )
    return stats


def _max_abs(actual: np.ndarray, reference: np.ndarray) -> float:
  """max |actual - reference| in float64; inf when any difference is not finite."""
  diff = np.abs(np.asarray(actual, np.float64) - np.asarray(reference, np.float64))
  return float(diff.max()) if np.isfinite(diff).all() else math.inf
