"""Training speed of a config: `bazel run //bin:bench -- --config=configs/cyclegan.py:paper`.

Prints ms/step, images/s, training FLOPs per step, this machine's float32 matmul peak measured
in the same run, and model FLOPs utilization, with and without XLA (`--xla=both|on|off`), at
each precision of `--precision=float32,mixed_bfloat16` (config.train.precision values; a row each).
`--compare_torch` instead times our step and the official PyTorch step of the same architecture
side by side, alternating (torch installed: `pip install torch==2.13.0`). `--input_pipeline`
instead times the training input alone (e.g. TFRecords: --config.data.source=tfrecords
--config.data.path=DIR) against the step, on a cached batch and fed by that input.
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.training import benchmark

_CONFIG = cli.define_config_flag()
_STEPS = flags.DEFINE_integer("steps", 10, "Timed steps (median reported).")
_WARMUP = flags.DEFINE_integer("warmup", 3, "Untimed steps first (tracing, allocation).")
_XLA = flags.DEFINE_enum("xla", "both", ["both", "on", "off"], "jit_compile settings to measure.")
_PRECISION = flags.DEFINE_list(
  "precision",
  [],
  "config.train.precision values to time side by side, e.g. float32,mixed_bfloat16 (default: "
  "the config's).",
)
_JSON = flags.DEFINE_bool("json", False, "Print JSON instead of a table.")
_PROFILE = flags.DEFINE_string(
  "profile_dir",
  None,
  "Write a TensorBoard profiler trace of two steps here (`tensorboard --logdir`).",
)
_INPUT = flags.DEFINE_bool(
  "input_pipeline", False, "Time the training input's images/s against the training step's."
)
_BATCHES = flags.DEFINE_integer("batches", 200, "Input batches timed with --input_pipeline.")
_COMPARE_TORCH = flags.DEFINE_bool(
  "compare_torch", False, "Time the official PyTorch step of the same architecture alongside."
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if _INPUT.value:
    result = benchmark.input_throughput(
      _CONFIG.value, steps=_STEPS.value, warmup=_WARMUP.value, batches=_BATCHES.value
    )
    print(json.dumps(result, indent=2) if _JSON.value else benchmark.format_input([result]))
    return
  if _COMPARE_TORCH.value:
    result = benchmark.compare_torch(_CONFIG.value, steps=_STEPS.value, warmup=_WARMUP.value)
    print(json.dumps(result, indent=2) if _JSON.value else benchmark.format_compare([result]))
    return
  modes = {"both": [False, True], "on": [True], "off": [False]}[_XLA.value]
  precisions = _PRECISION.value or [_CONFIG.value.train.get("precision", "float32")]
  results = [
    result
    for jit in modes
    for result in benchmark.benchmark_precisions(
      _CONFIG.value,
      precisions,
      steps=_STEPS.value,
      warmup=_WARMUP.value,
      jit_compile=jit,
      profile_dir=cli.user_path(_PROFILE.value) if _PROFILE.value else None,
    )
  ]
  print(json.dumps(results, indent=2) if _JSON.value else benchmark.format_bench(results))


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
