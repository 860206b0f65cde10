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
    echo "!! /usr/bin/chromium ontbreekt en kan niet automatisch worden geïnstalleerd (geen root)" >&2
  fi
fi
# A throwaway PostgreSQL for the instrument tests, unless one is given.
if [ -z "${SCHOUDERS_TEST_POSTGRES_URL:-}" ] && [ -f "$REPO_DIR/scripts/start_test_postgres.sh" ]; then
  eval "$(bash "$REPO_DIR/scripts/start_test_postgres.sh")"
fi

echo ">> ruff"
ruff check src tests benchmarks
echo ">> pytest"
pytest "$@"
