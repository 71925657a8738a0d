"""Trains the attribute classifier on true face renders (tfgan_repro/attribute_classifier.py).

bazel run //tfgan_repro:train_attribute_classifier -- --size=64 --out=/tmp/faces_cls64.keras
python -m bin.train_attribute_classifier --size=64 --out=/tmp/faces_cls64.keras
Writes OUT (.keras) and OUT with .json: its attributes and accuracy on the held-out true faces.
Then score an attribute-editing run with it: config.eval.classifier=/tmp/faces_cls64.keras.
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.evaluation import attribute_classifier

_OUT = flags.DEFINE_string("out", None, "Classifier file to write (.keras).", required=True)
_SIZE = flags.DEFINE_integer("size", 64, "Face size in pixels (the run's crop size).")
_ATTRIBUTES = flags.DEFINE_string(
  "attributes", "", "Comma-separated attribute names, as the run's data.attributes; '' = all."
)
_SOURCE = flags.DEFINE_string("source", "faces", "Data source with attributes (data.source).")
_STEPS = flags.DEFINE_integer(
  "steps", 300, "Training steps (attribute_classifier.train_classifier)."
)
_BATCH = flags.DEFINE_integer("batch_size", 32, "Training batch size.")
_NUM_TRAIN = flags.DEFINE_integer("num_train", 2000, "Training faces.")
_NUM_TEST = flags.DEFINE_integer("num_test", 200, "Held-out faces scored.")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the weights, shuffling and flips.")
_LOG_EVERY = flags.DEFINE_integer("log_every", 100, "Steps between progress lines.")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  out = cli.user_path(_OUT.value)
  result = attribute_classifier.train_classifier(
    out,
    size=_SIZE.value,
    attributes=_ATTRIBUTES.value,
    source=_SOURCE.value,
    steps=_STEPS.value,
    batch=_BATCH.value,
    num_train=_NUM_TRAIN.value,
    num_test=_NUM_TEST.value,
    seed=_SEED.value,
    log_every=_LOG_EVERY.value,
  )
  print(json.dumps({k: result[k] for k in ("test", "true_edits") if k in result}))
  print(f"classifier: {out}\naccuracy: {attribute_classifier.accuracy_path(out)}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
