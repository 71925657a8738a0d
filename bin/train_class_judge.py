"""Trains the class-shapes judge on true renders (tfgan_repro/evaluation/class_judge.py).

bazel run //bin:train_class_judge -- --size=32 --out=/tmp/class_judge32.keras
python -m bin.train_class_judge --size=32 --out=/tmp/class_judge32.keras
Writes OUT (.keras) and OUT with .json: its held-out accuracy. Then judge a class-conditional run
with --config.eval.class_judge=OUT (intra-class FID, accuracy of the requested class).
"""

from __future__ import annotations

from absl import app

from bin import cli
from tfgan_repro.evaluation import class_judge

_JUDGE = cli.define_judge_flags(
  "Judge", size=32, steps=300, batch_size=32, num_train=1200, num_test=300
)


def main(argv: list[str]) -> None:
  cli.train_judge_main(_JUDGE, argv, class_judge.train_class_judge, class_judge.accuracy_path)


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
