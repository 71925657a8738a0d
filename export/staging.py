"""Atomic artifact writes: build next to the target, then rename into place.

A failed export never leaves a half-written artifact at the target path: the artifact is
written under a hidden temporary name in the target's folder (same filesystem, so the final
`os.replace` is a rename) and moved into place only when the block succeeds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator


def _parent_and_name(target: str) -> tuple[str, str]:
  target = os.path.abspath(target)
  parent, name = os.path.split(target)
  os.makedirs(parent, exist_ok=True)
  return parent, name


def replace_path(staged: str, target: str) -> None:
  """Moves `staged` (a file or folder) to `target`, replacing what is there."""
  parent, name = _parent_and_name(target)
  if not (os.path.isdir(target) and not os.path.islink(target)):
    os.replace(staged, target)
    return
  # os.replace cannot overwrite a non-empty folder: move the old one aside first.
  trash = tempfile.mkdtemp(dir=parent, prefix=f".{name}.old-")
  old = os.path.join(trash, name)
  os.replace(target, old)
  try:
    os.replace(staged, target)
  except BaseException:
    os.replace(old, target)
    raise
  finally:
    shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def staged_directory(target: str) -> Iterator[str]:
  """Yields an empty folder next to `target`; it becomes `target` when the block succeeds."""
  parent, name = _parent_and_name(target)
  staging = tempfile.mkdtemp(dir=parent, prefix=f".{name}.tmp-")
  try:
    yield staging
    replace_path(staging, target)
  finally:
    shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def staged_file(target: str) -> Iterator[str]:
  """Yields a file path next to `target`; it becomes `target` when the block succeeds."""
  parent, name = _parent_and_name(target)
  fd, staging = tempfile.mkstemp(dir=parent, prefix=f".{name}.tmp-")
  os.close(fd)
  try:
    yield staging
    replace_path(staging, target)
  finally:
    if os.path.exists(staging):
      os.remove(staging)


def path_bytes(path: str) -> int:
  """Size of a file, or the total size of the files under a folder."""
  if os.path.isfile(path):
    return os.path.getsize(path)
  return sum(
    os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files
  )
