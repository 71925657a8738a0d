"""Each network of a config: layer output shapes, trainable parameters, forward FLOPs, receptive
field, and totals over the networks.

bazel run //bin:summary -- --config=configs/cyclegan.py:paper [--json]
"""

from __future__ import annotations

import json

from absl import app, flags

from bin import cli
from tfgan_repro.models import build_model
from tfgan_repro.models.model_summary import format_summary, summary

_CONFIG = cli.define_config_flag()
_JSON = flags.DEFINE_bool("json", False, "Print JSON instead of tables.")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = _CONFIG.value
  # The model's own networks: their input channels follow the data (pix2pix: one-hot labels,
  # a conditional D on input + output; attribute editors: the data's attribute count).
  result = summary(build_model(config), config)
  print(json.dumps(result, indent=2) if _JSON.value else format_summary(result))


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
