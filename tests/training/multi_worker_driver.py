"""One worker of a multi-worker run, in a child process (tests/training/test_multi_worker.py):

TF_CONFIG=... python -m tests.training.multi_worker_driver SPEC_JSON

SPEC: {"model": a registered model with a "tiny" variant, "workdir", "overrides": {"train.max_steps":
4, ...} (section.key on the model's tiny config, which this adds when missing, e.g.
optimizer.name)}. Runs the main job (train, samples, eval; export off) with train.strategy
multi_worker and prints "worker done" when it returns.
"""

from __future__ import annotations

import importlib
import json
import sys

import ml_collections

from jobs import main_job
from tfgan_repro import models


def config_of(model: str, overrides: dict) -> ml_collections.ConfigDict:
  """The tiny config of `model` with `overrides` ({"section.key": value}) applied."""
  module = importlib.import_module(models.MODELS.get(model).config_module)
  config = module.get_config("tiny")
  for key, value in overrides.items():
    *sections, field = key.split(".")
    node = config
    for part in sections:
      node = node[part]
    node[field] = value
  return config


def main(spec: dict) -> None:
  config = config_of(spec["model"], spec.get("overrides", {}))
  main_job.run(config, spec["workdir"])
  print("worker done", flush=True)


if __name__ == "__main__":
  main(json.loads(sys.argv[1]))
