"""Pix2PixHD: stages (which variables train), warm start from the previous stage, feature
clusters, configs."""

import keras
import numpy as np
import pytest

from configs import pix2pixhd as configs
from tfgan_repro import data, models, nets
from tfgan_repro.models.feature_clusters import cluster_centres, instance_features, kmeans
from tfgan_repro.tasks import task_of
from tfgan_repro.training import checkpointing, run
from tfgan_repro.training.trainer import Trainer


def _model(variant: str, **features):
  config = configs.get_config(variant)
  config.features.update(features)
  keras.utils.set_random_seed(0)
  return config, models.build_model(config)


def _paths(variables) -> set[str]:
  return {v.path for v in variables}


def _player(model, name: str) -> list:
  return model.contract().player(name).variables


def test_local_stage_trains_exactly_g2_and_e():
  _, model = _model("tiny_local")
  g1_layers = nets.global_layers(model.G_core)
  g2_layers = [layer for layer in model.G_core.layers if layer not in g1_layers]
  g1 = _paths(w for layer in g1_layers for w in layer.weights)
  g2 = _paths(w for layer in g2_layers for w in layer.weights)
  assert len(g1) > len(g2) > 0
  # official --niter_fix_global: only the local enhancer's layers (and E) train.
  assert _paths(_player(model, "G")) == g2 | _paths(model.E.weights)


@pytest.mark.parametrize("variant", ["tiny", "tiny_joint"])
def test_global_and_joint_stages_train_all_of_g(variant):
  _, model = _model(variant)
  assert _paths(_player(model, "G")) == _paths(model.G_core.weights + model.E.trainable_weights)
  assert _paths(_player(model, "D")) == _paths(model.D.trainable_weights)


def test_stage_resolutions_and_schedules():
  city, local, joint = (configs.get_config(v) for v in ("city", "city_local", "city_joint"))
  assert (city.data.load_size, local.data.load_size, joint.data.load_size) == (64, 128, 128)
  assert (city.generator.stage, local.generator.stage, joint.generator.stage) == (
    "global",
    "local",
    "joint",
  )
  assert (local.optimizer.n_epochs, local.optimizer.n_epochs_decay) == (1, 0)
  paper = configs.get_config("paper_joint")  # official 1024p: 10 fixed + 90 joint, 100 decay
  assert (paper.optimizer.n_epochs, paper.optimizer.n_epochs_decay) == (90, 100)
  assert paper.discriminator.num_d == 3 and paper.generator.ngf == 64
  with pytest.raises(ValueError, match="unknown pix2pixhd config variant 'city_fine'"):
    configs.get_config("city_fine")


def test_wrong_label_format_is_refused():
  config = configs.get_config("tiny")
  config.data.label_format = "onehot"
  with pytest.raises(ValueError, match="needs config.data.label_format 'onehot_instance'"):
    models.build_model(config)


def test_stage_and_generator_must_agree():
  config = configs.get_config("tiny")
  config.generator.stage = "local"  # without the local variant's generator
  with pytest.raises(ValueError, match="stage 'local' trains 'local_enhancer'"):
    models.build_model(config)
  _, model = _model("tiny", instance_feat=False)
  with pytest.raises(ValueError, match="select_cluster needs instance features"):
    model.select_cluster(0)


def test_local_stage_starts_from_the_global_runs_g1(tmp_path):
  config, global_model = _model("tiny")
  checkpointing.prepare_workdir(config, str(tmp_path))
  items = Trainer(global_model, steps_per_epoch=1).checkpoint_items()
  checkpointing.Checkpointer(items, str(tmp_path), 1).save()
  _, local = _model("tiny_local")
  run.warm_start(local, str(tmp_path))  # the trainer's side of config.init_from
  g1 = global_model.G_core
  for name in ("conv_in", "down4", "block2_conv2", "up4"):
    for got, want in zip(
      local.G_core.get_layer(f"global_{name}").get_weights(),
      g1.get_layer(name).get_weights(),
      strict=True,
    ):
      np.testing.assert_array_equal(got, want)
  for got, want in zip(local.E.get_weights(), global_model.E.get_weights(), strict=True):
    np.testing.assert_array_equal(got, want)


def test_kmeans_finds_separated_clusters_largest_first():
  rng = np.random.default_rng(0)
  points = np.concatenate([rng.normal(5, 0.1, (30, 2)), rng.normal(-5, 0.1, (10, 2))])
  centres = kmeans(points, 2)
  np.testing.assert_allclose(centres, [[5, 5], [-5, -5]], atol=0.1)
  assert kmeans(points[:1], 10).shape == (1, 2)  # no more centres than points


def test_instance_rows_and_cluster_centres():
  ids = np.full((8, 8), 7.0)  # road (stuff: its class id)
  ids[:4, :4] = 26001  # car instance 1: 16 pixels, size 16 / (64 // 32) = 8
  ids[7, 7] = 26002  # car instance 2: 1 pixel, size 0.5 (not clustered: official > 0.5)
  features = np.zeros((8, 8, 3), np.float32)
  features[ids == 26001] = [1, 2, 3]
  features[ids == 26002] = [9, 9, 9]
  rows = instance_features(features, ids)
  np.testing.assert_allclose(rows[26], [[1, 2, 3, 8], [9, 9, 9, 0.5]])
  np.testing.assert_allclose(rows[7], [[0, 0, 0, 47 / 2]])
  centres, counts = cluster_centres(rows, num_classes=30, feat_num=3, n_clusters=2)
  assert counts[26] == 1 and counts[7] == 1 and counts.sum() == 2
  np.testing.assert_allclose(centres[26, 0], [1, 2, 3])
  np.testing.assert_array_equal(centres[26, 1], 0)


def test_exported_generator_uses_the_chosen_class_centres():
  _, model = _model("tiny")
  centres = np.zeros(model.feature_centres.shape, np.float32)
  centres[:, 0] = np.arange(8)[:, None]  # class c: cluster 0 = c, cluster 1 = -c
  centres[:, 1] = -np.arange(8)[:, None]
  model.feature_centres.assign(centres)
  model.select_cluster(1, counts=np.full(8, 2))
  labels = np.eye(8, dtype=np.float32)[[3, 5]][None, None]  # two pixels, classes 3 and 5
  np.testing.assert_array_equal(model.class_features(labels)[0, 0], [[-3] * 3, [-5] * 3])


def test_served_generator_takes_label_and_instance_maps():
  config, model = _model("tiny")
  inputs = task_of(model).export_check_inputs(config, model, "G", 2)
  assert set(inputs) == {"label_map", "instance_map"}
  label_map, instance_map = inputs["label_map"], inputs["instance_map"]
  assert label_map.shape[-1] == instance_map.shape[-1] == 1
  assert set(np.unique(label_map)) <= set(range(8)) and instance_map.max() > 1000  # raw ids
  served = model.export_generators["G"]
  assert [t.name for t in served.inputs] == ["label_map", "instance_map"]
  a = data.domain_images(config.data, "test", "A", 2)  # what training and eval feed G
  np.testing.assert_allclose(
    served([label_map, instance_map], training=False), model.G(a, training=False), atol=1e-6
  )
