"""The main job at tiny size: trains, is killed, resumes, evaluates and exports (every family);
bad runs fail clearly."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

import export
from configs import cyclegan
from export.inputs import as_inputs, resize_inputs
from export.parity import keras_outputs
from tfgan_repro.nets.common import without_inference_dropout
from tfgan_repro.tasks import task_of
from tfgan_repro.training import callbacks, checkpointing, run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRAIN = [sys.executable, "-m", "bin.train"]
CYCLEGAN = "configs/cyclegan.py:tiny"


@dataclasses.dataclass(frozen=True)
class Family:
  """A tiny config and what its run exports: networks, the static TFLite side, signatures."""

  config: str
  networks: tuple[str, ...]
  tflite_size: int
  signatures: tuple[str, ...]
  baseline: str  # evaluation's trivial translation: identity, or class-mean colours of labels


FAMILIES = {
  "cycle_gan": Family(
    CYCLEGAN, ("G_AB", "G_BA"), 32, ("serving_default", "translate_bytes"), "identity"
  ),
  # one-hot city labels (8 channels) -> photo: no encoded-image signature, no identity baseline
  "pix2pix": Family("configs/pix2pix.py:tiny", ("G",), 128, ("serving_default",), "class_mean"),
  # global stage: label and instance maps -> photo, features from clusters
  "pix2pixhd": Family("configs/pix2pixhd.py:tiny", ("G",), 64, ("serving_default",), "class_mean"),
}


def _train_cmd(workdir, config: str = CYCLEGAN) -> list[str]:
  return [*TRAIN, f"--config={config}", f"--workdir={workdir}"]


@pytest.mark.parametrize("family", FAMILIES.values(), ids=FAMILIES.keys())
def test_killed_run_resumes_then_evaluates_and_exports(family, tmp_path):
  workdir = tmp_path / "run"
  proc = subprocess.Popen(
    _train_cmd(workdir, family.config),
    cwd=ROOT,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
  )
  state = workdir / "checkpoints" / "checkpoint"  # written (atomically) after a checkpoint's files
  deadline = time.time() + 240
  while not state.exists() and proc.poll() is None and time.time() < deadline:
    time.sleep(0.05)
  proc.send_signal(signal.SIGKILL)
  assert proc.wait() == -signal.SIGKILL
  assert state.exists() and not (workdir / "eval.json").exists()

  done = subprocess.run(
    _train_cmd(workdir, family.config), cwd=ROOT, capture_output=True, text=True, timeout=300
  )
  assert done.returncode == 0, done.stderr[-3000:]
  # tiny: 8 scenes (per domain), batch 1, 1 + 1 epochs = 16 steps, checkpoints every 4.
  resumed_from = int(done.stdout.split(" from step ")[1].split()[0])
  assert resumed_from in (4, 8, 12)
  result = json.loads((workdir / "eval.json").read_text())
  assert result["step"] == 16 and result["num_images"] == 4
  assert tf.train.latest_checkpoint(str(workdir / "checkpoints")).endswith("ckpt-16")
  assert (workdir / "samples.png").stat().st_size > 0
  assert any(f.startswith("events") for f in os.listdir(workdir / "tensorboard"))

  # The eval binary's library path scores the restored model the same as the run did (pix2pix's
  # test-time dropout included: seeded).
  config, model, step = checkpointing.load_run(str(workdir))
  assert step == 16 and tuple(model.generators) == family.networks
  task = task_of(model)
  assert task.name == "translation"
  again = task.evaluate(config, model)
  first = family.networks[0]
  for net in family.networks:
    assert again[net]["psnr"] == pytest.approx(result[net]["psnr"], abs=1e-4)
    assert again[net]["ssim"] == pytest.approx(result[net]["ssim"], abs=1e-4)
    baseline = result[net][f"{family.baseline}_psnr"]
    assert result[net]["baseline"] == family.baseline and 5.0 < baseline < 30.0
    assert baseline == pytest.approx(result[first][f"{family.baseline}_psnr"])
    assert result[net]["psnr_gain_db"] == pytest.approx(result[net]["psnr"] - baseline)

  # The exported artifacts reproduce the restored Keras generators (in official --eval mode:
  # export removes dropout at inference) on held-out inputs as the served nets take them
  # (pix2pixHD: label and instance maps; export.inputs).
  for name, net in task.export_generators(model).items():
    net = without_inference_dropout(net)
    inputs = as_inputs(task.export_check_inputs(config, model, name, 1), net)
    assert np.abs(keras_outputs(net, inputs)).max() > 1e-3  # not a trivially constant output
    version = workdir / "export" / name / "1"  # TF Serving layout: <network>/<version>/
    served = tf.saved_model.load(str(version))
    assert sorted(served.signatures) == list(family.signatures)
    assert export.check_saved_model(str(version), net, inputs)["max_abs"] <= 1e-5
    tflite = version / "tflite" / f"{name}_float32_{family.tflite_size}.tflite"
    lite_inputs = resize_inputs(inputs, family.tflite_size)
    assert export.check_tflite(str(tflite), net, lite_inputs)["max_abs"] <= 1e-4


def _tiny(**overrides):
  config = cyclegan.get_config("tiny")
  config.export.enabled = False
  for key, value in overrides.items():
    section, field = key.split(".")
    config[section][field] = value
  return config


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
  workdir = str(tmp_path)
  run.train(_tiny(**{"train.max_steps": 4}), workdir)
  good = tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints"))
  assert good.endswith("ckpt-4")
  exploding = _tiny(**{"train.max_steps": 12, "optimizer.lr": 1e30})
  os.remove(os.path.join(workdir, "config.json"))  # else the changed lr is refused (run_dir)
  with pytest.raises(callbacks.NonFiniteLossError, match=r"at step [5-8]\b.*ckpt-4"):
    run.train(exploding, workdir)
  assert tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints")) == good
  _, model, step = checkpointing.load_run(workdir)
  assert step == 4
  assert all(np.isfinite(v.numpy()).all() for v in model.trainable_variables)


def test_workdir_of_another_model_is_refused(tmp_path):
  config = _tiny()
  checkpointing.prepare_workdir(config, str(tmp_path))
  other = _tiny(**{"generator.name": "unet_128"})
  with pytest.raises(ValueError, match="different model.*unet_128"):
    checkpointing.prepare_workdir(other, str(tmp_path))


def test_unknown_config_key_is_refused_with_a_suggestion(tmp_path):
  cmd = [*_train_cmd(tmp_path), "--config.train.max_stepz=3"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
  assert done.returncode != 0
  assert "max_stepz" in done.stderr and "max_steps" in done.stderr
  assert not (tmp_path / "config.json").exists()
