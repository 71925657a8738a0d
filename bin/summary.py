"""Each network of a config: layer output shapes, trainable parameters, forward FLOPs.

bazel run //tfgan_repro:summary -- --config=configs/cyclegan.py:paper [--json]
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.models import build_model
from tfgan_repro.nets import profiling

_CONFIG = cli.define_config_flag()
_JSON = flags.DEFINE_bool("json", False, "Print JSON instead of tables.")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = _CONFIG.value
  size = config.data.crop_size
  # The model's own networks: their input channels follow the data (pix2pix: one-hot labels,
  # a conditional D on input + output).
  summaries = {
    role: profiling.network_summary(net, (size, size, net.inputs[0].shape[-1]))
    for role, net in build_model(config).networks.items()
  }
  if _JSON.value:
    print(json.dumps(summaries, indent=2))
    return
  for role, summary in summaries.items():
    print(f"== {role}: {config[role].name} at {size}x{size}x{summary['input_shape'][-1]}")
    print(profiling.format_summary(summary))


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
