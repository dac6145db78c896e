#!/usr/bin/env bash
# The switchboard-admin wrapper (packaging/), run as root as an operator runs it, around a stand-in for the program
# (a script that reports what it was given: the real one needs the database, and is tested with it in
# tests/integration/retention_test.cpp): it runs as the service user (who owns the cached recordings it deletes),
# with what switchboard-purge.service gives the program — the env file's settings after the unit's defaults, the
# purge's database user (SWITCHBOARD_PURGE_DB_USER, default switchboard_purge, in place of the workers') and its
# password (db-purge-password, as db-password), the Twilio token, nothing from the calling shell; the private copy of
# the credentials is gone afterwards; the program's status is the wrapper's; a missing credential is refused (2).
#   admin_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command setpriv util-linux
require_command python3 python3

wrapper=$SRC/packaging/switchboard-admin
if [[ $(id -u) -ne 0 ]]; then
  status=0
  output=$(SWITCHBOARD_ADMIN_PROGRAM=/bin/true "$wrapper" purge 2>&1) || status=$?
  expect_equal "not root: refused with status 2" "$status" 2
  expect_contains "…saying to run it as root" "$output" "run it as root"
  echo "skip the rest (needs root to switch to the service user)"
  finish
  exit 0
fi

readonly SERVICE_USER=nobody
chmod 755 "$SCRATCH"
mkdir -p "$SCRATCH"/{credentials,run}
chmod 700 "$SCRATCH/credentials"
printf '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n' >"$SCRATCH/credentials/twilio-auth-token"
printf 'the workers password\n' >"$SCRATCH/credentials/db-password"
printf 'the purge password\n' >"$SCRATCH/credentials/db-purge-password"
chmod 600 "$SCRATCH"/credentials/*
cat >"$SCRATCH/switchboard.env" <<ENV
SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test
SWITCHBOARD_DB_USER=switchboard
SWITCHBOARD_RETAIN_CALLS_DAYS=365
ENV
{ cat "$SCRATCH/switchboard.env"; echo "SWITCHBOARD_PURGE_DB_USER=retention_only"; } >"$SCRATCH/own-user.env"
chmod 600 "$SCRATCH"/*.env

cat >"$SCRATCH/switchboard-admin" <<'PY'
#!/usr/bin/env python3
import json, os, pwd, stat, sys
credentials = os.environ.get("CREDENTIALS_DIRECTORY", "")
found = {}
for name in sorted(os.listdir(credentials)) if credentials else []:
    info = os.stat(os.path.join(credentials, name))
    found[name] = {"text": open(os.path.join(credentials, name)).read(), "mode": oct(stat.S_IMODE(info.st_mode)),
                   "owner": pwd.getpwuid(info.st_uid).pw_name}
print(json.dumps({"user": pwd.getpwuid(os.getuid()).pw_name, "args": sys.argv[1:],
                  "environment": sorted(k for k in os.environ if k != "LC_CTYPE"),
                  "env": {k: os.environ[k] for k in ("SWITCHBOARD_DB_USER", "SWITCHBOARD_STATE_DIR",
                                                     "SWITCHBOARD_RETAIN_CALLS_DAYS") if k in os.environ},
                  "credentials_directory": credentials, "credentials": found}))
sys.exit(1 if "--dry-run" in sys.argv else 0)
PY
chmod 755 "$SCRATCH/switchboard-admin"

admin() {
  FROM_THE_SHELL=leak SWITCHBOARD_ENV_FILE=${env_file:-$SCRATCH/switchboard.env} \
    SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials SWITCHBOARD_ADMIN_PROGRAM=$SCRATCH/switchboard-admin \
    SWITCHBOARD_SERVICE_USER=$SERVICE_USER SWITCHBOARD_RUNTIME_DIR="$SCRATCH/run" "$wrapper" "$@"
}
field() { python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

status=0
report=$(admin purge </dev/null) || status=$?
expect_equal "purge: status 0" "$status" 0
expect_equal "the program runs as the service user, not root" "$(field "$report" 'r["user"]')" "$SERVICE_USER"
expect_equal "…with its arguments" "$(field "$report" 'r["args"]')" "['purge']"
expect_equal "the purge's database user, not the workers' of the env file" \
  "$(field "$report" 'r["env"]["SWITCHBOARD_DB_USER"]')" switchboard_purge
expect_equal "…or the one SWITCHBOARD_PURGE_DB_USER names" \
  "$(field "$(env_file=$SCRATCH/own-user.env admin purge </dev/null)" 'r["env"]["SWITCHBOARD_DB_USER"]')" \
  retention_only
expect_equal "the env file's settings and the unit's state directory" \
  "$(field "$report" 'r["env"]["SWITCHBOARD_RETAIN_CALLS_DAYS"] + " " + r["env"]["SWITCHBOARD_STATE_DIR"]')" \
  "365 /var/lib/switchboard"
expect_equal "its password as db-password, and the Twilio token, readable by the service user only" \
  "$(field "$report" '"; ".join(n + " " + c["mode"] + " " + c["owner"] for n, c in r["credentials"].items())')" \
  "db-password 0o400 $SERVICE_USER; twilio-auth-token 0o400 $SERVICE_USER"
expect_equal "…the purge's password, not the workers'" \
  "$(field "$report" 'repr(r["credentials"]["db-password"]["text"])')" "'the purge password\\n'"
if [[ $(field "$report" '" ".join(r["environment"])') == *FROM_THE_SHELL* ]]; then
  fail "the calling shell's environment reached the program"
else
  pass "nothing from the calling shell reaches the program"
fi
private=$(field "$report" 'r["credentials_directory"]')
expect_contains "credentials in a private directory under SWITCHBOARD_RUNTIME_DIR" "$private" \
  "$SCRATCH/run/switchboard-admin."
if [[ -e $private ]]; then fail "…still there after the program exited"; else pass "…removed once it exited"; fi

status=0
admin purge --dry-run >/dev/null </dev/null || status=$?
expect_equal "the program's exit status is the wrapper's" "$status" 1
mv "$SCRATCH/credentials/db-purge-password" "$SCRATCH/away"
status=0
output=$(admin purge 2>&1 </dev/null) || status=$?
expect_equal "without db-purge-password: status 2" "$status" 2
expect_contains "…naming it" "$output" "$SCRATCH/credentials/db-purge-password is missing"
finish
