#!/usr/bin/env bash
# The switchboard-routing wrapper (packaging/), run as root as an operator runs it, around a stand-in for the program
# (a script that reports what it was given: the real one needs the database, and is tested with it elsewhere):
#   1. the program runs as the service user (SWITCHBOARD_SERVICE_USER; `nobody` here, `switchboard` in production),
#      not root, so that the routing snapshot it writes belongs to the user the workers run as;
#   2. it gets exactly what the units give the workers: the env file's settings after the unit's default state
#      directory, CREDENTIALS_DIRECTORY with db-password, twilio-auth-token (and notify-webhook-secret when there is
#      one) readable by that user only, SUDO_USER (root without sudo), nothing else from the calling shell; the
#      private copy of the credentials is gone when the program exits;
#   3. `set FILE` reads FILE as root (here from a directory only root may enter) and hands it over on standard input;
#      `set -` passes standard input through;
#   4. the program's exit status is the wrapper's; a missing credential or env file is refused with status 2.
#   routing_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command setpriv util-linux
require_command python3 python3

wrapper=$SRC/packaging/switchboard-routing
if [[ $(id -u) -ne 0 ]]; then
  status=0
  output=$(SWITCHBOARD_ROUTING_PROGRAM=/bin/true "$wrapper" show 2>&1) || status=$?
  expect_equal "not root: refused with status 2" "$status" 2
  expect_contains "…saying to run it as root" "$output" "run it as root"
  echo "skip the rest (needs root to switch to the service user)"
  finish
  exit 0
fi

readonly SERVICE_USER=nobody
service_group=$(id -gn "$SERVICE_USER")
chmod 755 "$SCRATCH"  # the service user reaches the stand-in, the state directory and the private credentials
mkdir -p "$SCRATCH"/{credentials,state,run,secret}
chmod 700 "$SCRATCH/credentials" "$SCRATCH/secret"
chown "$SERVICE_USER:$service_group" "$SCRATCH/state"
printf '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n' >"$SCRATCH/credentials/twilio-auth-token"
printf 'database password\n' >"$SCRATCH/credentials/db-password"
chmod 600 "$SCRATCH"/credentials/*
cat >"$SCRATCH/switchboard.env" <<ENV
SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test
SWITCHBOARD_COMPANY_NAME="Mac's Plumbing"
SWITCHBOARD_STATE_DIR=$SCRATCH/state
ENV
grep -v '^SWITCHBOARD_STATE_DIR=' "$SCRATCH/switchboard.env" >"$SCRATCH/no-state-dir.env"
chmod 600 "$SCRATCH"/*.env

# The stand-in: its report as JSON on stdout, a snapshot written where the real program writes it.
cat >"$SCRATCH/switchboard-routing" <<'PY'
#!/usr/bin/env python3
import json, os, pwd, stat, sys
credentials = os.environ.get("CREDENTIALS_DIRECTORY", "")
found = {}
for name in sorted(os.listdir(credentials)) if credentials else []:
    path = os.path.join(credentials, name)
    info = os.stat(path)
    found[name] = {"text": open(path).read(), "mode": oct(stat.S_IMODE(info.st_mode)),
                   "owner": pwd.getpwuid(info.st_uid).pw_name}
if os.path.isdir(os.environ["SWITCHBOARD_STATE_DIR"]):
    with open(os.path.join(os.environ["SWITCHBOARD_STATE_DIR"], "routing.json"), "w") as f:
        f.write('{"version":1}\n')
print(json.dumps({"user": pwd.getpwuid(os.getuid()).pw_name, "args": sys.argv[1:], "cwd": os.getcwd(),
                  "stdin": sys.stdin.read(),
                  # LC_CTYPE: Python sets it itself in a C locale (PEP 538), it does not come from the wrapper.
                  "environment": sorted(k for k in os.environ if k != "LC_CTYPE"),
                  "env": {k: os.environ[k] for k in ("SWITCHBOARD_STATE_DIR", "SWITCHBOARD_COMPANY_NAME", "SUDO_USER")
                          if k in os.environ},
                  "credentials_directory": credentials, "credentials": found}))
sys.exit(int(os.environ.get("SWITCHBOARD_PUBLIC_BASE_URL", "").endswith("/exit3")) * 3)
PY
chmod 755 "$SCRATCH/switchboard-routing"

routing() {
  env -u SUDO_USER FROM_THE_SHELL=leak SWITCHBOARD_ENV_FILE=${env_file:-$SCRATCH/switchboard.env} \
    SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials SWITCHBOARD_ROUTING_PROGRAM=$SCRATCH/switchboard-routing \
    SWITCHBOARD_SERVICE_USER="${service_user:-$SERVICE_USER}" SWITCHBOARD_RUNTIME_DIR="$SCRATCH/run" \
    ${sudo_user:+SUDO_USER=$sudo_user} \
    "$wrapper" "$@"
}
# field JSON EXPRESSION: a Python expression over the report `r`.
field() { python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# --- 1, 2: who runs, with what ---------------------------------------------------------------------------------------
status=0
report=$(routing show </dev/null) || status=$?
expect_equal "show: status 0" "$status" 0
expect_equal "the program runs as the service user, not root" "$(field "$report" 'r["user"]')" "$SERVICE_USER"
expect_equal "…in /, not the caller's directory (which that user may not enter)" "$(field "$report" 'r["cwd"]')" /
expect_equal "…with its arguments" "$(field "$report" 'r["args"]')" "['show']"
expect_equal "the snapshot it writes belongs to the service user" \
  "$(stat -c %U "$SCRATCH/state/routing.json")" "$SERVICE_USER"
expect_equal "the env file's settings, its state directory over the unit's default" \
  "$(field "$report" 'r["env"]["SWITCHBOARD_STATE_DIR"] + " | " + r["env"]["SWITCHBOARD_COMPANY_NAME"]')" \
  "$SCRATCH/state | Mac's Plumbing"
expect_equal "…and without one in the env file, the unit's (where switchboard-routing.path looks)" \
  "$(field "$(env_file=$SCRATCH/no-state-dir.env routing show </dev/null)" 'r["env"]["SWITCHBOARD_STATE_DIR"]')" \
  /var/lib/switchboard
expect_equal "nothing from the calling shell: PATH, SUDO_USER (root without sudo), the credentials, the env file" \
  "$(field "$report" '" ".join(r["environment"]) + " | " + r["env"]["SUDO_USER"]')" \
  "CREDENTIALS_DIRECTORY PATH SUDO_USER SWITCHBOARD_COMPANY_NAME SWITCHBOARD_PUBLIC_BASE_URL SWITCHBOARD_STATE_DIR |"\
" root"
expect_equal "the workers' two credentials, readable by the service user only" \
  "$(field "$report" '"; ".join(n + " " + c["mode"] + " " + c["owner"] for n, c in r["credentials"].items())')" \
  "db-password 0o400 $SERVICE_USER; twilio-auth-token 0o400 $SERVICE_USER"
expect_equal "…as written" "$(field "$report" 'repr(r["credentials"]["db-password"]["text"])')" "'database password\\n'"
private=$(field "$report" 'r["credentials_directory"]')
expect_contains "…in a private directory under SWITCHBOARD_RUNTIME_DIR" "$private" "$SCRATCH/run/switchboard-routing."
if [[ -e $private ]]; then fail "…which is still there after the program exited"; else pass "…removed once it exited"; fi

printf 'a webhook secret, long enough\n' >"$SCRATCH/credentials/notify-webhook-secret"
chmod 600 "$SCRATCH/credentials/notify-webhook-secret"
report=$(sudo_user=alice routing history 5 </dev/null)
expect_equal "with a notification webhook: its secret too (every worker checks the whole configuration)" \
  "$(field "$report" '" ".join(r["credentials"])')" "db-password notify-webhook-secret twilio-auth-token"
expect_equal "SUDO_USER names the person" "$(field "$report" 'r["env"]["SUDO_USER"]')" alice
rm "$SCRATCH/credentials/notify-webhook-secret"

# --- 3: set FILE, set - ----------------------------------------------------------------------------------------------
printf '{"forward": "from a file only root can read"}\n' >"$SCRATCH/secret/routing.json"
chmod 600 "$SCRATCH/secret/routing.json"
report=$(routing set "$SCRATCH/secret/routing.json" </dev/null)
expect_equal "set FILE: the program is told to read standard input" "$(field "$report" 'r["args"]')" "['set', '-']"
expect_equal "…which holds FILE, read as root" "$(field "$report" 'r["stdin"]')" \
  '{"forward": "from a file only root can read"}'
report=$(printf 'piped\n' | routing set -)
expect_equal "set -: standard input passed through" "$(field "$report" 'r["args"] + [r["stdin"]]')" \
  "['set', '-', 'piped\\n']"
status=0
output=$(routing set "$SCRATCH/no-such-file" 2>&1 </dev/null) || status=$?
expect_equal "set with a file that cannot be read: status 2" "$status" 2
expect_contains "…naming it" "$output" "cannot read $SCRATCH/no-such-file"

# --- 4: exit status, refusals ----------------------------------------------------------------------------------------
sed 's#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test/exit3#' \
  "$SCRATCH/switchboard.env" >"$SCRATCH/exit3.env"
chmod 600 "$SCRATCH/exit3.env"
status=0
env_file=$SCRATCH/exit3.env routing show >/dev/null </dev/null || status=$?
expect_equal "the program's exit status is the wrapper's" "$status" 3
mv "$SCRATCH/credentials/twilio-auth-token" "$SCRATCH/twilio-auth-token.away"
status=0
output=$(routing show 2>&1 </dev/null) || status=$?
expect_equal "without the twilio-auth-token credential: status 2" "$status" 2
expect_contains "…naming it" "$output" "$SCRATCH/credentials/twilio-auth-token is missing"
mv "$SCRATCH/twilio-auth-token.away" "$SCRATCH/credentials/twilio-auth-token"
status=0
output=$(env_file=$SCRATCH/no-such.env routing show 2>&1 </dev/null) || status=$?
expect_equal "without the env file: status 2" "$status" 2
expect_contains "…naming it" "$output" "cannot read $SCRATCH/no-such.env"
status=0
output=$(service_user=no-such-user-here routing show 2>&1 </dev/null) || status=$?
expect_equal "without the service user: status 2" "$status" 2
expect_equal "no private credentials left behind" "$(find "$SCRATCH/run" -mindepth 1 | wc -l)" 0

finish
