"""Atomic writes: complete content or the old file, never a leftover temporary file."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tfgan_repro.util import atomic


def test_json_text_and_bytes_are_written_whole_with_open_s_mode(tmp_path):
  path = str(tmp_path / "sub" / "eval.json")  # the folder is created
  assert atomic.write_json_atomic(path, {"b": 1, "a": [0.5]}, sort_keys=True) == path
  with open(path) as f:
    assert f.read() == '{\n  "a": [\n    0.5\n  ],\n  "b": 1\n}'
  assert atomic.write_text_atomic(path, "é\n") == path
  with open(path, "rb") as f:
    assert f.read() == b"\xc3\xa9\n"
  atomic.write_bytes_atomic(path, b"\x00\x01")
  with open(path, "rb") as f:
    assert f.read() == b"\x00\x01"
  assert stat.S_IMODE(os.stat(path).st_mode) == atomic.FILE_MODE
  assert os.listdir(tmp_path / "sub") == ["eval.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
  path = str(tmp_path / "config.json")
  atomic.write_json_atomic(path, {"step": 1})
  with pytest.raises(TypeError, match="not JSON serializable"):
    atomic.write_json_atomic(path, {"step": object()})
  with pytest.raises(TypeError):
    atomic.write_bytes_atomic(path, "text, not bytes")
  with open(path) as f:
    assert json.load(f) == {"step": 1}
  assert os.listdir(tmp_path) == ["config.json"]
