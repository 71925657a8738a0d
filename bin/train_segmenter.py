"""Trains the FCN-score segmenter on true city renders (tfgan_repro/evaluation/segmenter.py).

bazel run //bin:train_segmenter -- --size=128 --out=/tmp/city_seg128.keras
python -m bin.train_segmenter --size=128 --out=/tmp/city_seg128.keras
Writes OUT (.keras) and OUT with .json: its accuracy on the held-out true photos. Then score a run:
bazel run //bin:eval -- --workdir=RUN --segmenter=/tmp/city_seg128.keras
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.evaluation import segmenter

_JUDGE = cli.define_judge_flags(
  "Segmenter", size=128, steps=500, batch_size=8, num_train=1000, num_test=100
)
_ASPECT = flags.DEFINE_integer("aspect_ratio", 1, "Render width / height (1, or 2 as Cityscapes).")


def main(argv: list[str]) -> None:
  kwargs = cli.judge_kwargs(_JUDGE, argv)
  out = kwargs["out"]
  result = segmenter.train_segmenter(**kwargs, aspect=_ASPECT.value)
  print(json.dumps({k: v for k, v in result["test"].items() if k != "class_iou"}))
  print(f"segmenter: {out}\naccuracy: {segmenter.accuracy_path(out)}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
