"""Feature extractors: InceptionV3 shapes (random weights), model files, judge networks, image
folders, the resize against pytorch-fid's, and bin.metrics on image folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro.evaluation import features
from tfgan_repro.evaluation.attribute_classifier import build_classifier
from tfgan_repro.evaluation.metrics import synthesis_metrics

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _images(n: int, h: int, w: int, seed: int = 0) -> np.ndarray:
  return np.random.default_rng(seed).integers(0, 256, (n, h, w, 3), dtype=np.uint8)


def _two_output_model(size: int = 12) -> keras.Model:
  """Images [N, size, size, 3] -> (features [N, 4], logits [N, 3])."""
  x = keras.Input((size, size, 3))
  h = keras.layers.Conv2D(4, 3, strides=2, name="conv")(x)
  feats = keras.layers.GlobalAveragePooling2D(name="feats")(h)
  logits = keras.layers.Dense(3, name="logits")(feats)
  return keras.Model(x, [feats, logits], name="tiny")


def test_inception_v3_with_random_weights_gives_pool3_and_logits():
  extractor = features.inception_v3_extractor(None)
  assert extractor.image_size == (299, 299) and extractor.has_logits
  assert "not comparable with published FID" in extractor.name
  feats, logits = extractor(_images(3, 40, 32), batch_size=2)  # resized to 299 x 299
  assert feats.shape == (3, 2048) and logits.shape == (3, 1000)
  assert feats.dtype == np.float64 and np.isfinite(feats).all() and (feats >= 0).all()  # post-ReLU
  with pytest.raises(ValueError, match="does not exist"):
    features.inception_v3_extractor("/no/such/inception.h5")


def test_resize_is_pytorch_fids_bilinear_interpolation():
  import torch  # the test extra (pyproject.toml)

  image = np.random.default_rng(1).uniform(-1, 1, (1, 17, 23, 3)).astype(np.float32)
  flat = keras.Sequential([keras.Input((29, 31, 3)), keras.layers.Flatten()])
  ours, _ = features.FeatureExtractor("flat", flat, (29, 31), has_logits=False)(image)
  # pytorch-fid inception.py: F.interpolate(x, size=(299, 299), mode="bilinear",
  # align_corners=False)
  theirs = torch.nn.functional.interpolate(
    torch.from_numpy(image).permute(0, 3, 1, 2), size=(29, 31), mode="bilinear", align_corners=False
  )
  np.testing.assert_allclose(ours, theirs.permute(0, 2, 3, 1).reshape(1, -1).numpy(), atol=1e-5)


def test_model_files_keras_and_h5_resize_to_their_input(tmp_path):
  model = _two_output_model()
  images = _images(5, 20, 16)
  x = tf.image.resize(images.astype(np.float32) / 127.5 - 1.0, (12, 12), method="bilinear")
  want_feats, want_logits = (np.asarray(o, np.float64) for o in model(x))
  for name in ("tiny.keras", "tiny.h5"):
    path = str(tmp_path / name)
    model.save(path)
    extractor = features.load_extractor(path)  # auto: a whole-model file
    assert extractor.image_size == (12, 12) and extractor.name == f"model file {name}"
    feats, logits = extractor(images, batch_size=2)
    np.testing.assert_allclose(feats, want_feats, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logits, want_logits, rtol=1e-5, atol=1e-6)
  weights = str(tmp_path / "tiny.weights.h5")
  model.save_weights(weights)
  assert not features._is_model_file(weights)  # auto reads it as InceptionV3 weights
  with pytest.raises(ValueError, match="kind must be one of"):
    features.load_extractor(weights, kind="vgg")


def test_judge_extractor_pools_a_named_layer():
  model = build_classifier(16, 4, filters=4, depth=2)
  extractor = features.judge_extractor(model, "pool", logits_layer=model.layers[-1].name)
  assert extractor.image_size == (16, 16) and extractor.name == f"judge {model.name}:pool"
  images = _images(3, 16, 16)
  feats, logits = extractor(images)
  assert feats.shape == (3, 16) and logits.shape == (3, 4)
  np.testing.assert_allclose(logits, model(images / 127.5 - 1.0), rtol=1e-5, atol=1e-6)
  # A 4-D layer is averaged over space, as pool3.
  conv = next(lay.name for lay in model.layers if len(lay.output.shape) == 4)
  spatial = keras.Model(model.inputs, model.get_layer(conv).output)(images / 127.5 - 1.0)
  np.testing.assert_allclose(
    features.judge_extractor(model, conv)(images)[0], np.mean(spatial, axis=(1, 2)), rtol=1e-5
  )
  with pytest.raises(ValueError, match="'nope' is not a layer"):
    features.judge_extractor(model, "nope")


def _write_folder(directory: str, images: np.ndarray) -> None:
  os.makedirs(directory)
  for i, image in enumerate(images):
    tf.io.write_file(os.path.join(directory, f"{i:03d}.png"), tf.io.encode_png(image))


def test_folder_features_and_the_command_on_image_folders(tmp_path):
  real, fake = _images(12, 20, 20, seed=2), _images(10, 24, 16, seed=3)  # two sizes
  _write_folder(str(tmp_path / "real"), real)
  _write_folder(str(tmp_path / "fake"), fake)
  path = str(tmp_path / "tiny.keras")
  _two_output_model().save(path)
  extractor = features.load_extractor(path)
  real_feats, _ = features.folder_features(extractor, str(tmp_path / "real"), batch_size=5)
  fake_feats, fake_logits = features.folder_features(extractor, str(tmp_path / "fake"))
  np.testing.assert_allclose(real_feats, extractor(real)[0], rtol=1e-6)  # PNG is lossless
  os.makedirs(tmp_path / "empty")
  with pytest.raises(ValueError, match="no images in"):
    features.image_files(str(tmp_path / "empty"))
  cmd = [sys.executable, "-m", "bin.metrics", f"--real_dir={tmp_path / 'real'}"]
  cmd += [f"--fake_dir={tmp_path / 'fake'}", f"--extractor={path}", "--kid_subsets=3"]
  cmd += ["--kid_subset_size=8", "--k=2", "--is_splits=2"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert done.returncode == 0, done.stderr[-3000:]
  got = json.loads(done.stdout)
  want = synthesis_metrics(
    real_feats,
    fake_feats,
    fake_logits=fake_logits,
    kid_subsets=3,
    kid_subset_size=8,
    k=2,
    is_splits=2,
  )
  assert got["extractor"] == "model file tiny.keras"
  assert got["fid"] == pytest.approx(want["fid"], rel=1e-6)
  assert got["is"] == pytest.approx(want["is"], rel=1e-6)
  assert "is_real" in got and got["num_real"] == 12 and got["num_fake"] == 10
