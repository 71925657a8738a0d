"""Trains the stacked-shapes judge on true renders (tfgan_repro/evaluation/shape_judge.py).

bazel run //bin:train_shape_judge -- --size=32 --out=/tmp/shape_judge32.keras
python -m bin.train_shape_judge --size=32 --out=/tmp/shape_judge32.keras
Writes OUT (.keras) and OUT with .json: its held-out accuracy per channel and per mode. Then
count the modes of generated stacked shapes with shape_judge.mode_scores.
"""

from __future__ import annotations

from absl import app

from bin import cli
from tfgan_repro.evaluation import shape_judge

_JUDGE = cli.define_judge_flags(
  "Judge", size=32, steps=300, batch_size=64, num_train=2000, num_test=500
)


def main(argv: list[str]) -> None:
  cli.train_judge_main(_JUDGE, argv, shape_judge.train_shape_judge, shape_judge.accuracy_path)


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
