"""evaluate: each generator against the true image of its target domain, identity baseline beside."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

from configs import cyclegan
from tfgan_repro import data, evaluation
from tfgan_repro.models.pretrained import PretrainedGenerator


def _identity_generator() -> keras.Model:
  inputs = keras.Input((None, None, 3))
  return keras.Model(inputs, keras.layers.Identity()(inputs))


def test_an_identity_generator_scores_the_identity_baseline():
  config = cyclegan.get_config("tiny")
  result = evaluation.evaluate(config, PretrainedGenerator(G=_identity_generator()))
  assert result["ground_truth"] and result["num_images"] == 4
  scores = result["G"]
  assert scores["psnr"] == pytest.approx(scores["identity_psnr"], abs=1e-5)
  assert scores["psnr_gain_db"] == pytest.approx(0.0, abs=1e-5)
  a, b = data.paired_test_arrays(config.data, 4)
  mse = np.mean((a - b) ** 2, axis=(1, 2, 3))  # range [-1, 1]: PSNR = 10 log10(2^2 / mse)
  assert scores["identity_psnr"] == pytest.approx(np.mean(10 * np.log10(4.0 / mse)), abs=1e-3)
  assert "G " in evaluation.format_eval(result)


def test_sources_without_truth_are_reported_not_scored(tmp_path):
  for folder in ("trainA", "trainB", "testA", "testB"):
    (tmp_path / folder).mkdir()
    Image.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(tmp_path / folder / "x.png")
  config = cyclegan.get_config("tiny")
  config.data.source = "folder"
  config.data.path = str(tmp_path)
  result = evaluation.evaluate(config, PretrainedGenerator(G=_identity_generator()))
  assert result["ground_truth"] is False and "no paired test split" in result["reason"]
  assert evaluation.format_eval(result).startswith("eval: ")
