"""The class-shapes judge: trained with its defaults it reads held-out renders (accuracy >= 0.95);
its JSON, loading checks and input checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tfgan_repro.data.procedural import class_shapes
from tfgan_repro.evaluation import class_judge


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[str, dict]:
  out = str(tmp_path_factory.mktemp("judge") / "class_judge.keras")
  return out, class_judge.train_class_judge(out, log_every=300)


def test_held_out_accuracy_and_json(trained):
  path, result = trained
  assert result["test"]["accuracy"] >= 0.95
  with open(class_judge.accuracy_path(path)) as f:
    saved = json.load(f)
  assert saved == result and saved["classes"] == list(class_shapes.CLASS_NAMES)
  judge = class_judge.load_class_judge(path, 32)
  images, labels = class_shapes.class_shapes_arrays("test", 32, 300)
  predicted = class_judge.classify(judge, images / 127.5 - 1.0)
  assert float((predicted == labels).mean()) == pytest.approx(saved["test"]["accuracy"])


def test_loading_and_input_checks(trained, tmp_path):
  path, _ = trained
  with pytest.raises(ValueError, match="takes input"):
    class_judge.load_class_judge(path, 16)
  with pytest.raises(ValueError, match="does not exist"):
    class_judge.load_class_judge(str(tmp_path / "none.keras"), 32)
  judge = class_judge.load_class_judge(path, 32)
  with pytest.raises(ValueError, match=r"images must be \[N, 32, 32, 3\]"):
    class_judge.classify(judge, np.zeros((2, 16, 16, 3)))
  with pytest.raises(ValueError, match="out must end with .keras"):
    class_judge.train_class_judge(str(tmp_path / "judge.h5"))
