"""Trains the FCN-score segmenter on true city renders (tfgan_repro/segmenter.py).

bazel run //tfgan_repro:train_segmenter -- --size=128 --out=/tmp/city_seg128.keras
python -m bin.train_segmenter --size=128 --out=/tmp/city_seg128.keras
Writes OUT (.keras) and OUT with .json: its accuracy on the held-out true photos. Then score a run:
bazel run //tfgan_repro:eval -- --workdir=RUN --segmenter=/tmp/city_seg128.keras
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.evaluation import segmenter

_OUT = flags.DEFINE_string("out", None, "Segmenter file to write (.keras).", required=True)
_SIZE = flags.DEFINE_integer("size", 128, "Render height in pixels (the eval crop size).")
_ASPECT = flags.DEFINE_integer("aspect_ratio", 1, "Render width / height (1, or 2 as Cityscapes).")
_STEPS = flags.DEFINE_integer("steps", 500, "Training steps (segmenter.train_segmenter).")
_BATCH = flags.DEFINE_integer("batch_size", 8, "Training batch size.")
_NUM_TRAIN = flags.DEFINE_integer("num_train", 1000, "Training scenes (as configs/pix2pix.py).")
_NUM_TEST = flags.DEFINE_integer("num_test", 100, "Held-out scenes (as configs/pix2pix.py).")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the weights, shuffling and flips.")
_LOG_EVERY = flags.DEFINE_integer("log_every", 100, "Steps between progress lines.")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  out = cli.user_path(_OUT.value)
  result = segmenter.train_segmenter(
    out,
    size=_SIZE.value,
    aspect=_ASPECT.value,
    steps=_STEPS.value,
    batch=_BATCH.value,
    num_train=_NUM_TRAIN.value,
    num_test=_NUM_TEST.value,
    seed=_SEED.value,
    log_every=_LOG_EVERY.value,
  )
  print(json.dumps({k: v for k, v in result["test"].items() if k != "class_iou"}))
  print(f"segmenter: {out}\naccuracy: {segmenter.accuracy_path(out)}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
