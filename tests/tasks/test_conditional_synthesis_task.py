"""The synthesis task with the class-conditional model (configs/conditional.py tiny): one sample
sheet row per class, intra-class FID / per-class precision and recall with a class judge as the
feature extractor, the judge's accuracy on the requested classes."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

from configs import conditional
from tfgan_repro import data, models
from tfgan_repro.evaluation import class_judge
from tfgan_repro.evaluation.metrics import class_conditional
from tfgan_repro.tasks import synthesis, task_of

SIZE = 16  # the tiny config


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
  """(config with 24 held-out images and a 2-step judge as extractor and class judge, model)."""
  out = str(tmp_path_factory.mktemp("judge") / "judge16.keras")
  class_judge.train_class_judge(out, size=SIZE, steps=2, num_train=24, num_test=12, log_every=1)
  config = conditional.get_config("tiny")
  config.data.num_test = config.data.num_train = config.eval.num_images = 24
  config.eval.extractor = config.eval.class_judge = out
  keras.utils.set_random_seed(0)
  return config, models.build_model(config)


def test_sheet_has_one_row_per_class(setup, tmp_path):
  config, model = setup
  sheet = np.asarray(Image.open(synthesis.sample_sheet(config, model, str(tmp_path))))
  rows = min(12, synthesis.MAX_CLASS_ROWS)
  assert sheet.shape == (rows * SIZE, config.eval.sample_cols * SIZE, 3)
  z = model.latents(rows * config.eval.sample_cols, config.seed + synthesis.SHEET_SEED)
  last = model.G([z[-1:], np.array([rows - 1], np.int32)], training=False).numpy()[0]
  tile = sheet[-SIZE:, -SIZE:].astype(np.float64)
  np.testing.assert_allclose(tile, np.round((last + 1.0) * 127.5), atol=1)


def test_evaluate_adds_the_class_scores(setup):
  config, model = setup
  task = task_of(model)
  result = task.evaluate(config, model)
  assert result["kind"] == "class_judge" and result["comparable_with_published"] is False
  scores = result["class_conditional"]
  real, labels = data.image_arrays(config.data, "test", 24)
  judge = class_judge.load_class_judge(config.eval.class_judge, SIZE)
  fake = synthesis.generate_images(
    model.shipped_generators["G"],
    synthesis.latent_spec(model),
    config.seed + synthesis.EVAL_SEED,
    24,
    classes=labels,
  )
  want = class_conditional.judge_accuracy(class_judge.classify(judge, fake), labels, 12)
  assert scores["judge"] == want
  net, _, _ = synthesis.load_extractor(config, config.eval.extractor)
  intra = class_conditional.intra_class_fid(net(real)[0], labels, net(fake)[0], labels, 12)
  assert scores["intra_fid"]["classes_scored"] == intra["classes_scored"] >= 1
  assert scores["intra_fid"]["mean"] == pytest.approx(intra["mean"], rel=1e-9)
  assert len(scores["per_class"]["precision"]) == 12
  text = task.format(result)
  assert "intra-class FID" in text and "class judge accuracy" in text
  config.eval.extractor = ""  # no features: the judge's accuracy alone
  alone = task.evaluate(config, model)["class_conditional"]
  assert alone["judge"] == want and "intra_fid" not in alone
