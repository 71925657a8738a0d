"""Tests of the synthesis task: latents (seeded, truncated), the fixed sample sheet, FID / KID /
precision / recall with a tiny shape judge and mode coverage, export inputs, the translate refusal,
FID tracked during a tiny training run with the best checkpoint kept, and a style-based G's
perceptual path length and truncation curve."""

from __future__ import annotations

import glob
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from configs import stylegan2 as stylegan2_config
from tests.tasks.tiny_synthesis import SIZE, Z_DIM, TinySynthesis, tiny_config, tiny_shape_judge
from tfgan_repro import data
from tfgan_repro.data.latents import LatentSpec, class_ids, sample_latents
from tfgan_repro.evaluation.metrics import metric_fid
from tfgan_repro.models import build_model
from tfgan_repro.tasks import TASKS, synthesis, task_of
from tfgan_repro.tasks.style_generator import noise_variables, style_parts
from tfgan_repro.training import callbacks as cb
from tfgan_repro.training.trainer import Trainer


def test_latents_are_seeded_prefix_stable_and_traceable():
  a = sample_latents(7, 3, 5).numpy()
  b = sample_latents(7, 10, 5).numpy()
  traced = tf.function(lambda s, n: sample_latents(s, n, 5))
  assert a.shape == (3, 5) and a.dtype == np.float32
  np.testing.assert_array_equal(a, b[:3])  # the first rows do not depend on the count
  np.testing.assert_array_equal(traced(tf.constant(7, tf.int64), tf.constant(10)).numpy(), b)
  assert not np.array_equal(a, sample_latents(8, 3, 5).numpy())
  u = sample_latents(7, 100, 5, "uniform").numpy()
  assert -1.0 <= u.min() and u.max() <= 1.0 and u.min() < -0.9 and u.max() > 0.9


def test_truncation_redraws_only_entries_outside():
  plain = sample_latents(3, 50, 8).numpy()
  cut = sample_latents(3, 50, 8, truncation=0.5).numpy()
  inside = np.abs(plain) <= 0.5
  assert np.abs(cut).max() <= 0.5
  np.testing.assert_array_equal(cut[inside], plain[inside])  # kept, not rescaled
  assert not np.any(np.isin(cut[~inside], [0.5, -0.5]))  # redrawn, not clipped
  np.testing.assert_array_equal(sample_latents(3, 50, 8, truncation=0.0).numpy(), plain)  # off
  with pytest.raises(ValueError, match="distribution"):
    sample_latents(3, 2, 8, "laplace")


def test_class_ids_cycle():
  np.testing.assert_array_equal(class_ids(5, 3).numpy(), [0, 1, 2, 0, 1])
  np.testing.assert_array_equal(class_ids(4, 10, [7, 2]).numpy(), [7, 2, 7, 2])
  with pytest.raises(ValueError, match=r"\[0, 3\)"):
    class_ids(2, 3, [3])


def test_task_is_registered_and_refuses_translate():
  model = TinySynthesis()
  task = task_of(model)
  assert task is TASKS.get("synthesis") and task.inputs == ("latents",)
  with pytest.raises(ValueError, match="bin.generate"):
    task.check_feeds("translate", ("images",))
  task.check_feeds("generate", ("latents",))


def test_sample_sheet_is_a_fixed_grid(tmp_path):
  config = tiny_config(sample_cols=3)
  model = TinySynthesis()
  path = synthesis.sample_sheet(config, model, str(tmp_path))
  first = np.asarray(Image.open(path))
  assert first.shape == (2 * SIZE, 3 * SIZE, 3)  # sample_rows x sample_cols
  z = sample_latents(config.seed + synthesis.SHEET_SEED, 6, Z_DIM)
  expected = np.round((model.G(z).numpy() + 1) * 127.5)  # row-major: image 1 is row 0, col 1
  np.testing.assert_allclose(first[:SIZE, SIZE : 2 * SIZE], expected[1], atol=1)
  again = np.asarray(Image.open(synthesis.sample_sheet(config, model, str(tmp_path))))
  np.testing.assert_array_equal(first, again)


def test_conditional_sheet_has_one_row_per_class(tmp_path):
  config = tiny_config(sample_cols=2)
  model = TinySynthesis(num_classes=3)
  sheet = np.asarray(Image.open(synthesis.sample_sheet(config, model, str(tmp_path))))
  assert sheet.shape == (3 * SIZE, 2 * SIZE, 3)
  spec = LatentSpec(Z_DIM, "normal", 3)
  z = sample_latents(config.seed, 6, Z_DIM)
  row2 = model.G([z[4:6], tf.constant([2, 2])]).numpy()
  np.testing.assert_allclose(sheet[2 * SIZE :, :SIZE], np.round((row2[0] + 1) * 127.5), atol=1)
  assert spec.contract()["class_ids"]["num_classes"] == 3


def test_evaluate_with_shape_judge(tmp_path):
  judge = tiny_shape_judge(str(tmp_path))
  config = tiny_config(extractor=judge)
  model = TinySynthesis()
  task = task_of(model)
  result = task.evaluate(config, model)
  assert result["kind"] == "shape_judge" and result["comparable_with_published"] is False
  assert result["num_real"] == result["num_fake"] == 6 and result["fid"] >= 0.0
  assert set(result["kid"]) == {"mean", "std"} and 0.0 <= result["precision"] <= 1.0
  modes = result["mode_coverage"]
  assert modes["num_modes"] == 1000 and modes["num_samples"] == 20
  assert 1 <= modes["generated"]["modes"] <= 20 and 1 <= modes["real"]["modes"] <= 20
  assert 0.0 <= modes["real"]["kl"] <= np.log(1000)
  assert "FID" in task.format(result) and "modes covered" in task.format(result)
  # The floor: the same metrics between the held-out and as many training images.
  net, _, _ = synthesis.load_extractor(config, judge)
  test_f = net(data.image_arrays(config.data, "test", 6)[0])[0]
  train_f = net(data.image_arrays(config.data, "train", 6)[0])[0]
  assert result["floor"]["num_images"] == 6
  assert result["floor"]["fid"] == pytest.approx(metric_fid.fid(test_f, train_f), rel=1e-6)
  assert "floor (held-out vs 6 training images)" in task.format(result)
  path = task.write(result, str(tmp_path))
  assert json.load(open(path))["fid"] == pytest.approx(result["fid"])
  again = task.evaluate(config, model)  # seeded: the same scores
  assert again["fid"] == pytest.approx(result["fid"], rel=1e-9)


def test_floor_with_fewer_training_than_held_out_images(tmp_path):
  judge = tiny_shape_judge(str(tmp_path))
  config = tiny_config(extractor=judge)
  config.data.num_train = 4  # below the 6 held-out images scored
  model = TinySynthesis()
  result = task_of(model).evaluate(config, model)
  net, _, _ = synthesis.load_extractor(config, judge)
  test_f = net(data.image_arrays(config.data, "test", 6)[0])[0]
  train_f = net(data.image_arrays(config.data, "train")[0])[0]
  assert len(train_f) == 4 and result["floor"]["num_images"] == 4
  assert result["floor"]["fid"] == pytest.approx(metric_fid.fid(test_f, train_f), rel=1e-6)


def test_evaluate_without_extractor_says_why():
  result = task_of(TinySynthesis()).evaluate(tiny_config(), TinySynthesis())
  assert result["extractor"] is None and "config.eval.extractor" in result["reason"]
  with pytest.raises(ValueError, match="takes no judge"):
    task_of(TinySynthesis()).evaluate(tiny_config(), TinySynthesis(), segmenter="x")


def test_export_inputs_and_contract():
  config = tiny_config()
  task = TASKS.get("synthesis")
  model = TinySynthesis(distribution="uniform")
  inputs = task.export_check_inputs(config, model, "G", 3)
  assert list(inputs) == ["latents"] and inputs["latents"].shape == (3, Z_DIM)
  assert task.export_generators(model)["G"] is model.G
  contract = task.export_contract(config, model, "G")
  assert LatentSpec.from_contract(contract) == LatentSpec(Z_DIM, "uniform", 0)
  conditional = TinySynthesis(num_classes=4)
  served = task.export_generators(conditional)["G"]
  named = task.export_check_inputs(config, conditional, "G", 5)
  np.testing.assert_array_equal(named["class_ids"][:, 0], [0, 1, 2, 3, 0])
  ids = named["class_ids"][:, 0].astype(np.int32)
  np.testing.assert_allclose(
    served([named["latents"], named["class_ids"]]).numpy(),
    conditional.G([named["latents"], ids]).numpy(),
  )


def test_fid_tracked_during_training_and_best_checkpoint_kept(tmp_path):
  workdir = str(tmp_path)
  judge = tiny_shape_judge(workdir)
  config = tiny_config(extractor=judge, every_kimg=0.004, kid_subsets=5)  # 4 images = 2 steps
  model = TinySynthesis()
  trainer = Trainer(model, steps_per_epoch=2)
  trainer.compile()
  (callback,) = task_of(model).training_callbacks(config, model, workdir)
  assert callback.every_steps == 2
  images = tf.random.stateless_uniform([8, SIZE, SIZE, 3], [1, 2], -1.0, 1.0)
  dataset = tf.data.Dataset.from_tensor_slices(images).batch(2).repeat()
  trainer.fit(dataset, epochs=1, steps_per_epoch=4, callbacks=[callback], verbose=0)
  best = json.load(open(os.path.join(workdir, synthesis.BEST_DIR, cb.BEST_FILE)))
  assert best["key"] == "fid" and best["step"] in (2, 4)
  assert best["value"] == pytest.approx(min(best["value"], best["scores"]["fid"]))
  assert glob.glob(best["checkpoint"] + ".index")
  assert len(glob.glob(os.path.join(workdir, synthesis.BEST_DIR, "*.index"))) == 1
  events = glob.glob(os.path.join(workdir, "tensorboard", "events.*"))
  tags = {
    v.tag
    for e in events
    for record in tf.compat.v1.train.summary_iterator(e)
    for v in record.summary.value
  }
  assert {"eval/fid", "eval/kid"} <= tags
  # A resumed callback knows the best so far.
  assert task_of(model).training_callbacks(config, model, workdir)[0].best["step"] == best["step"]


def test_no_tracking_without_every_kimg(tmp_path):
  model = TinySynthesis()
  assert task_of(model).training_callbacks(tiny_config(), model, str(tmp_path)) == []


class _TinyPoints(TinySynthesis):
  """G: z [N, 4] -> 2-D points [N, 2] (a mixture generator)."""

  def __init__(self):
    super().__init__()
    z = keras.Input((Z_DIM,), name="z")
    self.G = keras.Model(z, keras.layers.Dense(2, name="points")(z), name="G")


def test_points_are_scored_by_modes_and_drawn(tmp_path):
  config = tiny_config()
  config.data.update(source="ring8", dataset_mode="points", num_test=40)
  model = _TinyPoints()
  result = task_of(model).evaluate(config, model)
  assert result["mixture"] == {"name": "ring8", "num_modes": 8, "std": 0.02}
  assert result["num_images"] == 40 and result["real"]["modes"] == 8
  assert 0 <= result["generated"]["modes"] <= 8 and 0.0 <= result["generated"]["high_quality"]
  assert "modes covered" in task_of(model).format(result)
  sheet = np.asarray(Image.open(synthesis.sample_sheet(config, model, str(tmp_path))))
  assert sheet.ndim == 3 and sheet.shape[1] == 2 * sheet.shape[0]  # real | G(z) scatter plots


def test_style_based_g_gets_its_path_length_and_truncation_curve_in_w(tmp_path):
  keras.utils.set_random_seed(0)
  model = build_model(stylegan2_config.get_config("tiny"))
  judge = tiny_shape_judge(str(tmp_path))
  config = tiny_config(extractor=judge, ppl_samples=8, truncation_psis=(1.0, 0.0))
  style = style_parts(model.shipped_generators["G"])
  noise = [n.numpy() for n in noise_variables(style)]
  result = synthesis.evaluate(config, model)
  ppl = result["ppl"]
  assert ppl["num_samples"] == 8 and ppl["space"] == "w" and np.isfinite(ppl["ppl"])
  assert ppl["ppl"] > 0.0
  for before, after in zip(noise, noise_variables(style), strict=True):
    np.testing.assert_array_equal(before, after.numpy())  # PPL's noise draws are undone
  rows = result["truncation_curve"]["rows"]
  assert [r["psi"] for r in rows] == [1.0, 0.0]
  # psi 0: every w is w_avg, so all 6 images equal G(w_avg): the FID of one repeated feature row
  net, _, _ = synthesis.load_extractor(config, judge)
  real_f = net(data.image_arrays(config.data, "test", 6)[0])[0]
  fake_f = net(np.repeat(style.images(style.ws(style.w_avg[None])), 6, axis=0))[0]
  assert rows[1]["fid"] == pytest.approx(metric_fid.fid(real_f, fake_f), rel=1e-4)
  assert "PPL (W, end points, 8 paths)" in synthesis.format_eval(result)
  assert synthesis.evaluate(config, model)["ppl"]["ppl"] == pytest.approx(ppl["ppl"], rel=1e-6)
