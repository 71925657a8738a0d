#!/usr/bin/env bash
# Idempotent set-up: .venv with the pinned dependencies, and Bazel (Debian's bazel-bootstrap).
# `--test` also installs pyproject.toml's `test` extra (pytest, ruff, torch: the tests and
# `bench --compare_torch` / `import_torch` only). Safe to rerun: does nothing when everything is
# already in place (the stamp records the pins' hash and whether the extra is installed).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "setup: unknown argument $arg (valid: --test)" >&2; exit 2 ;;
  esac
done

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.requirements.sha256"
pins="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
have_pins="" have_test=0
[ -f "$stamp" ] && { read -r have_pins have_test < "$stamp" || true; }
# Once installed, the extra stays: a plain run after a --test one keeps (and updates) it.
[ "${have_test:-0}" = 1 ] && want_test=1
if [ "$have_pins" != "$pins" ] || [ "$want_test" != "${have_test:-0}" ]; then
  echo "setup: installing requirements.txt$([ "$want_test" = 1 ] && echo ' and the test extra') into .venv (a few minutes the first time)"
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements.txt
  if [ "$want_test" = 1 ]; then
    .venv/bin/pip install --quiet -e ".[test]"
  else
    .venv/bin/pip install --quiet --no-deps -e .
  fi
  echo "$pins $want_test" > "$stamp"
fi

if ! command -v bazel >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's bazel-bootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bazel-bootstrap >/dev/null
  else
    echo "setup: bazel not found and apt-get unusable; install Bazel (bazelisk) or use 'python -m bin.train'" >&2
  fi
fi
