#!/usr/bin/env bash
# The local stack's routing watcher (scripts/lib/stack.sh), the counterpart of production's switchboard-routing.path:
# the stack's nginx with no worker and no database behind it (so nginx answers every Twilio step itself), and
# routing snapshots written by hand as the workers write them (temporary file, rename):
#   1. started with nginx (sb_start_nginx), it marks the fallbacks nginx serves: version 0, the environment's routing;
#   2. a snapshot with two targets is rendered and nginx reloaded: sb_wait_fallbacks returns, and nginx's fallback
#      <Dial> rings both <Number>s;
#   3. a snapshot the workers would refuse changes nothing (the marker, the file, what nginx answers) and the log
#      says why; the next good one is rendered;
#   4. it stops by itself when its pid file is removed, and when nginx is gone.
#   routing_watcher_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command nginx nginx
require_command jq jq
require_command openssl openssl
require_command curl curl
[[ -x $BUILD/switchboard-fcgi ]] || { echo "FAIL $BUILD/switchboard-fcgi is not built"; exit 1; }

# shellcheck source=../../scripts/lib/stack.sh
source "$SRC/scripts/lib/stack.sh"
export SB_DIR=$SCRATCH/stack SB_BUILD_DIR=$BUILD
SB_HTTPS_PORT=$(free_port)
export SB_HTTPS_PORT
# No fake Twilio, no database: the fallbacks need neither.
export SWITCHBOARD_TWILIO_API_BASE=http://127.0.0.1:9 SWITCHBOARD_FORWARD_TO=+15005550010
sb_configure
source "$SB_DIR/env"
readonly TARGET_A=+15005550101 TARGET_B=+15005550102

watcher_pid() { cat "$SB_DIR/run/routing-watcher.pid" 2>/dev/null; }
stop_all() { sb_stop_routing_watcher; sb_stop_nginx; }
trap 'stop_all; cleanup' EXIT

# --- 1. started with nginx ---------------------------------------------------------------------------------------------
if sb_start_nginx >"$SCRATCH/start.log" 2>&1; then
  pass "sb_start_nginx: nginx and the routing watcher"
else
  fail "sb_start_nginx: $(cat "$SCRATCH/start.log")"
  finish
fi
check "the watcher runs" sb_pid_alive "$SB_DIR/run/routing-watcher.pid"
expect_equal "…in a process group of its own (stopped as a whole by sb_stop_pid)" \
  "$(ps -o pgid= -p "$(watcher_pid)" | tr -d ' ')" "$(watcher_pid)"
expect_equal "the fallbacks nginx serves: version 0 (the environment's routing)" \
  "$(cat "$SB_DIR/run/fallbacks.version")" 0

write_routing() {  # VERSION TARGET…
  python3 - "$SB_DIR/state" "$@" <<'PY'
import json, os, sys
directory, version, *targets = sys.argv[1:]
routing = {
    "forward": {"targets": targets, "strategy": "simultaneous", "ring_seconds": 30, "screening": True},
    "away": {"enabled": False, "message": "We are away."},
    "office_hours": {"schedule": "", "time_zone": "UTC", "closed_message": "We are closed."},
    "holidays": [],
    "menu": {"prompt": "To be connected, press 1.", "attempts": 2, "default": "voicemail"},
    "voicemail": {"prompt": "Leave a message after the beep.", "max_seconds": 120, "transcribe": False},
    "blocklist": [],
    "text_back": {"enabled": False, "message": "Sorry we missed you."},
}
temporary = os.path.join(directory, ".tmp-test-" + version)
with open(temporary, "w") as f:
    f.write(json.dumps({"version": int(version), "changed_at_ms": None, "changed_by": None, "routing": routing},
                       separators=(",", ":")) + "\n")
os.rename(temporary, os.path.join(directory, "routing.json"))
PY
}
# dial NAME: POSTs a signed-looking /twilio/voice (nginx answers: no worker), prints the <Dial>'s timeout and numbers.
dial() {
  curl -sk --max-time 10 -o "$SCRATCH/$1.xml" -X POST -H 'X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=' \
    --data "CallSid=CA$1" "$PUBLIC_BASE_URL/twilio/voice"
  python3 - "$SCRATCH/$1.xml" <<'PY'
import sys, xml.dom.minidom
dials = xml.dom.minidom.parse(sys.argv[1]).getElementsByTagName("Dial")
print(" ".join([dials[0].getAttribute("timeout")] + [n.firstChild.data for n in dials[0].getElementsByTagName("Number")])
      if dials else "no Dial")
PY
}
expect_equal "no worker: nginx's fallback forwards to SWITCHBOARD_FORWARD_TO" "$(dial env 2>&1)" "20 +15005550010"

# --- 2. a change is rendered -------------------------------------------------------------------------------------------
write_routing 1 "$TARGET_A" "$TARGET_B"
check "version 1 saved: sb_wait_fallbacks 1 returns" sb_wait_fallbacks 1 10
expect_equal "…nginx's fallback <Dial> rings both targets for the ring time" "$(dial v1 2>&1)" "30 $TARGET_A $TARGET_B"
expect_contains "…and the log says so" "$(cat "$SB_DIR/log/routing-watcher.log")" \
  "routing version 1: fallbacks rendered, nginx reloaded"
expect_equal "…the snapshot it was rendered from recorded" "$(cat "$SB_DIR/run/fallbacks.rendered")" \
  "$(stat -c '%i %.9Y %s' "$SB_DIR/state/routing.json")"

# --- 3. a snapshot the workers refuse ----------------------------------------------------------------------------------
cp "$SB_DIR/nginx/switchboard-fallbacks.conf" "$SCRATCH/fallbacks.v1"
write_routing 2 not-a-phone-number
for _ in $(seq 1 50); do
  grep -q 'routing version 2: not rendered' "$SB_DIR/log/routing-watcher.log" && break
  sleep 0.1
done
expect_contains "version 2 refused: the log says why" "$(cat "$SB_DIR/log/routing-watcher.log")" \
  "routing version 2: not rendered, nginx keeps the fallbacks of version 1"
expect_equal "…the marker stays at 1" "$(cat "$SB_DIR/run/fallbacks.version")" 1
check "…the fallbacks file is version 1's" cmp -s "$SB_DIR/nginx/switchboard-fallbacks.conf" "$SCRATCH/fallbacks.v1"
expect_equal "…and nginx still answers them" "$(dial v2 2>&1)" "30 $TARGET_A $TARGET_B"
write_routing 3 "$TARGET_B"
check "version 3, good again: rendered" sb_wait_fallbacks 3 10
expect_equal "…and served" "$(dial v3 2>&1)" "30 $TARGET_B"

# --- 4. it stops by itself ---------------------------------------------------------------------------------------------
# (A stopped process may linger a moment as a zombie until whoever adopted it reaps it: ps says so.)
gone() { ! ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; }
wait_gone() { for _ in $(seq 1 30); do gone "$1" && return 0; sleep 0.1; done; return 1; }
pid=$(watcher_pid)
rm "$SB_DIR/run/routing-watcher.pid"
check "its pid file removed: the watcher stops" wait_gone "$pid"
sb_start_routing_watcher
pid=$(watcher_pid)
check "started again" sb_pid_alive "$SB_DIR/run/routing-watcher.pid"
sb_stop_nginx
check "nginx stopped: the watcher stops" wait_gone "$pid"
expect_contains "…saying so" "$(tail -1 "$SB_DIR/log/routing-watcher.log")" "nginx is gone: stopping"

finish
