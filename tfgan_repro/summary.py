"""Each network of a config: layer output shapes, trainable parameters, forward FLOPs.

bazel run //tfgan_repro:summary -- --config=configs/cyclegan.py:paper [--json]
"""

from __future__ import annotations

import json

from absl import app, flags

from tfgan_repro import cli, profiling
from tfgan_repro.models import network_from_config

_CONFIG = cli.define_config_flag()
_JSON = flags.DEFINE_bool("json", False, "Print JSON instead of tables.")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = _CONFIG.value
  size = config.data.crop_size
  summaries = {
    role: profiling.network_summary(network_from_config(config[role]), (size, size, 3))
    for role in ("generator", "discriminator")
  }
  if _JSON.value:
    print(json.dumps(summaries, indent=2))
    return
  for role, summary in summaries.items():
    print(f"== {role}: {config[role].name} at {size}x{size}")
    print(profiling.format_summary(summary))


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
