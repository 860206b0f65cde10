#!/usr/bin/env bash
# One command: set up everything the tests need and run the whole test suite.
#   bash scripts/test.sh            # all tests (extra arguments go to pytest)
# Needs the snapshot data in ../shared/data next to the repository, or SCHOUDERS_TEST_DATA_DIR.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"
source "$REPO_DIR/scripts/bootstrap.sh" test

# System packages for the browser tests (Debian Chromium) when missing; we run as root in CI.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo ">> Chromium installeren (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "!! /usr/bin/chromium ontbreekt; installeer het met: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
# A throwaway PostgreSQL for the instrument tests, unless one is given: the instrument suite runs
# on SQLite and on PostgreSQL, so a PostgreSQL that cannot start fails the run.
if [ -z "${SCHOUDERS_TEST_POSTGRES_URL:-}" ]; then
  if ! PG_ENV="$(bash "$REPO_DIR/scripts/start_test_postgres.sh")"; then
    echo "!! PostgreSQL kon niet starten (zie hierboven); of zet SCHOUDERS_TEST_POSTGRES_URL" >&2
    exit 1
  fi
  eval "$PG_ENV"
fi

echo ">> ruff"
ruff check src tests benchmarks
echo ">> mypy"
mypy
echo ">> pytest"
pytest -n auto "$@"  # pytest-xdist: one worker per CPU
