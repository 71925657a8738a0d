"""Atomic artifact folders: build next to the target, then rename into place.

A failed export never leaves a half-written artifact at the target path: the artifact is
written under a hidden temporary name in the target's folder (same filesystem, so the final
`os.replace` is a rename) and moved into place only when the block succeeds. Single files are
written with tfgan_repro.util.atomic.

Whole versions (version_staging): every network of an export is staged in one hidden folder
EXPORT_ROOT/.staging-*/<network>/; once all passed their checks, a COMMIT.json record (version,
networks) is written there and each network is renamed to EXPORT_ROOT/<network>/<version>. A
staging folder left by a killed export is removed by the next export (under its lock,
export.export_lock), or rolled forward when it has its COMMIT.json: TF Serving never keeps a
version of one network without the others.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator

from tfgan_repro.util.atomic import write_json_atomic

STAGING_PREFIX = ".staging-"  # EXPORT_ROOT/.staging-*/: one export's networks before commit
COMMIT_NAME = "COMMIT.json"
_STAGED_VERSION = re.compile(r"^\.\d+\.tmp-")  # staged_directory of a version folder


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


def path_bytes(path: str) -> int:
  """Size of a file, or the total size of the files under a folder."""
  if os.path.isfile(path):
    return os.path.getsize(path)
  return sum(
    os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files
  )


class VersionStaging:
  """One export's staging folder (version_staging): a folder per network, then commit."""

  def __init__(self, export_root: str, folder: str):
    self.export_root = export_root
    self.folder = folder
    self.networks: list[str] = []
    self.committed = False

  def network_folder(self, name: str) -> str:
    """An empty folder for network `name`'s version."""
    path = os.path.join(self.folder, name)
    os.makedirs(path)
    self.networks.append(name)
    return path

  def commit(self, version: int) -> None:
    """Records the commit, then renames every staged network to EXPORT_ROOT/<network>/<version>."""
    write_json_atomic(
      os.path.join(self.folder, COMMIT_NAME), {"version": version, "networks": self.networks}
    )
    self.committed = True
    _roll_forward(self.export_root, self.folder)
    shutil.rmtree(self.folder)


def _roll_forward(export_root: str, folder: str) -> None:
  """Moves the staged networks of a committed staging folder into their version folders."""
  with open(os.path.join(folder, COMMIT_NAME)) as f:
    record = json.load(f)
  for name in record["networks"]:
    staged = os.path.join(folder, name)
    if not os.path.isdir(staged):
      continue  # moved before the export stopped
    os.makedirs(os.path.join(export_root, name), exist_ok=True)
    os.rename(staged, os.path.join(export_root, name, str(record["version"])))


def recover_staging(export_root: str) -> list[str]:
  """Finishes or removes what killed exports left under `export_root` (call under its lock):
  committed staging folders are rolled forward, the others removed, and hidden per-version
  staging folders (".<version>.tmp-*") in the network folders removed. Returns the paths
  removed."""
  removed = []
  if not os.path.isdir(export_root):
    return removed
  for entry in sorted(os.listdir(export_root)):
    path = os.path.join(export_root, entry)
    if entry.startswith(STAGING_PREFIX) and os.path.isdir(path):
      if os.path.isfile(os.path.join(path, COMMIT_NAME)):
        _roll_forward(export_root, path)
      shutil.rmtree(path)
      removed.append(path)
    elif not entry.startswith(".") and os.path.isdir(path):
      for inner in sorted(os.listdir(path)):
        if _STAGED_VERSION.match(inner):
          shutil.rmtree(os.path.join(path, inner), ignore_errors=True)
          removed.append(os.path.join(path, inner))
  return removed


@contextlib.contextmanager
def version_staging(export_root: str) -> Iterator[VersionStaging]:
  """A fresh staging folder under `export_root` after recover_staging (call under the export
  lock); removed when the block ends uncommitted, kept for roll-forward when a commit stopped
  halfway."""
  recover_staging(export_root)
  stage = VersionStaging(export_root, tempfile.mkdtemp(dir=export_root, prefix=STAGING_PREFIX))
  try:
    yield stage
  finally:
    if not stage.committed:
      shutil.rmtree(stage.folder, ignore_errors=True)
