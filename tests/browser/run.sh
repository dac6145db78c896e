#!/usr/bin/env bash
# Headless-browser test of the activity feed page and its login (nginx/www): starts a private stack on loopback in a
# temporary directory, adds a viewer and a user to lock out (switchboard-users), seeds calls through the Twilio
# simulator, then drives Debian's chromium with playwright-core
# (feed.test.mjs, node's built-in test runner). Installs chromium (apt) and playwright-core (npm) when missing;
# never downloads a browser of its own. Exits with the test runner's status; the stack is stopped in every case.
#   tests/browser/run.sh BUILD_DIR        (BUILD_DIR holds switchboard-fcgi, switchboard-migrate, switchboard-users,
#                                          tools/callsim)
# Screenshots: tests/browser/artifacts/feed.png (and feed-mobile.png).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: tests/browser/run.sh BUILD_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/node_stack.sh disable=SC1091
source "$here/../lib/node_stack.sh"
nt_init browser-test "$1"
log() { nt_log "$@"; }

# --- What the test needs: chromium from Debian, node, playwright-core from npm -----------------------------------
nt_install_node chromium
nt_npm_ci "$here"

# --- A private stack ------------------------------------------------------------------------------------------------
nt_start_stack

# --- Users besides the stack's admin: a viewer, and one whose login the test locks with wrong passwords -----------
VIEWER_USER=viewer-vic VIEWER_PASSWORD=$(sb_random_hex 12)
LOCK_USER=locked-lou LOCK_PASSWORD=$(sb_random_hex 12)
nt_add_user "$VIEWER_USER" viewer "$VIEWER_PASSWORD"
nt_add_user "$LOCK_USER" viewer "$LOCK_PASSWORD"
export VIEWER_USER VIEWER_PASSWORD LOCK_USER LOCK_PASSWORD

# --- Seed calls, oldest first (the page must list them newest first) -------------------------------------------------
sim=("${NT_SIM[@]}")
expected=()
seed() { # NAME OUTCOME CALLSIM-ARGS…
  local name=$1 outcome=$2
  shift 2
  "${sim[@]}" --quiet --caller-name "$name" "$@" >/dev/null || { log "callsim failed for $name"; exit 1; }
  expected+=("$(jq -cn --arg name "$name" --arg outcome "$outcome" '{name: $name, outcome: $outcome}')")
}
log "seeding calls"
seed 'Ada Lovelace' answered --from +14155550101 --city Paris --country FR --press 1 --dial answered --talk 75
seed 'Bob Smith' voicemail --from +16175550102 --city Boston --state MA --country US --press 1 --dial no-answer \
  --record 8
seed 'Carol Jones' voicemail --from +442071234567 --city London --country GB --press 2 --record 12
seed 'Eve Silent' voicemail --from +15035550106 --city Portland --state OR --country US --record 6 # menu default
seed 'Dan Brown' abandoned --from +15125550104 --city Austin --state TX --country US --press hangup
seed '<img src=x onerror=alert(1)>' answered --from +14155550105 --city '<b>bold</b>' --country US --press 1 \
  --dial answered --talk 30
EXPECTED_CALLS=$(printf '%s\n' "${expected[@]}" | jq -cs .)
CALLSIM_CMD=$(printf '%s\n' "${sim[@]}" | jq -Rcs 'split("\n")[:-1]')
export EXPECTED_CALLS CALLSIM_CMD

# --- The browser test ------------------------------------------------------------------------------------------------
log "running feed.test.mjs against $FEED_URL"
set +e
(cd "$here" && node --test --test-reporter=spec feed.test.mjs)
status=$?
set -e
exit "$status"
