"""Atomic file writes: the content goes to a hidden temporary file in the target's folder (same
filesystem, so `os.replace` is a rename) and replaces the target only once it is complete; a crash
never leaves half a file at the target path."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator

# mkstemp creates files 0600; written files get what open() would give: 0666 less the umask.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
  """Yields a hidden temporary path in `path`'s folder (created) for the caller to write; once the
  block ends without an exception the file replaces `path`, else it is removed."""
  parent, name = os.path.split(os.path.abspath(path))
  os.makedirs(parent, exist_ok=True)
  fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{name}.tmp-")
  os.close(fd)
  try:
    yield tmp
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)
  except BaseException:
    if os.path.exists(tmp):
      os.remove(tmp)
    raise


def write_bytes_atomic(path: str, data: bytes) -> str:
  """Writes `data` to `path` atomically (creating its folder); returns `path`."""
  with atomic_output(path) as tmp, open(tmp, "wb") as f:
    f.write(data)
  return path


def write_text_atomic(path: str, text: str) -> str:
  """Writes `text` (UTF-8) to `path` atomically; returns `path`."""
  return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str, obj: object, *, indent: int = 2, sort_keys: bool = False) -> str:
  """Writes `obj` as JSON (`indent`, `sort_keys` as json.dump) to `path` atomically; returns
  `path`."""
  return write_text_atomic(path, json.dumps(obj, indent=indent, sort_keys=sort_keys))
