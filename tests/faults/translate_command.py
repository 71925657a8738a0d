"""`python -m bin.translate` run as a user would, from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_translate(
  model: object, input_dir: object, output_dir: object
) -> subprocess.CompletedProcess:
  """The finished `bin.translate --model --input --output` (exit code, stdout, stderr)."""
  return subprocess.run(
    [
      sys.executable,
      "-m",
      "bin.translate",
      f"--model={model}",
      f"--input={input_dir}",
      f"--output={output_dir}",
    ],
    cwd=REPO,
    env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    capture_output=True,
    text=True,
    check=False,
    timeout=300,
  )
