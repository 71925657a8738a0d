"""Semi-supervised labels (data.num_labelled): the balanced labelled subset of the class shapes,
its determinism, its errors, and the training batches of labelled and unlabelled rows."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro.data import images, resolve_data_config
from tfgan_repro.data.procedural import class_shapes
from tfgan_repro.data.semi_supervised import UNLABELLED, labelled_mask, semi_supervised_labels

K = class_shapes.NUM_CLASSES  # 12
NUM_TRAIN = 240


@pytest.fixture(scope="module")
def labels() -> np.ndarray:
  return class_shapes.class_shapes_arrays("train", 16, NUM_TRAIN, seed=0)[1]


def _cfg(**kw) -> dict:
  return {
    "source": "class_shapes",
    "dataset_mode": "labelled_images",
    "load_size": 16,
    "crop_size": 16,
    "num_train": 48,
    "num_test": 12,
    **kw,
  }


def test_balanced_labels_per_class_and_minus_one_elsewhere(labels):
  got = semi_supervised_labels(labels, 36, K, seed=1)
  kept = got >= 0
  assert kept.sum() == 36
  np.testing.assert_array_equal(np.bincount(got[kept], minlength=K), [3] * K)
  np.testing.assert_array_equal(got[kept], labels[kept])  # kept labels are the true ones
  assert (got[~kept] == UNLABELLED).all() and got.dtype == np.int32


def test_same_seed_same_selection_other_seed_another(labels):
  a = labelled_mask(labels, 24, K, seed=1)
  np.testing.assert_array_equal(labelled_mask(labels, 24, K, seed=1), a)
  assert (labelled_mask(labels, 24, K, seed=2) != a).any()
  # The first of each class in the permutation of RandomState(seed) (the official order).
  order = np.random.RandomState(1).permutation(NUM_TRAIN)
  want = np.zeros(NUM_TRAIN, bool)
  for k in range(K):
    want[order[labels[order] == k][:2]] = True
  np.testing.assert_array_equal(a, want)


def test_zero_keeps_every_label(labels):
  assert labelled_mask(labels, 0, K, seed=1).all()


def test_bad_num_labelled_raises_naming_it(labels):
  with pytest.raises(ValueError, match="data.num_labelled must be a multiple of the 12 classes"):
    labelled_mask(labels, 30, K, seed=1)
  per_class = int(np.bincount(labels, minlength=K).min())
  with pytest.raises(ValueError, match=r"data.num_labelled \d+ asks \d+ labels per class"):
    labelled_mask(labels, (per_class + 1) * K, K, seed=1)
  with pytest.raises(ValueError, match="data.num_labelled must be an int >= 0, got -12"):
    labelled_mask(labels, -12, K, seed=1)
  with pytest.raises(ValueError, match="data_config.num_labelled must be >= 0, got -1"):
    resolve_data_config(_cfg(num_labelled=-1))
  with pytest.raises(ValueError, match="num_labelled 12 hides labels .* got dataset_mode 'images'"):
    resolve_data_config(_cfg(num_labelled=12, dataset_mode="images"))
  with pytest.raises(ValueError, match="labelled_per_batch 2 needs data.num_labelled > 0"):
    resolve_data_config(_cfg(labelled_per_batch=2))


def test_batches_of_labelled_then_unlabelled_rows():
  cfg = _cfg(num_labelled=12, labelled_per_batch=3, flip=False)
  batches = list(images.image_dataset(cfg, "train", 5, training=True, seed=0).take(8))
  true = class_shapes.class_shapes_arrays("train", 16, 48, seed=0)
  selected = semi_supervised_labels(true[1], 12, K, seed=1)
  kept = {true[0][i].tobytes(): int(selected[i]) for i in np.flatnonzero(selected >= 0)}
  for x, y in batches:
    y = y.numpy()
    assert x.shape == (5, 16, 16, 3) and y.shape == (5,)
    assert (y[:3] >= 0).all() and (y[3:] == UNLABELLED).all()
    for image, label in zip(x.numpy()[:3], y[:3], strict=True):
      stored = np.round((image + 1.0) * 127.5).astype(np.uint8).tobytes()
      assert kept[stored] == label  # a labelled row is one of the 12 with its own label
  # 8 batches x 3 rows = two epochs of the 12 labelled images: each seen twice
  seen = np.concatenate([y.numpy()[:3] for _, y in batches])
  np.testing.assert_array_equal(np.bincount(seen, minlength=K), [2] * K)
  with pytest.raises(ValueError, match="labelled_per_batch must be <= the global batch size 5"):
    images.image_dataset({**cfg, "labelled_per_batch": 6}, "train", 5, training=True, seed=0)


def test_mixed_batches_without_a_labelled_share_and_full_test_labels():
  cfg = _cfg(num_labelled=12)
  ys = [y.numpy() for _, y in images.image_dataset(cfg, "train", 8, training=True, seed=0).take(6)]
  y = np.concatenate(ys)  # 48 rows: one epoch, 12 of them labelled
  assert (y >= 0).sum() == 12 and ((y >= 0) | (y == UNLABELLED)).all()
  _, test = images.image_arrays(cfg, "test")
  assert (test >= 0).all()  # held-out labels are never hidden
