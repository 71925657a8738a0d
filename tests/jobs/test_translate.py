"""translate: SavedModel / .tflite / workdir over a folder of images of any sizes."""

from __future__ import annotations

import html.parser
import io
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import export
from configs import cyclegan, fader
from jobs import translate as translation
from tfgan_repro import models
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.training import checkpointing, run

# name -> (height, width) of the test images (decoded to RGB).
SIZES = {"a.png": (32, 32), "sub/b.PNG": (37, 23), "c.bmp": (20, 29)}
OUTPUTS = {"a.png": "a.png", "sub/b.PNG": "sub/b.png", "c.bmp": "c.png"}


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
  """A 2-step tiny CycleGAN workdir (resnet_6, ngf 4), its G_AB as SavedModel and dynamic TFLite."""
  root = tmp_path_factory.mktemp("translate_models")
  config = cyclegan.get_config("tiny")
  config.export.enabled = False
  config.train.max_steps = 2
  workdir = str(root / "run")
  model = run.train(config, workdir)
  generator = model.generators["G_AB"]
  saved = export.export_saved_model(generator, str(root / "saved_model"))
  tflite = export.export_tflite(saved, str(root / "g.tflite"), input_size=None)
  return {"workdir": workdir, "saved_model": saved, "tflite": tflite, "generator": generator}


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory):
  """a.png RGB 32x32, sub/b.PNG RGBA 37x23, c.bmp grayscale 20x29, bad.jpeg (corrupt), notes.txt."""
  root = tmp_path_factory.mktemp("translate_images")
  rng = np.random.default_rng(0)
  os.makedirs(root / "sub")
  Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(root / "a.png")
  rgba = rng.integers(0, 256, (37, 23, 4), dtype=np.uint8)
  Image.fromarray(rgba, "RGBA").save(root / "sub" / "b.PNG")
  Image.fromarray(rng.integers(0, 256, (20, 29), dtype=np.uint8), "L").save(root / "c.bmp")
  (root / "bad.jpeg").write_bytes(b"\xff\xd8\xff not really a jpeg")
  (root / "notes.txt").write_text("not an image")
  return str(root)


@pytest.fixture(scope="session")
def results(trained, image_dir, tmp_path_factory):
  """kind -> (TranslateResult, progress text) for each model kind over image_dir."""
  out = {}
  for kind in translation.KINDS:
    stream = io.StringIO()
    output = str(tmp_path_factory.mktemp(f"out_{kind}"))
    out[kind] = (translation.translate(trained[kind], image_dir, output, stream=stream), stream)
  return out


def _read(path: str) -> np.ndarray:
  return np.asarray(Image.open(path))


@pytest.mark.parametrize("kind", translation.KINDS)
def test_each_kind_writes_one_png_per_image_at_its_size(results, kind):
  result, stream = results[kind]
  assert result.outputs == ("a.png", "c.png", "sub/b.png")  # sorted walk: files, then sub/
  assert result.skipped == ("bad.jpeg", "notes.txt")
  assert result.reasons == ("corrupt", "unsupported format")
  for name, (h, w) in SIZES.items():
    assert _read(os.path.join(result.output_dir, OUTPUTS[name])).shape == (h, w, 3)
    assert _read(os.path.join(result.output_dir, "inputs", OUTPUTS[name])).shape == (h, w, 3)
  text = stream.getvalue()
  assert "\r[5/5] sub/b.PNG" in text
  assert "bad.jpeg: corrupt JPEG header" in text
  assert "notes.txt: unsupported format" in text
  assert "3 image(s) translated, 2 skipped (1 corrupt, 1 unsupported format)" in text


def test_model_kind_detection(trained):
  assert translation.model_kind(trained["workdir"]) == "workdir"
  assert translation.model_kind(trained["saved_model"]) == "saved_model"
  assert translation.model_kind(trained["tflite"]) == "tflite"


def test_workdir_output_equals_keras_generator(trained, image_dir, results):
  """Keras G_AB on the image reflect-padded (bottom, right) to a multiple of 4, cropped back."""
  generator = trained["generator"]
  for name, (h, w) in SIZES.items():
    image = translation.decode_image(os.path.join(image_dir, name))
    ph, pw = -(-h // 4) * 4, -(-w // 4) * 4  # 32x32, 40x24, 20x32
    x = np.pad(image.astype(np.float32) / 127.5 - 1, ((0, ph - h), (0, pw - w), (0, 0)), "reflect")
    expected = to_uint8(generator(x[None], training=False)[0])[:h, :w].astype(int)
    for kind in translation.KINDS:  # SavedModel and TFLite too (float32: ~1e-6 apart)
      actual = _read(os.path.join(results[kind][0].output_dir, OUTPUTS[name])).astype(int)
      assert np.abs(actual - expected).max() <= 1, (kind, name)


def test_rgba_and_grayscale_decode_to_rgb(image_dir):
  rgba = np.asarray(Image.open(os.path.join(image_dir, "sub/b.PNG")))
  np.testing.assert_array_equal(
    translation.decode_image(os.path.join(image_dir, "sub/b.PNG")), rgba[..., :3]
  )
  gray = np.asarray(Image.open(os.path.join(image_dir, "c.bmp")))
  decoded = translation.decode_image(os.path.join(image_dir, "c.bmp"))
  assert decoded.shape == (20, 29, 3)
  for c in range(3):
    np.testing.assert_array_equal(decoded[..., c], gray)


def test_16_bit_png_is_scaled_to_8_bits(tmp_path):
  values = np.array([[0, 257, 65535]], dtype=np.uint16)  # -> 0, 1, 255
  Image.fromarray(values).save(tmp_path / "deep.png")
  assert Image.open(tmp_path / "deep.png").mode.startswith("I")
  decoded = translation.decode_image(str(tmp_path / "deep.png"))
  np.testing.assert_array_equal(decoded[0, :, 0], [0, 1, 255])


class _Rows(html.parser.HTMLParser):
  def __init__(self):
    super().__init__()
    self.rows, self.links, self.in_table = [], [], False

  def handle_starttag(self, tag, attrs):
    attrs = dict(attrs)
    self.in_table |= tag == "table"
    if tag == "tr":
      self.rows.append([])
    elif tag in ("img", "a"):
      link = attrs["src" if tag == "img" else "href"]
      self.links.append(link)
      self.rows[-1].append(link)

  def handle_endtag(self, tag):
    self.in_table &= tag != "table"

  def handle_data(self, data):
    if self.in_table and self.rows and data.strip():
      self.rows[-1].append(data.strip())


def test_index_html_lists_each_image_with_existing_relative_links(results):
  result, _ = results["saved_model"]
  assert result.index == os.path.join(result.output_dir, "index.html")
  parser = _Rows()
  with open(result.index, encoding="utf-8") as f:
    parser.feed(f.read())
  header, *rows = [r for r in parser.rows if r]
  assert header == ["name", "input", "output"]
  # Row: name, <a href>, <img src> for the input, then the same for the output.
  assert rows == [
    ["a.png", "inputs/a.png", "inputs/a.png", "a.png", "a.png"],
    ["c.bmp", "inputs/c.png", "inputs/c.png", "c.png", "c.png"],
    ["sub/b.PNG", "inputs/sub/b.png", "inputs/sub/b.png", "sub/b.png", "sub/b.png"],
  ]
  assert len(parser.links) == 12
  for link in parser.links:
    assert not os.path.isabs(link)
    assert os.path.isfile(os.path.join(result.output_dir, link))


def test_size_multiple_of_resnet_generator(trained):
  """Two stride-2 convs: sides 9 and 10 come back as 12; 12 = 4 * 3 comes back as 12."""
  translator = translation.load_translator(trained["saved_model"])
  assert (translator.multiple, translator.min_side) == (4, 12)
  assert translator.fixed_size is None


def test_fixed_size_tflite_resizes_in_and_back(trained, image_dir, tmp_path):
  fixed = export.export_tflite(trained["saved_model"], str(tmp_path / "g16.tflite"), input_size=16)
  translator = translation.load_translator(fixed)
  assert translator.fixed_size == (16, 16)
  result = translation.translate(
    fixed, os.path.join(image_dir, "sub/b.PNG"), str(tmp_path / "out"), stream=io.StringIO()
  )
  assert result.outputs == ("b.png",)
  actual = _read(os.path.join(result.output_dir, "b.png")).astype(int)
  assert actual.shape == (37, 23, 3)
  # Official --preprocess resize: PIL bicubic to 16 x 16, the net, PIL bicubic back to 37 x 23.
  image = np.asarray(Image.open(os.path.join(image_dir, "sub/b.PNG")).convert("RGB"))
  small = np.asarray(Image.fromarray(image).resize((16, 16), Image.BICUBIC), np.float32)
  y = to_uint8(trained["generator"](small[None] / 127.5 - 1.0, training=False)[0])
  expected = np.asarray(Image.fromarray(np.asarray(y)).resize((23, 37), Image.BICUBIC)).astype(int)
  assert np.abs(actual - expected).max() <= 2  # TFLite vs Keras: 1 level, bicubic may spread it


def test_size_flag_resizes_inputs(trained, image_dir, tmp_path):
  result = translation.translate(
    trained["tflite"], image_dir, str(tmp_path / "out"), size=18, stream=io.StringIO()
  )
  for name in result.outputs + result.inputs:  # 18 is padded to 20 for the net, cropped back
    assert _read(os.path.join(result.output_dir, name)).shape == (18, 18, 3)
  for name in result.outputs:  # each output is the net on its (resized) input copy
    seen = _read(os.path.join(result.output_dir, "inputs", name)).astype(np.float32) / 127.5 - 1
    x = np.pad(seen, ((0, 2), (0, 2), (0, 0)), "reflect")  # 18 -> 20, a multiple of 4
    expected = to_uint8(trained["generator"](x[None], training=False)[0])[:18, :18].astype(int)
    actual = _read(os.path.join(result.output_dir, name)).astype(int)
    assert np.abs(actual - expected).max() <= 1, name


def test_tiny_image_is_padded_to_the_smallest_working_size(trained):
  translator = translation.load_translator(trained["tflite"])
  # A constant image padded by any rule is the constant 12 x 12 image (min_side 12 for the ResNet
  # generator): the outputs are the top-left corner of the net's output on it.
  constant = np.full((1, 12, 12, 3), 200 / 127.5 - 1, np.float32)
  corner = np.asarray(to_uint8(trained["generator"](constant, training=False)[0])).astype(int)
  for h, w in ((1, 1), (5, 2)):
    y = translator.translate(np.full((h, w, 3), 200, np.uint8))
    assert y.shape == (h, w, 3)
    assert np.abs(y.astype(int) - corner[:h, :w]).max() <= 1


def test_output_names_keep_colliding_extensions():
  names = translation.output_names(["x.jpg", "x.PNG", os.path.join("a", "y.bmp")])
  assert names == ["x_jpg.png", "x_PNG.png", os.path.join("a", "y.png")]


def test_output_folder_inside_input_is_not_read_back(trained, image_dir, tmp_path):
  found = translation.find_images(image_dir, exclude=os.path.join(image_dir, "sub"))
  assert [rel for _, rel in found] == ["a.png", "bad.jpeg", "c.bmp", "notes.txt"]


def test_bad_model_path_raises(trained, tmp_path):
  with pytest.raises(ValueError, match=r"does not exist: expected a SavedModel directory"):
    translation.load_translator(str(tmp_path / "missing"))
  (tmp_path / "empty").mkdir()
  (tmp_path / "g.onnx").write_bytes(b"")
  for path in (tmp_path / "empty", tmp_path / "g.onnx"):
    with pytest.raises(
      ValueError, match=r"is none of these: expected .*\.tflite file.*config.json"
    ):
      translation.load_translator(str(path))
  with pytest.raises(ValueError, match=r"network 'G_AB' applies to a training workdir only"):
    translation.load_translator(trained["tflite"], network="G_AB")


def test_a_workdir_of_an_attribute_editor_is_refused_naming_the_inputs_it_needs(tmp_path):
  """Its G takes images and attributes (task attribute_editing): translate cannot feed it."""
  config = fader.get_config("tiny")
  workdir = str(tmp_path / "run")
  checkpointing.prepare_workdir(config, workdir)
  model = models.build_model(config)
  tf.train.Checkpoint(model=model).save(os.path.join(workdir, checkpointing.CHECKPOINT_DIR, "ckpt"))
  with pytest.raises(
    ValueError,
    match=r"model '.*run': translate feeds 'images' only; the generators of task "
    r"'attribute_editing' take 'images', 'attributes', 'attributes' missing",
  ):
    translation.translate(workdir, str(tmp_path / "photos"), str(tmp_path / "out"))


def test_bad_input_and_size_raise(trained, tmp_path):
  (tmp_path / "empty").mkdir()
  with pytest.raises(ValueError, match=r"has no image files"):
    translation.translate(trained["tflite"], str(tmp_path / "empty"), str(tmp_path / "out"))
  with pytest.raises(ValueError, match=r"neither an image file nor a folder"):
    translation.translate(trained["tflite"], str(tmp_path / "nope"), str(tmp_path / "out"))
  with pytest.raises(ValueError, match=r"size must be None or a positive int, got 0"):
    translation.translate(trained["tflite"], str(tmp_path / "empty"), str(tmp_path / "out"), size=0)


def test_command_line_resolves_relative_paths(trained, image_dir, tmp_path):
  """`bazel run` semantics: relative paths are taken from BUILD_WORKING_DIRECTORY."""
  env = dict(os.environ, BUILD_WORKING_DIRECTORY=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="3")
  repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "bin.translate",
      f"--model={trained['tflite']}",
      f"--input={os.path.join(image_dir, 'a.png')}",
      "--output=rel_out",
    ],
    cwd=repo,
    env=env,
    capture_output=True,
    text=True,
    check=False,
    timeout=120,
  )
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert proc.stdout.strip().splitlines()[-1] == str(tmp_path / "rel_out" / "index.html")
  assert _read(str(tmp_path / "rel_out" / "a.png")).shape == (32, 32, 3)


def test_integer_io_tflite_is_quantized_and_dequantized(trained, image_dir, results, tmp_path):
  """A full-int8 model with int8 input/output: real = scale * (q - zero_point)."""
  converter = tf.lite.TFLiteConverter.from_saved_model(trained["saved_model"])
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  rng = np.random.default_rng(0)
  converter.representative_dataset = lambda: (
    [rng.uniform(-1, 1, (1, 16, 16, 3)).astype(np.float32)] for _ in range(4)
  )
  converter.inference_input_type = converter.inference_output_type = tf.int8
  path = tmp_path / "int8.tflite"
  path.write_bytes(converter.convert())
  result = translation.translate(str(path), image_dir, str(tmp_path / "out"), stream=io.StringIO())
  assert result.outputs == ("a.png", "c.png", "sub/b.png")
  reference = results["saved_model"][0].output_dir
  for name in result.outputs:
    actual = _read(os.path.join(result.output_dir, name)).astype(int)
    expected = _read(os.path.join(reference, name)).astype(int)
    assert actual.shape == expected.shape
    assert np.abs(actual - expected).mean() < 10  # int8 of a float32 net: ~4 of 255 measured
