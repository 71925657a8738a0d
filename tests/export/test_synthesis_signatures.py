"""Tests of a synthesis generator's export (export.synthesis_signatures): serving_default on
latents, the `generate` and `sample_latents` signatures, the latent contract, TFLite float32 /
float16 / int8 through export_version's gates, and a class-conditional G."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf

from export.contract import read_contract
from export.inputs import input_shapes
from export.saved_model import export_saved_model, load_serving
from export.synthesis_signatures import (
  GENERATE_SIGNATURE_KEY,
  LATENTS_SIGNATURE_KEY,
  encode_pngs,
  spec_of,
)
from export.tflite import LiteRTModel
from export.versioned import export_version
from tests.tasks.tiny_synthesis import SIZE, Z_DIM, TinySynthesis, build_generator
from tfgan_repro.data.latents import LatentSpec, class_ids, sample_latents
from tfgan_repro.tasks import TASKS

SPEC = LatentSpec(Z_DIM)


def _decode(pngs: tf.Tensor) -> np.ndarray:
  return np.stack([tf.io.decode_png(p).numpy() for p in pngs.numpy()])


def test_latent_input_is_served_as_latents():
  assert input_shapes(build_generator()) == {"latents": (None, Z_DIM)}
  assert spec_of(None) is None and spec_of({"images": {"kind": "image"}}) is None
  assert spec_of(SPEC.contract()) == SPEC


def test_saved_model_signatures(tmp_path):
  G = build_generator()
  path = export_saved_model(G, str(tmp_path / "G"), contract=SPEC.contract())
  loaded, fn, specs = load_serving(path)
  assert list(specs) == ["latents"] and specs["latents"].shape.as_list() == [None, Z_DIM]
  assert set(loaded.signatures) == {
    "serving_default",
    GENERATE_SIGNATURE_KEY,
    LATENTS_SIGNATURE_KEY,
  }
  z = sample_latents(5, 3, Z_DIM, truncation=0.7)
  np.testing.assert_allclose(fn(latents=z)["outputs"].numpy(), G(z).numpy(), atol=1e-6)
  args = dict(seed=tf.constant(5, tf.int64), count=tf.constant(3), truncation=tf.constant(0.7))
  served = _decode(loaded.signatures[GENERATE_SIGNATURE_KEY](**args)["png_bytes"])
  np.testing.assert_array_equal(served, _decode(encode_pngs(G(z))))
  assert served.shape == (3, SIZE, SIZE, 3)
  z_served = loaded.signatures[LATENTS_SIGNATURE_KEY](**args)["latents"]
  np.testing.assert_array_equal(z_served.numpy(), z.numpy())
  assert spec_of(read_contract(path)) == SPEC


def test_class_conditional_signatures(tmp_path):
  model = TinySynthesis(num_classes=3)
  served_G = TASKS.get("synthesis").export_generators(model)["G"]
  spec = LatentSpec(Z_DIM, "normal", 3)
  path = export_saved_model(served_G, str(tmp_path / "G"), contract=spec.contract())
  loaded, fn, specs = load_serving(path)
  assert set(specs) == {"latents", "class_ids"}
  z = sample_latents(2, 4, Z_DIM)
  ids = class_ids(4, 3, [2, 0])  # [2, 0, 2, 0]
  expected = model.G([z, ids]).numpy()
  out = fn(latents=z, class_ids=tf.cast(ids, tf.float32)[:, None])["outputs"].numpy()
  np.testing.assert_allclose(out, expected, atol=1e-6)
  generate = loaded.signatures[GENERATE_SIGNATURE_KEY]
  pngs = generate(
    seed=tf.constant(2, tf.int64),
    count=tf.constant(4),
    truncation=tf.constant(0.0),
    class_ids=tf.constant([2, 0]),
  )["png_bytes"]
  np.testing.assert_array_equal(_decode(pngs), _decode(encode_pngs(expected)))
  with pytest.raises(tf.errors.InvalidArgumentError, match="class_ids must be"):
    generate(
      seed=tf.constant(2, tf.int64),
      count=tf.constant(1),
      truncation=tf.constant(0.0),
      class_ids=tf.constant([3]),
    )


def test_tflite_variants_pass_the_gates(tmp_path):
  G = build_generator()
  check = {"G": {"latents": sample_latents(1, 4, Z_DIM).numpy()}}
  calibration = {"G": sample_latents(2, 100, Z_DIM).numpy()}
  rows = export_version(
    {"G": G},
    str(tmp_path),
    check,
    quantizations=("float32", "float16", "int8"),
    tflite_size=SIZE,
    calibration_images=calibration,
    min_psnr=20.0,
    source={"input_contracts": {"G": SPEC.contract()}},
    translate_bytes=True,  # not added: the net takes latents
  )
  by_artifact = {r.artifact: r for r in rows}
  assert set(by_artifact) == {"saved_model", "tflite_float32", "tflite_float16", "tflite_int8"}
  assert by_artifact["tflite_float32"].max_abs <= 1e-4
  assert by_artifact["tflite_int8"].psnr_db >= 20.0
  lite = LiteRTModel(os.path.join(tmp_path, "G", "1", by_artifact["tflite_float32"].path))
  assert list(lite.inputs) == ["latents"]
  z = sample_latents(9, 2, Z_DIM).numpy()
  np.testing.assert_allclose(lite.outputs({"latents": z}), G(z).numpy(), atol=1e-4)
  loaded = tf.saved_model.load(os.path.join(tmp_path, "G", "1"))
  assert "translate_bytes" not in loaded.signatures and GENERATE_SIGNATURE_KEY in loaded.signatures
