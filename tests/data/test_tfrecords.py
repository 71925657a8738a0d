"""Tests of the TFRecord shards (data/tfrecords.py): written from each kind of source, read back
through the same pipeline, batch for batch equal to the source's; the description, names, auto-
shard policy, damaged files, mismatched configs, and one training step of every tiny model."""

from __future__ import annotations

import importlib
import json
import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image
from tensorflow.python.data.experimental.ops import distribute as tf_distribute

from tests.tiny_models import TRAINABLE
from tfgan_repro import data, models
from tfgan_repro.data import config as data_config
from tfgan_repro.data import tfrecords
from tfgan_repro.training import run

SHARDS = 3  # 8 training examples -> shards of 3, 3, 2 records: an uneven last shard


def _tiny_config(name: str):
  return importlib.import_module(models.MODELS.get(name).config_module).get_config("tiny")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
  """model name -> the folder its tiny data was written to (each written once)."""
  folders = {}

  def write(name: str) -> str:
    if name not in folders:
      folder = str(tmp_path_factory.mktemp(f"tfrecords_{name}"))
      tfrecords.write_tfrecords(_tiny_config(name).data, folder, num_shards=SHARDS)
      folders[name] = folder
    return folders[name]

  return write


def _from(cfg: dict, folder: str) -> dict:
  return {**cfg, "source": "tfrecords", "path": folder}


def _assert_equal(got: list, want: list) -> None:
  assert len(got) == len(want) > 0
  for g, w in zip(got, want, strict=True):
    for x, y in zip(tf.nest.flatten(g), tf.nest.flatten(w), strict=True):
      assert x.dtype == y.dtype
      np.testing.assert_array_equal(x.numpy(), y.numpy())


def _assert_same_batches(cfg: dict, folder: str, batch: int) -> None:
  """Three training batches (seed 5) and the first three evaluation batches of the test split
  equal, pixel for pixel, those of the original source; a stream resumed after 2 batches starts
  at the third."""
  batches = {}
  for split, training in (("train", True), ("test", False)):
    got, want = (
      list(data.make_dataset(c, split, batch, training=training, seed=5).take(3))
      for c in (_from(cfg, folder), cfg)
    )
    _assert_equal(got, want)
    batches[split] = got
  resumed = data.make_dataset(
    _from(cfg, folder), "train", batch, training=True, seed=5, skip_batches=2
  )
  _assert_equal(list(resumed.take(1)), batches["train"][2:])


@pytest.mark.parametrize(
  "name",
  [
    "cycle_gan",  # unaligned: procedural seasons
    "pix2pix",  # aligned: city label maps (one-hot) and photos
    "pix2pixhd",  # aligned: preprocess "none", one-hot + instance ids
    "fader",  # attributes: procedural faces
    "dcgan",  # images: procedural faces
  ],
)
def test_round_trip_of_each_tiny_model_data_equals_the_source(name, written):
  config = _tiny_config(name)
  _assert_same_batches(config.data.to_dict(), written(name), 2)


def test_round_trip_of_labelled_stacked_shapes_equals_the_source(tmp_path):
  cfg = dict(
    source="stacked_shapes",
    dataset_mode="labelled_images",
    load_size=16,
    crop_size=16,
    num_train=8,
    num_test=4,
  )
  info = tfrecords.write_tfrecords(cfg, str(tmp_path), num_shards=2)
  assert info["num_classes"] == 1000
  _assert_same_batches(cfg, str(tmp_path), 3)


def test_round_trip_of_a_folder_with_images_of_different_sizes(tmp_path):
  rng = np.random.default_rng(0)
  root = tmp_path / "root"
  for sub, sizes in (
    ("trainA", [20, 24, 20]),
    ("trainB", [22, 20]),
    ("testA", [20]),
    ("testB", [20]),
  ):
    os.makedirs(root / sub)
    for i, side in enumerate(sizes):
      pixels = rng.integers(0, 256, (side, side + i, 3), dtype=np.uint8)
      Image.fromarray(pixels).save(root / sub / f"{i}.png")
  cfg = dict(source="folder", path=str(root), load_size=18, crop_size=16)
  info = tfrecords.write_tfrecords(cfg, str(tmp_path / "out"), num_shards=2)
  assert info["splits"]["train"]["A"]["shape"] == [None, None, 3]  # stored as they were
  assert info["splits"]["train"]["A"]["size"] is None
  _assert_same_batches(cfg, str(tmp_path / "out"), 1)


def test_round_trip_of_mocked_tfds_mnist(tmp_path):
  cfg = dict(source="tfds", name="mnist", dataset_mode="labelled_images", load_size=8, crop_size=8)
  with tfds.testing.mock_data(num_examples=5):
    info = tfrecords.write_tfrecords(cfg, str(tmp_path), num_shards=2)
    _assert_same_batches(cfg, str(tmp_path), 2)
  assert info["num_classes"] == 10
  assert info["splits"]["train"]["images"]["shape"] == [28, 28, 3]


def test_description_counts_and_shard_names(written):
  folder = written("cycle_gan")
  info = tfrecords.read_info(folder)
  with open(os.path.join(folder, "tfrecords.json")) as f:
    assert json.load(f) == info
  assert (info["source"], info["dataset_mode"], info["shards"]) == ("seasons", "unaligned", 3)
  for split, count, side in (("train", 8, 32), ("test", 4, 32)):
    for domain in ("A", "B"):
      group = info["splits"][split][domain]
      assert group["count"] == count
      assert group["shape"] == [side, side, 3]
      names = [f"seasons-{domain}-{split}.tfrecord-{i:05d}-of-00003" for i in range(3)]
      assert [f["name"] for f in group["files"]] == names
      # example i in shard i mod 3
      assert [f["records"] for f in group["files"]] == [(count + 2 - i) // 3 for i in range(3)]
      for f in group["files"]:
        assert os.path.getsize(os.path.join(folder, f["name"])) == f["bytes"]
  assert info["splits"]["test"]["A"]["paired"] and not info["splits"]["train"]["A"]["paired"]
  assert sorted(os.listdir(folder)) == sorted(
    ["tfrecords.json"]
    + [f["name"] for s in info["splits"].values() for g in s.values() for f in g["files"]]
  )  # nothing else: no temporary files left
  assert tfrecords.verify_tfrecords(folder)["seasons-A-train.tfrecord-00002-of-00003"] == 2


def test_record_dataset_shards_by_file_across_workers(written):
  folder = written("dcgan")
  records = tfrecords.record_dataset(folder, "train", "images")
  policy = records.options().experimental_distribute.auto_shard_policy
  assert policy == tf.data.experimental.AutoShardPolicy.FILE
  every = [r.numpy() for r in records]
  assert len(every) == 8
  # Shards hold examples {0, 3, 6}, {1, 4, 7}, {2, 5}; worker 0 of 2 reads shards 0 and 2,
  # worker 1 shard 1.
  worker0 = [r.numpy() for r in tf_distribute._AutoShardDataset(records, 2, 0)]
  worker1 = [r.numpy() for r in tf_distribute._AutoShardDataset(records, 2, 1)]
  assert worker0 == [every[i] for i in (0, 2, 3, 5, 6)]
  assert worker1 == [every[i] for i in (1, 4, 7)]
  # The training stream's (seed, epoch) epochs zip a Dataset.range, which the FILE rewrite
  # refuses: it keeps the default policy, so several workers shard it by element.
  train = data.make_dataset(
    _from(_tiny_config("dcgan").data.to_dict(), folder), "train", 2, training=True, seed=0
  )
  assert train.options().experimental_distribute.auto_shard_policy == (
    tf.data.experimental.AutoShardPolicy.AUTO
  )


def test_files_listed_with_a_seed_come_in_a_seeded_order(written):
  folder = written("dcgan")
  orders = [
    [r.numpy() for r in tfrecords.record_dataset(folder, "train", "images", seed=s)]
    for s in (1, 1, None)
  ]
  assert orders[0] == orders[1]
  assert sorted(orders[0]) == sorted(orders[2])


def test_truncated_shard_fails_naming_the_file(tmp_path, written):
  folder = written("fader")
  damaged = tmp_path / "damaged"
  os.makedirs(damaged)
  for name in os.listdir(folder):
    with open(os.path.join(folder, name), "rb") as src, open(damaged / name, "wb") as dst:
      dst.write(src.read())
  shard = damaged / "faces-train.tfrecord-00001-of-00003"
  whole = shard.read_bytes()
  shard.write_bytes(whole[:-10])
  cfg = _from(_tiny_config("fader").data.to_dict(), str(damaged))
  with pytest.raises(ValueError, match=f"{shard} is truncated or corrupt: .* bytes"):
    data.make_dataset(cfg, "train", 2, training=True, seed=0)
  with pytest.raises(ValueError, match=f"{shard} is truncated or corrupt"):
    tfrecords.verify_tfrecords(str(damaged))
  shard.write_bytes(whole)
  # A flipped byte keeps the size: reading stops at the damaged record and names the file, and
  # so do the checksums of verify_tfrecords.
  shard = damaged / "faces-test.tfrecord-00000-of-00003"
  content = bytearray(shard.read_bytes())
  content[-5] ^= 0xFF
  shard.write_bytes(bytes(content))
  with pytest.raises(
    tf.errors.InvalidArgumentError, match=f"{shard}.*is corrupt or unreadable: read.*1.*of its.*2"
  ):
    list(data.make_dataset(cfg, "test", 2, training=False, seed=0))
  with pytest.raises(ValueError, match=f"{shard} is corrupt"):
    tfrecords.verify_tfrecords(str(damaged))


def test_config_mismatch_fails_naming_the_file_and_keys(written):
  folder = written("cycle_gan")
  cfg = _from(_tiny_config("cycle_gan").data.to_dict(), folder)
  json_path = os.path.join(folder, "tfrecords.json")
  with pytest.raises(
    ValueError,
    match=f"{json_path} was written for another data config "
    r"\(crop_size: config 16, file 32, load_size: config 16, file 32\)",
  ):
    data.make_dataset({**cfg, "crop_size": 16, "load_size": 16}, "train", 1, training=True, seed=0)
  with pytest.raises(ValueError, match=r"dataset_mode: config 'aligned', file 'unaligned'"):
    data.make_dataset({**cfg, "dataset_mode": "aligned"}, "train", 1, training=True, seed=0)
  with pytest.raises(ValueError, match=r"has no split 'test'"):
    folder_train_only = os.path.join(os.path.dirname(folder), "train_only")
    tfrecords.write_tfrecords(_tiny_config("dcgan").data, folder_train_only, splits=["train"])
    data.make_dataset(
      _from(_tiny_config("dcgan").data.to_dict(), folder_train_only),
      "test",
      1,
      training=False,
      seed=0,
    )


@pytest.mark.parametrize("name", TRAINABLE)
def test_every_tiny_model_trains_one_step_from_its_tfrecords(name, written):
  config = _tiny_config(name)
  if config.data.dataset_mode == "points":
    # 2-D mixtures draw points, not images: there is nothing to write, and writing says so.
    assert config.data.source in data_config.POINT_SOURCES
    with pytest.raises(ValueError, match="dataset_mode 'points'"):
      tfrecords.write_tfrecords(config.data, "unused")
    return
  config.data.source, config.data.path = "tfrecords", written(name)
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=1)
  batch = next(iter(run.train_dataset(config, trainer.contract.sampler, seed=0)))
  logs = trainer.train_step(batch)
  assert int(trainer.step.numpy()) == 1
  assert logs and all(np.isfinite(float(v)) for v in logs.values())
