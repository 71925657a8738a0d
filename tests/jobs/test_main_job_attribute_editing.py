"""The main job of each attribute-editing family at tiny size, in process: a run stopped half way
resumes, then samples, scores its edits against the true renders, draws its sliders and exports
G with the named inputs "images" + "attributes" (SavedModel and TFLite equal to Keras)."""

from __future__ import annotations

import importlib
import json
import os

import numpy as np
import pytest
import tensorflow as tf

import export
from export.inputs import as_inputs
from jobs import main_job
from tfgan_repro.models.attribute_editor import GENERATOR, AttributeEditor
from tfgan_repro.tasks import task_of
from tfgan_repro.training import checkpointing, run

FAMILIES = ("fader", "fader_gan", "stargan", "cycle_cgan")


@pytest.mark.parametrize("family", FAMILIES)
def test_stopped_run_resumes_then_scores_slides_and_exports(family, tmp_path, capsys):
  config = importlib.import_module(f"configs.{family}").get_config("tiny")
  config.train.checkpoint_every = 2  # a session ends at a checkpoint; both sessions agree
  total = run.make_schedule(config).total_steps
  assert total >= 4 and total % 4 == 0
  workdir = str(tmp_path)
  half = config.copy_and_resolve_references()
  half.train.max_steps = total // 2
  run.train(half, workdir)  # the first session ends half way (a crash loses no more)

  written = main_job.run(config, workdir, resume_changed=("train.max_steps",))
  assert f"from step {total // 2} " in capsys.readouterr().out
  config, model, step = checkpointing.load_run(workdir)
  assert step == total and isinstance(model, AttributeEditor)
  task = task_of(model)
  assert task.name == "attribute_editing"

  assert written["samples"] == os.path.join(workdir, "samples.png")  # the task's sheets
  assert written["sliders"] == os.path.join(workdir, "sliders.json")
  with open(written["eval"]) as f:
    result = json.load(f)
  names = list(result["attribute_names"])
  assert names == [a.strip() for a in config.data.attributes.split(",")]
  assert result["num_images"] == config.data.num_test
  for name in names:
    edit = result["edits"][name]
    assert 0 < edit["psnr"] < 100 and -1 <= edit["ssim"] <= 1
    assert 0 < edit["identity_psnr"] < 100  # the unchanged input: the baseline to beat
  assert result["classifier"]["classifier"] is None  # none configured: said, not faked
  with open(written["sliders"]) as f:
    slides = json.load(f)
  assert sorted(slides) == sorted(names)
  for name in names:
    assert len(slides[name]["values"]) == config.eval.slider_steps
    assert slides[name]["mean_probability"] is None  # no classifier: no scores
    sheet = os.path.join(workdir, f"sliders_{name}.png")
    assert slides[name]["sheet"] == sheet
    rows, steps, size = config.eval.sample_rows, config.eval.slider_steps, config.data.crop_size
    rows = min(rows, config.data.num_test)
    assert tf.io.decode_png(tf.io.read_file(sheet)).shape == (rows * size, (1 + steps) * size, 3)

  served = os.path.join(workdir, "export", GENERATOR, "1")
  _, _, specs = export.saved_model.load_serving(served)
  assert set(specs) == {"images", "attributes"}
  net = task.export_generators(model)[GENERATOR]
  inputs = as_inputs(task.export_check_inputs(config, model, GENERATOR, 2), net)
  assert export.check_saved_model(served, net, inputs)["max_abs"] <= 1e-5
  size = config.data.crop_size
  tflite = os.path.join(served, "tflite", f"{GENERATOR}_float32_{size}.tflite")
  assert export.check_tflite(tflite, net, inputs)["max_abs"] <= 1e-4
  # The condition input matters: asking for the other attribute values changes the output.
  other = {**inputs, "attributes": np.asarray(model.edit_condition(1.0 - _targets(model, inputs)))}
  assert np.abs(net([*other.values()]) - net([*inputs.values()])).max() > 1e-4


def _targets(model: AttributeEditor, inputs: dict) -> np.ndarray:
  """The {0, 1} attributes `inputs["attributes"]` asks for (inverts edit_condition)."""
  zero = np.asarray(model.edit_condition(np.zeros((1, 1), np.float32)))
  one = np.asarray(model.edit_condition(np.ones((1, 1), np.float32)))
  return (inputs["attributes"] - zero) / (one - zero)
