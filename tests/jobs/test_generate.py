"""Tests of jobs.generate / bin.generate on a tiny synthesis run trained and exported by the main
job: the same seed gives the same images from the run, its SavedModel (serving_default and the
`generate` signature) and its float32 TFLite; non-synthesis models and translate are refused;
latent interpolation (jobs.latent_tools) ends on the images of its seeds."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from export.synthesis_signatures import GENERATE_SIGNATURE_KEY, LATENTS_SIGNATURE_KEY, MAX_COUNT
from jobs import generate as generation
from jobs import latent_tools, main_job
from jobs import translate as translation
from tests.tasks.tiny_synthesis import SIZE, Z_DIM, register_tiny, tiny_config
from tfgan_repro.data.latents import sample_latents


@pytest.fixture(scope="module")
def run(tmp_path_factory):
  monkeypatch = pytest.MonkeyPatch()
  register_tiny(monkeypatch)
  workdir = str(tmp_path_factory.mktemp("run"))
  config = tiny_config()
  config.train.max_steps = 2
  config.train.checkpoint_every = 2
  config.train.log_every = 1
  config.export.num_check_images = 2
  written = main_job.run(config, workdir)
  yield workdir, written
  monkeypatch.undo()


def _pngs(folder: str) -> np.ndarray:
  return np.stack([np.asarray(Image.open(p)) for p in sorted(glob.glob(f"{folder}/*.png"))])


def test_main_job_writes_samples_eval_and_export(run):
  workdir, written = run
  assert np.asarray(Image.open(written["samples"])).shape == (2 * SIZE, 8 * SIZE, 3)
  result = json.load(open(written["eval"]))
  assert result["extractor"] is None and result["step"] == 2
  assert os.path.isfile(os.path.join(workdir, "export", "G", "1", "saved_model.pb"))


def test_run_saved_model_and_tflite_give_the_same_images(run, tmp_path):
  workdir, _ = run
  saved_model = os.path.join(workdir, "export", "G", "1")
  (lite,) = glob.glob(os.path.join(saved_model, "tflite", "G_float32_*.tflite"))
  outs = {}
  for name, path in (("run", workdir), ("saved_model", saved_model), ("tflite", lite)):
    result = generation.generate(path, str(tmp_path / name), num=5, seed=11, truncation=1.5)
    assert len(result.images) == 5 and os.path.isfile(result.index)
    outs[name] = _pngs(str(tmp_path / name))
    floats = generation.generate_images(generation.load_generator(path), 5, 11, 1.5)[0]
    outs[name + "_float"] = floats
  assert outs["run"].shape == (5, SIZE, SIZE, 3)
  np.testing.assert_array_equal(outs["run"], outs["saved_model"])
  np.testing.assert_allclose(outs["run_float"], outs["saved_model_float"], atol=1e-4)
  np.testing.assert_allclose(outs["run_float"], outs["tflite_float"], atol=1e-4)
  assert np.abs(outs["run"].astype(int) - outs["tflite"].astype(int)).max() <= 1
  other = generation.generate(workdir, str(tmp_path / "other"), num=5, seed=12)
  assert not np.array_equal(_pngs(other.output_dir), outs["run"])
  record = json.load(open(os.path.join(tmp_path / "run", generation.RECORD_FILE)))
  assert record["seed"] == 11 and record["truncation"] == 1.5 and record["kind"] == "workdir"


def test_generate_signature_matches_bin_generate(run, tmp_path):
  workdir, _ = run
  loaded = tf.saved_model.load(os.path.join(workdir, "export", "G", "1"))
  args = {
    "seed": tf.constant(11, tf.int64),
    "count": tf.constant(5, tf.int32),
    "truncation": tf.constant(1.5),
  }
  pngs = loaded.signatures[GENERATE_SIGNATURE_KEY](**args)["png_bytes"].numpy()
  served = np.stack([tf.io.decode_png(p).numpy() for p in pngs])
  generation.generate(workdir, str(tmp_path), num=5, seed=11, truncation=1.5)
  np.testing.assert_array_equal(served, _pngs(str(tmp_path)))
  z = loaded.signatures[LATENTS_SIGNATURE_KEY](**args)["latents"].numpy()
  np.testing.assert_array_equal(z, sample_latents(11, 5, Z_DIM, truncation=1.5).numpy())
  empty = loaded.signatures[GENERATE_SIGNATURE_KEY](**{**args, "count": tf.constant(0)})
  assert empty["png_bytes"].shape == (0,)
  with pytest.raises(tf.errors.InvalidArgumentError, match="count must be in"):
    loaded.signatures[GENERATE_SIGNATURE_KEY](**{**args, "count": tf.constant(MAX_COUNT + 1)})


def test_translate_refuses_a_synthesis_model(run, tmp_path):
  workdir, _ = run
  image = tmp_path / "x.png"
  Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(image)
  for path in (workdir, os.path.join(workdir, "export", "G", "1")):
    with pytest.raises(ValueError, match="bin.generate"):
      translation.translate(path, str(image), str(tmp_path / "out"))


def test_generate_refuses_bad_requests(run, tmp_path):
  workdir, _ = run
  with pytest.raises(ValueError, match="unconditional"):
    generation.generate(workdir, str(tmp_path), num=2, classes=[1])
  with pytest.raises(ValueError, match="num must be"):
    generation.generate(workdir, str(tmp_path), num=0)


def test_bin_generate_writes_the_same_images(run, tmp_path):
  workdir, _ = run
  root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  out = tmp_path / "bin"
  saved_model = os.path.join(workdir, "export", "G", "1")  # the subprocess knows no tiny model
  args = [f"--model={saved_model}", "--num=3", "--seed=11", "--truncation=1.5", f"--output={out}"]
  done = subprocess.run(
    [sys.executable, "-m", "bin.generate", *args], cwd=root, capture_output=True, text=True
  )
  assert done.returncode == 0, done.stderr[-2000:]
  assert "3 image(s)" in done.stdout and os.path.isfile(out / "index.html")
  generation.generate(workdir, str(tmp_path / "job"), num=3, seed=11, truncation=1.5)
  np.testing.assert_array_equal(_pngs(str(out)), _pngs(str(tmp_path / "job")))


def test_interpolation_walks_from_seed_to_seed_and_writes_a_gif(run, tmp_path):
  workdir, _ = run
  record = latent_tools.interpolate(
    workdir, str(tmp_path / "walk"), seeds=[3, 7], frames=4, loop=False, fps=10
  )
  frames = _pngs(str(tmp_path / "walk"))
  assert frames.shape == (5, SIZE, SIZE, 3) and record["frames"][-1] == "frame_00004.png"
  for seed, frame in ((3, frames[0]), (7, frames[-1])):  # the ends are bin.generate's images
    generation.generate(workdir, str(tmp_path / f"seed{seed}"), num=1, seed=seed)
    np.testing.assert_array_equal(frame, _pngs(str(tmp_path / f"seed{seed}"))[0])
  gif = Image.open(tmp_path / "walk" / latent_tools.GIF_FILE)
  assert gif.n_frames == 5 and gif.size == (SIZE, SIZE)
  with pytest.raises(ValueError, match=">= 2 seeds"):
    latent_tools.interpolate(workdir, str(tmp_path / "one"), seeds=[3])


def test_spherical_walk_keeps_the_ends_and_lerps_the_norm():
  a, b = np.array([3.0, 0.0]), np.array([0.0, 1.0])
  z = latent_tools.path_latents(np.stack([a, b]), frames=2, loop=False)
  np.testing.assert_allclose(z[0], a, atol=1e-6)
  np.testing.assert_allclose(z[2], b, atol=1e-6)
  np.testing.assert_allclose(z[1], 2.0 * np.array([np.sqrt(0.5), np.sqrt(0.5)]), atol=1e-6)
  assert latent_tools.path_latents(np.stack([a, b]), frames=3, loop=True).shape == (6, 2)
