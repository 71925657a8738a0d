"""pix2pixHD's instance boundary map and per-instance average pooling on known maps."""

import numpy as np

from tfgan_repro.layers import InstanceAveragePooling, InstanceEdges


def test_boundary_map_marks_both_sides_of_each_id_change():
  ids = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 3, 3], [3, 3, 3, 3]], np.float32)
  edges = np.asarray(InstanceEdges()(ids[None, ..., None]))[0, ..., 0]
  # Official get_edges: a pixel differing from its left/right/upper/lower neighbour.
  expected = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0]], np.float32)
  np.testing.assert_array_equal(edges, expected)
  assert not np.asarray(InstanceEdges()(np.full((1, 3, 3, 1), 5.0, np.float32))).any()


def test_features_are_averaged_per_instance_of_each_image():
  ids = np.array([[[1, 1], [2, 2]], [[1, 2], [2, 2]]], np.float32)[..., None]  # [2, 2, 2, 1]
  features = np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2)
  out = np.asarray(InstanceAveragePooling()([features, ids]))
  # image 0: id 1 = pixels (0,0), (0,1) -> mean of [0,1] and [2,3]; id 2 = [4,5], [6,7].
  np.testing.assert_allclose(out[0], [[[1, 2], [1, 2]], [[5, 6], [5, 6]]])
  # image 1 (its id 1 is another instance): id 1 = [8, 9]; id 2 = mean of [10,11],[12,13],[14,15].
  np.testing.assert_allclose(out[1], [[[8, 9], [12, 13]], [[12, 13], [12, 13]]])
