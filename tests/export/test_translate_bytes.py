"""The translate_bytes signature: encoded JPEG / PNG of any size in, PNG of the same size out, equal
to the Keras generator on the reflect-padded image; bad input gives a clear error."""

from __future__ import annotations

import io
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from PIL import Image
from tensorflow.core.protobuf import saved_model_pb2

from export import export_saved_model, export_tflite
from export.serving_io import ServingSize, downsampling_factor, reflect_indices, serving_size
from tests.export.tiny_models import tiny_generator
from tfgan_repro import nets

RESNET_SIZE = ServingSize(multiple=4, min_size=8)  # 2 stride-2 convs; blocks reflect 1 at 1/4
UNET_SIZE = ServingSize(multiple=128, min_size=128)  # unet_128: 7 stride-2 convs


def tiny_resnet() -> keras.Model:
  keras.utils.set_random_seed(0)
  model = nets.build("resnet_6", ngf=4)
  # N(0, 0.02) init gives outputs within a few grey levels; x10 spreads them over ~100 levels.
  model.get_layer("conv_out").kernel.assign(model.get_layer("conv_out").kernel * 10.0)
  return model


@pytest.fixture(scope="module")
def resnet():
  return tiny_resnet()


@pytest.fixture(scope="module")
def resnet_serving(resnet, tmp_path_factory):
  path = str(tmp_path_factory.mktemp("translate_bytes") / "resnet")
  loaded = tf.saved_model.load(export_saved_model(resnet, path, translate_bytes=True))
  return path, loaded


def png(pixels: np.ndarray) -> bytes:
  """PNG file of uint8 / uint16 pixels [H, W, C] (C in 1, 3, 4)."""
  return tf.io.encode_png(tf.constant(pixels)).numpy()


def random_pixels(height: int, width: int, channels: int = 3, seed: int = 0) -> np.ndarray:
  return np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)


def expected_png_pixels(
  model: keras.Model, v: np.ndarray, pads: tuple[tuple[int, int], tuple[int, int]], mode="reflect"
) -> np.ndarray:
  """The generator on 2 v - 1 (v [h, w, 3] in [0, 1]) padded by `pads` in numpy, cropped back,
  quantized as the signature does: uint8 [h, w, 3]."""
  (top, bottom), (left, right) = pads
  h, w = v.shape[:2]
  x = np.pad(v * 2.0 - 1.0, ((top, bottom), (left, right), (0, 0)), mode=mode).astype(np.float32)
  y = model(x[np.newaxis], training=False).numpy()[0, top : top + h, left : left + w]
  return np.clip(np.round((y + 1.0) * 127.5), 0, 255).astype(np.uint8)


def translate(loaded, images: list[bytes]) -> list[np.ndarray]:
  """Calls translate_bytes; returns each decoded PNG as uint8 [h, w, C]."""
  outputs = loaded.signatures["translate_bytes"](image_bytes=tf.constant(images, tf.string))
  assert list(outputs) == ["png_bytes"]
  return [np.asarray(Image.open(io.BytesIO(b))) for b in outputs["png_bytes"].numpy()]


def max_diff(a: np.ndarray, b: np.ndarray) -> int:
  return int(np.abs(a.astype(np.int32) - b.astype(np.int32)).max())


def test_size_rule_of_the_library_generators(resnet):
  assert downsampling_factor(resnet) == 4  # official n_downsampling = 2
  assert serving_size(resnet) == RESNET_SIZE
  keras.utils.set_random_seed(0)
  unet = nets.build("unet_128", ngf=2)
  assert downsampling_factor(unet) == 2**7
  assert serving_size(unet) == UNET_SIZE
  # Test generator: one stride-2 conv; its 7x7 reflect pad by 3 needs >= 4 px.
  assert serving_size(tiny_generator(seed=0)) == ServingSize(multiple=2, min_size=4)


def test_a_wrong_size_multiple_is_refused(resnet, tmp_path):
  # 12 = 4 * 3 px works, but 12 x 15 comes back 12 x 16: 3 is no multiple of the stride 4.
  with pytest.raises(ValueError, match=r"multiple=3: .*12x15 px: output \(12, 16\)"):
    serving_size(resnet, 3)
  with pytest.raises(ValueError, match="multiple must be a positive int, got 0"):
    export_saved_model(resnet, str(tmp_path / "unused"), translate_bytes=True, size_multiple=0)


def test_reflect_indices_are_numpy_reflect_also_past_the_border():
  for size in range(1, 6):
    for before in range(0, 12):
      got = tf.gather(np.arange(size), reflect_indices(size, before, before + 1)).numpy()
      expected = np.pad(np.arange(size), (before, before + 1), mode="reflect")
      np.testing.assert_array_equal(got, expected)
  # By hand: [0 1 2] padded by 5 / 2 reflects twice on the left; size 1 repeats.
  np.testing.assert_array_equal(reflect_indices(3, 5, 2).numpy(), [1, 0, 1, 2, 1, 0, 1, 2, 1, 0])
  np.testing.assert_array_equal(reflect_indices(1, 2, 3).numpy(), [0] * 6)


def test_signature_keys_and_dtypes(resnet_serving):
  path, _ = resnet_serving
  proto = saved_model_pb2.SavedModel()
  with open(os.path.join(path, "saved_model.pb"), "rb") as f:
    proto.ParseFromString(f.read())
  (meta_graph,) = proto.meta_graphs
  # "__saved_model_init_op" is TF's own entry (it restores the variables), not a signature.
  served = sorted(k for k in meta_graph.signature_def if not k.startswith("__"))
  assert served == ["serving_default", "translate_bytes"]
  signature = meta_graph.signature_def["translate_bytes"]
  assert signature.method_name == "tensorflow/serving/predict"
  assert list(signature.inputs) == ["image_bytes"]
  assert list(signature.outputs) == ["png_bytes"]  # "_bytes": TF Serving REST answers {"b64": ..}
  for tensor in (signature.inputs["image_bytes"], signature.outputs["png_bytes"]):
    assert tensor.dtype == tf.string.as_datatype_enum
    assert [d.size for d in tensor.tensor_shape.dim] == [-1]


def test_second_signature_stores_no_weight_twice_and_tflite_takes_serving_default(
  resnet, resnet_serving, tmp_path
):
  path, _ = resnet_serving
  stored = tf.train.list_variables(os.path.join(path, "variables", "variables"))
  values = sum(
    int(np.prod(shape)) for name, shape in stored if name != "_CHECKPOINTABLE_OBJECT_GRAPH"
  )
  assert values == resnet.count_params()  # both signatures capture the same variables
  tflite = export_tflite(path, str(tmp_path / "g.tflite"), input_size=8)
  interpreter = Interpreter(model_path=tflite)
  assert list(interpreter.get_signature_list()) == ["serving_default"]


# (height, width) -> centred pads to (max(ceil(h / 4) * 4, 8), same for w).
RESNET_CASES = {
  (16, 16): ((0, 0), (0, 0)),  # taken directly
  (37, 23): ((1, 2), (0, 1)),  # -> 40 x 24
  (1, 2): ((3, 4), (3, 3)),  # -> 8 x 8: the row repeated, the 2 columns reflected 3 times
  (2, 3): ((3, 3), (2, 3)),  # -> 8 x 8, reflected 3 and 2 times
}


def test_any_size_equals_keras_on_the_reflect_padded_image(resnet, resnet_serving):
  _, loaded = resnet_serving
  pixels = [random_pixels(h, w, seed=i) for i, (h, w) in enumerate(RESNET_CASES)]
  outputs = translate(loaded, [png(p) for p in pixels])  # one batch of four sizes
  for p, out, ((h, w), pads) in zip(pixels, outputs, RESNET_CASES.items(), strict=True):
    assert out.shape == (h, w, 3) and out.dtype == np.uint8
    expected = expected_png_pixels(resnet, p / 255.0, pads)
    assert max_diff(out, expected) <= 1, (h, w)
    if (h, w) == (37, 23):  # the check sees the padding: edge padding gives another image
      assert max_diff(out, expected_png_pixels(resnet, p / 255.0, pads, mode="edge")) > 1


def test_one_pixel_image_gives_one_pixel(resnet_serving):
  # Padded to a constant 8 x 8 image: instance norm divides a zero variance by sqrt(eps), so the
  # output is float round-off amplified (the Keras model's differs too); only its size is defined.
  _, loaded = resnet_serving
  (out,) = translate(loaded, [png(random_pixels(1, 1, seed=8))])
  assert out.shape == (1, 1, 3) and out.dtype == np.uint8


def test_unet_pads_to_its_depth(tmp_path):
  keras.utils.set_random_seed(0)
  unet = nets.build("unet_128", ngf=2)
  loaded = tf.saved_model.load(export_saved_model(unet, str(tmp_path / "u"), translate_bytes=True))
  square, odd = random_pixels(128, 128, seed=1), random_pixels(37, 23, seed=2)
  out_square, out_odd = translate(loaded, [png(square), png(odd)])
  assert out_square.shape == (128, 128, 3) and out_odd.shape == (37, 23, 3)
  assert max_diff(out_square, expected_png_pixels(unet, square / 255.0, ((0, 0), (0, 0)))) <= 1
  # 37 x 23 -> 128 x 128: (128 - 37) = 45 + 46, (128 - 23) = 52 + 53, reflected several times.
  assert max_diff(out_odd, expected_png_pixels(unet, odd / 255.0, ((45, 46), (52, 53)))) <= 1


def test_grayscale_rgba_16_bit_and_jpeg_inputs(resnet, resnet_serving):
  _, loaded = resnet_serving
  rgb = random_pixels(12, 8, seed=3)
  gray = random_pixels(12, 8, channels=1, seed=4)
  rgba = np.concatenate([rgb, random_pixels(12, 8, channels=1, seed=5)], axis=-1)
  deep = np.random.default_rng(6).integers(0, 65536, (12, 8, 3), dtype=np.uint16)
  jpeg = io.BytesIO()
  Image.fromarray(rgb).save(jpeg, format="JPEG", quality=90)
  jpeg = jpeg.getvalue()
  outputs = translate(loaded, [png(gray), png(rgba), png(deep), jpeg])
  # What each decodes to in [0, 1]: grey repeated, alpha dropped, / 65535, the JPEG decoder's.
  inputs = [
    np.repeat(gray / 255.0, 3, axis=-1),
    rgb / 255.0,
    deep / 65535.0,
    tf.io.decode_jpeg(jpeg, channels=3).numpy() / 255.0,
  ]
  for out, v in zip(outputs, inputs, strict=True):
    assert out.shape == (12, 8, 3)
    assert max_diff(out, expected_png_pixels(resnet, v, ((0, 0), (0, 0)))) <= 1


@pytest.mark.parametrize(
  ("bad", "message"),
  [
    (b"hello", r"instance\] \[1\] \[is not an encoded JPEG or PNG image"),
    (b"", r"instance\] \[1\] \[is not an encoded JPEG or PNG image"),
    (b"aGVsbG8=", r"instance\] \[1\] \[is not an encoded JPEG or PNG image"),  # base64 text
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG"),  # a PNG header, then garbage
  ],
)
def test_bad_input_is_a_clear_error_and_the_model_keeps_working(resnet_serving, bad, message):
  _, loaded = resnet_serving
  good = png(random_pixels(8, 8, seed=7))
  with pytest.raises(tf.errors.InvalidArgumentError, match=message):
    translate(loaded, [good, bad])
  (out,) = translate(loaded, [good])
  assert out.shape == (8, 8, 3)


def test_empty_batch_gives_an_empty_batch(resnet_serving):
  _, loaded = resnet_serving
  outputs = loaded.signatures["translate_bytes"](image_bytes=tf.constant([], tf.string))
  assert outputs["png_bytes"].shape == (0,)
  assert outputs["png_bytes"].dtype == tf.string


def test_models_the_signature_cannot_serve_are_refused(tmp_path):
  fixed = nets.build("resnet_6", ngf=4, image_size=8)
  with pytest.raises(ValueError, match=r"any height and width, got inputs .*\(None, 8, 8, 3\)"):
    export_saved_model(fixed, str(tmp_path / "unused"), translate_bytes=True)
  two = tiny_generator(seed=0, channels=2)
  with pytest.raises(ValueError, match="1 or 3 channels to 1 or 3 channels .*, got 2 -> 2"):
    export_saved_model(two, str(tmp_path / "unused"), translate_bytes=True)
