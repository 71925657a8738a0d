"""SavedModel export: stable serving keys, any batch / size, equal to Keras."""

from __future__ import annotations

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

from export import check_saved_model, export_saved_model
from tests.export.tiny_models import random_images, tiny_generator


def test_signature_keys_dtypes_and_dynamic_shape(generator, saved_model_path):
  # What `saved_model_cli show --tag_set serve --signature_def serving_default` prints.
  proto = saved_model_pb2.SavedModel()
  with open(os.path.join(saved_model_path, "saved_model.pb"), "rb") as f:
    proto.ParseFromString(f.read())
  (meta_graph,) = proto.meta_graphs
  assert list(meta_graph.meta_info_def.tags) == ["serve"]
  signature = meta_graph.signature_def["serving_default"]
  assert signature.method_name == "tensorflow/serving/predict"
  assert list(signature.inputs) == ["images"]
  assert list(signature.outputs) == ["outputs"]
  for tensor in (signature.inputs["images"], signature.outputs["outputs"]):
    assert tensor.dtype == tf.float32.as_datatype_enum
    assert [d.size for d in tensor.tensor_shape.dim] == [-1, -1, -1, 3]
  # The Keras input layer is named "photo": the key does not follow it.
  assert generator.inputs[0].name == "photo"


def test_each_weight_is_stored_once(generator, saved_model_path):
  # keras-team/keras#23553: ExportArchive.track() stores every weight twice.
  stored = tf.train.list_variables(os.path.join(saved_model_path, "variables", "variables"))
  values = sum(
    int(np.prod(shape)) for name, shape in stored if name != "_CHECKPOINTABLE_OBJECT_GRAPH"
  )
  # 3*7*7*8+8 + 8*3*3*8+8 + 8*3*3*8+8 + 8*7*7*3+3 convs, 3 norms * (8 + 8).
  assert values == generator.count_params() == 1184 + 584 + 584 + 1179 + 48


@pytest.mark.parametrize("shape", [(2, 16, 16, 3), (2, 24, 32, 3)])
def test_serving_default_equals_keras(generator, saved_model_path, shape):
  images = random_images(shape, seed=1)
  serve = tf.saved_model.load(saved_model_path).signatures["serving_default"]
  outputs = serve(images=tf.constant(images))
  assert list(outputs) == ["outputs"]
  assert outputs["outputs"].shape == shape  # [N, H, W, 3]: the generator keeps the size
  expected = generator(images, training=False).numpy()
  assert np.abs(outputs["outputs"].numpy() - expected).max() <= 1e-5
  stats = check_saved_model(saved_model_path, generator, images)
  assert set(stats) == {"max_abs", "mean_abs"}
  assert 0 <= stats["mean_abs"] <= stats["max_abs"] <= 1e-5


def test_check_against_a_different_model_is_large(saved_model_path):
  other = tiny_generator(seed=1)
  stats = check_saved_model(saved_model_path, other, random_images((2, 16, 16, 3)))
  assert stats["max_abs"] > 0.1  # two random generators: tanh outputs differ by O(1)


def test_export_replaces_an_existing_artifact_without_leftovers(tmp_path):
  path = str(tmp_path / "sm")
  export_saved_model(tiny_generator(seed=0), path)
  second = tiny_generator(seed=1)
  assert export_saved_model(second, path) == path
  assert sorted(os.listdir(tmp_path)) == ["sm"]  # no staging or old folders left
  images = random_images((1, 16, 16, 3))
  assert check_saved_model(path, second, images)["max_abs"] <= 1e-5


def test_failed_write_leaves_nothing_and_keeps_the_old_artifact(tmp_path, monkeypatch):
  path = str(tmp_path / "sm")
  first = tiny_generator(seed=0)
  export_saved_model(first, path)

  def write_half_then_fail(obj, export_dir, **kwargs):
    with open(os.path.join(export_dir, "saved_model.pb"), "wb") as f:
      f.write(b"half")
    raise OSError("disk full")

  monkeypatch.setattr(tf.saved_model, "save", write_half_then_fail)  # under write_out
  with pytest.raises(OSError, match="disk full"):
    export_saved_model(tiny_generator(seed=1), path)
  with pytest.raises(OSError, match="disk full"):
    export_saved_model(first, str(tmp_path / "new"))
  assert sorted(os.listdir(tmp_path)) == ["sm"]  # no "new", no staging folders
  assert check_saved_model(path, first, random_images((1, 16, 16, 3)))["max_abs"] <= 1e-5


def test_rejects_models_of_several_outputs_or_a_flat_image(tmp_path):
  a = keras.Input((8, 8, 3))
  two_outputs = keras.Model(a, [a, keras.layers.Activation("tanh")(a)])
  with pytest.raises(ValueError, match="functional keras.Model with one output"):
    export_saved_model(two_outputs, str(tmp_path / "unused"))
  flat = keras.Input((5, 3))  # one rank-2 input is a synthesis G's "latents" (export.inputs)
  with pytest.raises(ValueError, match=r"input 'images' must be NHWC, got \(None, 5, 3\)"):
    export_saved_model(keras.Model(flat, flat), str(tmp_path / "unused"))
