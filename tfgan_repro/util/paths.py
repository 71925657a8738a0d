"""User-given paths under `bazel run`, which starts binaries inside their runfiles."""

from __future__ import annotations

import os


def user_path(path: str) -> str:
  """`path` resolved against where the user ran the command (BUILD_WORKING_DIRECTORY;
  docs/pitfalls.md, "tf.distribute with Keras 3")."""
  path = os.path.expanduser(path)
  if os.path.isabs(path):
    return path
  return os.path.abspath(os.path.join(os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd()), path))
