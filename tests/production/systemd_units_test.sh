#!/usr/bin/env bash
# The units in systemd/: each rated 2.0 or lower by `systemd-analyze security --offline=true` (its "Overall
# exposure level"), accepted by `systemd-analyze verify` (on copies whose ExecStart= binaries point into the build,
# since verify insists they exist), and wired as production needs: the two sockets nginx reaches (webhook pool, feed
# pool), fd 0, credentials; the feed pool's units the webhook pool's twins (same ownership, modes and sandbox); the
# routing watch (switchboard-routing.path) on the very file the workers write, starting the render of nginx's
# fallbacks, and the inotify events it relies on really delivered when a snapshot is renamed into place.
#   systemd_units_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command systemd-analyze systemd
require_command multiwatch multiwatch

readonly MAX_EXPOSURE=2.0
units=("$SRC"/systemd/*.socket "$SRC"/systemd/*.service)
path_units=("$SRC"/systemd/*.path "$SRC"/systemd/*.timer)

# --- security scores -------------------------------------------------------------------------------------------------
for unit in "${units[@]}"; do
  name=$(basename "$unit")
  output=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
  score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' <<<"$output")
  if [[ -z $score ]]; then
    fail "$name: no exposure level in systemd-analyze's output: $output"
  elif awk -v s="$score" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(s <= max) }'; then
    pass "$name: exposure $score <= $MAX_EXPOSURE"
  else
    fail "$name: exposure $score > $MAX_EXPOSURE; what systemd-analyze still flags:"
    grep '✗' <<<"$output" || true
  fi
done

# --- systemd-analyze verify ------------------------------------------------------------------------------------------
verify_dir=$SCRATCH/units
mkdir -p "$verify_dir"
cp "${units[@]}" "${path_units[@]}" "$verify_dir/"
for program in switchboard-fcgi switchboard-migrate switchboard-notify; do
  [[ -x $BUILD/$program ]] || fail "$BUILD/$program is not built"
  sed -i "s#/usr/bin/$program\\b#$BUILD/$program#g" "$verify_dir"/*
done
sed -i "s#/usr/sbin/switchboard-render-nginx\\b#$SRC/packaging/switchboard-render-nginx#g" "$verify_dir"/*
[[ -x $BUILD/switchboard-admin ]] || fail "$BUILD/switchboard-admin is not built"
sed -i "s#/usr/lib/switchboard/switchboard-admin\\b#$BUILD/switchboard-admin#g" "$verify_dir"/*
verify_output=$(cd "$verify_dir" && systemd-analyze verify ./*.socket ./*.service ./*.path ./*.timer 2>&1) &&
  verify_status=0 || verify_status=$?
if ((verify_status == 0)) && [[ -z $verify_output ]]; then
  pass "systemd-analyze verify: no complaint about $(cd "$verify_dir" && echo *)"
else
  fail "systemd-analyze verify (status $verify_status): $verify_output"
fi

# --- what production depends on ----------------------------------------------------------------------------------------
socket=$SRC/systemd/switchboard.socket
service=$SRC/systemd/switchboard.service
feed_socket=$SRC/systemd/switchboard-feed.socket
feed_service=$SRC/systemd/switchboard-feed.service
migrate=$SRC/systemd/switchboard-migrate.service
expect_file_line "socket path" "$socket" "ListenStream=/run/switchboard/fcgi.sock"
expect_file_line "socket mode" "$socket" "SocketMode=0660"
expect_file_line "socket group (nginx)" "$socket" "SocketGroup=www-data"
expect_file_line "one socket for the pool, not one per connection" "$socket" "Accept=no"
expect_file_line "pool under multiwatch" "$service" \
  'ExecStart=/usr/bin/multiwatch -f ${SWITCHBOARD_WORKERS} -s TERM -- /usr/bin/switchboard-fcgi'
expect_file_line "socket on fd 0" "$service" "StandardInput=socket"
expect_file_line "stdout to the journal, not the socket" "$service" "StandardOutput=journal"
expect_file_line "stderr to the journal" "$service" "StandardError=journal"
expect_file_line "graceful stop: SIGTERM to multiwatch only" "$service" "KillMode=mixed"
expect_file_line "environment file" "$service" "EnvironmentFile=/etc/switchboard/switchboard.env"
expect_file_line "state directory" "$service" "StateDirectory=switchboard"
expect_file_line "Twilio token as a credential" "$service" \
  "LoadCredential=twilio-auth-token:/etc/switchboard/credentials/twilio-auth-token"
expect_file_line "database password as a credential" "$service" \
  "LoadCredential=db-password:/etc/switchboard/credentials/db-password"
expect_file_line "migrations before the pool" "$service" \
  "After=switchboard.socket network-online.target switchboard-migrate.service mariadb.service mysql.service"
# The notifier fetches the voicemail audio into the cache the workers and nginx read (tmpfiles.d makes it 2750
# switchboard:switchboard), as the same user, and may write nowhere else.
notify=$SRC/systemd/switchboard-notify.service
expect_file_line "notifier as the workers' user (one owner for the recordings)" "$notify" "User=switchboard"
expect_file_line "notifier's state directory is the workers'" "$notify" \
  "Environment=SWITCHBOARD_STATE_DIR=/var/lib/switchboard"
expect_file_line "notifier may write the recordings cache" "$notify" "ReadWritePaths=-/var/lib/switchboard/recordings"
expect_file_line "recordings cache: setgid, read-only for nginx's group" "$SRC/packaging/switchboard.tmpfiles" \
  "d /var/lib/switchboard/recordings   2750 switchboard switchboard -"

# The feed pool: its own socket and multiwatch, the same program with --pool feed.
expect_file_line "feed socket path" "$feed_socket" "ListenStream=/run/switchboard/feed.sock"
expect_file_line "feed pool under multiwatch, --pool feed" "$feed_service" \
  'ExecStart=/usr/bin/multiwatch -f ${SWITCHBOARD_FEED_WORKERS} -s TERM -- /usr/bin/switchboard-fcgi --pool feed'
expect_file_line "feed pool: 2 workers unless the env file says otherwise" "$feed_service" \
  "Environment=SWITCHBOARD_FEED_WORKERS=2 SWITCHBOARD_STATE_DIR=/var/lib/switchboard"
expect_file_line "feed pool needs its own socket" "$feed_service" "Requires=switchboard-feed.socket"
expect_file_line "feed pool after its socket and the migrations" "$feed_service" \
  "After=switchboard-feed.socket network-online.target switchboard-migrate.service mariadb.service mysql.service"
expect_file_line "feed pool pulls the migrations in" "$feed_service" \
  "Wants=network-online.target switchboard-migrate.service"
expect_file_line "enabling the feed pool enables its socket" "$feed_service" "Also=switchboard-feed.socket"
for line in "StandardInput=socket" "StandardOutput=journal" "StandardError=journal" "KillMode=mixed" \
  "Restart=always" "User=switchboard" "Group=switchboard" "EnvironmentFile=/etc/switchboard/switchboard.env" \
  "StateDirectory=switchboard" "StateDirectoryMode=0750" "UMask=0027" \
  "LoadCredential=twilio-auth-token:/etc/switchboard/credentials/twilio-auth-token" \
  "LoadCredential=db-password:/etc/switchboard/credentials/db-password"; do
  expect_file_line "feed pool as the webhook pool: $line" "$feed_service" "$line"
done
expect_equal "feed pool is handed the two credentials it reads, no more" "$(grep -c '^LoadCredential' "$feed_service")" 2
expect_file_line "the migrations run before either pool" "$migrate" "Before=switchboard.service switchboard-feed.service"
expect_equal "the feed pool's ExecStartPre is the webhook pool's" "$(grep '^ExecStartPre=' "$feed_service")" \
  "$(grep '^ExecStartPre=' "$service")"
# Twins: every [Socket] setting but the path, and the whole sandbox (from NoNewPrivileges= on) of each unit, the same.
section_lines() {  # FILE: the setting lines from NoNewPrivileges= to the next section, in order
  sed -n '/^NoNewPrivileges=/,/^\[/p' "$1" | grep -E '^[A-Za-z]+='
}
expect_equal "feed service's sandbox is the webhook pool's" "$(section_lines "$feed_service")" "$(section_lines "$service")"
expect_equal "feed socket's sandbox is the webhook socket's" "$(section_lines "$feed_socket")" "$(section_lines "$socket")"
socket_settings() { sed -n '/^\[Socket\]/,/^NoNewPrivileges=/p' "$1" | grep -E '^[A-Za-z]+=' | grep -v '^ListenStream=\|^NoNewPrivileges='; }
expect_equal "feed socket's ownership, mode and options are the webhook socket's" "$(socket_settings "$feed_socket")" \
  "$(socket_settings "$socket")"
expect_contains "…which are root:www-data 0660" "$(socket_settings "$feed_socket")" $'SocketUser=root\nSocketGroup=www-data\nSocketMode=0660'

expect_file_line "migrations with their own database user" "$migrate" \
  'ExecStart=/usr/bin/env SWITCHBOARD_DB_USER=${SWITCHBOARD_MIGRATE_DB_USER} /usr/bin/switchboard-migrate'
expect_file_line "migrations with their own password" "$migrate" \
  "LoadCredential=db-password:/etc/switchboard/credentials/db-migrate-password"
# switchboard-migrate reads SWITCHBOARD_DB_* only (tests/production/secrets_test.sh): its unit gets nothing else.
expect_equal "migrations are handed no credential but their password" \
  "$(grep -c '^LoadCredential' "$migrate")" 1
if grep -q '^ExecStart' "$service" && ! grep -hE '^Exec' "$service" "$feed_service" "$migrate" | grep '/etc/' >/dev/null; then
  pass "no Exec*= line writes into /etc"
else
  fail "an Exec*= line mentions /etc"
fi

# --- the retention purge -----------------------------------------------------------------------------------------------
# switchboard-purge.timer runs switchboard-purge.service daily (a missed run at boot, spread over an hour); the service
# is a oneshot as the workers' user (it deletes their cached recordings), with the purge's own database user and
# password, the Twilio token, and write access to the recordings cache only.
purge_timer=$SRC/systemd/switchboard-purge.timer
purge_service=$SRC/systemd/switchboard-purge.service
expect_file_line "purge: daily" "$purge_timer" "OnCalendar=*-*-* 03:00:00"
expect_file_line "purge: a run missed while the machine was off happens at boot" "$purge_timer" "Persistent=true"
expect_file_line "purge: spread over an hour (hosts sharing a database)" "$purge_timer" "RandomizedDelaySec=1h"
expect_file_line "purge: the timer starts the purge" "$purge_timer" "Unit=switchboard-purge.service"
expect_file_line "purge: the timer is enabled with the other timers" "$purge_timer" "WantedBy=timers.target"
if grep -q '^\[Install\]' "$purge_service"; then
  fail "switchboard-purge.service can be enabled by itself: only its timer should start it"
else
  pass "switchboard-purge.service has no [Install]: only the timer starts it"
fi
for line in "Type=oneshot" "User=switchboard" "Group=switchboard" "EnvironmentFile=/etc/switchboard/switchboard.env" \
  "Environment=SWITCHBOARD_STATE_DIR=/var/lib/switchboard SWITCHBOARD_PURGE_DB_USER=switchboard_purge" \
  "LoadCredential=twilio-auth-token:/etc/switchboard/credentials/twilio-auth-token" \
  "LoadCredential=db-password:/etc/switchboard/credentials/db-purge-password" \
  'ExecStart=/usr/bin/env SWITCHBOARD_DB_USER=${SWITCHBOARD_PURGE_DB_USER} /usr/lib/switchboard/switchboard-admin purge' \
  "ReadWritePaths=-/var/lib/switchboard/recordings" "StandardOutput=journal"; do
  expect_file_line "purge service: $line" "$purge_service" "$line"
done
expect_equal "purge service: no credential but the token and its own password" \
  "$(grep -c '^LoadCredential' "$purge_service")" 2
expect_equal "purge service: the notifier's sandbox (from NoNewPrivileges= on)" \
  "$(section_lines "$purge_service")" "$(section_lines "$notify" | grep -v '^\(Restart\|WantedBy\)=')"
expect_equal "purge service: may write where the notifier may, nowhere else" \
  "$(grep '^ReadWritePaths=' "$purge_service")" "$(grep '^ReadWritePaths=' "$notify")"
check "the purge's program reads the purge limits (fcgi/config/settings.cc)" \
  grep -q '"SWITCHBOARD_RETAIN_CALLS_DAYS"' "$SRC/fcgi/config/settings.cc"

# --- the routing watch -------------------------------------------------------------------------------------------------
# switchboard-routing.path watches the snapshot the workers write: SWITCHBOARD_STATE_DIR as the units set it (the
# state directory tmpfiles.d makes) + routing.json (fcgi/routing/snapshot.cc), and starts the render with --reload.
routing_path=$SRC/systemd/switchboard-routing.path
fallbacks_service=$SRC/systemd/switchboard-nginx-fallbacks.service
unit_state_dir=$(sed -n 's/^Environment=.*SWITCHBOARD_STATE_DIR=\([^ ]*\).*/\1/p' "$service")
expect_equal "the workers' state directory (switchboard.service)" "$unit_state_dir" /var/lib/switchboard
expect_equal "…the feed pool's, which saves the routing, is the same" \
  "$(sed -n 's/^Environment=.*SWITCHBOARD_STATE_DIR=\([^ ]*\).*/\1/p' "$feed_service")" "$unit_state_dir"
check "…and the directory tmpfiles.d lays out" grep -qE "^d $unit_state_dir +0750 switchboard switchboard" \
  "$SRC/packaging/switchboard.tmpfiles"
check "the workers write the snapshot as <state dir>/routing.json (fcgi/routing/snapshot.cc)" \
  grep -qF 'return settings.state_dir + "/routing.json";' "$SRC/fcgi/routing/snapshot.cc"
expect_equal "the path unit watches that file, and only it" \
  "$(grep -E '^Path[A-Za-z]*=|^DirectoryNotEmpty=' "$routing_path")" "PathChanged=$unit_state_dir/routing.json"
expect_file_line "…and starts the fallbacks' render" "$routing_path" "Unit=switchboard-nginx-fallbacks.service"
expect_file_line "…enabled with the other path units" "$routing_path" "WantedBy=paths.target"
expect_file_line "the render reloads nginx (graceful), keeping the previous files if nginx -t refuses" \
  "$fallbacks_service" "ExecStart=/usr/sbin/switchboard-render-nginx --reload"
expect_file_line "…one run after the other, no start limit to trip the watch" "$fallbacks_service" "Type=oneshot"
expect_file_line "…(a burst of saves must not fail the path unit)" "$fallbacks_service" "StartLimitIntervalSec=0"
expect_equal "…skipped until the site has been rendered once: the render script's own fallbacks file" \
  "$(sed -n 's/^ConditionPathExists=//p' "$fallbacks_service")" \
  "$(sed -n 's/^fallbacks=${SWITCHBOARD_NGINX_FALLBACKS:-\(.*\)}$/\1/p' "$SRC/packaging/switchboard-render-nginx")"
if grep -qE '^(User|DynamicUser)=' "$fallbacks_service"; then
  fail "the render runs as another user than root: it writes /etc/nginx and reloads nginx"
else
  pass "the render runs as root (it writes /etc/nginx and reloads nginx), with its capabilities bounded"
fi
expect_file_line "…to reading and opening others' files" "$fallbacks_service" \
  "CapabilityBoundingSet=CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH"

# What PathChanged= relies on, with systemd's own inotify masks (src/core/path.c): a snapshot renamed over the file
# reaches the watch on the file; before the first save, the rename into place reaches the watch on its directory.
# Written as the workers write it (store::replace_durably: .tmp-<pid>-<n>, fsync, rename).
require_command python3 python3
inotify=$(python3 - "$SCRATCH/state" <<'PY'
import ctypes, os, select, struct, sys
IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO = 0x4, 0x8, 0x40, 0x80
IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF = 0x100, 0x200, 0x400, 0x800
PATH_CHANGED = (IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM
                | IN_MOVED_TO)
PARENT = IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB | IN_CREATE | IN_MOVED_TO  # a missing file's nearest directory
libc = ctypes.CDLL(None, use_errno=True)
directory = sys.argv[1]
os.makedirs(directory, exist_ok=True)
snapshot = os.path.join(directory, "routing.json")

def save(version):
    temporary = os.path.join(directory, ".tmp-%d-%d" % (os.getpid(), version))
    with open(temporary, "w") as f:
        f.write('{"version":%d}\n' % version)
        f.flush()
        os.fsync(f.fileno())
    os.rename(temporary, snapshot)

def events(fd, wd):
    seen = []
    while select.select([fd], [], [], 0.5)[0]:
        data = os.read(fd, 65536)
        offset = 0
        while offset < len(data):
            w, mask, _, length = struct.unpack_from("iIII", data, offset)
            name = data[offset + 16:offset + 16 + length].rstrip(b"\0").decode()
            if w == wd:
                seen.append((mask, name))
            offset += 16 + length
    return seen

fd = libc.inotify_init1(os.O_NONBLOCK)
wd = libc.inotify_add_watch(fd, directory.encode(), PARENT)
save(1)
first = [name for mask, name in events(fd, wd) if mask & IN_MOVED_TO]
os.close(fd)
fd = libc.inotify_init1(os.O_NONBLOCK)
wd = libc.inotify_add_watch(fd, snapshot.encode(), PATH_CHANGED)
save(2)
on_file = events(fd, wd)
print("first save: IN_MOVED_TO %s; replaced: %s events on the file's watch" %
      (",".join(first) or "none", "attrib" if any(m & IN_ATTRIB for m, _ in on_file) else "no"))
PY
)
expect_equal "inotify: the first save reaches the directory's watch, a replacement the file's (IN_ATTRIB)" \
  "$inotify" "first save: IN_MOVED_TO routing.json; replaced: attrib events on the file's watch"

# The ExecStartPre= configuration check, run as the unit runs it (its command line from the verify copy, with the
# build's switchboard-fcgi, under a clean environment and a credentials directory): quiet on a good configuration,
# status 2 with the variable named on a bad one.
credentials=$SCRATCH/credentials
mkdir -p "$credentials"
printf '0123456789abcdef0123456789abcdef\n' >"$credentials/twilio-auth-token"
good_env=(SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
  SWITCHBOARD_FORWARD_TO=+14155550123 SWITCHBOARD_DB_SOCKET=/run/mysqld/mysqld.sock SWITCHBOARD_DB_USER=switchboard
  SWITCHBOARD_DB_NAME=switchboard SWITCHBOARD_STATE_DIR=/var/lib/switchboard CREDENTIALS_DIRECTORY=$credentials)
for unit in switchboard.service switchboard-feed.service; do
  pre_line=$(sed -n 's/^ExecStartPre=//p' "$verify_dir/$unit")
  eval "pre_command=($pre_line)"
  good_config=$(env -i PATH=/usr/bin:/bin "${good_env[@]}" "${pre_command[@]}" 2>&1) && good_status=0 || good_status=$?
  expect_equal "$unit: ExecStartPre check passes on a good configuration" "$good_status" 0
  expect_equal "…and prints nothing into the journal" "$good_config" ""
  bad_config=$(env -i PATH=/usr/bin:/bin "${good_env[@]}" SWITCHBOARD_PUBLIC_BASE_URL=http://insecure.example \
    "${pre_command[@]}" 2>&1) && bad_status=0 || bad_status=$?
  expect_equal "$unit: ExecStartPre check fails on a bad configuration" "$bad_status" 2
  expect_contains "…naming the variable" "$bad_config" SWITCHBOARD_PUBLIC_BASE_URL
  expect_contains "…with the build's switchboard-fcgi" "$pre_line" "$BUILD/switchboard-fcgi"
done

finish
