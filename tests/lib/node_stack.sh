# Shared by the node test runners (tests/browser/run.sh, tests/api/run.sh): checks the build, installs what node
# needs (apt: node, npm and any extra package; npm: the test's own package-lock.json), and starts a private stack
# (scripts/lib/stack.sh) in a temporary directory that the exit trap stops and removes in every case.
#   source tests/lib/node_stack.sh; nt_init TAG BUILD_DIR; nt_install_node [APT_PACKAGE…]; nt_npm_ci DIR
#   nt_start_stack; nt_add_user NAME ROLE PASSWORD; "${NT_SIM[@]}" …      (then run node --test)
# shellcheck shell=bash

nt_log() { printf '[%s] %s\n' "$NT_TAG" "$*" >&2; }

# TAG names the runner in its log lines and the stack's directory; BUILD_DIR must hold the programs the stack runs.
nt_init() {
  NT_TAG=$1
  NT_BUILD_DIR=$(cd "$2" && pwd)
  NT_CALLSIM=$NT_BUILD_DIR/tools/callsim/callsim
  local binary
  for binary in "$NT_BUILD_DIR/switchboard-fcgi" "$NT_BUILD_DIR/switchboard-migrate" \
    "$NT_BUILD_DIR/switchboard-users" "$NT_CALLSIM"; do
    [[ -x $binary ]] || { echo "run.sh: $binary is missing: build first" >&2; exit 2; }
  done
}

# node and npm from Debian when missing, with any other Debian package named (chromium for the browser test).
nt_install_node() {
  local missing=() sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  nt_log "installing ${missing[*]}"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# npm ci in DIR unless every dependency of its package.json is installed at the version package-lock.json pins.
nt_npm_ci() {
  local dir=$1
  # shellcheck disable=SC2016 # the script is JavaScript, for node
  if (cd "$dir" && node -e '
    const lock = require("./package-lock.json");
    const manifest = require("./package.json");
    const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    for (const name of names) {
      if (require(`./node_modules/${name}/package.json`).version !== lock.packages[`node_modules/${name}`].version) process.exit(1);
    }' 2>/dev/null); then
    return 0
  fi
  nt_log "installing $(basename "$dir")'s node packages (npm ci)"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 # playwright-core never downloads a browser; belt and braces
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
}

# shellcheck disable=SC2317 # called by the trap
nt_cleanup() {
  local status=$?
  sb_down >/dev/null 2>&1 || true
  rm -rf "$SB_DIR"
  exit "$status"
}

# A private stack with two webhook workers and transcription on (voicemails come with a text), its env exported;
# NT_SIM is the simulator's command line for it.
nt_start_stack() {
  # shellcheck source=../../scripts/lib/stack.sh disable=SC1091
  source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/stack.sh"
  export SB_BUILD_DIR=$NT_BUILD_DIR
  SB_DIR=$(mktemp -d "/tmp/sb-$NT_TAG.XXXXXX")
  export SB_DIR
  chmod 755 "$SB_DIR"
  SB_HTTPS_PORT=$(sb_free_port)
  export SB_HTTPS_PORT
  export SB_WORKERS=${SB_WORKERS:-2}
  export SWITCHBOARD_TRANSCRIBE=true
  trap nt_cleanup EXIT
  trap 'exit 130' INT TERM
  nt_log "starting a stack in $SB_DIR on port $SB_HTTPS_PORT"
  sb_up
  set -a
  # shellcheck disable=SC1091
  source "$SB_DIR/env"
  set +a
  # shellcheck disable=SC2034 # read by the runner that sources this
  NT_SIM=("$NT_CALLSIM" --base-url "$PUBLIC_BASE_URL" --cacert "$SB_DIR/nginx/tls.crt"
    --account-sid "$TWILIO_ACCOUNT_SID" --auth-token "$TWILIO_AUTH_TOKEN")
}

# NAME ROLE PASSWORD (read by the CLI from standard input, never from its command line).
nt_add_user() {
  printf '%s\n' "$3" | sb_users add "$1" --role "$2" >/dev/null || { nt_log "switchboard-users add $1 failed"; exit 1; }
}
