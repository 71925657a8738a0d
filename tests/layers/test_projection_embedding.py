import numpy as np
import pytest

from tfgan_repro.layers import ProjectionEmbedding, SpectralNormalization

V = np.array([[3.0, 0.0], [0.0, 4.0]], np.float32)  # rows: classes 0, 1; sigma(V) = 4


def test_rows_of_v_by_class_id():
  layer = ProjectionEmbedding(3, 2)
  layer.build((None,))
  assert tuple(layer.kernel.shape) == (2, 3)  # [output_dim, num_classes]
  layer.kernel.assign([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  np.testing.assert_array_equal(layer(np.array([2, 0], np.int32)), [[3.0, 6.0], [1.0, 4.0]])


def test_spectral_normalization_has_u_over_the_classes_as_the_official_sn_embedding():
  layer = SpectralNormalization(ProjectionEmbedding(2, 2))
  layer.build((None,))
  assert tuple(layer.u.shape) == (2,) and tuple(layer.v.shape) == (2,)  # u0 [1, num_embeddings]
  layer.layer.kernel.assign(V.T)
  layer.u.assign([0.0, 1.0])
  layer.v.assign([0.0, 1.0])  # sigma = v^T V^T u = 4
  np.testing.assert_allclose(layer(np.array([1, 0], np.int32)), [[0.0, 1.0], [0.75, 0.0]])
  assert [w.path.split("/")[-1] for w in layer.trainable_weights] == ["kernel"]


def test_config_round_trip_and_bad_arguments():
  clone = ProjectionEmbedding.from_config(ProjectionEmbedding(5, 7).get_config())
  assert (clone.num_classes, clone.output_dim) == (5, 7)
  with pytest.raises(ValueError, match="num_classes and output_dim must be >= 1, got 0, 7"):
    ProjectionEmbedding(0, 7)
