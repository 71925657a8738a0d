"""export_version's parity gate: a failed check raises and writes no version of any network."""

from __future__ import annotations

import os

import numpy as np
import pytest

import export
from tests.export.tiny_models import tiny_generator


def test_parity_failure_raises_and_writes_no_version(tmp_path):
  models = {"G_AB": tiny_generator(seed=0), "G_BA": tiny_generator(seed=1)}
  x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
  images = {name: x for name in models}
  # float16 weights differ from float32 ones: no float16 TFLite reaches 500 dB. Nothing is left:
  # no version, no staging folder, no lock.
  with pytest.raises(export.ParityError, match="G_AB TFLite float16"):
    export.export_version(
      models,
      str(tmp_path),
      images,
      quantizations=("float32", "float16"),
      tflite_size=16,
      min_psnr=500.0,
    )
  assert sorted(os.listdir(tmp_path)) == []
  rows = export.export_version(models, str(tmp_path), images, tflite_size=16)
  assert [(r.network, r.version) for r in rows] == [("G_AB", 1)] * 2 + [("G_BA", 1)] * 2
  for name in models:
    assert os.path.exists(tmp_path / name / "1" / "saved_model.pb")
