"""Export versions are whole: all networks of an export in one version or none, under a lock
(export.export_lock, export.staging.version_staging), even when an export is killed or two run
at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from export.export_lock import LOCK_NAME, ExportLockedError, export_lock
from export.staging import COMMIT_NAME, STAGING_PREFIX, recover_staging
from export.versioned import version_numbers

NETWORKS = ("G_AB", "G_BA")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _child(root: str, mode: str) -> subprocess.Popen:
  return subprocess.Popen(
    [sys.executable, "-m", "tests.faults.export_child", root, mode],
    cwd=REPO,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    text=True,
  )


def _versions(root: str) -> dict[str, list[int]]:
  return {name: version_numbers(os.path.join(root, name)) for name in NETWORKS}


def _hidden(root: str) -> list[str]:
  return sorted(e for e in os.listdir(root) if e.startswith("."))


def _export(root: str) -> list[int]:
  done = _child(root, "run")
  out, err = done.communicate(timeout=600)
  assert done.returncode == 0, err[-3000:]
  return json.loads(out.strip().splitlines()[-1])


def test_killed_export_leaves_no_partial_version_and_the_next_one_cleans_up(tmp_path):
  root = str(tmp_path / "export")
  killed = _child(root, "kill")
  _, err = killed.communicate(timeout=600)
  assert killed.returncode == -9, err[-3000:]
  # G_AB was staged, G_BA not yet: neither has a version TF Serving could load.
  assert _versions(root) == {"G_AB": [], "G_BA": []}
  staging = [e for e in _hidden(root) if e.startswith(STAGING_PREFIX)]
  assert len(staging) == 1 and os.listdir(os.path.join(root, staging[0])) == ["G_AB"]
  assert LOCK_NAME in _hidden(root)  # the dead export's lock: stale, taken over below

  assert _export(root) == [1]
  assert _versions(root) == {"G_AB": [1], "G_BA": [1]}
  for name in NETWORKS:
    assert os.path.isfile(os.path.join(root, name, "1", "saved_model.pb"))
  assert _hidden(root) == []  # staging and lock gone


def test_concurrent_exports_get_distinct_whole_versions(tmp_path):
  root = str(tmp_path / "export")
  children = [_child(root, "run") for _ in range(2)]
  got = []
  for child in children:
    out, err = child.communicate(timeout=600)
    assert child.returncode == 0, err[-3000:]
    got.append(json.loads(out.strip().splitlines()[-1]))
  assert sorted(got) == [[1], [2]]
  assert _versions(root) == {"G_AB": [1, 2], "G_BA": [1, 2]}
  assert _hidden(root) == []


def test_held_lock_makes_a_second_export_fail_clearly(tmp_path):
  root = str(tmp_path / "export")
  with export_lock(root), pytest.raises(ExportLockedError, match=r"another export holds .*pid"):
    with export_lock(root, timeout_s=0.2):
      pass
  assert _hidden(root) == []


def test_lock_of_a_dead_process_is_taken_over(tmp_path):
  root = tmp_path / "export"
  root.mkdir()
  dead = subprocess.Popen([sys.executable, "-c", "pass"])
  dead.wait()
  with open(root / LOCK_NAME, "w") as f:
    json.dump({"pid": dead.pid, "host": os.uname().nodename, "time": 0.0}, f)
  with export_lock(str(root), timeout_s=0.0) as path:
    with open(path) as f:
      assert json.load(f)["pid"] == os.getpid()
  assert not (root / LOCK_NAME).exists()


def test_committed_staging_is_rolled_forward(tmp_path):
  # A commit stopped after moving G_AB: the next export finishes it (G_BA/3), never drops it.
  root = tmp_path / "export"
  staging = root / f"{STAGING_PREFIX}abc"
  (staging / "G_BA").mkdir(parents=True)
  (staging / "G_BA" / "saved_model.pb").write_bytes(b"x")
  (root / "G_AB" / "3").mkdir(parents=True)
  (staging / COMMIT_NAME).write_text(json.dumps({"version": 3, "networks": list(NETWORKS)}))
  uncommitted = root / f"{STAGING_PREFIX}def" / "G_AB"
  uncommitted.mkdir(parents=True)
  recover_staging(str(root))
  assert _versions(str(root)) == {"G_AB": [3], "G_BA": [3]}
  assert (root / "G_BA" / "3" / "saved_model.pb").read_bytes() == b"x"
  assert _hidden(str(root)) == []
