"""PyTorch references of the official code (optional dependency): nets for checkpoint import tests,
training steps for the speed comparison and the step-equality tests (StarGAN, Fader Networks;
`keras_weights` copies our weights into them). Import the submodules only after `require_torch`."""

from __future__ import annotations

import types

TORCH_PIN = "torch==2.13.0"  # the CPU build the tests and benchmarks were measured with


def require_torch(purpose: str) -> types.ModuleType:
  """Imports torch, or raises an ImportError naming `purpose` and the pip command."""
  try:
    import torch
  except ImportError as err:
    raise ImportError(
      f"{purpose} needs torch, which the runtime install leaves out: pip install {TORCH_PIN} "
      "(or pip install -e .[test], or bash tools/setup.sh --test)"
    ) from err
  return torch
