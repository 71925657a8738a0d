"""The BUILD files mirror the imports (tools/bazel/gen_build.py), and no import cycle exists.

Under `bazel test` the source tree is read through this file's real path (the runfiles hold
links to it), so the target is tagged `external`: never cached, it sees every edit.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
REGENERATE = "python tools/bazel/gen_build.py"


def _load_generator():
  spec = importlib.util.spec_from_file_location(
    "gen_build", os.path.join(ROOT, "tools", "bazel", "gen_build.py")
  )
  module = importlib.util.module_from_spec(spec)
  sys.modules[spec.name] = module  # dataclasses look their module up
  spec.loader.exec_module(module)
  return module


gen_build = _load_generator()


@pytest.fixture(scope="module")
def workspace():
  return gen_build.scan(ROOT)


def _sites(sites) -> str:
  return ", ".join(
    f"{s.path}:{s.line} {s.name}" + (" (in a function)" if s.deferred else "") for s in sites
  )


def test_build_files_mirror_the_imports():
  stale = []
  for path, text in sorted(gen_build.generate(ROOT).items()):
    full = os.path.join(ROOT, path)
    old = open(full, encoding="utf-8").read() if os.path.exists(full) else ""
    if old != text:
      diff = difflib.unified_diff(
        old.splitlines(),
        text.splitlines(),
        f"{path} (now)",
        f"{path} (from the imports)",
        lineterm="",
        n=1,
      )
      stale.append("\n".join(diff))
  assert not stale, f"BUILD files differ from the imports; run `{REGENERATE}`:\n" + "\n".join(stale)


def test_no_build_file_without_a_package(workspace):
  """A package removed or moved leaves no BUILD file behind."""
  expected = set(gen_build.generate(ROOT))
  leftover = []
  for top in {p.split("/")[0] for p in workspace.packages}:
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
      dirnames[:] = [d for d in dirnames if d not in gen_build.SKIP_DIRS]
      if "BUILD" in filenames:
        path = os.path.relpath(os.path.join(dirpath, "BUILD"), ROOT).replace(os.sep, "/")
        if path not in expected:
          leftover.append(path)
  assert not leftover, f"BUILD files outside the Python packages: {sorted(leftover)}"


def test_no_package_import_cycle(workspace):
  edges = gen_build.edges(workspace)
  cycles = gen_build.strongly_connected(workspace.packages, list(edges))
  report = []
  for cycle in cycles:
    report.append(" <-> ".join(cycle))
    for (a, b), sites in sorted(edges.items()):
      if a in cycle and b in cycle:
        report.append(f"  {a} -> {b}: {_sites(sites)}")
  assert not cycles, "package import cycles:\n" + "\n".join(report)


def test_no_module_import_cycle(workspace):
  edges = gen_build.module_edges(workspace)
  cycles = gen_build.strongly_connected(list(workspace.imports), list(edges))
  report = []
  for cycle in cycles:
    report.append(" <-> ".join(cycle))
    for (a, b), sites in sorted(edges.items()):
      if a in cycle and b in cycle:
        report.append(f"  {a} -> {b}: {_sites(sites)}")
  assert not cycles, "module import cycles:\n" + "\n".join(report)


# package -> packages it must not import (nor their subpackages): the library's layers.
FORBIDDEN = {
  "tfgan_repro": ("export", "jobs", "bin", "configs", "tests"),
  "tfgan_repro/layers": (
    "tfgan_repro/models",
    "tfgan_repro/training",
    "tfgan_repro/tasks",
    "tfgan_repro/evaluation",
  ),
  "tfgan_repro/nets": (
    "tfgan_repro/models",
    "tfgan_repro/training",
    "tfgan_repro/tasks",
    "tfgan_repro/evaluation",
  ),
  "tfgan_repro/losses": (
    "tfgan_repro/models",
    "tfgan_repro/training",
    "tfgan_repro/tasks",
    "tfgan_repro/evaluation",
  ),
  "tfgan_repro/models": ("tfgan_repro/training", "tfgan_repro/tasks", "tfgan_repro/evaluation"),
  "tfgan_repro/training": ("tfgan_repro/tasks", "tfgan_repro/evaluation"),
  "export": ("jobs", "bin"),
  "jobs": ("bin",),
}


def _under(package: str, top: str) -> bool:
  return package == top or package.startswith(top + "/")


def test_library_layers(workspace):
  wrong = []
  for (a, b), sites in sorted(gen_build.edges(workspace).items()):
    for src, banned in FORBIDDEN.items():
      if _under(a, src) and any(_under(b, x) for x in banned):
        wrong.append(f"{a} -> {b}: {_sites(sites)}")
  assert not wrong, "imports against the layers:\n" + "\n".join(sorted(set(wrong)))


def _write(root, files: dict[str, str]) -> None:
  for path, text in files.items():
    full = root / path
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_text(text)


def test_generator_breaks_and_reports_a_cycle(tmp_path):
  _write(
    tmp_path,
    {
      "lib/__init__.py": "",
      "lib/a/__init__.py": "",
      "lib/a/x.py": "from lib.b import y\nimport numpy\n",
      "lib/b/__init__.py": "",
      "lib/b/y.py": "def f():\n  from lib.a import x  # deferred\n",
      "lib/c/__init__.py": "from . import z\n",
      "lib/c/z.py": "import importlib\nimportlib.import_module(f'lib.a.{1}')\n",
    },
  )
  ws = gen_build.scan(str(tmp_path))
  assert ws.packages == ["lib", "lib/a", "lib/b", "lib/c"]
  edges = gen_build.edges(ws)
  assert set(edges) == {("lib/a", "lib/b"), ("lib/b", "lib/a"), ("lib/c", "lib/a")}
  assert gen_build.strongly_connected(ws.packages, list(edges)) == [["lib/a", "lib/b"]]
  assert gen_build.cycle_breaks(ws) == {("lib/b", "lib/a")}  # the deferred import goes
  out = gen_build.generate(str(tmp_path))
  assert '"//lib/b"' in out["lib/a/BUILD"]
  assert "# cycle: lib/b/y.py:2 imports lib.a.x (//lib/a)" in out["lib/b/BUILD"]
  assert '"//lib/a"' in out["lib/c/BUILD"]
