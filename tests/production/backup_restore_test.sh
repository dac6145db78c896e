#!/usr/bin/env bash
# packaging/switchboard-backup against a private MariaDB (unix socket, no networking) and a scratch state directory:
#   1. a database migrated by switchboard-migrate and filled through the programs (an admin and an API token with
#      switchboard-users, two routing versions with switchboard-routing, which also writes routing.json) and SQL
#      (300 calls with awkward text — quotes, backslashes, newlines, emoji, NULLs — their events, notifications);
#      a state directory with recordings, spooled events, a dead letter, kept requests (one claimed by a worker),
#      a refused one, and the runtime files a backup leaves out;
#   2. `backup DIR`: checksummed files in a new 0700 directory; `check DIR` passes; a second backup into it refused;
#   3. the database dropped and the state files removed (a newer event left in the live spool), then `restore DIR`:
#      every table's CHECKSUM TABLE, row count and definition as before, the routines and triggers too; every saved
#      state file back with the same sha256 (spooled events as batch-restored-… files, the claimed kept request
#      under its own name), the live spool untouched, no runtime file restored; the units stopped before the
#      database was touched and started after it was whole, the routing watch left running (a stand-in systemctl);
#      the workers' grants still in force; switchboard-migrate finds nothing to apply;
#   4. a corrupted or cut-short backup is refused by check and by restore, before anything is stopped or dropped.
#   backup_restore_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command mariadbd mariadb-server
require_command mariadb-dump mariadb-client
require_command python3 python3
for program in switchboard-migrate switchboard-users switchboard-routing; do
  [[ -x $BUILD/$program ]] || { echo "FAIL $BUILD/$program is not built"; exit 1; }
done
script=$SRC/packaging/switchboard-backup
started=$SECONDS

# shellcheck source=../../scripts/lib/stack.sh
source "$SRC/scripts/lib/stack.sh"
export SB_DIR=$SCRATCH/stack SB_DB_BUFFER_POOL=32M
mkdir -p "$SB_DIR"/{run,log,db,secrets}
sb_random_hex 16 >"$SB_DIR/secrets/db-password"
printf '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n' >"$SB_DIR/secrets/twilio-auth-token"
sb_start_mariadb
STARTED_PIDS+=("$(cat "$SB_DIR/run/mariadb.pid")")
db() { sb_mariadb_client -N --batch "$@"; }

state=$SCRATCH/state
mkdir -p "$state"/{spool/nginx/dead,spool/dead-letter,recordings}
chmod 0710 "$state/spool"
chmod 0700 "$state/spool/dead-letter"  # as the workers make it
chmod 2770 "$state/spool/nginx"
# The workers' env file (as /etc/switchboard/switchboard.env): the programs get it as their environment, the backup
# script reads it as systemd would.
cat >"$SCRATCH/switchboard.env" <<ENV
SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test
TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
TWILIO_AUTH_TOKEN_FILE=$SB_DIR/secrets/twilio-auth-token
SWITCHBOARD_FORWARD_TO=+14155550123
SWITCHBOARD_DB_SOCKET=$SB_DIR/run/mysqld.sock
SWITCHBOARD_DB_USER=switchboard
SWITCHBOARD_DB_PASSWORD_FILE=$SB_DIR/secrets/db-password
SWITCHBOARD_DB_NAME=switchboard
SWITCHBOARD_STATE_DIR=$state
SWITCHBOARD_SCHEMA_DIR=$SRC/schema
ENV
program() { (set -a && . "$SCRATCH/switchboard.env" && set +a && "$BUILD/$1" "${@:2}"); }

# --- 1. a database and a state directory with data -------------------------------------------------------------------
program switchboard-migrate >"$SCRATCH/migrate.log" 2>&1 || { fail "migrations: $(cat "$SCRATCH/migrate.log")"; finish; }
{
  printf 'correct horse battery\n' | program switchboard-users add manager --role admin
  program switchboard-users token manager
  program switchboard-routing away on
  program switchboard-routing away off
} >"$SCRATCH/seed.log" 2>&1 || { fail "seeding through the programs: $(cat "$SCRATCH/seed.log")"; finish; }
db switchboard <<'SQL'
INSERT INTO calls (sid, from_number, to_number, caller_name, from_city, status, status_sequence, menu_choice,
                   dial_bridged, talk_s, duration_s, started_at, ended_at, recording_sid, transcription_text)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
SELECT CONCAT('CA', LPAD(HEX(i), 32, '0')), CONCAT('+1415555', LPAD(i, 4, '0')), '+14155550100',
       CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN 'O''Brien \\ "Bob"' WHEN 2 THEN CONCAT('Zoë ☎', CHAR(10), '😀') ELSE '' END,
       IF(i % 3 = 0, NULL, 'SAN FRANCISCO'), ELT(1 + i % 4, 'completed', 'no-answer', 'busy', 'in-progress'),
       IF(i % 2 = 0, i, NULL), ELT(1 + i % 3, '1', '2', NULL), i % 2, i % 97, i % 131,
       TIMESTAMP('2025-01-01 08:00:00.123') + INTERVAL i MINUTE, TIMESTAMP('2025-01-01 08:00:59.999') + INTERVAL i MINUTE,
       IF(i % 5 = 0, CONCAT('RE', LPAD(HEX(i), 32, '0')), NULL), IF(i % 10 = 0, 'Please call me back — thanks!', NULL)
FROM n;
INSERT INTO call_events (call_sid, kind, url_query, dedup_key, params, received_at)
SELECT sid, 'call-status', '', SHA2(CONCAT(sid, 'status'), 256),
       JSON_OBJECT('CallSid', sid, 'CallStatus', status, 'CallerName', caller_name, 'Note', 'tab\there'), started_at
FROM calls;
INSERT INTO notifications (call_sid, channel, status, attempts, next_attempt_at, created_at, last_error)
SELECT sid, 'sms', IF(id % 2 = 0, 'sent', 'pending'), id % 3, started_at, started_at, IF(id % 3 = 0, 'HTTP 500', NULL)
FROM calls WHERE recording_sid IS NOT NULL;
SQL

# fill PATH BYTES: a file of random bytes, mode 0640.
fill() { head -c "$2" /dev/urandom >"$1" && chmod 0640 "$1"; }
fill "$state/recordings/RE00000000000000000000000000000005.mp3" 40000
fill "$state/recordings/RE0000000000000000000000000000000a.mp3" 120000
printf '{"call_sid":"CA1","kind":"call-status","received_at_ms":1735718400000}\n' >"$state/spool/events.spool"
printf '{"call_sid":"CA2","kind":"voice","received_at_ms":1735718400001}\n' \
  >"$state/spool/batch-001735718400002-41-000001.spool"
printf '{"call_sid":"CA3","rejection":{"code":1406}}\n' >"$state/spool/dead-letter/0123abcd.json"
printf '{"uri":"/twilio/call-status","body":"CallSid=CA4"}\n' >"$state/spool/nginx/kept-1735718400.100-aa.json"
printf '{"uri":"/twilio/voice","body":"CallSid=CA5"}\n' >"$state/spool/nginx/kept-1735718400.200-bb.json.claimed-4242"
printf '{"uri":"/twilio/voice","body":"CallSid=CA6"}\n' >"$state/spool/nginx/dead/kept-1735718400.300-cc.json"
printf 'HTTP 403\n' >"$state/spool/nginx/dead/kept-1735718400.300-cc.reason"
chmod 0600 "$state"/spool/*.spool "$state"/spool/dead-letter/* "$state"/spool/nginx/dead/*
# Runtime files, not to be saved.
fill "$state/metrics.shm" 4096
fill "$state/spool/reserve" 65536
: >"$state/routing.json.lock"
: >"$state/spool/nginx/keeping-paused"
[[ -s $state/routing.json ]] && pass "switchboard-routing wrote the snapshot routing.json" ||
  fail "no routing.json in $state"

# What must come back: per table its checksum, rows and definition; routines and triggers; each state file's sha256
# under the name it must have after the restore (spooled events: batch-restored-<stamp>-<name>).
tables() { db -e "SELECT table_name FROM information_schema.tables WHERE table_schema = 'switchboard' ORDER BY 1"; }
database_fingerprint() {
  local table
  for table in $(tables); do
    printf '%s %s rows=%s\n' "$table" "$(db -e "CHECKSUM TABLE switchboard.\`$table\` EXTENDED" | cut -f2)" \
      "$(db -e "SELECT COUNT(*) FROM switchboard.\`$table\`")"
    db -e "SHOW CREATE TABLE switchboard.\`$table\`" | cut -f2- | sed 's/ AUTO_INCREMENT=[0-9]*//'
  done
  db -e "SELECT routine_name, routine_definition FROM information_schema.routines WHERE routine_schema = 'switchboard'
         UNION ALL SELECT trigger_name, action_statement FROM information_schema.triggers
         WHERE trigger_schema = 'switchboard' ORDER BY 1"
}
state_fingerprint() {
  (cd "$state" && find . -type f ! -name metrics.shm ! -name routing.json.lock ! -name reserve ! -name keeping-paused \
    ! -path './spool/events.spool' ! -path './spool/batch-*' -printf '%P\n' | sort | while read -r f; do
    printf '%s %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$(stat -c '%a %U' "$f")" "${f%.claimed-*}"
  done)
}
before=$(database_fingerprint)
expect_contains "the fingerprint covers the calls" "$before" "calls "
# Every table the migrations create, and schema_migrations: counted from schema/, so a new table is covered too.
created=$(cat "$SRC"/schema/*.sql | grep -ciE '^[[:space:]]*CREATE TABLE')
expect_equal "…every table: $((created + 1)) (the migrations' and schema_migrations)" "$(tables | wc -l)" $((created + 1))
expect_equal "300 calls seeded" "$(db -e 'SELECT COUNT(*) FROM switchboard.calls')" 300
expect_equal "two routing versions saved" "$(db -e 'SELECT COUNT(*) FROM switchboard.routing_versions')" 2
spool_active_sha=$(sha256sum <"$state/spool/events.spool" | cut -c1-64)
spool_batch_sha=$(sha256sum <"$state/spool/batch-001735718400002-41-000001.spool" | cut -c1-64)
state_before=$(state_fingerprint)

# A stand-in for systemctl: the units that run, and what happens to them — with the number of calls the database
# holds at that moment (none: the database is gone).
cat >"$SCRATCH/systemctl" <<SH
#!/bin/bash
calls=\$(mariadb --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot -N -e 'SELECT COUNT(*) FROM switchboard.calls' 2>/dev/null || echo none)
echo "\$1 \${*:2} calls=\$calls" >>"$SCRATCH/systemctl.log"
if [[ \$1 == list-units ]]; then
  printf '%s loaded active running x\n' switchboard.socket switchboard.service switchboard-feed.socket \
    switchboard-feed.service switchboard-notify.service switchboard-routing.path
fi
SH
chmod 755 "$SCRATCH/systemctl"
backup() {
  status=0
  out=$(SWITCHBOARD_ENV_FILE=$SCRATCH/switchboard.env SWITCHBOARD_SYSTEMCTL=$SCRATCH/systemctl "$script" "$@" 2>&1) ||
    status=$?
}

# --- 2. backup -------------------------------------------------------------------------------------------------------
saved=$SCRATCH/backups/2025-01-31
backup backup "$saved"
expect_equal "backup exits 0" "$status" 0
expect_contains "…and says what it saved" "$out" "backed up switchboard and $state into $saved"
expect_equal "the backup directory is root's alone" "$(stat -c %a "$saved")" 700
expect_equal "…holding the dump, the state and their checksums" "$(ls "$saved" | tr '\n' ' ')" \
  "SHA256SUMS state.tar switchboard.sql.gz "
expect_equal "…each file 0600 (the dump holds password hashes)" "$(stat -c %a "$saved"/* | sort -u)" 600
dump_head=$(gunzip -c "$saved/switchboard.sql.gz" | sed -n '1,60p')  # sed reads it all: no SIGPIPE under pipefail
expect_contains "the dump creates its own database" "$dump_head" "CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`switchboard\`"
saved_names=$(tar -tf "$saved/state.tar" | sort | tr '\n' ' ')
for excluded in metrics.shm routing.json.lock spool/reserve spool/nginx/keeping-paused .claimed-4242; do
  [[ $saved_names == *"$excluded"* ]] && fail "the backup holds $excluded" || pass "the backup leaves out $excluded"
done
expect_contains "…and saves the claimed kept request under its own name" "$saved_names" \
  "spool/nginx/kept-1735718400.200-bb.json "
backup check "$saved"
expect_equal "check passes on a fresh backup" "$status" 0
backup backup "$saved"
expect_equal "a backup into a directory that is not empty is refused" "$status" 1
expect_contains "…saying why" "$out" "is not empty: give each backup a new directory"

# --- 4. damaged backups are refused before anything is touched --------------------------------------------------------
cp -a "$saved" "$SCRATCH/corrupt" && printf 'x' >>"$SCRATCH/corrupt/state.tar"
backup restore "$SCRATCH/corrupt"
expect_equal "a restore from a file that does not match its checksum is refused" "$status" 1
expect_contains "…naming the file" "$out" "state.tar: FAILED"
cp -a "$saved" "$SCRATCH/cut" && gunzip -c "$saved/switchboard.sql.gz" | sed -n '1,40p' | gzip >"$SCRATCH/cut/switchboard.sql.gz"
(cd "$SCRATCH/cut" && sha256sum state.tar switchboard.sql.gz >SHA256SUMS)
backup check "$SCRATCH/cut"
expect_equal "a dump cut short is refused, however its checksums read" "$status" 1
expect_contains "…saying so" "$out" "is not a whole dump"
backup restore "$SCRATCH/cut"
expect_equal "…by restore too" "$status" 1
expect_equal "…which stopped nothing and dropped nothing" "$([[ -f $SCRATCH/systemctl.log ]] && cat "$SCRATCH/systemctl.log")" ""
expect_equal "…the database is untouched" "$(database_fingerprint)" "$before"

# --- 3. drop, restore, compare ---------------------------------------------------------------------------------------
db -e "DROP DATABASE switchboard"
rm -rf "$state"/routing.json "$state"/recordings/* "$state"/spool/*.spool "$state"/spool/dead-letter \
  "$state"/spool/nginx/kept-* "$state"/spool/nginx/dead/* "$state"/metrics.shm "$state"/spool/reserve \
  "$state"/routing.json.lock "$state"/spool/nginx/keeping-paused
# An event spooled after the backup: the restore must leave it where it is.
printf '{"call_sid":"CA9","kind":"call-status","received_at_ms":1738368000000}\n' >"$state/spool/events.spool"
live_sha=$(sha256sum <"$state/spool/events.spool" | cut -c1-64)

restore_started=$SECONDS
backup restore "$saved"
expect_equal "restore exits 0" "$status" 0
expect_contains "…and says so" "$out" "restored switchboard and $state from $saved"
echo "restore took $((SECONDS - restore_started)) s"
expect_equal "every table back: checksums, row counts, definitions, routines and triggers" "$(database_fingerprint)" "$before"
expect_equal "every state file back, same content, mode and owner" "$(state_fingerprint)" "$state_before"
expect_equal "the live spool is untouched" "$(sha256sum <"$state/spool/events.spool" | cut -c1-64)" "$live_sha"
restored_batches=$(for f in "$state"/spool/batch-restored-*; do sha256sum <"$f" | cut -c1-64; done | sort | tr '\n' ' ')
expect_equal "the saved spool files come back as two batch-restored-… files, same content" "$restored_batches" \
  "$(printf '%s\n' "$spool_active_sha" "$spool_batch_sha" | sort | tr '\n' ' ')"
check "…named as the workers replay them (batch-….spool)" \
  test "$(find "$state/spool" -maxdepth 1 -name 'batch-restored-*.spool' | wc -l)" -eq 2
check "the dead-letter directory comes back as the workers made it (0700)" \
  test "$(stat -c %a "$state/spool/dead-letter")" = 700
for runtime in metrics.shm routing.json.lock spool/reserve spool/nginx/keeping-paused; do
  [[ -e $state/$runtime ]] && fail "$runtime was restored" || pass "$runtime is not restored"
done
readonly UNITS="switchboard.socket switchboard.service switchboard-feed.socket switchboard-feed.service switchboard-notify.service"
expect_equal "the running units (not the routing watch) stopped, then started once the database was whole" \
  "$(cat "$SCRATCH/systemctl.log")" \
  "list-units --state=active --plain --no-legend switchboard* calls=none
stop $UNITS calls=none
start $UNITS calls=300"
# Again over a live database that has moved on: the units are stopped before it is touched, and the restore
# replaces it (the newer row is gone), it does not merge into it.
rm "$SCRATCH/systemctl.log"
db switchboard -e "INSERT INTO calls (sid, started_at) VALUES ('CA-after-the-backup', NOW(3))"
backup restore "$saved"
expect_equal "a restore over a live database exits 0" "$status" 0
expect_equal "…stopping the units before touching it" "$(cat "$SCRATCH/systemctl.log")" \
  "list-units --state=active --plain --no-legend switchboard* calls=301
stop $UNITS calls=301
start $UNITS calls=300"
expect_equal "…and replacing it with the backup's, exactly" "$(database_fingerprint)" "$before"
expect_equal "the workers' user still reads the restored database (grants are the server's, kept)" \
  "$(mariadb --no-defaults -S "$SB_DIR/run/mysqld.sock" -uswitchboard -p"$(cat "$SB_DIR/secrets/db-password")" -N \
    -e 'SELECT COUNT(*) FROM switchboard.call_events')" 300
migrate_out=$(program switchboard-migrate 2>&1) && migrate_status=0 || migrate_status=$?
expect_equal "switchboard-migrate on the restored database exits 0" "$migrate_status" 0
expect_equal "…with nothing to apply" "$migrate_out" "switchboard-migrate: schema is up to date"
printf 'whole test: %d s\n' "$((SECONDS - started))"
finish
