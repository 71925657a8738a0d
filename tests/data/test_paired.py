"""Tests of the paired pipeline (official AlignedDataset): city labels, aligned folders, tfds."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from tfgan_repro.data import pipeline
from tfgan_repro.data.procedural import city

_CITY = dict(
  source="city",
  dataset_mode="aligned",
  load_size=40,
  crop_size=32,
  num_train=4,
  num_test=3,
  procedural_seed=3,
)


def _to_float(images: np.ndarray) -> np.ndarray:
  return images.astype(np.float32) / 127.5 - 1.0


def _find_crop(photo: np.ndarray, sources: np.ndarray) -> tuple[int, int, int, bool]:
  """(source index, top, left, flipped) of the crop `photo` among `sources`."""
  crop = photo.shape[0]
  for n, src in enumerate(sources):
    for top in range(src.shape[0] - crop + 1):
      for left in range(src.shape[1] - crop + 1):
        window = src[top : top + crop, left : left + crop]
        for flipped in (False, True):
          if np.array_equal(window[:, ::-1] if flipped else window, photo):
            return n, top, left, flipped
  raise AssertionError("crop not found in any source photo")


def test_label_map_and_photo_get_the_same_crop_and_flip():
  train = city.city_arrays("train", 40, 4, seed=3)
  ds = pipeline.paired_dataset(_CITY, "train", 2, training=True, seed=1, instances=True)
  windows = set()
  for a, b, inst in ds.take(4):
    assert a.shape == (2, 32, 32, 8) and b.shape == (2, 32, 32, 3) and inst.shape == (2, 32, 32, 1)
    for onehot, photo, ids in zip(a.numpy(), b.numpy(), inst.numpy(), strict=True):
      np.testing.assert_array_equal(onehot.sum(-1), 1.0)  # one-hot: exactly one class per pixel
      n, top, left, flipped = _find_crop(photo, _to_float(train.photos))
      window = np.s_[top : top + 32, left : left + 32]
      labels, instances = train.labels[n][window], train.instances[n][window]
      if flipped:
        labels, instances = labels[:, ::-1], instances[:, ::-1]
      np.testing.assert_array_equal(onehot.argmax(-1), labels)
      np.testing.assert_array_equal(ids[..., 0], instances)
      windows.add((top, left, flipped))
  assert len(windows) > 3  # crops move and flips happen
  # Seeded: a fresh dataset gives the same first batch (without instance maps too).
  again = next(iter(pipeline.paired_dataset(_CITY, "train", 2, training=True, seed=1)))
  first = next(
    iter(pipeline.paired_dataset(_CITY, "train", 2, training=True, seed=1, instances=True))
  )
  np.testing.assert_array_equal(again[1].numpy(), first[1].numpy())
  np.testing.assert_array_equal(again[0].numpy(), first[0].numpy())


def test_eval_pairs_are_the_test_scenes_in_order_and_colour_labels():
  test = city.city_arrays("test", 32, 3, seed=3)  # rendered at crop_size
  batches = list(pipeline.paired_dataset(_CITY, "test", 2, training=False, seed=0))
  assert [int(a.shape[0]) for a, _ in batches] == [2, 1]
  a = np.concatenate([x.numpy() for x, _ in batches])
  b = np.concatenate([y.numpy() for _, y in batches])
  np.testing.assert_array_equal(a.argmax(-1), test.labels)
  np.testing.assert_array_equal(b, _to_float(test.photos))
  colour = pipeline.domain_images(dict(_CITY, label_format="color"), "test", "A")
  np.testing.assert_array_equal(colour, _to_float(city.PALETTE[test.labels]))
  pa, pb = pipeline.paired_test_arrays(_CITY, num=2)
  np.testing.assert_array_equal(pa, a[:2])
  np.testing.assert_array_equal(pb, b[:2])


def test_label_maps_are_resized_with_nearest_neighbours():
  # Aspect 2: rendered 64x32 (width x height), resized to 32x32 for eval: columns 1, 3, 5, ...
  cfg = dict(_CITY, aspect_ratio=2)
  test = city.city_arrays("test", 32, 3, aspect=2, seed=3)
  a = pipeline.domain_images(cfg, "test", "A")
  assert a.shape == (3, 32, 32, 8) and set(np.unique(a)) == {0.0, 1.0}
  np.testing.assert_array_equal(a.argmax(-1), test.labels[:, :, 1::2])


def test_channels_classes_and_palette():
  assert pipeline.domain_channels(_CITY) == (8, 3)
  assert pipeline.domain_channels(dict(_CITY, num_classes=10)) == (10, 3)
  assert pipeline.domain_channels(dict(_CITY, label_format="color")) == (3, 3)
  assert pipeline.domain_channels(dict(_CITY, direction="BtoA")) == (3, 8)
  assert pipeline.domain_channels(dict(source="seasons")) == (3, 3)
  a = pipeline.domain_images(dict(_CITY, num_classes=10), "test", "A", num=1)
  assert a.shape[-1] == 10 and not a[..., 8:].any()  # classes past the source's: zero channels
  palette = pipeline.label_palette(_CITY)
  np.testing.assert_allclose(palette[city.ROAD], np.array([128, 64, 128]) / 127.5 - 1.0, atol=1e-6)
  assert pipeline.label_palette(dict(_CITY, label_format="color")) is None
  with pytest.raises(ValueError, match=r"num_classes must be >= 8 .*got 5"):
    pipeline.domain_channels(dict(_CITY, num_classes=5))


def test_unpaired_source_and_bad_options_are_refused():
  with pytest.raises(ValueError, match="needs pairs, but split 'train' of source 'seasons'"):
    pipeline.paired_dataset(dict(_CITY, source="seasons"), "train", 1, training=True, seed=0)
  with pytest.raises(ValueError, match="direction must be one of .* got 'AtoC'"):
    pipeline.resolve_data_config(dict(direction="AtoC"))
  with pytest.raises(ValueError, match="dataset_mode must be one of .* got 'paired'"):
    pipeline.resolve_data_config(dict(dataset_mode="paired"))
  with pytest.raises(ValueError, match="instances=True needs label maps"):
    pipeline.paired_dataset(
      dict(_CITY, direction="BtoA"), "test", 1, training=False, seed=0, instances=True
    )


def test_make_dataset_follows_the_dataset_mode():
  cfg = dict(_CITY, source="seasons", dataset_mode="unaligned")
  got = next(iter(pipeline.make_dataset(cfg, "test", 2, training=False, seed=0)))
  want = next(iter(pipeline.unpaired_dataset(cfg, "test", 2, training=False, seed=0)))
  np.testing.assert_array_equal(got[0].numpy(), want[0].numpy())
  a, b = next(iter(pipeline.make_dataset(_CITY, "test", 2, training=False, seed=0)))
  assert a.shape[-1] == 8 and b.shape[-1] == 3


@pytest.fixture
def aligned_root(tmp_path):
  """The official aligned layout written from city scenes: root/train (3), root/test (2)."""
  city.write_aligned_folder(str(tmp_path), "train", 3, 16, seed=1)
  city.write_aligned_folder(str(tmp_path), "test", 2, 16, seed=1)
  return tmp_path


def test_aligned_folder_splits_each_file_into_a_and_b(aligned_root):
  cfg = dict(source="aligned_folder", path=str(aligned_root), dataset_mode="aligned")
  cfg.update(load_size=16, crop_size=16)
  test = city.city_arrays("test", 16, 2, seed=1)
  a, b = next(iter(pipeline.paired_dataset(cfg, "test", 2, training=False, seed=0)))
  np.testing.assert_array_equal(a.numpy(), _to_float(city.PALETTE[test.labels]))
  np.testing.assert_array_equal(b.numpy(), _to_float(test.photos))
  swapped = pipeline.paired_test_arrays(dict(cfg, direction="BtoA"))  # official --direction BtoA
  np.testing.assert_array_equal(swapped[0], b.numpy())
  np.testing.assert_array_equal(swapped[1], a.numpy())
  x, y = next(
    iter(pipeline.paired_dataset(dict(cfg, load_size=20), "train", 3, training=True, seed=0))
  )
  assert x.shape == y.shape == (3, 16, 16, 3)


def test_aligned_folder_errors_name_the_problem(aligned_root):
  cfg = dict(source="aligned_folder", path=str(aligned_root), dataset_mode="aligned")
  Image.new("RGB", (33, 16)).save(aligned_root / "test" / "odd.png")
  with pytest.raises(ValueError, match=r"aligned image '.*odd.png' is 33x16 .* even width"):
    pipeline.paired_test_arrays(cfg)
  (aligned_root / "test" / "odd.png").unlink()
  (aligned_root / "test" / "bad.png").write_bytes(b"not a png")
  with pytest.raises(ValueError, match=r"cannot decode image file '.*bad.png'"):
    pipeline.paired_test_arrays(cfg)
  with pytest.raises(ValueError, match=r"folder '.*train/test' not found: the official aligned"):
    pipeline.paired_test_arrays(dict(cfg, path=str(aligned_root / "train")))
  with pytest.raises(ValueError, match="data_config.path must name the dataset root"):
    pipeline.paired_test_arrays(dict(cfg, path=""))


def test_tfds_cityscapes_gives_label_ids_and_photos():
  cfg = dict(source="tfds_paired", name="cityscapes/semantic_segmentation", dataset_mode="aligned")
  cfg.update(load_size=20, crop_size=16, num_classes=35)  # official pix2pixHD --label_nc 35
  with tfds.testing.mock_data(num_examples=2):
    a, b = next(iter(pipeline.paired_dataset(cfg, "train", 2, training=True, seed=0)))
    test_a = pipeline.domain_images(cfg, "test", "A")  # tfds "validation"
  assert a.shape == (2, 16, 16, 35) and b.shape == (2, 16, 16, 3) and b.dtype == tf.float32
  assert set(np.unique(a.numpy())) <= {0.0, 1.0} and test_a.shape == (2, 16, 16, 35)
  assert pipeline.domain_channels(cfg) == (35, 3)
  with pytest.raises(ValueError, match="no paired tfds dataset 'cycle_gan/facades'"):
    pipeline.domain_channels(dict(cfg, name="cycle_gan/facades"))


def _write_pix2pixhd_split(root, split: str, n: int, size: int, seed: int) -> city.CityArrays:
  """The official pix2pixHD layout from city scenes: 8-bit label ids, 16-bit Cityscapes-style
  instance ids (class * 1000 + k, k from 0), photos."""
  arrays = city.city_arrays(split, size, n, seed=seed)
  for part in ("label", "inst", "img"):
    (root / f"{split}_{part}").mkdir()
  for i in range(n):
    labels, inst = arrays.labels[i].astype(np.int32), arrays.instances[i].astype(np.int32)
    ids = np.where(inst > 0, labels * 1000 + inst - 1, labels).astype(np.uint16)
    Image.fromarray(arrays.labels[i]).save(root / f"{split}_label" / f"{i:03d}.png")
    Image.fromarray(ids).save(root / f"{split}_inst" / f"{i:03d}.png")  # 16-bit grey PNG
    Image.fromarray(arrays.photos[i]).save(root / f"{split}_img" / f"{i:03d}.png")
  return arrays


def test_pix2pixhd_folder_reads_label_instance_and_photo_maps(tmp_path):
  test = _write_pix2pixhd_split(tmp_path, "test", 2, 16, seed=1)
  assert int(np.asarray(Image.open(next((tmp_path / "test_inst").iterdir()))).max()) > 255
  cfg = dict(source="pix2pixhd_folder", path=str(tmp_path), dataset_mode="aligned")
  cfg.update(load_size=16, crop_size=16, label_format="onehot_instance", num_classes=35)
  a, b, ids = next(
    iter(pipeline.paired_dataset(cfg, "test", 2, training=False, seed=0, instances=True))
  )
  assert a.shape == (2, 16, 16, 36) and b.shape == (2, 16, 16, 3)
  np.testing.assert_array_equal(np.argmax(a[..., :35], -1), test.labels)
  np.testing.assert_array_equal(b.numpy(), _to_float(test.photos))
  # Instances keep their identity (our k = Cityscapes k + 1: ids read class * 1000 + k + 1).
  raw = np.rint(a[..., 35].numpy() * pipeline.INSTANCE_ID_SCALE).astype(np.int64)
  labels, instances = test.labels.astype(np.int64), test.instances.astype(np.int64)
  want = np.where(instances > 0, labels * 1000 + instances, labels)
  np.testing.assert_array_equal(raw, want)
  np.testing.assert_array_equal(ids[..., 0].numpy(), test.instances)
  (tmp_path / "test_img" / "000.png").unlink()
  with pytest.raises(ValueError, match=r"folders of split 'test' differ in length: .*'img': 1"):
    pipeline.paired_test_arrays(cfg)
  with pytest.raises(ValueError, match=r"folder '.*train_label' not found: the official pix2pixHD"):
    pipeline.paired_dataset(cfg, "train", 1, training=False, seed=0)
