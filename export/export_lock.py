"""One export at a time per export root: a lock file created with O_EXCL.

EXPORT_ROOT/.export.lock holds {"pid", "host", "time"} of the export that holds it. Another
export waits for it (polling) up to `timeout_s`, then raises ExportLockedError naming the holder.
A lock whose holder is gone (same host, pid not running) or that stayed empty for
EMPTY_LOCK_STALE_S (its writer died between creating and writing it) is stale and taken over.
A lock of another host is never taken over (its pid cannot be checked here): remove it by hand
once that export is known to be dead.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator

LOCK_NAME = ".export.lock"
DEFAULT_TIMEOUT_S = 3600.0  # a paper-size export (SavedModel + 5 TFLite variants) takes minutes
POLL_S = 0.5
EMPTY_LOCK_STALE_S = 60.0


class ExportLockedError(RuntimeError):
  """Another export held the export root's lock for longer than the wait allowed."""


def _read(path: str) -> dict | None:
  """The lock's record; None when it is empty or unreadable (being written, or its writer died)."""
  try:
    with open(path) as f:
      record = json.load(f)
  except (OSError, ValueError):
    return None
  return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None


def _pid_alive(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:  # another user's live process
    return True
  return True


def _stale(path: str, record: dict | None) -> bool:
  if record is None:
    try:
      return time.time() - os.path.getmtime(path) > EMPTY_LOCK_STALE_S
    except OSError:
      return False  # gone meanwhile: the next try creates it
  return record.get("host") == socket.gethostname() and not _pid_alive(record["pid"])


def _break(path: str, record: dict | None) -> None:
  """Removes the stale lock at `path`, unless another process replaced it meanwhile: the lock is
  first renamed aside (atomic), then checked to still be the stale record."""
  aside = f"{path}.stale-{os.getpid()}"
  try:
    os.replace(path, aside)
  except FileNotFoundError:
    return
  if _read(aside) != record:  # a live lock was taken aside: put it back
    try:
      os.link(aside, path)
    except FileExistsError as err:
      raise ExportLockedError(
        f"lost a race breaking the stale export lock {path}; retry the export"
      ) from err
  os.remove(aside)


def _acquire(path: str, timeout_s: float) -> None:
  deadline = time.monotonic() + timeout_s
  while True:
    try:
      fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
      record = _read(path)
      if _stale(path, record):
        _break(path, record)
        continue
      if time.monotonic() >= deadline:
        raise ExportLockedError(
          f"another export holds {path} ({record or 'no record yet'}) for longer than "
          f"{timeout_s:g} s; wait for it, or remove the file if that export is dead"
        ) from None
      time.sleep(POLL_S)
      continue
    with os.fdopen(fd, "w") as f:
      json.dump({"pid": os.getpid(), "host": socket.gethostname(), "time": time.time()}, f)
      f.flush()
      os.fsync(f.fileno())
    return


@contextlib.contextmanager
def export_lock(export_root: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[str]:
  """Holds EXPORT_ROOT/.export.lock for the block (waiting up to `timeout_s` for another export);
  yields the lock's path."""
  if not timeout_s >= 0:
    raise ValueError(f"timeout_s must be >= 0, got {timeout_s!r}")
  os.makedirs(export_root, exist_ok=True)
  path = os.path.join(export_root, LOCK_NAME)
  _acquire(path, timeout_s)
  try:
    yield path
  finally:
    record = _read(path)
    if record is not None and record["pid"] == os.getpid():
      os.remove(path)
