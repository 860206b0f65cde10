#!/usr/bin/env bash
# One command: set up, build the warehouse and serve the Schouders web app.
#   bash scripts/run.sh                          # live CBS open data (needs internet)
#   bash scripts/run.sh --data-dir ../shared/data  # local snapshot
# Extra options after the data dir are passed to `schouders serve` (e.g. --port 8080).
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# the empty argument: no extras (a bare `source` would hand our own arguments to bootstrap.sh)
source "$REPO_DIR/scripts/bootstrap.sh" ""
DATA_ARGS=()
if [ "${1:-}" = "--data-dir" ]; then
  DATA_ARGS=(--data-dir "$2")
  shift 2
fi
schouders build "${DATA_ARGS[@]}"
schouders status
exec schouders serve "${DATA_ARGS[@]}" "$@"
