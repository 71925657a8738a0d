#!/usr/bin/env bash
# Idempotent set-up: .venv with the pinned dependencies, and Bazel (Debian's bazel-bootstrap).
# Safe to rerun: does nothing when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing requirements.txt into .venv (a few minutes the first time)"
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements.txt
  .venv/bin/pip install --quiet --no-deps -e .
  echo "$want" > "$stamp"
fi

if ! command -v bazel >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's bazel-bootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bazel-bootstrap >/dev/null
  else
    echo "setup: bazel not found and apt-get unusable; install Bazel (bazelisk) or use 'python -m tfgan_repro.train'" >&2
  fi
fi
