#!/usr/bin/env bash
# Create the project virtualenv (if needed) and install Schouders into it.
# Usage: source scripts/bootstrap.sh [extras]   (extras: "test" for the test tools)
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${SCHOUDERS_VENV:-$REPO_DIR/.venv}"
EXTRAS="${1:-}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV_DIR/bin/python" ]; then
  echo ">> virtualenv aanmaken in $VENV_DIR"
  "$PYTHON" -m venv "$VENV_DIR"
fi
echo ">> Schouders installeren${EXTRAS:+ (met $EXTRAS)}"
"$VENV_DIR/bin/python" -m pip install --quiet --upgrade pip
if [ -n "$EXTRAS" ]; then
  "$VENV_DIR/bin/python" -m pip install --quiet -e "$REPO_DIR[$EXTRAS]"
else
  "$VENV_DIR/bin/python" -m pip install --quiet -e "$REPO_DIR"
fi
export PATH="$VENV_DIR/bin:$PATH"
