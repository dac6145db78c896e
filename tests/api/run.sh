#!/usr/bin/env bash
# The API's description against the API: starts a private stack on loopback in a temporary directory, adds a viewer
# (switchboard-users), seeds calls through the Twilio simulator, then runs api.test.mjs (node's built-in test
# runner), which validates nginx/www/api/openapi.json as OpenAPI 3.1, calls every operation it describes over HTTPS
# and validates each real answer (status, content type, body) against it. Installs node and npm (apt) when missing,
# and the validators (npm ci, tests/api/package-lock.json) when they are not installed here. Exits with the test
# runner's status; the stack is stopped in every case.
#   tests/api/run.sh BUILD_DIR        (BUILD_DIR holds switchboard-fcgi, switchboard-migrate, switchboard-users,
#                                      tools/callsim)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: tests/api/run.sh BUILD_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/node_stack.sh disable=SC1091
source "$here/../lib/node_stack.sh"
nt_init api-test "$1"
log() { nt_log "$@"; }

# --- What the test needs: node and npm from Debian, the validators from npm ----------------------------------------
nt_install_node
nt_npm_ci "$here"

# --- A private stack ------------------------------------------------------------------------------------------------
nt_start_stack

# --- A viewer besides the stack's admin (the 403s of the admin endpoints) -------------------------------------------
VIEWER_USER=viewer-vera VIEWER_PASSWORD=$(sb_random_hex 12)
nt_add_user "$VIEWER_USER" viewer "$VIEWER_PASSWORD"
export VIEWER_USER VIEWER_PASSWORD

# --- Calls of every shape the call object takes: answered, voicemail (with a recording and a transcription),
# abandoned in the menu ------------------------------------------------------------------------------------------------
sim=("${NT_SIM[@]}" --quiet)
log "seeding calls"
"${sim[@]}" --caller-name 'Ada Lovelace' --from +14155550101 --city Paris --country FR --press 1 --dial answered \
  --talk 40 >/dev/null
"${sim[@]}" --caller-name 'Bob Smith' --from +16175550102 --city Boston --state MA --country US --press 1 \
  --dial no-answer --record 8 >/dev/null
"${sim[@]}" --from +442071234567 --press 2 --record 5 >/dev/null
"${sim[@]}" --from +15125550104 --press hangup >/dev/null

# --- The test ------------------------------------------------------------------------------------------------------
log "running api.test.mjs against $FEED_URL"
set +e
(cd "$here" && node --test --test-reporter=spec api.test.mjs)
status=$?
set -e
exit "$status"
