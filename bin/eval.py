"""Scores a trained run: `bazel run //tfgan_repro:eval -- --workdir=RUN [--segmenter=FILE.keras]
[--classifier=FILE.keras]` (writes RUN/eval.json)."""

from __future__ import annotations

from absl import app, flags

from bin import cli
from tfgan_repro.tasks import translation as evaluation
from tfgan_repro.training import checkpointing

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory to score.", required=True)
_CHECKPOINT = flags.DEFINE_string("checkpoint", None, "A checkpoint prefix (default: the newest).")
_SEGMENTER = flags.DEFINE_string(
  "segmenter", None, "FCN-score segmenter .keras file (overrides config.eval.segmenter)."
)
_CLASSIFIER = flags.DEFINE_string(
  "classifier",
  None,
  "Attribute classifier .keras file of the editing models (overrides config.eval.classifier).",
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  workdir = cli.user_path(_WORKDIR.value)
  checkpoint = cli.user_path(_CHECKPOINT.value) if _CHECKPOINT.value else None
  config, model, step = checkpointing.load_run(workdir, checkpoint)
  if _SEGMENTER.value is not None:
    with config.unlocked():
      config.eval.segmenter = cli.user_path(_SEGMENTER.value) if _SEGMENTER.value else ""
  if _CLASSIFIER.value is not None:
    with config.unlocked():
      config.eval.classifier = cli.user_path(_CLASSIFIER.value) if _CLASSIFIER.value else ""
  result = evaluation.evaluate(config, model)
  result["step"] = step
  print(evaluation.format_eval(result))
  print(f"eval: {evaluation.write_eval(result, workdir)}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
