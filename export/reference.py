"""A float64 reference for the float32 parity gate (export.parity.float_gate).

A deep float32 net differs from its own exact output by float32 round-off that grows with depth
(docs/pitfalls.md, Export): a correct TFLite conversion of a 256 px ResNet-9 reorders float32
sums and differs from the Keras float32 model by ~1e-4. Both float32 implementations are compared
instead with the same net rebuilt in float64 (same config, every dtype policy float64, the weights
cast to float64) on the same inputs: a correct artifact is about as far from it as Keras is.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from export.inputs import model_inputs

FLOAT64 = "float64"
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "mixed_float16", "mixed_bfloat16")


def _to_float64(config: Any) -> Any:
  """`config` with every float dtype / dtype policy replaced by float64 (recursively)."""
  if isinstance(config, dict):
    if config.get("class_name") == "DTypePolicy" and isinstance(config.get("config"), dict):
      return {**config, "config": {**config["config"], "name": FLOAT64}}
    out = {}
    for key, value in config.items():
      if key == "dtype" and isinstance(value, str) and value in _FLOAT_DTYPES:
        out[key] = FLOAT64
      else:
        out[key] = _to_float64(value)
    return out
  if isinstance(config, list):
    return [_to_float64(v) for v in config]
  return config


def float64_model(model: keras.Model) -> keras.Model | None:
  """`model` rebuilt in float64 with its weights cast to float64; None when it cannot be rebuilt
  from its config (a subclassed model) or its weights do not line up."""
  try:
    clone = model.__class__.from_config(_to_float64(model.get_config()))
  except (NotImplementedError, TypeError, ValueError, KeyError):
    return None
  weights = model.get_weights()
  if [w.shape for w in clone.get_weights()] != [w.shape for w in weights]:
    return None
  clone.set_weights([np.asarray(w, np.float64) if w.dtype.kind == "f" else w for w in weights])
  if any(v.dtype != FLOAT64 for v in clone.weights if "float" in str(v.dtype)):
    return None
  return clone


def float64_outputs(
  model: keras.Model, inputs: dict[str, np.ndarray], *, reference: keras.Model | None = None
) -> np.ndarray | None:
  """The float64 rebuild's outputs (training=False) on named inputs (float inputs cast to
  float64), or None when the model cannot be rebuilt in float64 (float64_model)."""
  reference = reference if reference is not None else float64_model(model)
  if reference is None:
    return None
  cast = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in inputs.items()}
  try:
    out = keras.ops.convert_to_numpy(reference(model_inputs(cast), training=False))
  except Exception:  # noqa: BLE001 (a layer that mixes in float32 tensors: no float64 reference)
    return None
  if out.dtype != np.float64:
    return None  # some layer computes in float32: no float64 reference
  return out
