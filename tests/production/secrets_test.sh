#!/usr/bin/env bash
# The built programs agree on the Twilio auth token. With an otherwise complete configuration, an empty or
# whitespace-only TWILIO_AUTH_TOKEN_FILE, the same in a systemd credentials directory, or a token that is not 32
# hex digits makes switchboard-fcgi (--nginx-fallback-locations, the unit's ExecStartPre= check), switchboard-notify,
# switchboard-admin (purge --dry-run) and switchboard-twilio (show) exit 2 before doing anything, with the same message naming the variable and never the
# token. switchboard-migrate and switchboard-users need only SWITCHBOARD_DB_*: they start without any Twilio setting
# and ignore a broken token, but refuse an empty SWITCHBOARD_DB_PASSWORD_FILE (or db-password credential) like the
# others. A valid token with a trailing newline
# is accepted by all (the control that proves the refusals come from the token).
#   secrets_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command python3 python3
require_command timeout coreutils

readonly TOKEN=c9f0f895fb98ab9159f51fd0297e236d
# Looks like a secret (an API key secret is 32 characters too, a SHA-1 40): refused, and must not be echoed.
readonly WRONG_TOKEN=da39a3ee5e6b4b0d3255bfef95601890afd80709
readonly NUMBER=+14155550100

fcgi=$BUILD/switchboard-fcgi
migrate=$BUILD/switchboard-migrate
users=$BUILD/switchboard-users
notify=$BUILD/switchboard-notify
twilio=$BUILD/tools/switchboard-twilio/switchboard-twilio
admin=$BUILD/switchboard-admin
for program in "$fcgi" "$migrate" "$users" "$notify" "$twilio" "$admin"; do
  [[ -x $program ]] || { echo "FAIL $program is not built"; exit 1; }
done

mkdir -p "$SCRATCH"/{files,state,no-credentials}
: >"$SCRATCH/files/empty"
printf ' \t\n  \n' >"$SCRATCH/files/blank"
printf '%s\n' "$TOKEN" >"$SCRATCH/files/good"
printf '%s\n' "$WRONG_TOKEN" >"$SCRATCH/files/wrong"
# credentials-NAME/twilio-auth-token holds what files/NAME holds, as systemd's LoadCredential= would hand it over.
for name in empty blank good wrong; do
  mkdir -p "$SCRATCH/credentials-$name"
  cp "$SCRATCH/files/$name" "$SCRATCH/credentials-$name/twilio-auth-token"
done
: >"$SCRATCH/empty.env"  # switchboard-twilio's --env-file: keeps a real /etc/switchboard/switchboard.env out

# Everything but the token. The database and the Twilio API are unreachable on purpose: a program that gets past
# its configuration fails later, differently (status 1, or still running for switchboard-notify).
api_port=$(free_port)
complete_env=(
  PATH=/usr/bin:/bin
  SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test
  TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
  SWITCHBOARD_FORWARD_TO=+14155550123
  SWITCHBOARD_DB_SOCKET="$SCRATCH/no-such-mysqld.sock"
  SWITCHBOARD_DB_USER=switchboard
  SWITCHBOARD_DB_NAME=switchboard
  SWITCHBOARD_STATE_DIR="$SCRATCH/state"
  SWITCHBOARD_SCHEMA_DIR="$SRC/schema"
  SWITCHBOARD_TWILIO_API_BASE="http://127.0.0.1:$api_port"
)

# run PROGRAM [VAR=value…]: PROGRAM (fcgi, migrate, users, notify, twilio, admin) with a clean environment, complete_env and the
# given variables; sets out, err (the message without the program's own prefix in message) and status.
# switchboard-notify runs until stopped when its configuration is good: `timeout` ends it (status 124).
run() {
  local program=$1
  shift
  local command
  case $program in
    fcgi) command=("$fcgi" --nginx-fallback-locations) ;;
    migrate) command=("$migrate") ;;
    users) command=("$users" list) ;;
    notify) command=(timeout 3 "$notify") ;;
    admin) command=("$admin" purge --dry-run) ;;
    twilio) command=("$twilio" --env-file "$SCRATCH/empty.env" --credentials-dir "$SCRATCH/no-credentials" show
                     --number "$NUMBER") ;;
  esac
  status=0
  env -i "${complete_env[@]}" "$@" "${command[@]}" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
  out=$(cat "$SCRATCH/out")
  err=$(cat "$SCRATCH/err")
  message=$(sed -n -e 's/^switchboard-[a-z]*: configuration error: //p' -e 's/^switchboard-twilio: //p' \
    "$SCRATCH/err" | head -1)
}

# expect_refused CASE VARIABLE SECRET [VAR=value…]: each of REFUSING (default: fcgi, notify, twilio, admin) exits 2 with
# one and the same message, which starts with VARIABLE, and prints neither SECRET nor anything on stdout.
expect_refused() {
  local case=$1 variable=$2 secret=$3
  shift 3
  local program first_message=""
  for program in ${REFUSING:-fcgi notify twilio admin}; do
    run "$program" "$@"
    expect_equal "$case: switchboard-$program exits 2" "$status" 2
    expect_contains "$case: switchboard-$program names $variable" "$message" "$variable: "
    expect_equal "$case: switchboard-$program prints nothing on stdout" "$out" ""
    if [[ -n $secret && ($out == *"$secret"* || $err == *"$secret"*) ]]; then
      fail "$case: switchboard-$program shows the token: $err"
    else
      pass "$case: switchboard-$program does not show the token"
    fi
    if [[ -z $first_message ]]; then
      first_message=$message
    else
      expect_equal "$case: switchboard-$program says what switchboard-fcgi says" "$message" "$first_message"
    fi
  done
  echo "     ($case: $first_message)"
}

# --- refusals --------------------------------------------------------------------------------------------------------
# A good credential is there too: an empty file must not quietly fall back to it (nor show it).
expect_refused "empty TWILIO_AUTH_TOKEN_FILE" TWILIO_AUTH_TOKEN_FILE "$TOKEN" \
  TWILIO_AUTH_TOKEN_FILE="$SCRATCH/files/empty" CREDENTIALS_DIRECTORY="$SCRATCH/credentials-good"
expect_contains "…saying it is empty" "$message" "'$SCRATCH/files/empty' is empty"
expect_refused "whitespace-only TWILIO_AUTH_TOKEN_FILE" TWILIO_AUTH_TOKEN_FILE "$TOKEN" \
  TWILIO_AUTH_TOKEN_FILE="$SCRATCH/files/blank" CREDENTIALS_DIRECTORY="$SCRATCH/credentials-good"
expect_contains "…saying it holds only whitespace" "$message" "holds only whitespace"
expect_refused "empty systemd credential" CREDENTIALS_DIRECTORY/twilio-auth-token "" \
  CREDENTIALS_DIRECTORY="$SCRATCH/credentials-empty"
expect_contains "…with its path" "$message" "'$SCRATCH/credentials-empty/twilio-auth-token' is empty"
expect_refused "whitespace-only systemd credential" CREDENTIALS_DIRECTORY/twilio-auth-token "" \
  CREDENTIALS_DIRECTORY="$SCRATCH/credentials-blank"
expect_refused "40 hex digits in TWILIO_AUTH_TOKEN_FILE" TWILIO_AUTH_TOKEN_FILE "$WRONG_TOKEN" \
  TWILIO_AUTH_TOKEN_FILE="$SCRATCH/files/wrong"
expect_contains "…saying what a token is" "$message" "does not hold a Twilio auth token (32 hex digits)"
expect_refused "40 hex digits in the systemd credential" CREDENTIALS_DIRECTORY/twilio-auth-token "$WRONG_TOKEN" \
  CREDENTIALS_DIRECTORY="$SCRATCH/credentials-wrong"
expect_refused "40 hex digits in TWILIO_AUTH_TOKEN" TWILIO_AUTH_TOKEN "$WRONG_TOKEN" TWILIO_AUTH_TOKEN="$WRONG_TOKEN"
expect_refused "no token anywhere" TWILIO_AUTH_TOKEN "" CREDENTIALS_DIRECTORY="$SCRATCH/credentials-none"
# switchboard-twilio has no use for the database; switchboard-migrate is below.
REFUSING="fcgi notify" expect_refused "empty SWITCHBOARD_DB_PASSWORD_FILE" SWITCHBOARD_DB_PASSWORD_FILE "$TOKEN" \
  TWILIO_AUTH_TOKEN_FILE="$SCRATCH/files/good" SWITCHBOARD_DB_PASSWORD_FILE="$SCRATCH/files/empty"

# --- the control: the same environment with a good token gets past the configuration ----------------------------------
for source in "TWILIO_AUTH_TOKEN_FILE=$SCRATCH/files/good" "CREDENTIALS_DIRECTORY=$SCRATCH/credentials-good"; do
  run fcgi "$source"
  expect_equal "good token (${source%%=*}, trailing newline): switchboard-fcgi prints the fallback" "$status" 0
  expect_contains "…TwiML" "$out" "<Response>"
  run notify "$source"
  expect_equal "good token (${source%%=*}): switchboard-notify runs until stopped" "$status" 124
  expect_equal "…without a configuration error" "$(grep -c 'configuration error' "$SCRATCH/err" || true)" 0
  run twilio "$source"
  expect_equal "good token (${source%%=*}): switchboard-twilio goes on to call the (absent) API" "$status" 1
  expect_contains "…and says it cannot reach it" "$err" "cannot reach http://127.0.0.1:$api_port"
  if [[ $out$err == *"$TOKEN"* ]]; then fail "…showing the token"; else pass "…without showing the token"; fi
  run admin "$source" SWITCHBOARD_RETAIN_CALLS_DAYS=30  # with no limit it has nothing to ask the database
  expect_equal "good token (${source%%=*}): switchboard-admin goes on to the (absent) database" "$status" 3
  expect_contains "…and says so" "$err" "the database is unavailable"
done

# --- switchboard-migrate: the database settings only -----------------------------------------------------------------
status=0
env -i PATH=/usr/bin:/bin SWITCHBOARD_DB_SOCKET="$SCRATCH/no-such-mysqld.sock" SWITCHBOARD_DB_USER=switchboard_migrate \
  SWITCHBOARD_DB_NAME=switchboard "$migrate" --schema-dir "$SRC/schema" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
err=$(cat "$SCRATCH/err")
expect_equal "switchboard-migrate with only SWITCHBOARD_DB_* gets to the database (status 1, not 2)" "$status" 1
expect_contains "…and reports the database" "$err" "switchboard-migrate: database error"
for case in "TWILIO_AUTH_TOKEN_FILE=$SCRATCH/files/empty" "CREDENTIALS_DIRECTORY=$SCRATCH/credentials-empty" \
  "TWILIO_AUTH_TOKEN=$WRONG_TOKEN"; do
  run migrate "$case"
  expect_equal "switchboard-migrate ignores the token (${case%%=*}): it gets to the database" "$status" 1
  expect_equal "…without a word about Twilio" "$(grep -c TWILIO "$SCRATCH/err" || true)" 0
done
run migrate TWILIO_AUTH_TOKEN_FILE="$SCRATCH/files/good" SWITCHBOARD_DB_PASSWORD_FILE="$SCRATCH/files/empty"
expect_equal "switchboard-migrate refuses an empty SWITCHBOARD_DB_PASSWORD_FILE" "$status" 2
expect_contains "…naming it" "$message" "SWITCHBOARD_DB_PASSWORD_FILE: '$SCRATCH/files/empty' is empty"

# --- switchboard-users: the database settings only, like switchboard-migrate ----------------------------------------
# Status 3 is "the database is unavailable": it got past its configuration.
status=0
env -i PATH=/usr/bin:/bin SWITCHBOARD_DB_SOCKET="$SCRATCH/no-such-mysqld.sock" SWITCHBOARD_DB_USER=switchboard \
  SWITCHBOARD_DB_NAME=switchboard "$users" list >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_equal "switchboard-users with only SWITCHBOARD_DB_* gets to the database (status 3, not 2)" "$status" 3
expect_contains "…and reports the database" "$(cat "$SCRATCH/err")" "switchboard-users: the database is unavailable"
for case in "TWILIO_AUTH_TOKEN_FILE=$SCRATCH/files/empty" "CREDENTIALS_DIRECTORY=$SCRATCH/credentials-empty" \
  "TWILIO_AUTH_TOKEN=$WRONG_TOKEN"; do
  run users "$case"
  expect_equal "switchboard-users ignores the token (${case%%=*}): it gets to the database" "$status" 3
  expect_equal "…without a word about Twilio" "$(grep -c TWILIO "$SCRATCH/err" || true)" 0
done
run users SWITCHBOARD_DB_PASSWORD_FILE="$SCRATCH/files/empty"
expect_equal "switchboard-users refuses an empty SWITCHBOARD_DB_PASSWORD_FILE" "$status" 2
expect_contains "…naming it" "$message" "SWITCHBOARD_DB_PASSWORD_FILE: '$SCRATCH/files/empty' is empty"
mkdir -p "$SCRATCH/credentials-db-empty"
: >"$SCRATCH/credentials-db-empty/db-password"
run users CREDENTIALS_DIRECTORY="$SCRATCH/credentials-db-empty"
expect_equal "switchboard-users refuses an empty db-password credential (what its wrapper hands over)" "$status" 2
expect_contains "…naming it" "$message" "CREDENTIALS_DIRECTORY/db-password: '$SCRATCH/credentials-db-empty/db-password' is empty"

finish
