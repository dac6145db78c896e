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
build_dir=$(cd "$1" && pwd)
callsim=$build_dir/tools/callsim/callsim
for binary in "$build_dir/switchboard-fcgi" "$build_dir/switchboard-migrate" "$build_dir/switchboard-users" "$callsim"; do
  [[ -x $binary ]] || { echo "run.sh: $binary is missing: build first" >&2; exit 2; }
done

log() { printf '[browser-test] %s\n' "$*" >&2; }

# --- What the test needs: chromium from Debian, node, playwright-core from npm -----------------------------------
sudo=""
[[ $(id -u) -eq 0 ]] || sudo=sudo
apt_missing=()
[[ -x /usr/bin/chromium ]] || apt_missing+=(chromium)
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
if ((${#apt_missing[@]})); then
  log "installing ${apt_missing[*]}"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${apt_missing[@]}" >/dev/null
fi
if [[ ! -d $here/node_modules/playwright-core ]]; then
  log "installing playwright-core"
  # playwright-core never downloads a browser; the variable is belt and braces.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  cd "$here"
  if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
  cd - >/dev/null
fi

# --- A private stack ------------------------------------------------------------------------------------------------
# shellcheck source=../../scripts/lib/stack.sh disable=SC1091
source "$here/../../scripts/lib/stack.sh"
export SB_BUILD_DIR=$build_dir
SB_DIR=$(mktemp -d /tmp/sb-browser.XXXXXX)
export SB_DIR
chmod 755 "$SB_DIR"
SB_HTTPS_PORT=$(sb_free_port)
export SB_HTTPS_PORT
export SB_WORKERS=${SB_WORKERS:-2}
export SWITCHBOARD_TRANSCRIBE=true # so voicemails come with a transcription to show
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local status=$?
  sb_down >/dev/null 2>&1 || true
  rm -rf "$SB_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting a stack in $SB_DIR on port $SB_HTTPS_PORT"
sb_up
set -a
# shellcheck disable=SC1091
source "$SB_DIR/env"
set +a

# --- Users besides the stack's admin: a viewer, and one whose login the test locks with wrong passwords -----------
add_user() { # NAME ROLE PASSWORD (read by the CLI from standard input, never from its command line)
  printf '%s\n' "$3" | sb_users add "$1" --role "$2" >/dev/null ||
    { log "switchboard-users add $1 failed"; exit 1; }
}
VIEWER_USER=viewer-vic VIEWER_PASSWORD=$(sb_random_hex 12)
LOCK_USER=locked-lou LOCK_PASSWORD=$(sb_random_hex 12)
add_user "$VIEWER_USER" viewer "$VIEWER_PASSWORD"
add_user "$LOCK_USER" viewer "$LOCK_PASSWORD"
export VIEWER_USER VIEWER_PASSWORD LOCK_USER LOCK_PASSWORD

# --- Seed calls, oldest first (the page must list them newest first) -------------------------------------------------
sim=("$callsim" --base-url "$PUBLIC_BASE_URL" --cacert "$SB_DIR/nginx/tls.crt"
  --account-sid "$TWILIO_ACCOUNT_SID" --auth-token "$TWILIO_AUTH_TOKEN")
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
