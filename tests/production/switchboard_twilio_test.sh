#!/usr/bin/env bash
# switchboard-twilio against the fake Twilio REST API (tools/fake-twilio) on loopback: configure sends exactly the
# six voice fields plus VoiceReceiveMode=voice and ApiVersion=2010-04-01 with basic auth, to the number that matches
# exactly (Twilio's filter also matches partially); show reads them back; a number on API version 2008-08-01 or in
# fax mode is shown as not pointing at the server and is set right by configure, which says what it changed; the
# caller-name lookup changes only with --caller-name-lookup on|off (kept as it is otherwise, off on a new number);
# a TwiML app is detached, a SIP trunk refused; http:// base URLs, a wrong token, a token not in Twilio's format and
# an unknown number fail clearly, without an update reaching Twilio.
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
readonly LEGACY=+14155550133        # on the 2008-08-01 API: other webhook parameters
readonly FAX=+14155550144           # in fax mode: Twilio ignores its voice URLs
readonly LOOKING_UP=+14155550155    # caller-name lookup already on (turned on in the console)
tool=$BUILD/tools/switchboard-twilio/switchboard-twilio
[[ -x $tool ]] || { echo "FAIL $tool is not built"; exit 1; }

port=$(free_port)
mkdir -p "$SCRATCH/credentials" "$SCRATCH/fake"
printf '%s\n' "$TOKEN" >"$SCRATCH/credentials/twilio-auth-token"
python3 "$SRC/tools/fake-twilio/fake_twilio.py" --port "$port" --dir "$SCRATCH/fake" --account-sid "$ACCOUNT" \
  --auth-token-file "$SCRATCH/credentials/twilio-auth-token" --incoming-number "$NUMBER" \
  --incoming-number "$DECOY" --incoming-number "$WITH_APP,voice_application_sid=$APP_SID" \
  --incoming-number "$WITH_TRUNK,trunk_sid=TK0123456789abcdef0123456789abcdef" \
  --incoming-number "$LEGACY,api_version=2008-08-01" --incoming-number "$FAX,voice_receive_mode=fax" \
  --incoming-number "$LOOKING_UP,voice_caller_id_lookup=true" \
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
  "[('ApiVersion', '2010-04-01'), ('StatusCallback', '$BASE/twilio/call-status'), ('StatusCallbackMethod', 'POST'), ('VoiceFallbackMethod', 'POST'), ('VoiceFallbackUrl', '$BASE/twilio/voice'), ('VoiceMethod', 'POST'), ('VoiceReceiveMode', 'voice'), ('VoiceUrl', '$BASE/twilio/voice')]"
expect_equal "…a number already right is not announced as changed" \
  "$(grep -c '^Setting\|^Turning' <<<"$out" || true)" 0
expect_equal "basic auth with the account SID and the credential's token on every request" \
  "$(py 'sorted(set(r["authorization"] for r in requests if r["path"].startswith("/2010-04-01/")))')" \
  "['Basic $(printf '%s:%s' "$ACCOUNT" "$TOKEN" | base64 -w0)']"

# --- show ------------------------------------------------------------------------------------------------------------
run_tool show --number "$NUMBER"
expect_equal "show exits 0" "$status" 0
expect_contains "show: voice URL" "$out" "VoiceUrl              POST $BASE/twilio/voice"
expect_contains "show: fallback URL" "$out" "VoiceFallbackUrl      POST $BASE/twilio/voice"
expect_contains "show: status callback" "$out" "StatusCallback        POST $BASE/twilio/call-status"
expect_contains "show: receive mode" "$out" "VoiceReceiveMode      voice"
expect_contains "show: API version" "$out" "ApiVersion            2010-04-01"
expect_contains "show: caller-name lookup, off on a new number" "$out" "VoiceCallerIdLookup   off"
expect_contains "show: points at the server" "$out" "Points at $BASE."
run_tool show --number "$DECOY"
expect_contains "the partially matching number was left alone" "$out" \
  "VoiceUrl              POST https://demo.twilio.com/welcome/voice/"
expect_contains "show tells when a number does not point at the server" "$out" "Does not point at $BASE"

# --- the API version and the receive mode: shown as wrong, set by configure ---------------------------------------------
# last_form FIELD: FIELD in the last update's form ("absent" when it was not sent).
last_form() { py "form([r for r in requests if r['method'] == 'POST'][-1]).get('$1', 'absent')"; }
run_tool show --number "$LEGACY"
expect_contains "show: a number on 2008-08-01 says so" "$out" "ApiVersion            2008-08-01"
expect_contains "…and does not point at the server" "$out" "ApiVersion is '2008-08-01', expected '2010-04-01'"
run_tool configure --number "$LEGACY"
expect_equal "configure a number on the 2008-08-01 API" "$status" 0
expect_equal "…sets ApiVersion=2010-04-01" "$(last_form ApiVersion)" 2010-04-01
expect_contains "…and says it changed it" "$out" "Setting ApiVersion to 2010-04-01 (was 2008-08-01"
run_tool show --number "$LEGACY"
expect_contains "…which Twilio now reports" "$out" "ApiVersion            2010-04-01"
expect_contains "…and the number points at the server" "$out" "Points at $BASE."

run_tool show --number "$FAX"
expect_contains "show: a number in fax mode is not pointing at the server" "$out" \
  "VoiceReceiveMode is 'fax', expected 'voice'"
run_tool configure --number "$FAX"
expect_equal "configure a number in fax mode" "$status" 0
expect_equal "…sets VoiceReceiveMode=voice" "$(last_form VoiceReceiveMode)" voice
expect_contains "…and says why" "$out" "Setting VoiceReceiveMode to voice (was fax; a number in fax mode ignores its voice URLs)"
run_tool show --number "$FAX"
expect_contains "…which Twilio now reports" "$out" "VoiceReceiveMode      voice"

# --- caller-name lookup: only on request ---------------------------------------------------------------------------
expect_equal "configure without --caller-name-lookup does not send VoiceCallerIdLookup" \
  "$(last_form VoiceCallerIdLookup)" absent
run_tool configure --number "$NUMBER" --caller-name-lookup on
expect_equal "configure --caller-name-lookup on" "$status" 0
expect_equal "…sends VoiceCallerIdLookup=true" "$(last_form VoiceCallerIdLookup)" true
expect_contains "…and says what it costs" "$out" "Twilio bills every lookup"
run_tool show --number "$NUMBER"
expect_contains "show: lookup on, with its cost" "$out" \
  "VoiceCallerIdLookup   on (caller names in the feed; Twilio bills each lookup)"
expect_contains "…still pointing at the server" "$out" "Points at $BASE."
run_tool configure --number "$NUMBER"
expect_equal "configure again without the flag leaves it alone" "$(last_form VoiceCallerIdLookup)" absent
run_tool show --number "$NUMBER"
expect_contains "…so it stays on" "$out" "VoiceCallerIdLookup   on"
run_tool configure --number "$NUMBER" --caller-name-lookup off
expect_equal "configure --caller-name-lookup off sends false" "$(last_form VoiceCallerIdLookup)" false
expect_contains "…and says so" "$out" "Turning caller-name lookup off."
run_tool show --number "$NUMBER"
expect_contains "…and Twilio reports it off" "$out" "VoiceCallerIdLookup   off"
run_tool configure --number "$LOOKING_UP"
expect_equal "a lookup turned on in the console survives configure" "$(last_form VoiceCallerIdLookup)" absent
expect_contains "…and is shown" "$out" "VoiceCallerIdLookup   on"
posts=$(post_count)
run_tool configure --number "$NUMBER" --caller-name-lookup yes
expect_equal "--caller-name-lookup takes on or off only (usage, status 2)" "$status" 2
expect_contains "…saying so" "$err" "--caller-name-lookup takes on or off, not 'yes'"
run_tool show --number "$NUMBER" --caller-name-lookup on
expect_equal "--caller-name-lookup with show is a usage error" "$status" 2
expect_equal "…neither reaches Twilio with an update" "$(post_count)" "$posts"

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

# --- two hosts: the fallback on host B, connection overrides on the voice URL and the status callback ----------------
readonly HOST_B=https://voice-b.example.com
EXTRA_ENV="SWITCHBOARD_TWILIO_URL_OVERRIDES=ct=1000&rc=2&rp=ct,rt" run_tool configure --number "$NUMBER" \
  --fallback-base-url "$HOST_B/"
expect_equal "configure with a fallback host exits 0" "$status" 0
expect_contains "…says where failed requests go" "$out" \
  "Configured: calls to $NUMBER now reach $BASE, and $HOST_B when a request there fails."
expect_equal "…the update's URLs: the fallback on host B, the overrides as a fragment of the balancer's URLs" \
  "$(py '[form([r for r in requests if r["method"] == "POST"][-1])[k] for k in ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback")]')" \
  "['$BASE/twilio/voice#ct=1000&rc=2&rp=ct,rt', '$HOST_B/twilio/voice', '$BASE/twilio/call-status#ct=1000&rc=2&rp=ct,rt']"
EXTRA_ENV="SWITCHBOARD_TWILIO_URL_OVERRIDES=ct=1000&rc=2&rp=ct,rt SWITCHBOARD_FALLBACK_BASE_URL=$HOST_B" \
  run_tool show --number "$NUMBER"
expect_contains "show with the same settings: points at the server" "$out" "Points at $BASE."
run_tool show --number "$NUMBER"
expect_contains "show without them: the fallback differs" "$out" "Does not point at $BASE"
posts=$(post_count)
EXTRA_ENV="SWITCHBOARD_TWILIO_URL_OVERRIDES=rc=9" run_tool configure --number "$NUMBER"
expect_equal "an override out of Twilio's range is a settings error" "$status" 2
expect_contains "…naming it" "$err" "SWITCHBOARD_TWILIO_URL_OVERRIDES: 'rc=9'"
expect_equal "…and updates nothing" "$(post_count)" "$posts"
run_tool show --number "$NUMBER" --fallback-base-url "$HOST_B"
expect_equal "--fallback-base-url goes with configure only" "$status" 2
run_tool configure --number "$NUMBER"
expect_equal "configure again without them: one host" "$(py 'form([r for r in requests if r["method"] == "POST"][-1])["VoiceFallbackUrl"]')" \
  "$BASE/twilio/voice"

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
