"""Bazel's entry point of every pytest_test (tests/pytest.bzl): pytest on one test file.

Argument 1 is the test file relative to the workspace root (Bazel's `$(rootpath)`), the rest goes
to pytest; `bazel test --test_filter=EXPR` becomes `pytest -k EXPR`. pytest runs with the runfiles' workspace folder as rootdir, so every conftest.py from
tests/ down to the file applies and test modules import as `tests.<package>.<module>`.
"""

import os
import sys


def main() -> int:
  here = os.path.dirname(os.path.abspath(__file__))
  root = os.path.dirname(here)  # the workspace folder in the runfiles
  # Started as a script, this file's folder (tests/) is first on sys.path, where tests/export,
  # tests/bin, ... would shadow the real packages: put the workspace folder there instead.
  sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
  if root not in sys.path:
    sys.path.insert(0, root)
  os.chdir(root)

  import pytest  # noqa: PLC0415 (after sys.path is fixed)

  test_file, *rest = sys.argv[1:]
  args = [test_file, "--rootdir", root, "-p", "no:cacheprovider", "-q", *rest]
  only = os.environ.get("TESTBRIDGE_TEST_ONLY")  # `bazel test --test_filter=EXPR`: pytest -k
  if only:
    args += ["-k", only]
  xml = os.environ.get("XML_OUTPUT_FILE")  # Bazel's test.xml: pytest's junit report
  if xml:
    args.append(f"--junitxml={xml}")
  return int(pytest.main(args))


if __name__ == "__main__":
  sys.exit(main())
