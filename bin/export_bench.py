"""Inference speed of a generator as Keras, SavedModel and TFLite: `bazel run //export:bench`
(also `python -m bin.export_bench`).

Default: the CycleGAN ResNet-9 generator (random weights) at 256x256, batch 1, on this machine:
median ms per image, images/s and the difference against Keras of each variant (export/benchmark.py).
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from export.benchmark import benchmark_generator, format_bench
from export.quantization import MIN_CALIBRATION_IMAGES, QUANTIZATIONS

_NETWORK = flags.DEFINE_string("network", "resnet_9", "Registered generator (tfgan_repro.nets).")
_SIZE = flags.DEFINE_integer("size", 256, "Image side in pixels (paper: 256).")
_NGF = flags.DEFINE_integer("ngf", None, "Generator width; default: the network's (official 64).")
_STEPS = flags.DEFINE_integer("steps", 10, "Timed calls per variant (median reported).")
_WARMUP = flags.DEFINE_integer("warmup", 2, "Untimed calls first (tracing, allocation).")
_QUANTIZE = flags.DEFINE_list("quantize", list(QUANTIZATIONS), "TFLite variants to time.")
_NUM_CALIBRATION = flags.DEFINE_integer(
  "num_calibration", MIN_CALIBRATION_IMAGES, "int8 calibration images (>= 100)."
)


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  rows = benchmark_generator(
    _NETWORK.value,
    size=_SIZE.value,
    steps=_STEPS.value,
    warmup=_WARMUP.value,
    num_calibration=_NUM_CALIBRATION.value,
    quantizations=tuple(_QUANTIZE.value),
    network_kwargs=None if _NGF.value is None else {"ngf": _NGF.value},
  )
  print(f"{_NETWORK.value}, {_SIZE.value}x{_SIZE.value}, batch 1", flush=True)
  print(format_bench(rows), flush=True)


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
