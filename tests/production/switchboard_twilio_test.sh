#!/usr/bin/env bash
# switchboard-twilio against the fake Twilio REST API (tools/fake-twilio) on loopback: configure sends exactly the
# six voice fields with basic auth, to the number that matches exactly (Twilio's filter also matches partially);
# show reads them back; a TwiML app is detached, a SIP trunk refused; http:// base URLs, a wrong token, a token not
# in Twilio's format and an unknown number fail clearly, without an update reaching Twilio.
#   switchboard_twilio_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command python3 python3
require_command curl curl

readonly ACCOUNT=AC0123456789abcdef0123456789abcdef
readonly TOKEN=0f1e2d3c4b5a69788796a5b4c3d2e1f0  # Twilio's format: 32 hex digits
readonly BASE=https://voice.example.test
readonly NUMBER=+14155550100
readonly DECOY=+141555501001        # PhoneNumber=+14155550100 matches it too
readonly WITH_APP=+14155550111
readonly APP_SID=AP0123456789abcdef0123456789abcdef
readonly WITH_TRUNK=+14155550122
tool=$BUILD/tools/switchboard-twilio/switchboard-twilio
[[ -x $tool ]] || { echo "FAIL $tool is not built"; exit 1; }

port=$(free_port)
mkdir -p "$SCRATCH/credentials" "$SCRATCH/fake"
printf '%s\n' "$TOKEN" >"$SCRATCH/credentials/twilio-auth-token"
python3 "$SRC/tools/fake-twilio/fake_twilio.py" --port "$port" --dir "$SCRATCH/fake" --account-sid "$ACCOUNT" \
  --auth-token-file "$SCRATCH/credentials/twilio-auth-token" --incoming-number "$NUMBER" \
  --incoming-number "$DECOY" --incoming-number "$WITH_APP,voice_application_sid=$APP_SID" \
  --incoming-number "$WITH_TRUNK,trunk_sid=TK0123456789abcdef0123456789abcdef" \
  >"$SCRATCH/fake.log" 2>&1 &
STARTED_PIDS+=("$!")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
requests=$SCRATCH/fake/requests.jsonl

# The workers' environment file, as on the server (the token comes from the credentials directory), read with
# systemd's EnvironmentFile= rules: comments, spaces around '=', quotes.
cat >"$SCRATCH/switchboard.env" <<ENV
# Switchboard
; also a comment
SWITCHBOARD_PUBLIC_BASE_URL=$BASE
  TWILIO_ACCOUNT_SID = "$ACCOUNT"  
SWITCHBOARD_COMPANY_NAME=Acme Plumbing & Sons
SWITCHBOARD_TWILIO_API_BASE=http://127.0.0.1:$port
SWITCHBOARD_FORWARD_TO=+14155550123
ENV

# run_tool ARGS…: the tool with a clean environment, the env file and the credentials; sets out, err, status.
run_tool() {
  status=0
  env -i PATH=/usr/bin:/bin ${EXTRA_ENV:-} "$tool" --env-file "$SCRATCH/switchboard.env" \
    --credentials-dir "$SCRATCH/credentials" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
  out=$(cat "$SCRATCH/out")
  err=$(cat "$SCRATCH/err")
}
request_count() { [[ -f $requests ]] && wc -l <"$requests" || echo 0; }
post_count() { [[ -f $requests ]] && grep -c '"method": "POST"' "$requests" || true; }

# py EXPRESSION: evaluates EXPRESSION with `requests` = the fake's log (a list of dicts) and prints the result.
py() {
  python3 - "$requests" "$1" <<'PY'
import json, sys, urllib.parse
requests = [json.loads(line) for line in open(sys.argv[1])]
form = lambda r: {k: v[0] for k, v in urllib.parse.parse_qs(r["body"], keep_blank_values=True).items()}
print(eval(sys.argv[2]))
PY
}

# --- configure ---------------------------------------------------------------------------------------------------------
run_tool configure --number "$NUMBER"
expect_equal "configure exits 0" "$status" 0
expect_contains "configure says where calls go" "$out" "Configured: calls to $NUMBER now reach $BASE."
pn_sid=PN$(printf '%s' "$NUMBER" | md5sum | cut -c1-32)
expect_equal "looked the number up by PhoneNumber" \
  "$(py '[r["path"] for r in requests if r["method"] == "GET"][-1]')" \
  "/2010-04-01/Accounts/$ACCOUNT/IncomingPhoneNumbers.json?PhoneNumber=%2B14155550100&PageSize=50"
expect_equal "one update, to the exact number's resource" \
  "$(py '[r["path"] for r in requests if r["method"] == "POST"]')" \
  "['/2010-04-01/Accounts/$ACCOUNT/IncomingPhoneNumbers/$pn_sid.json']"
expect_equal "the update's form fields, exactly" \
  "$(py 'sorted(form([r for r in requests if r["method"] == "POST"][-1]).items())')" \
  "[('StatusCallback', '$BASE/twilio/call-status'), ('StatusCallbackMethod', 'POST'), ('VoiceFallbackMethod', 'POST'), ('VoiceFallbackUrl', '$BASE/twilio/voice'), ('VoiceMethod', 'POST'), ('VoiceUrl', '$BASE/twilio/voice')]"
expect_equal "basic auth with the account SID and the credential's token on every request" \
  "$(py 'sorted(set(r["authorization"] for r in requests if r["path"].startswith("/2010-04-01/")))')" \
  "['Basic $(printf '%s:%s' "$ACCOUNT" "$TOKEN" | base64 -w0)']"

# --- show ------------------------------------------------------------------------------------------------------------
run_tool show --number "$NUMBER"
expect_equal "show exits 0" "$status" 0
expect_contains "show: voice URL" "$out" "VoiceUrl              POST $BASE/twilio/voice"
expect_contains "show: fallback URL" "$out" "VoiceFallbackUrl      POST $BASE/twilio/voice"
expect_contains "show: status callback" "$out" "StatusCallback        POST $BASE/twilio/call-status"
expect_contains "show: points at the server" "$out" "Points at $BASE."
run_tool show --number "$DECOY"
expect_contains "the partially matching number was left alone" "$out" \
  "VoiceUrl              POST https://demo.twilio.com/welcome/voice/"
expect_contains "show tells when a number does not point at the server" "$out" "Does not point at $BASE"

# --- a TwiML app is detached, a trunk refused --------------------------------------------------------------------------
run_tool configure --number "$WITH_APP"
expect_equal "configure a number with a TwiML app" "$status" 0
expect_equal "…clears VoiceApplicationSid, or Twilio would ignore the URLs" \
  "$(py 'form([r for r in requests if r["method"] == "POST"][-1]).get("VoiceApplicationSid")')" ""
expect_contains "…and says so" "$out" "Detaching the TwiML app $APP_SID"
posts=$(post_count)
run_tool configure --number "$WITH_TRUNK"
expect_equal "a number on a SIP trunk is refused" "$status" 1
expect_contains "…with the reason" "$err" "SIP trunk TK0123456789abcdef0123456789abcdef"
expect_equal "…and not updated" "$(post_count)" "$posts"

# --- refusals ----------------------------------------------------------------------------------------------------------
before=$(request_count)
run_tool configure --number "$NUMBER" --base-url http://voice.example.test
expect_equal "--base-url http:// refused (usage/settings status 2)" "$status" 2
expect_contains "…naming the flag and https" "$err" "--base-url: 'http://voice.example.test' must be an https:// origin"
sed -i "s#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=http://voice.example.test#" "$SCRATCH/switchboard.env"
run_tool configure --number "$NUMBER"
expect_equal "SWITCHBOARD_PUBLIC_BASE_URL=http:// refused" "$status" 2
expect_contains "…naming the variable" "$err" "SWITCHBOARD_PUBLIC_BASE_URL: 'http://voice.example.test' must be an https:// origin"
sed -i "s#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=$BASE#" "$SCRATCH/switchboard.env"
expect_equal "a refused base URL reaches Twilio with nothing" "$(request_count)" "$before"

EXTRA_ENV="SWITCHBOARD_TWILIO_API_BASE=http://api.example.test" run_tool show --number "$NUMBER"
expect_equal "plain http to a non-loopback API refused (basic auth in clear)" "$status" 2

posts=$(post_count)
# Well-formed (32 hex digits) but not the account's: Twilio, not the tool, refuses it.
EXTRA_ENV="TWILIO_AUTH_TOKEN=ffffffffffffffffffffffffffffffff" run_tool configure --number "$NUMBER"
expect_equal "a wrong token fails with status 1" "$status" 1
expect_contains "…reporting Twilio's 401" "$err" "HTTP 401, code 20003: Authenticate"
expect_contains "…and what to check" "$err" "check TWILIO_ACCOUNT_SID and the auth token"
expect_equal "…and updates nothing" "$(post_count)" "$posts"

before=$(request_count)
EXTRA_ENV="TWILIO_AUTH_TOKEN=wrong-token" run_tool show --number "$NUMBER"
expect_equal "a token not in Twilio's format is a settings error (status 2)" "$status" 2
expect_contains "…in the workers' words" "$err" "TWILIO_AUTH_TOKEN: is not a Twilio auth token (32 hex digits)"
expect_equal "…and is never sent to Twilio" "$(request_count)" "$before"

run_tool configure --number +14155550199
expect_equal "an unknown number fails with status 1" "$status" 1
expect_contains "…saying so" "$err" "+14155550199 is not a phone number of account $ACCOUNT"
run_tool configure --number 4155550100
expect_equal "a number not in E.164 is a usage error" "$status" 2

rm "$SCRATCH/credentials/twilio-auth-token"
run_tool show --number "$NUMBER"
expect_equal "no token anywhere is a settings error" "$status" 2
expect_contains "…naming where it looked" "$err" "$SCRATCH/credentials/twilio-auth-token"

finish
