"""One worker of a multi-worker run, in a child process (tests/cluster.py):

TF_CONFIG=... python -m tests.multi_worker_driver SPEC_JSON

SPEC, either
- {"model": a registered model with a "tiny" variant, "workdir", "overrides": {"train.max_steps":
  4, ...} (section.key on the model's tiny config, which this adds when missing, e.g.
  optimizer.name)}: runs the main job (train, samples, eval; export off) with train.strategy
  multi_worker;
- {"conformance": [registered models], "out": a folder, "collective_timeout": seconds}: under
  one MultiWorkerMirroredStrategy, one training step of each model's conformance config
  (tests/tiny_models.py) from its seed-0 weights on its random batch; the chief writes the
  trainable weights after it to out/<model>.npz;
and prints "worker done" when it returns.
"""

from __future__ import annotations

import json
import os
import sys

import ml_collections
import numpy as np

from jobs import main_job
from tests.tiny_models import conformance_config, one_step, random_batch, seed_weights
from tfgan_repro import models
from tfgan_repro.training import distributed, run


def config_of(model: str, overrides: dict) -> ml_collections.ConfigDict:
  """The tiny config of `model` with `overrides` ({"section.key": value}) applied."""
  config = models.MODELS.get(model).config("tiny")
  for key, value in overrides.items():
    *sections, field = key.split(".")
    node = config
    for part in sections:
      node = node[part]
    node[field] = value
  return config


def step_every_model(names: list[str], out: str, collective_timeout: float) -> None:
  """One multi-worker training step of each model in `names`; the chief saves the weights."""
  strategy = run.make_strategy("multi_worker", collective_timeout=collective_timeout)
  chief = distributed.is_chief(strategy)
  for name in names:
    config = conformance_config(name)
    weights = one_step(config, strategy, seed_weights(config), random_batch(config))
    if chief:  # whole files only: written, then renamed
      path = os.path.join(out, f"{name}.npz")
      np.savez(f"{path}.part.npz", *weights)
      os.replace(f"{path}.part.npz", path)
    print(f"stepped {name}", flush=True)


def main(spec: dict) -> None:
  if "conformance" in spec:
    step_every_model(spec["conformance"], spec["out"], spec["collective_timeout"])
  else:
    main_job.run(config_of(spec["model"], spec.get("overrides", {})), spec["workdir"])
  print("worker done", flush=True)


if __name__ == "__main__":
  main(json.loads(sys.argv[1]))
