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
build_dir=$(cd "$1" && pwd)
callsim=$build_dir/tools/callsim/callsim
for binary in "$build_dir/switchboard-fcgi" "$build_dir/switchboard-migrate" "$build_dir/switchboard-users" "$callsim"; do
  [[ -x $binary ]] || { echo "run.sh: $binary is missing: build first" >&2; exit 2; }
done

log() { printf '[api-test] %s\n' "$*" >&2; }

# --- What the test needs: node and npm from Debian, the validators from npm ----------------------------------------
sudo=""
[[ $(id -u) -eq 0 ]] || sudo=sudo
apt_missing=()
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
if ((${#apt_missing[@]})); then
  log "installing ${apt_missing[*]}"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${apt_missing[@]}" >/dev/null
fi
# shellcheck disable=SC2016 # the script is JavaScript, for node
installed() { # every dependency of package.json, at the version package-lock.json pins
  (cd "$here" && node -e '
    const lock = require("./package-lock.json");
    for (const name of Object.keys(require("./package.json").devDependencies)) {
      if (require(`./node_modules/${name}/package.json`).version !== lock.packages[`node_modules/${name}`].version) process.exit(1);
    }' 2>/dev/null)
}
if ! installed; then
  log "installing the validators (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# --- A private stack ------------------------------------------------------------------------------------------------
# shellcheck source=../../scripts/lib/stack.sh disable=SC1091
source "$here/../../scripts/lib/stack.sh"
export SB_BUILD_DIR=$build_dir
SB_DIR=$(mktemp -d /tmp/sb-api.XXXXXX)
export SB_DIR
chmod 755 "$SB_DIR"
SB_HTTPS_PORT=$(sb_free_port)
export SB_HTTPS_PORT
export SB_WORKERS=${SB_WORKERS:-2}
export SWITCHBOARD_TRANSCRIBE=true # voicemails come with a transcription: its fields are validated too
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

# --- A viewer besides the stack's admin (the 403s of the admin endpoints) -------------------------------------------
VIEWER_USER=viewer-vera VIEWER_PASSWORD=$(sb_random_hex 12)
printf '%s\n' "$VIEWER_PASSWORD" | sb_users add "$VIEWER_USER" --role viewer >/dev/null ||
  { log "switchboard-users add $VIEWER_USER failed"; exit 1; }
export VIEWER_USER VIEWER_PASSWORD

# --- Calls of every shape the call object takes: answered, voicemail (with a recording and a transcription),
# abandoned in the menu ------------------------------------------------------------------------------------------------
sim=("$callsim" --base-url "$PUBLIC_BASE_URL" --cacert "$SB_DIR/nginx/tls.crt"
  --account-sid "$TWILIO_ACCOUNT_SID" --auth-token "$TWILIO_AUTH_TOKEN" --quiet)
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
