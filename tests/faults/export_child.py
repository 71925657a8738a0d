"""A child export for tests/faults/test_whole_versions.py: two tiny generators (G_AB, G_BA) as
SavedModels into EXPORT_ROOT; prints the version written. `kill` SIGKILLs the process once the
first network is staged. Usage: python -m tests.faults.export_child EXPORT_ROOT {run,kill}."""

from __future__ import annotations

import json
import os
import signal
import sys

import export.versioned
from tests.export.tiny_models import random_images, tiny_generator

SIZE = 8


def main(root: str, mode: str) -> None:
  if mode == "kill":
    export.versioned._after_network_staged = lambda name: os.kill(os.getpid(), signal.SIGKILL)
  generators = {"G_AB": tiny_generator(seed=0), "G_BA": tiny_generator(seed=1)}
  images = {name: random_images((1, SIZE, SIZE, 3)) for name in generators}
  rows = export.versioned.export_version(
    generators, root, images, formats=("saved_model",), translate_bytes=False
  )
  print(json.dumps(sorted({r.version for r in rows})), flush=True)


if __name__ == "__main__":
  main(*sys.argv[1:])
