"""evaluate: each generator against the true image of its target domain, identity baseline beside."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

from configs import cyclegan, pix2pix
from tfgan_repro import data
from tfgan_repro.data.procedural import city
from tfgan_repro.models.pretrained import PretrainedGenerator
from tfgan_repro.tasks import translation as evaluation


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
  assert scores["baseline"] == "identity"
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


def test_one_hot_inputs_are_scored_against_the_class_mean_colour_baseline():
  config = pix2pix.get_config("tiny")
  train = city.city_arrays("train", 128, 8)  # tiny: 8 scenes, eval transform renders at 128 px
  photos = train.photos.astype(np.float64) / 127.5 - 1.0
  want = np.stack([photos[train.labels == c].mean(0) for c in range(len(city.CLASSES))])
  means = evaluation.class_mean_colors(config)
  np.testing.assert_allclose(means, want, atol=1e-5)
  # A generator that paints each class in its mean colour scores exactly the baseline.
  inputs = keras.Input((None, None, len(city.CLASSES)))
  paint = keras.layers.Dense(3, use_bias=False)
  G = keras.Model(inputs, paint(inputs))
  paint.kernel.assign(means)
  result = evaluation.evaluate(config, PretrainedGenerator(G=G))
  scores = result["G"]
  assert scores["baseline"] == "class_mean" and scores["identity_psnr"] is None
  assert scores["psnr"] == pytest.approx(scores["class_mean_psnr"], abs=1e-4)
  assert scores["psnr_gain_db"] == pytest.approx(0.0, abs=1e-4)
  assert 10.0 < scores["psnr"] < 25.0
  assert "class_mean" in evaluation.format_eval(result)
