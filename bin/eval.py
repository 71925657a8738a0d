"""Scores a trained run: `bazel run //bin:eval -- --workdir=RUN [--segmenter=FILE.keras]
[--classifier=FILE.keras]` (writes RUN/eval.json)."""

from __future__ import annotations

from absl import app, flags

from bin import cli
from tfgan_repro.tasks import task_of
from tfgan_repro.training import checkpointing

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory to score.", required=True)
_CHECKPOINT = flags.DEFINE_string("checkpoint", None, "A checkpoint prefix (default: the newest).")
_SEGMENTER = flags.DEFINE_string(
  "segmenter",
  None,
  "FCN-score segmenter .keras file, a judge of the translation task (overrides "
  "config.eval.segmenter; empty: off).",
)
_CLASSIFIER = flags.DEFINE_string(
  "classifier",
  None,
  "Attribute classifier .keras file, a judge of the attribute_editing task (overrides "
  "config.eval.classifier; empty: off).",
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  workdir = cli.user_path(_WORKDIR.value)
  checkpoint = cli.user_path(_CHECKPOINT.value) if _CHECKPOINT.value else None
  config, model, step = checkpointing.load_run(workdir, checkpoint)
  task = task_of(model)
  flags_given = {"segmenter": _SEGMENTER.value, "classifier": _CLASSIFIER.value}
  judges = {
    name: cli.user_path(value) if value else ""  # "" = that judge off
    for name, value in flags_given.items()
    if value is not None
  }
  result = task.evaluate(config, model, **judges)
  result["step"] = step
  print(task.format(result))
  print(f"eval: {task.write(result, workdir)}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
