# Shared by the production tests (sourced): assertions, a scratch directory removed on exit, free ports, processes
# stopped by pid. Each test script takes the source and build directories as arguments (see CMakeLists.txt).
# shellcheck shell=bash
set -euo pipefail

SRC=${1:?usage: $0 SOURCE_DIR BUILD_DIR}
BUILD=${2:?usage: $0 SOURCE_DIR BUILD_DIR}
SRC=$(cd "$SRC" && pwd)
BUILD=$(cd "$BUILD" && pwd)

TEST_NAME=$(basename "$0" .sh)
SCRATCH=$(mktemp -d "/tmp/switchboard-$TEST_NAME.XXXXXX")
FAILURES=0
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if ((FAILURES == 0)); then rm -rf "$SCRATCH"; else echo "scratch directory kept: $SCRATCH"; fi
}
trap cleanup EXIT

pass() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; FAILURES=$((FAILURES + 1)); }

# check DESCRIPTION COMMAND…: passes when the command succeeds.
check() {
  local description=$1
  shift
  if "$@"; then pass "$description"; else fail "$description"; fi
}

# expect_equal DESCRIPTION ACTUAL EXPECTED
expect_equal() {
  if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

# expect_contains DESCRIPTION HAYSTACK NEEDLE
expect_contains() {
  if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1: '$3' not found in: $2"; fi
}

# expect_file_line DESCRIPTION FILE LINE: FILE has LINE exactly (leading/trailing spaces ignored).
expect_file_line() {
  # grep without -q reads all its input: with pipefail, an early exit would fail sed with SIGPIPE.
  if sed 's/^[[:space:]]*//; s/[[:space:]]*$//' "$2" | grep -xF -- "$3" >/dev/null; then
    pass "$1"
  else
    fail "$1: no line '$3' in $2"
  fi
}

require_command() {
  command -v "$1" >/dev/null 2>&1 || { echo "FAIL $1 is missing (Debian package: $2)"; exit 1; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

finish() {
  if ((FAILURES > 0)); then
    echo "$TEST_NAME: $FAILURES check(s) failed"
    exit 1
  fi
  echo "$TEST_NAME: all checks passed"
}
