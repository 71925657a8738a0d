"""A run whose test split is smaller than eval.num_images evaluates the test images there are,
says how many, and still exports."""

from __future__ import annotations

import json
import os

from configs import cyclegan
from jobs import main_job


def test_eval_uses_the_test_images_there_are_and_the_export_still_happens(tmp_path, capsys):
  config = cyclegan.get_config("tiny")
  config.train.max_steps = 4
  config.data.num_test = 2  # eval.num_images is 4, export.num_check_images 2
  config.export.num_check_images = 3
  written = main_job.run(config, str(tmp_path))
  out = capsys.readouterr().out
  assert "eval.num_images = 4, but the test split has 2: using 2" in out
  assert "export.num_check_images = 3, but the test split has 2: using 2" in out
  assert "eval on 2 paired test images" in out and "eval.num_images is 4" in out
  result = json.loads((tmp_path / "eval.json").read_text())
  assert result["num_images"] == 2 and result["num_images_requested"] == 4
  assert result["step"] == 4
  assert written["export"] == os.path.join(str(tmp_path), "export")
  assert os.path.isfile(tmp_path / "export" / "G_AB" / "1" / "saved_model.pb")
  assert os.path.isfile(tmp_path / "export" / "G_BA" / "1" / "saved_model.pb")
