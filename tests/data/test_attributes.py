"""Tests of the attribute pipeline (dataset_mode "attributes") and the unpaired faces source."""

from __future__ import annotations

import random

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from tfgan_repro import data
from tfgan_repro.data import celeba, pipeline
from tfgan_repro.data import config as data_config
from tfgan_repro.data.procedural import faces

_FACES = dict(
  source="faces",
  dataset_mode="attributes",
  crop_size=32,
  num_train=6,
  num_test=5,
  procedural_seed=3,
  attributes="beard,glasses",
)
_COLUMNS = [faces.BEARD, faces.GLASSES]


def _to_float(images: np.ndarray) -> np.ndarray:
  return images.astype(np.float32) / 127.5 - 1.0


def test_default_config_and_attribute_errors():
  cfg = data_config.default_data_config()
  assert cfg.attributes == "" and cfg.balanced is False
  assert data.attribute_names(dict(_FACES, attributes="")) == faces.ATTRIBUTES
  assert data.attribute_names(dict(_FACES, attributes=" smile , glasses")) == ("smile", "glasses")
  assert len(data.attribute_names(dict(source="celeb_a", dataset_mode="attributes"))) == 40
  with pytest.raises(ValueError, match=r"unknown attribute\(s\) \['hat'\].*valid: glasses, smile"):
    data_config.resolve_data_config(dict(_FACES, attributes="smile,hat"))
  with pytest.raises(ValueError, match=r"\['Glasses'\].*valid: 5_o_Clock_Shadow, Arched_Eyebrows"):
    data_config.resolve_data_config(
      dict(source="celeb_a", dataset_mode="attributes", attributes="Glasses")
    )
  with pytest.raises(ValueError, match="repeats a name"):
    data_config.resolve_data_config(dict(_FACES, attributes="smile,smile"))
  with pytest.raises(
    ValueError, match="'celeb_a' does not serve dataset_mode 'unaligned'; valid: al"
  ):
    data_config.resolve_data_config(dict(source="celeb_a"))
  with pytest.raises(ValueError, match="valid: celeb_a, celeba_folder, faces, tfrecords$"):
    data_config.resolve_data_config(dict(source="seasons", dataset_mode="attributes"))
  with pytest.raises(
    ValueError, match="unknown data source 'mnist'; valid: aligned_folder, celeb_a"
  ):
    data_config.resolve_data_config(dict(source="mnist"))
  with pytest.raises(ValueError, match="source 'seasons' has no attributes; valid: celeb_a, "):
    data.attribute_names(dict(source="seasons"))
  assert data.attribute_names(dict(source="faces", attributes="beard")) == ("beard",)


def test_training_batches_are_shuffled_flipped_images_with_their_attributes():
  images, attributes = faces.faces_arrays("train", 32, 6, seed=3)
  stored, flipped = _to_float(images), _to_float(images[:, :, ::-1])
  ds = data.make_dataset(_FACES, "train", 4, training=True, seed=1)
  batches = [(x.numpy(), a.numpy()) for x, a in ds.take(3)]  # 12 examples: past one epoch
  assert all(x.shape == (4, 32, 32, 3) and a.shape == (4, 2) for x, a in batches)
  assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.float32
  seen, mirrored = set(), 0
  for x, a in batches:
    for image, attrs in zip(x, a, strict=True):
      match = [n for n in range(6) if np.array_equal(image, stored[n])]
      match_flip = [n for n in range(6) if np.array_equal(image, flipped[n])]
      (n,) = match or match_flip  # the image, maybe mirrored ...
      np.testing.assert_array_equal(attrs, attributes[n, _COLUMNS])  # ... keeps its attributes
      seen.add(n)
      mirrored += not match
  assert seen == set(range(6)) and 0 < mirrored < 12
  again = next(iter(data.attribute_dataset(_FACES, "train", 4, training=True, seed=1)))
  other = next(iter(data.attribute_dataset(_FACES, "train", 4, training=True, seed=2)))
  np.testing.assert_array_equal(batches[0][0], again[0].numpy())
  assert not np.array_equal(batches[0][0], other[0].numpy())


def test_no_flip_keeps_orientation():
  images, _ = faces.faces_arrays("train", 32, 6, seed=3)
  ds = data.attribute_dataset(dict(_FACES, flip=False), "train", 6, training=True, seed=0)
  x = next(iter(ds))[0].numpy()
  stored = _to_float(images)
  found = [[n for n in range(6) if np.array_equal(v, stored[n])] for v in x]
  assert sorted(n for (n,) in found) == list(range(6))  # each image once, none mirrored


def test_eval_is_stored_order_and_test_arrays_hold_the_true_edits():
  images, attributes = faces.faces_arrays("test", 32, 5, seed=3)
  edits = faces.edit_arrays("test", 32, 5, seed=3)
  batches = list(data.attribute_dataset(_FACES, "test", 2, training=False, seed=0))
  assert [int(x.shape[0]) for x, _ in batches] == [2, 2, 1]
  np.testing.assert_array_equal(np.concatenate([x for x, _ in batches]), _to_float(images))
  np.testing.assert_array_equal(np.concatenate([a for _, a in batches]), attributes[:, _COLUMNS])
  x, a, e = data.attribute_test_arrays(_FACES, num=3)
  assert x.shape == (3, 32, 32, 3) and a.shape == (3, 2) and e.shape == (3, 2, 32, 32, 3)
  assert x.dtype == a.dtype == e.dtype == np.float32
  np.testing.assert_array_equal(x, _to_float(images[:3]))
  np.testing.assert_array_equal(e, _to_float(edits[:3, _COLUMNS]))
  assert pipeline.epoch_size(_FACES) == 6 and pipeline.epoch_size(_FACES, "test") == 5
  with pytest.raises(ValueError, match=r"num must be an int in \[1, 5\].* got 6"):
    data.attribute_test_arrays(_FACES, num=6)


def test_unaligned_faces_translate_without_to_with_the_first_attribute():
  cfg = dict(_FACES, dataset_mode="unaligned", load_size=32, attributes="smile,beard")
  test_a, test_b = faces.domain_arrays("test", 32, 5, "smile", seed=3)
  a, b = pipeline.paired_test_arrays(cfg)
  assert a.shape == b.shape == (5, 32, 32, 3)
  np.testing.assert_array_equal(a, _to_float(test_a))
  np.testing.assert_array_equal(b, _to_float(test_b))
  x, y = next(iter(data.make_dataset(cfg, "train", 2, training=True, seed=0)))
  assert x.shape == y.shape == (2, 32, 32, 3)
  assert pipeline.epoch_size(cfg) == 6 and pipeline.epoch_size(cfg, "test") == 5
  with pytest.raises(ValueError, match=r"unknown attribute\(s\) \['hat'\]"):
    pipeline.epoch_size(dict(cfg, attributes="hat"))


def test_celeb_a_from_mocked_tfds_is_center_cropped_and_resized_like_pil():
  cfg = dict(source="celeb_a", dataset_mode="attributes", crop_size=16, attributes="Smiling,Male")
  with tfds.testing.mock_data(num_examples=3):
    stored = list(tfds.load("celeb_a", split="test", shuffle_files=False).as_numpy_iterator())
    x, a = next(iter(data.attribute_dataset(cfg, "test", 3, training=False, seed=0)))
    train_x, _ = next(iter(data.attribute_dataset(cfg, "train", 2, training=True, seed=0)))
    assert data.epoch_size(cfg, "test") == 3
    with pytest.raises(data.NoGroundTruthError, match="'celeb_a' has no true attribute edits"):
      data.attribute_test_arrays(cfg)
  assert x.shape == (3, 16, 16, 3) and a.shape == (3, 2) and train_x.shape == (2, 16, 16, 3)
  for n, ex in enumerate(stored):
    assert ex["image"].shape == (218, 178, 3)
    want = [ex["attributes"]["Smiling"], ex["attributes"]["Male"]]
    np.testing.assert_array_equal(a[n].numpy(), np.array(want, np.float32))
    # official StarGAN: T.CenterCrop(178), T.Resize(16) (PIL bilinear); measured max 1 level.
    pil = Image.fromarray(ex["image"]).crop((0, 20, 178, 198)).resize((16, 16), Image.BILINEAR)
    ours = np.round((x[n].numpy() + 1.0) * 127.5)
    assert np.abs(ours - np.asarray(pil, np.float64)).max() <= 1.0


_NAMES = ("Black_Hair", "Eyeglasses", "Smiling")


def _write_celeba(root, rows: list[tuple[str, tuple[int, ...]]], images: dict[str, tuple]) -> None:
  """list_attr_celeba.txt with `rows` (file name, values in {-1, 1}) and 22x18 JPEGs of one
  colour each, for the file names in `images`."""
  (root / celeba.IMAGE_DIR).mkdir(parents=True, exist_ok=True)
  lines = [str(len(rows)), " ".join(_NAMES)]
  lines += [f"{name} " + " ".join(f"{v:2d}" for v in values) for name, values in rows]
  (root / celeba.ATTRIBUTE_FILE).write_text("\n".join(lines) + "\n")
  for name, color in images.items():
    Image.new("RGB", (18, 22), color).save(root / celeba.IMAGE_DIR / name, quality=95)


_ROWS = [
  ("000001.jpg", (1, -1, 1)),
  ("000002.jpg", (-1, 1, -1)),
  ("000003.jpg", (-1, -1, 1)),
  ("000004.jpg", (1, 1, 1)),
]
_COLORS = {
  "000001.jpg": (200, 30, 30),
  "000002.jpg": (30, 200, 30),
  "000003.jpg": (30, 30, 200),
  "000004.jpg": (220, 220, 40),
}


def test_celeba_folder_with_partition_file(tmp_path):
  _write_celeba(tmp_path, _ROWS, _COLORS)
  (tmp_path / celeba.PARTITION_FILE).write_text(
    "000001.jpg 0\n000002.jpg 2\n000003.jpg 1\n000004.jpg 2\n"
  )
  cfg = dict(
    source="celeba_folder",
    dataset_mode="attributes",
    path=str(tmp_path),
    crop_size=16,
    attributes="Smiling,Eyeglasses",
  )
  assert data.attribute_names(dict(cfg, attributes="")) == _NAMES
  x, a = next(iter(data.attribute_dataset(cfg, "test", 4, training=False, seed=0)))
  np.testing.assert_array_equal(a.numpy(), [[0, 1], [1, 1]])  # 000002, 000004 (partition 2)
  for n, name in enumerate(("000002.jpg", "000004.jpg")):
    np.testing.assert_allclose(x[n, 8, 8], np.array(_COLORS[name]) / 127.5 - 1.0, atol=0.04)
  train_x, train_a = next(iter(data.attribute_dataset(cfg, "train", 3, training=True, seed=0)))
  assert train_x.shape == (3, 16, 16, 3)
  np.testing.assert_array_equal(train_a.numpy(), [[1, 0]] * 3)  # only 000001 is train
  assert data.epoch_size(cfg) == 1
  with pytest.raises(ValueError, match=r"\['Male'\] .*valid: Black_Hair, Eyeglasses, Smiling"):
    data.attribute_names(dict(cfg, attributes="Male"))


def test_celeba_folder_without_partition_file_uses_the_official_stargan_split(tmp_path):
  names = [f"{i:06d}.jpg" for i in range(1, 2002)]
  rows = [(n, (1 if i % 3 == 0 else -1, -1, 1 if i % 2 else -1)) for i, n in enumerate(names)]
  _write_celeba(tmp_path, rows, {})
  # official data_loader.py, literally: shuffle the lines, (i + 1) < 2000 is test, the rest train.
  lines = [line.rstrip() for line in open(tmp_path / celeba.ATTRIBUTE_FILE)][2:]
  state = random.getstate()
  random.seed(1234)
  random.shuffle(lines)
  random.setstate(state)
  train = [line.split() for i, line in enumerate(lines) if not (i + 1) < 2000]
  assert len(train) == 2
  _write_celeba(tmp_path, rows, {train[0][0]: (200, 30, 30), train[1][0]: (30, 30, 200)})
  listing = celeba.list_folder(str(tmp_path), "train", ("Smiling", "Black_Hair"))
  assert [p.rsplit("/", 1)[-1] for p in listing.paths] == [t[0] for t in train]
  np.testing.assert_array_equal(listing.attributes, [[t[3] == "1", t[1] == "1"] for t in train])
  with pytest.raises(ValueError, match=r"line \d+ lists '\d+\.jpg', but .* does not exist"):
    celeba.list_folder(str(tmp_path), "test", ("Smiling",))


@pytest.mark.parametrize(
  "content, message",
  [
    (
      "1\nBlack_Hair Smiling\n000001.jpg 1 -1 1\n",
      "line 3: expected a file name and 2 values, got 3",
    ),
    ("1\nBlack_Hair Eyeglasses Smiling\n000001.jpg 1 0 1\n", "line 3: attribute Eyeglasses is '0'"),
    ("x\nBlack_Hair\n", "line 1 must be the image count"),
    ("2\nBlack_Hair Eyeglasses Smiling\n000001.jpg 1 1 1\n", "declares 2 images .* has 1 rows"),
  ],
)
def test_malformed_attribute_files_name_the_line(tmp_path, content, message):
  _write_celeba(tmp_path, [], {})
  (tmp_path / celeba.ATTRIBUTE_FILE).write_text(content)
  with pytest.raises(ValueError, match=message):
    celeba.list_folder(str(tmp_path), "train", ("Black_Hair",))


def test_missing_files_name_the_path(tmp_path):
  cfg = dict(source="celeba_folder", dataset_mode="attributes", path=str(tmp_path))
  with pytest.raises(ValueError, match="list_attr_celeba.txt' not found"):
    data.attribute_names(cfg)
  _write_celeba(tmp_path, _ROWS, _COLORS)
  (tmp_path / celeba.PARTITION_FILE).write_text("000001.jpg 0\n000002.jpg train\n")
  with pytest.raises(ValueError, match="list_eval_partition.txt' line 2: expected"):
    celeba.list_folder(str(tmp_path), "train", _NAMES)
  (tmp_path / celeba.PARTITION_FILE).write_text("000001.jpg 0\n")
  with pytest.raises(ValueError, match="line 4: image '000002.jpg' has no entry"):
    celeba.list_folder(str(tmp_path), "train", _NAMES)
  with pytest.raises(ValueError, match="path must name the dataset root"):
    data.attribute_names(dict(cfg, path=""))
