"""export_version's parity gate: a failed check raises and writes nothing."""

from __future__ import annotations

import os

import numpy as np
import pytest

import export
from tests.export.tiny_models import tiny_generator


def test_parity_failure_raises_and_writes_no_version(tmp_path):
  model = tiny_generator(seed=0)
  x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
  # float32 TFLite differs from Keras by ~1e-6 (float round-off): a 1e-12 tolerance must fail.
  with pytest.raises(export.ParityError, match="G"):
    export.export_version({"G": model}, str(tmp_path), {"G": x}, tflite_size=16, tolerance=1e-12)
  assert not os.path.exists(tmp_path / "G" / "1")
  assert [f for f in os.listdir(tmp_path / "G") if not f.startswith(".")] == []
  rows = export.export_version(
    {"G": model}, str(tmp_path), {"G": x}, tflite_size=16, tolerance=1e-4
  )
  assert [r.version for r in rows] == [1, 1] and os.path.exists(
    tmp_path / "G" / "1" / "saved_model.pb"
  )
