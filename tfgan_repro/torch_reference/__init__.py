"""PyTorch references of the official code (optional dependency): nets for checkpoint import tests,
training steps for the speed comparison. Import the submodules only after `require_torch`."""

from __future__ import annotations

import types

TORCH_PIN = "torch==2.13.0"  # NOTES.md: the CPU build that installs here


def require_torch(purpose: str) -> types.ModuleType:
  """Imports torch, or raises an ImportError naming `purpose` and the pip command."""
  try:
    import torch
  except ImportError as err:
    raise ImportError(f"{purpose} needs torch: pip install {TORCH_PIN}") from err
  return torch
