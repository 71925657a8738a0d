"""Named inputs (export.inputs): validation, and a two-input generator through SavedModel and
TFLite with parity (the attribute-editing generators' contract)."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from export import export_version
from export.inputs import as_inputs, input_shapes, resize_inputs
from export.saved_model import load_serving


def _conditional(seed: int = 0) -> keras.Model:
  """[image, attributes [N, 2]] -> image: the attributes broadcast to channels, a conv, tanh."""
  keras.utils.set_random_seed(seed)
  image = keras.Input((None, None, 3), name="image")
  attributes = keras.Input((2,), name="attributes")
  planes = keras.layers.Lambda(
    lambda t: tf.ones_like(t[0][..., :1]) * t[1][:, None, None, :], name="broadcast"
  )([image, attributes])
  x = keras.layers.Concatenate()([image, planes])
  x = keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x)
  return keras.Model([image, attributes], x, name="conditional")


def _single() -> keras.Model:
  image = keras.Input((None, None, 3), name="input_layer")
  return keras.Model(image, keras.layers.Conv2D(3, 1)(image))


def test_keys_follow_the_keras_input_names():
  assert input_shapes(_single()) == {"images": (None, None, None, 3)}
  assert input_shapes(_conditional()) == {
    "images": (None, None, None, 3),
    "attributes": (None, 2),
  }


def test_images_must_be_nhwc_in_range():
  model = _single()
  ok = as_inputs(np.full((1, 4, 4, 3), -1.0, np.float64), model)
  assert list(ok) == ["images"] and ok["images"].dtype == np.float32
  with pytest.raises(ValueError, match=r"\[N, \?, \?, 3\] batch, got \(4, 4, 3\)"):
    as_inputs(np.zeros((4, 4, 3)), model)
  with pytest.raises(ValueError, match=r"\[N, \?, \?, 3\] batch, got \(1, 4, 4, 1\)"):
    as_inputs(np.zeros((1, 4, 4, 1)), model)
  with pytest.raises(ValueError, match=r"in \[-1, 1\], got range \[0.0, 255.0\]"):
    as_inputs(np.linspace(0, 255, 48).reshape(1, 4, 4, 3), model)  # [N, H, W, C]


def test_named_inputs_are_checked_by_key_shape_and_batch():
  model = _conditional()
  images, attributes = np.zeros((2, 4, 4, 3)), np.full((2, 2), 5.0)  # strengths beyond [-1, 1]
  ok = as_inputs({"attributes": attributes, "images": images}, model)
  assert list(ok) == ["images", "attributes"]  # the model's input order
  with pytest.raises(ValueError, match=r"keys \['images', 'attributes'\], got \['images'\]"):
    as_inputs(images, model)
  with pytest.raises(ValueError, match=r"inputs\['attributes'\] must be a non-empty \[N, 2\]"):
    as_inputs({"images": images, "attributes": np.zeros((2, 3))}, model)
  with pytest.raises(ValueError, match=r"inputs\['attributes'\] has batch 1, the others 2"):
    as_inputs({"images": images, "attributes": np.zeros((1, 2))}, model)
  with pytest.raises(ValueError, match=r"inputs\['attributes'\] must be finite"):
    as_inputs({"images": images, "attributes": np.full((2, 2), np.nan)}, model)


def test_resize_keeps_vectors_and_label_maps_exact():
  inputs = {
    "images": np.zeros((1, 4, 4, 3), np.float32),
    "label_map": np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1),
    "attributes": np.ones((1, 2), np.float32),
  }
  out = resize_inputs(inputs, 8)
  assert out["images"].shape == (1, 8, 8, 3)
  assert set(np.unique(out["label_map"])) == set(range(16))  # nearest: no blended ids
  np.testing.assert_array_equal(out["attributes"], inputs["attributes"])


def test_two_input_generator_exports_with_parity(tmp_path):
  model = _conditional()
  rng = np.random.default_rng(0)
  check = {
    "images": rng.uniform(-1, 1, (3, 8, 8, 3)).astype(np.float32),
    "attributes": np.array([[0, 1], [1, 0], [5, -3]], np.float32),
  }
  rows = export_version({"G": model}, str(tmp_path), {"G": check}, tflite_size=8)
  by_artifact = {r.artifact: r for r in rows}
  assert set(by_artifact) == {"saved_model", "tflite_float32"}
  assert by_artifact["saved_model"].max_abs <= 1e-5
  assert by_artifact["tflite_float32"].max_abs <= 1e-4
  _, fn, specs = load_serving(str(tmp_path / "G" / "1"))
  assert {k: tuple(s.shape) for k, s in specs.items()} == {
    "images": (None, None, None, 3),
    "attributes": (None, 2),
  }
  got = fn(images=tf.constant(check["images"]), attributes=tf.constant(check["attributes"]))
  want = model([check["images"], check["attributes"]]).numpy()
  np.testing.assert_allclose(got["outputs"].numpy(), want, atol=1e-5)
  # The attributes matter: another strength gives another image.
  assert np.abs(want[0] - model([check["images"][:1], check["attributes"][1:2]])[0]).max() > 1e-2
  with open(os.path.join(tmp_path, "G", "1", "tflite", "G_float32_8.json")) as f:
    metadata = json.load(f)
  assert metadata["inputs"]["attributes"]["shape"] == [1, 2]
  assert "range" not in metadata["inputs"]["attributes"]
  assert metadata["inputs"]["images"]["shape"] == [1, 8, 8, 3]
