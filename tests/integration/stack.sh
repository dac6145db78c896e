#!/usr/bin/env bash
# CTest fixture for the integration suite: `stack.sh up BUILD_DIR STACK_DIR` starts a private stack (MariaDB, worker
# pool, nginx with TLS) on a free loopback port in STACK_DIR; `stack.sh down STACK_DIR` stops it by its pid files
# and removes the directory. The tests read STACK_DIR/env.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/stack.sh"
command=${1:?usage: stack.sh up BUILD_DIR STACK_DIR | down STACK_DIR}
case $command in
  up)
    export SB_BUILD_DIR=$2 SB_DIR=$3
    if [[ -d $SB_DIR/run ]]; then sb_down || true; fi
    rm -rf "$SB_DIR"
    mkdir -p "$SB_DIR"
    export SB_HTTPS_PORT=$(sb_free_port)
    export SB_WORKERS=${SB_WORKERS:-3} SB_DB_BUFFER_POOL=64M
    # A fixed company and forward number so tests can assert what callers hear and where calls go; the forward
    # number differs from the called Twilio number (+15005550006), so "dialled the forward number" is provable.
    export SWITCHBOARD_COMPANY_NAME="Acme Plumbing" SWITCHBOARD_FORWARD_TO=+15005550010
    export SWITCHBOARD_MENU_ATTEMPTS=2 SWITCHBOARD_DIAL_TIMEOUT=15
    # Transcription on, voicemail notifications to the fake Twilio (SMS) and its webhook receiver.
    export SWITCHBOARD_TRANSCRIBE=true SWITCHBOARD_NOTIFY_TRANSCRIPTION_WAIT=2 SB_FAKE_NOTIFY=1
    # Deliveries time out after 3 s, so claims are leased for 17 s (3 × 3 + the database's 4 + 4): short enough for
    # a test to outlast the lease with a backlog of slow deliveries (notifications_test.cpp).
    export SWITCHBOARD_NOTIFY_TIMEOUT=3
    # Calls without a final status are looked up in the fake Twilio 4 s after their last event (reconcile_test.cpp),
    # fast enough for a test to wait for. The fake answers 404 for calls it was not told of, which changes nothing.
    export SWITCHBOARD_RECONCILE_AFTER=4 SWITCHBOARD_RECONCILE_PER_MINUTE=600
    sb_up
    echo "stack up at $(source "$SB_DIR/env" && echo "$PUBLIC_BASE_URL") in $SB_DIR"
    ;;
  down)
    export SB_DIR=$2
    sb_down
    # In a sanitizer build the servers report to their logs, not to a test: any report fails the suite.
    status=0
    if grep -h -E "AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:" "$SB_DIR"/log/*.log; then
      echo "sanitizer reports in the stack's logs (above)" >&2
      status=1
    fi
    rm -rf "$SB_DIR"
    exit $status
    ;;
  *) echo "unknown command $command" >&2; exit 2 ;;
esac
