import json
import os

from configs import dcgan
from jobs import loss_zoo


def _tiny_ring():
  config = dcgan.get_config("ring8")
  config.generator.update(z_dim=4, hidden=8, n_hidden=1)
  config.discriminator.update(hidden=8, n_hidden=1, pieces=2)
  config.batch_size = 4
  config.data.num_test = 16
  config.train.update(checkpoint_every=2, log_every=1, image_every=2)
  config.eval.sample_rows = 2
  return config


def test_loss_zoo_trains_each_loss_and_seed_with_its_regulariser(tmp_path):
  results = loss_zoo.loss_zoo(_tiny_ring(), ["hinge", "wgangp"], [0, 1], 2, str(tmp_path))
  assert list(results) == ["hinge", "wgangp"] and [len(r) for r in results.values()] == [2, 2]
  for rows in results.values():
    for row in rows:
      assert set(row) == {"modes", "high_quality"}
      assert 0 <= row["modes"] <= 8 and 0.0 <= row["high_quality"] <= 1.0
  runs = sorted(os.listdir(tmp_path))
  assert runs == [f"ring8-{m}-seed{s}" for m in ("hinge", "wgangp") for s in (0, 1)]
  saved = json.load(open(tmp_path / "ring8-wgangp-seed1" / "config.json"))
  assert saved["loss"]["gp_lambda"] == 10.0 and saved["seed"] == 1
  assert saved["train"]["max_steps"] == 2
  assert json.load(open(tmp_path / "ring8-hinge-seed0" / "config.json"))["loss"]["gp_lambda"] == 0


def test_format_table_gives_mean_std_and_each_seed():
  rows = [{"modes": 8, "high_quality": 0.5}, {"modes": 6, "high_quality": 0.7}]
  table = loss_zoo.format_table("ring8", {"hinge": rows}, 8)
  assert table.splitlines()[0].startswith("| loss (ring8) | modes covered (of 8) |")
  assert table.splitlines()[2] == "| hinge | 7.0 +- 1.0 (8, 6) | 0.600 +- 0.100 | 2 |"
