"""Trains the attribute classifier on true face renders
(tfgan_repro/evaluation/attribute_classifier.py).

bazel run //bin:train_attribute_classifier -- --size=64 --out=/tmp/faces_cls64.keras
python -m bin.train_attribute_classifier --size=64 --out=/tmp/faces_cls64.keras
Writes OUT (.keras) and OUT with .json: its attributes and accuracy on the held-out true faces.
Then score an attribute-editing run with it: config.eval.classifier=/tmp/faces_cls64.keras.
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.evaluation import attribute_classifier

_JUDGE = cli.define_judge_flags(
  "Classifier", size=64, steps=300, batch_size=32, num_train=2000, num_test=200
)
_ATTRIBUTES = flags.DEFINE_string(
  "attributes", "", "Comma-separated attribute names, as the run's data.attributes; '' = all."
)
_SOURCE = flags.DEFINE_string("source", "faces", "Data source with attributes (data.source).")


def main(argv: list[str]) -> None:
  kwargs = cli.judge_kwargs(_JUDGE, argv)
  out = kwargs["out"]
  result = attribute_classifier.train_classifier(
    **kwargs, attributes=_ATTRIBUTES.value, source=_SOURCE.value
  )
  print(json.dumps({k: result[k] for k in ("test", "true_edits") if k in result}))
  print(f"classifier: {out}\naccuracy: {attribute_classifier.accuracy_path(out)}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
