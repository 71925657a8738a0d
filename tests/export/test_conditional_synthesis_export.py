"""Export of the class-conditional G (configs/conditional.py tiny): SavedModel with (latents,
class_ids) inputs and the `generate` signature, TFLite float32 equal to Keras."""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from configs import conditional
from export.saved_model import load_serving
from export.synthesis_signatures import GENERATE_SIGNATURE_KEY, encode_pngs
from export.tflite import LiteRTModel
from export.versioned import export_version
from tfgan_repro import models
from tfgan_repro.data.latents import class_ids, sample_latents
from tfgan_repro.tasks import TASKS
from tfgan_repro.tasks.synthesis import latent_spec

K, Z_DIM, SIZE = 12, 8, 16  # the tiny config


def _decode(pngs: tf.Tensor) -> np.ndarray:
  return np.stack([tf.io.decode_png(p).numpy() for p in pngs.numpy()])


def test_saved_model_and_tflite_of_the_conditional_generator(tmp_path):
  config = conditional.get_config("tiny")
  keras.utils.set_random_seed(0)
  model = models.build_model(config)
  task = TASKS.get("synthesis")
  served = task.export_generators(model)["G"]
  check = task.export_check_inputs(config, model, "G", 3)
  assert set(check) == {"latents", "class_ids"} and check["class_ids"].shape == (3, 1)
  rows = export_version(
    {"G": served},
    str(tmp_path),
    {"G": check},
    tflite_size=SIZE,
    source={"input_contracts": {"G": latent_spec(model).contract()}},
  )
  by_artifact = {r.artifact: r for r in rows}
  assert set(by_artifact) == {"saved_model", "tflite_float32"}
  assert by_artifact["tflite_float32"].max_abs <= 1e-4
  z = sample_latents(4, 4, Z_DIM)
  ids = class_ids(4, K, [11, 0])  # [11, 0, 11, 0]
  want = model.G([z, ids], training=False).numpy()
  lite = LiteRTModel(os.path.join(tmp_path, "G", "1", by_artifact["tflite_float32"].path))
  assert set(lite.inputs) == {"latents", "class_ids"}
  got = lite.outputs({"latents": z.numpy(), "class_ids": ids.numpy()[:, None].astype(np.float32)})
  np.testing.assert_allclose(got, want, atol=1e-4)
  loaded, fn, specs = load_serving(os.path.join(tmp_path, "G", "1"))
  assert set(specs) == {"latents", "class_ids"}
  out = fn(latents=z, class_ids=tf.cast(ids, tf.float32)[:, None])["outputs"].numpy()
  np.testing.assert_allclose(out, want, atol=1e-5)
  pngs = loaded.signatures[GENERATE_SIGNATURE_KEY](
    seed=tf.constant(4, tf.int64),
    count=tf.constant(4),
    truncation=tf.constant(0.0),
    class_ids=tf.constant([11, 0]),
  )["png_bytes"]
  np.testing.assert_array_equal(_decode(pngs), _decode(encode_pngs(want)))
