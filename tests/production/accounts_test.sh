#!/usr/bin/env bash
# The feed's accounts as production runs them, against a private MariaDB on a unix socket (loopback only):
#   1. the database users of docs/operations.md step 3, created by running that block of the guide (paths moved
#      into the scratch directory), and the migrations run the way switchboard-migrate.service runs them (its
#      Environment=, EnvironmentFile=, LoadCredential= and ExecStart= lines, read from the unit);
#   2. the feed pool started the way switchboard-feed.service starts it (the same lines, the socket on fd 0 as
#      StandardInput=socket hands it over, multiwatch with SWITCHBOARD_FEED_WORKERS workers);
#   3. without step 7's grants, signing in and removing a user are refused by the database (the control: the grants
#      matter); after running step 7's block, they work;
#   4. the switchboard-users wrapper (packaging/) with the example env file and the db-password credential: add,
#      list, token, passwd, revoke-tokens, remove, its refusals, nothing taken from the calling shell but SUDO_USER;
#   5. the feed pool under exactly those grants, over FastCGI: a bearer token, sign-in (cookie attributes), sign-out,
#      a password change and revoked tokens ending access, and the audit log naming who did what.
#   accounts_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command mariadbd mariadb-server
require_command mariadb mariadb-client
require_command spawn-fcgi spawn-fcgi
require_command multiwatch multiwatch
require_command cgi-fcgi libfcgi-bin
require_command python3 python3

for program in switchboard-fcgi switchboard-migrate switchboard-users; do
  [[ -x $BUILD/$program ]] || { echo "FAIL $BUILD/$program is not built"; exit 1; }
done

# The stack scripts' MariaDB (private datadir, unix socket, no networking); its own 'switchboard' user and database
# are dropped at once: this test creates them as the guide says.
# shellcheck source=../../scripts/lib/stack.sh
source "$SRC/scripts/lib/stack.sh"
export SB_DIR=$SCRATCH/stack
mkdir -p "$SB_DIR"/{run,log,db,secrets}
sb_random_hex 16 >"$SB_DIR/secrets/db-password"
sb_start_mariadb
STARTED_PIDS+=("$(cat "$SB_DIR/run/mariadb.pid")")
sb_mariadb_client -e "DROP USER 'switchboard'@'localhost'; DROP DATABASE switchboard;"
# `mariadb` as root on the host: through the unix socket, as the guide's blocks use it.
mariadb() { command mariadb --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot "$@"; }

ETC=$SCRATCH/etc/switchboard  # stands for /etc/switchboard
readonly PASSWORD='correct horse battery'
readonly NEW_PASSWORD='staple and more staple'

# --- docs/operations.md's blocks, run as written ---------------------------------------------------------------------
# doc_block N: the N-th ```sh block the guide marks as run by this test.
doc_block() {
  awk -v want="$1" '/tests\/production\/accounts_test.sh runs this block/ { marked++; next }
    marked == want && !inside && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$SRC/docs/operations.md"
}
run_doc_block() {
  local text
  text=$(doc_block "$1" | sed "s#/etc/switchboard#$ETC#g")
  [[ -n $text ]] || { fail "docs/operations.md has no block $1 marked for this test"; return 1; }
  (set -e && eval "$text")
}

# --- the units, run as systemd would (for what our units use) ---------------------------------------------------------
source "$SRC/packaging/switchboard-env.sh"
die() { fail "$*"; exit 1; }
# unit_environment UNIT: fills unit_env with the unit's Environment= defaults, then its EnvironmentFile= (which wins),
# and unit_credentials with a directory holding its LoadCredential= files under their credential names.
unit_environment() {
  local unit=$SRC/systemd/$1 line name source words
  unit_env=()
  while read -r line; do read -ra words <<<"$line" && unit_env+=("${words[@]}"); done < <(sed -n 's/^Environment=//p' "$unit")
  env_vars=()
  read_env_file "$(sed -n 's/^EnvironmentFile=//p' "$unit" | sed "s#/etc/switchboard#$ETC#")"
  unit_env+=("${env_vars[@]}")
  unit_credentials=$SCRATCH/credentials-$1
  mkdir -p "$unit_credentials"
  while IFS=: read -r name source; do
    cp "${source/\/etc\/switchboard/$ETC}" "$unit_credentials/$name"
  done < <(sed -n 's/^LoadCredential=//p' "$unit")
}
# unit_command UNIT: the unit's ExecStart= as words, ${NAME} expanded from unit_env, our programs from the build.
unit_command() {
  local line pair i
  line=$(sed -n 's/^ExecStart=//p' "$SRC/systemd/$1")
  for ((i = ${#unit_env[@]} - 1; i >= 0; i--)); do  # the last assignment wins
    pair=${unit_env[i]}
    line=${line//"\${${pair%%=*}}"/"${pair#*=}"}
  done
  line=$(sed -E "s#/usr/bin/(switchboard-[a-z]+)#$BUILD/\\1#g" <<<"$line")
  read -ra unit_argv <<<"$line"
}
run_unit() {  # UNIT: runs it in the foreground, as systemd would
  unit_environment "$1"
  unit_command "$1"
  env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$unit_credentials" "${unit_env[@]}" "${unit_argv[@]}"
}
# Only what the guide's blocks ask of systemctl.
systemctl() {
  if [[ $* == "start switchboard-migrate.service" ]]; then run_unit switchboard-migrate.service >>"$SCRATCH/migrate.log" 2>&1
  else fail "the guide runs 'systemctl $*', which this test does not emulate"; return 1; fi
}

# --- 1. database users (step 3), configuration (step 4), migrations --------------------------------------------------
if run_doc_block 1 >"$SCRATCH/step3.log" 2>&1; then
  pass "step 3 of the guide creates the database and its two users"
else
  fail "step 3 of the guide: $(cat "$SCRATCH/step3.log")"
  finish
fi
grants=$(mariadb -N -e "SHOW GRANTS FOR 'switchboard'@'localhost'")
expect_contains "the workers' user reads and writes rows and runs the webhooks' procedures" "$grants" \
  "GRANT SELECT, INSERT, UPDATE, EXECUTE ON \`switchboard\`.* TO \`switchboard\`@\`localhost\`"
printf '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n' >"$ETC/credentials/twilio-auth-token"
mkdir -p "$SCRATCH/state/spool" "$SCRATCH/state/recordings"
sed -e 's#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test#' \
  -e 's#^TWILIO_ACCOUNT_SID=.*#TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef#' \
  -e "s#^SWITCHBOARD_DB_SOCKET=.*#SWITCHBOARD_DB_SOCKET=$SB_DIR/run/mysqld.sock#" \
  "$SRC/packaging/switchboard.env.example" >"$ETC/switchboard.env"
printf '%s\n' "SWITCHBOARD_STATE_DIR=$SCRATCH/state" "SWITCHBOARD_TWILIO_API_BASE=http://127.0.0.1:9" \
  "SWITCHBOARD_SCHEMA_DIR=$SRC/schema" >>"$ETC/switchboard.env"

if run_unit switchboard-migrate.service >"$SCRATCH/migrate.log" 2>&1; then
  pass "migrations as switchboard-migrate.service runs them (its own user and password)"
else
  fail "switchboard-migrate.service: $(cat "$SCRATCH/migrate.log")"
  finish
fi

# A webhook's write goes through the procedures of schema/010 (SQL SECURITY INVOKER): the workers' user, with step 3's
# grants and nothing else, can run them, and they write the event and the call.
as_workers() {
  command mariadb --no-defaults -S "$SB_DIR/run/mysqld.sock" -uswitchboard \
    -p"$(cat "$ETC/credentials/db-password")" switchboard "$@"
}
if as_workers -e "CALL record_webhook('CAproduction0000000000000000000001', 'voice', '', REPEAT('0', 64), '{}',
    '2026-12-02 09:00:00.000', 'menu', NULL, '+14155550100', '+15005550006', NULL, NULL, NULL, NULL, 'ringing',
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-12-02 09:00:00.000', NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, 'menu', NULL, NULL)" >"$SCRATCH/procedure.log" 2>&1 &&
  [[ $(mariadb -N switchboard -e "SELECT COUNT(*) FROM calls c JOIN call_events e ON e.call_sid = c.sid
         WHERE c.sid = 'CAproduction0000000000000000000001'") == 1 ]]; then
  pass "the workers' user writes a webhook through the procedures with step 3's grants"
else
  fail "the workers' user cannot run record_webhook: $(cat "$SCRATCH/procedure.log")"
fi
expect_equal "…the account tables exist" \
  "$(mariadb -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'switchboard'
                    AND table_name IN ('users', 'sessions', 'api_tokens', 'login_failures', 'audit_log')")" 5

# --- 2. the feed pool, as switchboard-feed.service starts it ---------------------------------------------------------
feed_socket=$SCRATCH/feed.sock
unit_environment switchboard-feed.service
unit_command switchboard-feed.service
expect_equal "the unit runs multiwatch with the env file's SWITCHBOARD_FEED_WORKERS" \
  "${unit_argv[*]}" "/usr/bin/multiwatch -f 2 -s TERM -- $BUILD/switchboard-fcgi --pool feed"
env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$unit_credentials" "${unit_env[@]}" \
  spawn-fcgi -n -s "$feed_socket" -M 0660 -- "${unit_argv[@]}" >>"$SCRATCH/feed.log" 2>&1 &
feed_pid=$!
STARTED_PIDS+=("$feed_pid")
for _ in $(seq 1 50); do [[ -S $feed_socket ]] && (($(pgrep -c -P "$feed_pid" || true) == 2)) && break; sleep 0.1; done
expect_equal "…two feed workers under multiwatch" "$(pgrep -c -P "$feed_pid" || true)" 2

# feed METHOD PATH [BODY [VAR=value…]]: one FastCGI request to the feed pool, as nginx's fastcgi_params would send it;
# sets status, headers and body.
feed() {
  local method=$1 path=$2 request_body=${3:-}
  shift 2
  (($# > 0)) && shift
  local response
  response=$(printf '%s' "$request_body" | env -i REQUEST_METHOD="$method" REQUEST_URI="$path" DOCUMENT_URI="${path%%\?*}" \
    QUERY_STRING="$([[ $path == *\?* ]] && echo "${path#*\?}")" CONTENT_LENGTH="${#request_body}" \
    REMOTE_ADDR=192.0.2.10 SERVER_PROTOCOL=HTTP/1.1 "$@" cgi-fcgi -bind -connect "$feed_socket")
  headers=$(sed '/^\r\{0,1\}$/q' <<<"$response" | tr -d '\r')
  body=$(sed '1,/^\r\{0,1\}$/d' <<<"$response")
  status=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' <<<"$headers")
  status=${status:-200}
}
json() {  # EXPRESSION…: printed, evaluated on the last body as `r` (a Python error is printed, not fatal)
  python3 -c "import json, sys; r = json.loads(sys.stdin.read()); print($1)" <<<"$body" 2>&1 || true
}
readonly JSON=CONTENT_TYPE=application/json
readonly CSRF=HTTP_X_REQUESTED_WITH=switchboard

# --- 3. the wrapper, and what the grants of step 7 are for -----------------------------------------------------------
# switchboard-users as root runs it on the host: the wrapper from the checkout, the program from the build. Whatever
# the calling shell holds must not reach the program: these would point it at nothing.
export SWITCHBOARD_DB_SOCKET=$SCRATCH/nowhere.sock SWITCHBOARD_DB_USER=intruder SWITCHBOARD_DB_PASSWORD=wrong
users() {
  SWITCHBOARD_ENV_FILE=$ETC/switchboard.env SWITCHBOARD_CREDENTIALS_DIR=$ETC/credentials \
    SWITCHBOARD_USERS_PROGRAM=$BUILD/switchboard-users SUDO_USER=alice "$SRC/packaging/switchboard-users" "$@" \
    >"$SCRATCH/users.out" 2>"$SCRATCH/users.err" && users_status=0 || users_status=$?
  users_out=$(cat "$SCRATCH/users.out")
  users_err=$(cat "$SCRATCH/users.err")
}

users add early --role viewer <<<"$PASSWORD"
expect_equal "switchboard-users add (INSERT is granted in step 3)" "$users_status" 0
expect_equal "…saying so" "$users_err" "switchboard-users: added early (viewer)"
feed POST /api/session "{\"user\":\"early\",\"password\":\"$PASSWORD\"}" "$JSON" "$CSRF"
expect_equal "control: without step 7's grants a sign-in fails too (it deletes expired sessions)" "$status" 500
expect_contains "…the journal says why" "$(cat "$SCRATCH/feed.log")" "DELETE command denied to user 'switchboard'"
users remove early
if ((users_status != 0)) && [[ $users_err == *"DELETE command denied"* ]]; then
  pass "control: without step 7's grants the database refuses to remove a user (status $users_status)"
else
  fail "control: remove without step 7's grants: status $users_status: $users_err"
fi
if run_doc_block 2 >"$SCRATCH/step7.log" 2>&1; then
  pass "step 7 of the guide grants DELETE on the account tables"
else
  fail "step 7 of the guide: $(cat "$SCRATCH/step7.log")"
fi
users remove early
expect_equal "…after which remove works" "$users_status" 0
expect_equal "…and says what it removed" "$users_err" "switchboard-users: removed early with its sessions and API tokens"

# --- 4. switchboard-users through the wrapper ------------------------------------------------------------------------
users add manager --role admin <<<"$PASSWORD"
expect_equal "add manager --role admin, password on standard input" "$users_status" 0
users add manager --role admin <<<"$PASSWORD"
expect_equal "a second manager is refused (status 1)" "$users_status" 1
expect_contains "…saying why" "$users_err" "switchboard-users: "
users add eve --role boss <<<"$PASSWORD"
expect_equal "an unknown role is refused (status 1)" "$users_status" 1
expect_equal "…saying why" "$users_err" "switchboard-users: the role must be viewer or admin"
users add eve --role viewer <<<short
expect_equal "a short password is refused (status 1)" "$users_status" 1
expect_contains "…saying why" "$users_err" "shorter than 10 characters"
users list
expect_equal "list: manager, admin, no API token yet" \
  "$(awk -F'\t' '{ print $1, $2, $5 }' <<<"$users_out")" "manager admin 0 API tokens"
users token manager
expect_equal "token prints one token" "$users_status $(grep -c '^sbt_' <<<"$users_out")" "0 1"
token=$users_out
users
expect_equal "the wrapper without arguments: the program's usage (status 2)" "$users_status" 2
expect_contains "…" "$users_err" "usage: switchboard-users add NAME --role viewer|admin"
mv "$ETC/credentials/db-password" "$ETC/credentials/db-password.away"
users list
expect_equal "the wrapper without the db-password credential: status 2" "$users_status" 2
expect_contains "…naming it" "$users_err" "$ETC/credentials/db-password is missing"
mv "$ETC/credentials/db-password.away" "$ETC/credentials/db-password"

# --- 5. the feed pool under exactly these grants ---------------------------------------------------------------------
feed GET /api/calls
expect_equal "no credentials: 401" "$status" 401
expect_equal "…JSON" "$(json 'r["error"]')" "authentication required"
feed GET /api/session "" HTTP_AUTHORIZATION="Bearer $token"
expect_equal "the CLI's token: 200, the manager as an admin, via a token" "$status $(json 'r["user"], r["role"], r["via"]')" \
  "200 manager admin token"
feed GET /api/calls "" HTTP_AUTHORIZATION="Bearer $token"
expect_equal "…which reads the feed" "$status $(json '"calls" in r')" "200 True"

feed POST /api/session '{"user":"manager","password":"not the password"}' "$JSON" "$CSRF"
expect_equal "a wrong password: 401" "$status $(json 'r["error"]')" "401 wrong user name or password"
feed POST /api/session "{\"user\":\"manager\",\"password\":\"$PASSWORD\"}" "$JSON" "$CSRF"
expect_equal "sign-in: 200" "$status $(json 'r["user"], r["role"]')" "200 manager admin"
cookie_line=$(grep -i '^Set-Cookie: sb_session=' <<<"$headers")
for attribute in HttpOnly Secure SameSite=Strict Path=/ Max-Age=43200; do
  expect_contains "…the cookie: $attribute" "$cookie_line" "; $attribute"
done
session=$(sed -n 's/^Set-Cookie: \(sb_session=[^;]*\);.*/\1/Ip' <<<"$headers")
expect_equal "…and no sign-in failure is left (DELETE on login_failures)" \
  "$(mariadb -N -e "SELECT COUNT(*) FROM switchboard.login_failures WHERE scope = 'user:manager'")" 0
feed GET /api/session "" HTTP_COOKIE="$session"
expect_equal "the session: 200, via the session" "$status $(json 'r["via"]')" "200 session"
feed DELETE /api/session "" HTTP_COOKIE="$session" "$CSRF"
expect_equal "sign-out: 204 (DELETE on sessions)" "$status" 204
feed GET /api/session "" HTTP_COOKIE="$session"
expect_equal "…the session no longer works" "$status" 401

feed POST /api/session "{\"user\":\"manager\",\"password\":\"$PASSWORD\"}" "$JSON" "$CSRF"
session=$(sed -n 's/^Set-Cookie: \(sb_session=[^;]*\);.*/\1/Ip' <<<"$headers")
users passwd manager <<<"$NEW_PASSWORD"
expect_equal "passwd manager" "$users_status" 0
feed GET /api/session "" HTTP_COOKIE="$session"
expect_equal "…ends the manager's sessions" "$status" 401
feed POST /api/session "{\"user\":\"manager\",\"password\":\"$NEW_PASSWORD\"}" "$JSON" "$CSRF"
expect_equal "…and the new password signs in" "$status" 200
users revoke-tokens manager
expect_equal "revoke-tokens manager" "$users_status $users_err" "0 switchboard-users: revoked 1 API token(s) of manager"
feed GET /api/session "" HTTP_AUTHORIZATION="Bearer $token"
expect_equal "…the token no longer works" "$status" 401

users token manager
feed GET '/api/audit?limit=50' "" HTTP_AUTHORIZATION="Bearer $users_out"
expect_equal "the audit log, for an admin: 200" "$status" 200
audit=$(json 'chr(10).join(" ".join([e["user"], e["action"], e["target"], e["address"]]) for e in reversed(r["entries"]))')
echo "$audit" | sed 's/^/     audit: /'
for entry in "cli:alice user_added early cli" "cli:alice user_removed early cli" "cli:alice user_added manager cli" \
  "cli:alice token_issued manager cli" "manager login_failed  192.0.2.10" "manager login  192.0.2.10" \
  "manager logout  192.0.2.10" "cli:alice password_changed manager cli" "cli:alice tokens_revoked manager cli"; do
  if grep -qF -- "$entry" <<<"$audit"; then pass "audit: $entry"; else fail "audit lacks '$entry'"; fi
done

manager_token=$users_out

# A viewer: the feed, not the admin's endpoints.
users add clerk --role viewer <<<"$PASSWORD"
users token clerk
feed GET /api/calls "" HTTP_AUTHORIZATION="Bearer $users_out"
expect_equal "a viewer reads the feed" "$status" 200
feed GET /api/audit "" HTTP_AUTHORIZATION="Bearer $users_out"
expect_equal "…but not the audit log: 403" "$status $(json 'r["error"]')" "403 admins only"

users remove manager
expect_equal "the last admin cannot be removed (status 1)" "$users_status $users_err" \
  "1 switchboard-users: manager is the last admin: add another admin first"
users add owner --role admin <<<"$NEW_PASSWORD"
manager_id=$(mariadb -N -e "SELECT id FROM switchboard.users WHERE name = 'manager'")
expect_equal "the manager has a session and a live token" "$(mariadb -N -e "SELECT
  (SELECT COUNT(*) FROM switchboard.sessions WHERE user_id = $manager_id),
  (SELECT COUNT(*) FROM switchboard.api_tokens WHERE user_id = $manager_id AND revoked_at_ms IS NULL)")" $'1\t1'
users remove manager
expect_equal "with another admin, remove manager" "$users_status" 0
expect_equal "…its sessions and tokens go with it (cascade, DELETE granted on users only)" "$(mariadb -N -e "SELECT
  (SELECT COUNT(*) FROM switchboard.sessions WHERE user_id = $manager_id) +
  (SELECT COUNT(*) FROM switchboard.api_tokens WHERE user_id = $manager_id)")" 0
feed GET /api/session "" HTTP_AUTHORIZATION="Bearer $manager_token"
expect_equal "…and its last token is refused" "$status" 401
users list
expect_equal "list: the others" "$(cut -f1,2 <<<"$users_out" | tr '\t\n' ': ')" "clerk:viewer owner:admin "

finish
