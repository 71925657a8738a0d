"""Attribute-edit evaluation and slider sweeps on hand-made generators, classifiers and faces.

The faces are 16 px arrays whose attribute j is the sign of channel j (channel 2 is noise), so a
classifier reading each channel's mean judges them exactly and the true edit of attribute i is
channel i negated. Fake models follow the contract (models/attribute_editor.py): generators {"G": a
two-input keras.Model} (and shipped_generators, the same) and edit_condition.
"""

from __future__ import annotations

import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from configs import common
from tfgan_repro import data
from tfgan_repro.evaluation import attribute_classifier
from tfgan_repro.tasks import attribute_editing as attribute_evaluation

SIZE = 16
NAMES = ("glasses", "smile")


def _faces(attributes: np.ndarray) -> np.ndarray:
  """[N, 16, 16, 3]: channel j = +0.5 where attribute j is 1, -0.5 where 0; channel 2 noise."""
  n, a = attributes.shape
  x = np.random.default_rng(n).uniform(-0.9, 0.9, (n, SIZE, SIZE, 3)).astype(np.float32)
  x[..., :a] = attributes[:, None, None, :] - 0.5
  return x


def _test_arrays(names: tuple[str, ...]):
  def attribute_test_arrays(data_config, num=None):
    attributes = np.array([[0, 1], [1, 1], [0, 0], [1, 0]], np.float32)[:num, : len(names)]
    flipped = np.where(np.eye(len(names), dtype=bool), 1 - attributes[:, None], attributes[:, None])
    edits = np.stack([_faces(flipped[:, i]) for i in range(len(names))], axis=1)  # same noise
    return _faces(attributes), attributes, edits

  return attribute_test_arrays


@pytest.fixture
def faces(monkeypatch):
  """data's attribute test split replaced by 4 hand-made faces of NAMES[:A]; returns a setter."""

  def use(names: tuple[str, ...]) -> None:
    monkeypatch.setattr(data, "attribute_test_arrays", _test_arrays(names), raising=False)
    monkeypatch.setattr(data, "attribute_names", lambda data_config: names, raising=False)
    monkeypatch.setattr(data, "epoch_size", lambda data_config, split: 4)  # the 4 faces

  use(NAMES)
  return use


class FakeEditor:
  """The model contract: generators {"G": [image, condition] -> image} (shipped as they are),
  edit_condition."""

  def __init__(self, paint, num_attributes: int = len(NAMES), cyclecgan: bool = False):
    image = keras.Input((SIZE, SIZE, 3), name="image")
    condition = keras.Input((num_attributes,), name="attributes")
    out = keras.layers.Lambda(lambda t: paint(*t))([image, condition])
    self.generators = {"G": keras.Model([image, condition], out)}
    self.shipped_generators = self.generators  # no EMA copies
    self.cyclecgan = cyclecgan

  def edit_condition(self, attributes01: tf.Tensor) -> tf.Tensor:
    return 2.0 * attributes01 - 1.0 if self.cyclecgan else attributes01


def _identity(image, condition):
  return image + 0.0 * tf.reduce_sum(condition)


def _painter(to01):
  """Paints channel j as _faces does from attribute j = to01(condition j); keeps the rest."""

  def paint(image, condition):
    a = condition.shape[-1]
    painted = tf.ones_like(image[..., :a]) * to01(condition)[:, None, None, :] - 0.5
    return tf.concat([painted, image[..., a:]], axis=-1)

  return paint


def _brightness(image, condition):
  """The whole image at tanh(condition[:, 0] / 2): brighter as the condition grows."""
  return tf.ones_like(image) * tf.tanh(0.5 * condition[:, :1])[:, :, None, None]


def _save_classifier(path: str, names: tuple[str, ...], kernel: np.ndarray) -> str:
  """A classifier of logits = channel means [N, 3] @ kernel [3, A], saved with its JSON."""
  inputs = keras.Input((SIZE, SIZE, 3), name="image")
  dense = keras.layers.Dense(len(names), name="logits")
  net = keras.Model(inputs, dense(keras.layers.GlobalAveragePooling2D()(inputs)))
  dense.set_weights([kernel.astype(np.float32), np.zeros(len(names), np.float32)])
  net.save(path)
  with open(attribute_classifier.accuracy_path(path), "w") as f:
    json.dump({"attributes": list(names), "input_shape": [SIZE, SIZE, 3]}, f)
  return path


def _channel_reader(tmp_path, names=NAMES) -> str:
  kernel = np.zeros((3, len(names)))
  kernel[np.arange(len(names)), np.arange(len(names))] = 20.0  # logit_j = 20 * mean(channel j)
  return _save_classifier(str(tmp_path / "channels.keras"), names, kernel)


def _config():
  config = common.base_config("fake")
  config.eval.num_images = 4
  config.eval.sample_rows = 2
  return config


def test_an_identity_generator_reconstructs_perfectly_and_flips_nothing(faces, tmp_path):
  config = _config()
  result = attribute_evaluation.evaluate_edits(
    config, FakeEditor(_identity), _channel_reader(tmp_path)
  )
  assert result["num_images"] == 4 and result["attribute_names"] == list(NAMES)
  assert result["reconstruction"]["psnr"] == math.inf
  for name in NAMES:
    edit = result["edits"][name]
    assert edit["psnr"] == edit["identity_psnr"] and edit["ssim"] == edit["identity_ssim"]
    assert (edit["flip_accuracy"], edit["keep_accuracy"]) == (0.0, 1.0)
  assert (result["mean"]["flip_accuracy"], result["mean"]["keep_accuracy"]) == (0.0, 1.0)
  cls = result["classifier"]
  assert cls["true_edits"]["mean_flip_accuracy"] == 1.0
  assert cls["true_edits"]["mean_keep_accuracy"] == 1.0
  assert cls["identity"]["mean_flip_accuracy"] == 0.0
  table = attribute_evaluation.format_edits(result)
  assert "reconstruction G(x, y) vs x: PSNR inf dB" in table and "glasses" in table
  assert "true edits flip 1.000, keep 1.000" in table
  json.dumps(result)  # eval.json can hold it


@pytest.mark.parametrize("cyclecgan", [False, True])
def test_a_generator_painting_the_condition_matches_the_true_edits(faces, cyclecgan, tmp_path):
  """G reads the condition in its own units (edit_condition): Fader's {0, 1} or CycleCGAN's
  2a - 1 with one attribute; its edits are the true edits."""
  names = NAMES[:1] if cyclecgan else NAMES
  faces(names)
  to01 = (lambda c: (c + 1.0) / 2.0) if cyclecgan else (lambda c: c)
  model = FakeEditor(_painter(to01), len(names), cyclecgan=cyclecgan)
  result = attribute_evaluation.evaluate_edits(_config(), model, _channel_reader(tmp_path, names))
  assert result["reconstruction"]["psnr"] == math.inf
  for name in names:
    assert result["edits"][name]["psnr"] == math.inf
    assert result["edits"][name]["identity_psnr"] < 20.0
    assert result["edits"][name]["flip_accuracy"] == 1.0
  assert result["mean"]["keep_accuracy"] == (None if cyclecgan else 1.0)
  assert "keep acc" in attribute_evaluation.format_edits(result)


def test_without_a_classifier_the_result_says_it_is_off(faces):
  result = attribute_evaluation.evaluate_edits(_config(), FakeEditor(_identity))
  assert result["classifier"]["classifier"] is None
  assert "config.eval.classifier is empty" in result["classifier"]["reason"]
  assert "flip_accuracy" not in result["mean"] and "flip_accuracy" not in result["edits"]["smile"]
  table = attribute_evaluation.format_edits(result)
  assert "classifier: off" in table and table.splitlines()[-2].split()[-1] == "-"


def test_sources_without_true_edits_say_so(monkeypatch):
  def no_truth(data_config, num=None):
    raise data.NoGroundTruthError("celeb_a has no true edits")

  monkeypatch.setattr(data, "attribute_test_arrays", no_truth, raising=False)
  monkeypatch.setattr(data, "epoch_size", lambda data_config, split: 4)
  result = attribute_evaluation.evaluate_edits(_config(), FakeEditor(_identity))
  assert result == {"ground_truth": False, "reason": "celeb_a has no true edits"}
  assert attribute_evaluation.format_edits(result) == "attribute eval: celeb_a has no true edits"


def test_the_sweep_scores_grow_along_the_slider_and_writes_its_pngs(faces, tmp_path):
  names = NAMES[:1]
  faces(names)
  config = _config()
  config.eval.slider, config.eval.slider_steps = (-3.0, 3.0), 7  # CycleCGAN's c in [-3, 3]
  path = _save_classifier(str(tmp_path / "bright.keras"), names, np.full((3, 1), 4.0))
  model = FakeEditor(_brightness, 1, cyclecgan=True)
  result = attribute_evaluation.sweep(config, model, path, str(tmp_path / "run"))
  entry = result["glasses"]
  assert entry["values"] == [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
  assert entry["trained_range"] == [-1.0, 1.0]
  scores = np.array(entry["mean_probability"])
  want = 1 / (1 + np.exp(-12.0 * np.tanh(0.5 * np.array(entry["values"]))))  # 3 channels x 4
  np.testing.assert_allclose(scores, want, atol=1e-5)
  assert np.all(np.diff(scores) > 0)
  assert entry["sheet"] == str(tmp_path / "run" / "sliders_glasses.png")
  assert Image.open(entry["sheet"]).size == (8 * SIZE, 2 * SIZE)  # input + 7 columns, 2 rows
  assert Image.open(entry["plot"]).size == (400, 300)
  assert entry["plot"].endswith("sliders_glasses_score.png")


def test_the_sweep_without_a_classifier_writes_only_the_sheets(faces, tmp_path):
  config = _config()
  result = attribute_evaluation.sweep(config, FakeEditor(_brightness), "", str(tmp_path))
  assert sorted(result) == sorted(NAMES)
  assert result["smile"]["values"] == [float(v) for v in np.linspace(0.0, 5.0, 11)]
  assert result["smile"]["trained_range"] == [0.0, 1.0]
  assert result["smile"]["mean_probability"] is None and result["smile"]["plot"] is None
  assert sorted(p.name for p in tmp_path.iterdir()) == ["sliders_glasses.png", "sliders_smile.png"]
  assert Image.open(result["smile"]["sheet"]).size == (12 * SIZE, 2 * SIZE)


def test_a_classifier_of_other_attributes_is_refused(faces, tmp_path):
  path = _channel_reader(tmp_path, ("smile", "beard"))
  with pytest.raises(
    ValueError, match=r"judges attributes \['smile', 'beard'\].*edits \['glasses', 'smile'\]"
  ):
    attribute_evaluation.evaluate_edits(_config(), FakeEditor(_identity), path)


def test_the_true_faces_are_read_whatever_the_runs_dataset_mode(tmp_path):
  """CycleCGAN trains on the unaligned faces pipeline: its test faces still come from
  data.attribute_test_arrays, with its one attribute."""
  config = _config()
  config.data.update(source="faces", dataset_mode="unaligned", attributes="smile")
  config.data.update(crop_size=SIZE, load_size=SIZE, num_train=4, num_test=4)
  result = attribute_evaluation.evaluate_edits(config, FakeEditor(_identity, 1, cyclecgan=True))
  assert result["num_images"] == 4 and result["attribute_names"] == ["smile"]
  assert result["reconstruction"]["psnr"] == math.inf
  edit = result["edits"]["smile"]
  assert edit["psnr"] == edit["identity_psnr"] and 10.0 < edit["psnr"] < 60.0
  result = attribute_evaluation.sweep(
    config, FakeEditor(_brightness, 1, cyclecgan=True), "", str(tmp_path)
  )
  assert list(result) == ["smile"] and result["smile"]["trained_range"] == [-1.0, 1.0]
