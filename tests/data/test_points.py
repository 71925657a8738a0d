"""dataset_mode "points": fresh 2-D mixture draws per training batch, the fixed test split."""

from __future__ import annotations

import numpy as np
import pytest

from tfgan_repro import data
from tfgan_repro.data import points
from tfgan_repro.data.procedural import mixtures

RING = {"source": "ring8", "dataset_mode": "points", "num_train": 64, "num_test": 10}


def _batches(seed: int, skip: int = 0, num: int = 3) -> list[np.ndarray]:
  ds = data.make_dataset(RING, "train", 16, training=True, seed=seed, skip_batches=skip)
  return [b.numpy() for b in ds.take(num)]


def test_training_batches_are_fresh_mixture_draws_set_by_the_seed():
  first = _batches(0)
  assert [b.shape for b in first] == [(16, 2)] * 3
  assert not np.allclose(first[0], first[1])  # a new draw each batch
  np.testing.assert_array_equal(np.stack(first), np.stack(_batches(0)))
  assert not np.allclose(first[0], _batches(1)[0])
  np.testing.assert_array_equal(_batches(0, skip=2, num=1)[0], first[2])  # a resumed run
  m = mixtures.mixture("ring8")
  distance = np.linalg.norm(first[0][:, None] - m.means[None], axis=-1).min(axis=1)
  assert distance.max() < 5 * m.std  # every point near a mode


def test_test_split_is_the_fixed_sample_in_order():
  got = np.concatenate(
    [b.numpy() for b in data.make_dataset(RING, "test", 4, training=False, seed=3)]
  )
  want, modes = points.point_arrays(RING, "test")
  np.testing.assert_array_equal(got, want)
  np.testing.assert_array_equal(want, mixtures.sample(mixtures.mixture("ring8"), 10, 0, "test")[0])
  assert modes.shape == (10,)
  assert data.epoch_size(RING, "train") == 64


def test_points_mode_and_mixture_sources_go_together():
  with pytest.raises(ValueError, match="dataset_mode 'points' takes the sources ring8, grid25"):
    data.resolve_data_config({"source": "faces", "dataset_mode": "points"})
  with pytest.raises(ValueError, match="got source 'grid25' with dataset_mode 'images'"):
    data.resolve_data_config({"source": "grid25", "dataset_mode": "images"})
