#!/usr/bin/env bash
# The production nginx site, rendered by the real switchboard-render-nginx from nginx/*.conf.in with a throwaway
# certificate and a configuration like production's (the fallbacks hold the real forward number):
#   1. the render script's own `nginx -t` passes, through a test-only nginx.conf that includes the rendered site;
#   2. the five rendered files say what production needs (paths, TLS, limits, the per-step fallbacks and how they
#      escape the configuration for nginx);
#   3. --check notices a stale fallback; a site nginx rejects is rolled back, every file; a bad configuration is
#      refused with its variable named;
#   4. the site really serves, on loopback ports, with no worker behind it: the redirect, ACME challenges, each Twilio
#      step's own fallback (TwiML parsed), callbacks acknowledged, signed requests kept for the workers in the state
#      directory's spool/nginx (not while keeping-paused exists), unsigned ones refused and never kept, health 503,
#      HSTS, TLS 1.2+ only, the body limit, the feed's own 503 JSON while its pool is down, the page sent to the
#      sign-in without a session cookie, the API's OpenAPI document public with the site's security headers;
#   4b. routing is data: a routing snapshot with two targets (written as the workers write it) makes --check say the
#      fallbacks are stale, and --reload renders them and reloads the running nginx gracefully (same master): the
#      fallback <Dial> rings both <Number>s for the ring time; away on, the away message and no <Dial>; a snapshot
#      the workers would refuse changes nothing; one saved while the render runs is rendered too;
#   5. then with real workers on the two sockets (no database): /api/ reaches the feed pool, which asks for a session
#      (JSON 401, never a basic-auth challenge: nginx checks no passwords), /readyz is the feed pool's, /metrics
#      answers this host (127.0.0.1) and refuses another address (127.0.0.2, still loopback).
#   nginx_site_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command nginx nginx
require_command openssl openssl
require_command curl curl

readonly SERVER=voice.example.test
readonly FORWARD_TO=+14155550123
readonly ACCOUNT=AC0123456789abcdef0123456789abcdef
# What the env file's company name must be once nginx has served it and the XML is parsed: nothing lost or expanded.
readonly COMPANY="Mac's Plumbing \\ \$HOME & Sons"
# Well-formed X-Twilio-Signature (base64 of 20 bytes): nginx lets it through to the workers, or keeps the request.
readonly SIGNATURE=AAAAAAAAAAAAAAAAAAAAAAAAAAA=
render_script=$SRC/packaging/switchboard-render-nginx

mkdir -p "$SCRATCH"/{tls,credentials,out,logs,tmp,acme/.well-known/acme-challenge,state/spool/nginx,state/recordings}
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$SERVER" -addext "subjectAltName=DNS:$SERVER" \
  -keyout "$SCRATCH/tls/privkey.pem" -out "$SCRATCH/tls/fullchain.pem" >/dev/null 2>&1
printf '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n' >"$SCRATCH/credentials/twilio-auth-token"  # 32 hex, as Twilio's
# systemd EnvironmentFile= syntax, with what must survive the trip into an nginx single-quoted string.
cat >"$SCRATCH/switchboard.env" <<ENV
# a comment
SWITCHBOARD_PUBLIC_BASE_URL=https://$SERVER
TWILIO_ACCOUNT_SID=$ACCOUNT
SWITCHBOARD_FORWARD_TO=$FORWARD_TO
SWITCHBOARD_DB_SOCKET=/run/mysqld/mysqld.sock
SWITCHBOARD_DB_USER=switchboard
SWITCHBOARD_DB_NAME=switchboard
SWITCHBOARD_STATE_DIR=$SCRATCH/state
  SWITCHBOARD_COMPANY_NAME = $COMPANY
SWITCHBOARD_VOICEMAIL_PROMPT="Leave a message after the beep."
ENV

# The test's nginx.conf: what Debian's /etc/nginx/nginx.conf does (include the site in http {}), paths in $SCRATCH.
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user root root;"
cat >"$SCRATCH/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $SCRATCH/nginx.pid;
error_log $SCRATCH/logs/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $SCRATCH/tmp/client_body;
    proxy_temp_path $SCRATCH/tmp/proxy;
    fastcgi_temp_path $SCRATCH/tmp/fastcgi;
    uwsgi_temp_path $SCRATCH/tmp/uwsgi;
    scgi_temp_path $SCRATCH/tmp/scgi;
    include SITE;
}
CONF
sed "s#SITE#$SCRATCH/out/switchboard#" "$SCRATCH/nginx.conf" >"$SCRATCH/nginx-site.conf"

site=$SCRATCH/out/switchboard
locations=$SCRATCH/out/switchboard-locations.conf
http_snippet=$SCRATCH/out/switchboard-http.conf
fallback_map=$SCRATCH/out/switchboard-fallback-map.conf
fallbacks=$SCRATCH/out/switchboard-fallbacks.conf
rendered_files=("$site" "$locations" "$http_snippet" "$fallback_map" "$fallbacks")
kept_dir=$SCRATCH/state/spool/nginx

render() {
  SWITCHBOARD_ENV_FILE=${env_file:-$SCRATCH/switchboard.env} \
    SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials \
    SWITCHBOARD_FCGI=${fcgi_program:-$BUILD/switchboard-fcgi} \
    SWITCHBOARD_TEMPLATE_DIR=$SRC/nginx \
    SWITCHBOARD_NGINX_SITE=$site \
    SWITCHBOARD_NGINX_LOCATIONS=$locations \
    SWITCHBOARD_NGINX_HTTP=$http_snippet \
    SWITCHBOARD_NGINX_FALLBACK_MAP=$fallback_map \
    SWITCHBOARD_NGINX_FALLBACKS=$fallbacks \
    SWITCHBOARD_NGINX_CONF=$SCRATCH/nginx-site.conf \
    SWITCHBOARD_TLS_DIR=$SCRATCH/tls \
    SWITCHBOARD_ACME_ROOT=$SCRATCH/acme \
    SWITCHBOARD_NGINX_LOG_DIR=$SCRATCH/logs \
    SWITCHBOARD_RENDER_LOCK=$SCRATCH/render.lock \
    "$render_script" "$@"
}

# --- 1. render + nginx -t --------------------------------------------------------------------------------------------
if render >"$SCRATCH/render.log" 2>&1; then
  pass "switchboard-render-nginx rendered the site and nginx -t accepted it"
else
  fail "switchboard-render-nginx: $(cat "$SCRATCH/render.log")"
  finish
fi
check "nginx -t on the rendered site (again, directly)" \
  nginx -t -q -e "$SCRATCH/logs/error.log" -c "$SCRATCH/nginx-site.conf"

# --- 2. what the rendered files say ----------------------------------------------------------------------------------
expect_equal "rendered files are not world-readable (the forward number)" \
  "$(stat -c %a "${rendered_files[@]}" | sort -u)" 640
expect_file_line "server name from SWITCHBOARD_PUBLIC_BASE_URL" "$site" "server_name $SERVER;"
expect_file_line "TLS certificate" "$site" "ssl_certificate $SCRATCH/tls/fullchain.pem;"
expect_file_line "TLS key" "$site" "ssl_certificate_key $SCRATCH/tls/privkey.pem;"
expect_file_line "TLS 1.2 and 1.3 only" "$site" "ssl_protocols TLSv1.2 TLSv1.3;"
expect_file_line "HSTS" "$site" 'add_header Strict-Transport-Security "max-age=63072000" always;'
expect_file_line "body limit" "$site" "client_max_body_size 64k;"
expect_file_line "redirect to https" "$site" "return 301 https://$SERVER\$request_uri;"
expect_file_line "ACME challenges over http" "$site" "location ^~ /.well-known/acme-challenge/ {"
expect_file_line "the http definitions are included" "$site" "include $http_snippet;"
expect_file_line "the locations are included" "$site" "include $locations;"
expect_file_line "…the same http definitions as the local stack's" "$SRC/nginx/local.conf.in" \
  "include @NGINX_DIR@/switchboard-http.conf;"
if grep -n '^[^#]*limit_req' "${rendered_files[@]}"; then
  fail "a limit_req is rendered: to Twilio a 429 is an application error"
else
  pass "no limit_req anywhere: signed webhooks are never refused for load"
fi
expect_file_line "kept-request log format" "$http_snippet" "log_format switchboard_kept escape=json"
expect_file_line "the fallback map is included in the \$switchboard_fallback map" "$http_snippet" "include $fallback_map;"
expect_file_line "signature map: base64 of 20 bytes" "$http_snippet" '"~^[A-Za-z0-9+/]{27}=$" 1;'
expect_file_line "FastCGI socket of switchboard.socket" "$locations" "fastcgi_pass unix:/run/switchboard/fcgi.sock;"
expect_file_line "FastCGI socket of switchboard-feed.socket" "$locations" "fastcgi_pass unix:/run/switchboard/feed.sock;"
# location_block FILE PREFIX: the lines of the (top-level) location block whose first line starts with PREFIX.
location_block() {
  awk -v prefix="$2" 'index($0, prefix) == 1 { inside = 1 } inside { print } inside && /^}/ { exit }' "$1"
}
api_block=$(location_block "$locations" "location ^~ /api/ {")
expect_contains "/api/ goes to the feed pool" "$api_block" "fastcgi_pass unix:/run/switchboard/feed.sock;"
if grep -q 'fcgi.sock' <<<"$api_block"; then fail "/api/ names the webhook socket: $api_block"; else pass "…never to the webhook pool"; fi
expect_contains "/readyz goes to the feed pool" "$(location_block "$locations" "location = /readyz {")" \
  "fastcgi_pass unix:/run/switchboard/feed.sock;"
for webhook_location in "location ^~ /twilio/ {" "location = /healthz {" "location = /metrics {"; do
  expect_contains "${webhook_location#location } goes to the webhook pool" \
    "$(location_block "$locations" "$webhook_location")" "fastcgi_pass unix:/run/switchboard/fcgi.sock;"
done
expect_equal "/metrics: this host only" \
  "$(location_block "$locations" "location = /metrics {" | grep -E '^ *(allow|deny)' | sed 's/^ *//' | tr '\n' ' ')" \
  "allow 127.0.0.1; allow ::1; deny all; "
if grep -nE '^[^#]*(auth_basic|htpasswd|SWITCHBOARD_FEED_USER|remote_user)' "${rendered_files[@]}"; then
  fail "nginx still checks passwords or passes a user it checked"
else
  pass "no auth_basic, htpasswd or nginx-checked user anywhere: the feed pool authenticates the API itself"
fi
expect_file_line "feed page from the package" "$locations" "root /usr/share/switchboard/www;"
expect_file_line "the page without a session cookie goes to the sign-in" "$locations" 'if ($cookie_sb_session = "") {'
openapi_block=$(location_block "$locations" "location = /api/openapi.json {")
expect_contains "/api/openapi.json is the package's static file" "$openapi_block" "root /usr/share/switchboard/www;"
if grep -q 'fastcgi_pass' <<<"$openapi_block"; then fail "/api/openapi.json goes to a pool"; else pass "…served by nginx, no worker"; fi
expect_file_line "recordings from the state directory" "$locations" "alias $SCRATCH/state/recordings/;"
expect_file_line "the fallback locations are included" "$locations" "include $fallbacks;"
expect_file_line "the map: /twilio/voice forwards, then voicemail" "$fallback_map" \
  "/twilio/voice @switchboard_fallback_forward_then_voicemail;"
expect_file_line "the map: the dial result never dials again" "$fallback_map" \
  "/twilio/voice/dial-result @switchboard_fallback_voicemail_no_redial;"
expect_file_line "kept webhooks into the state directory's spool (signed ones only)" "$fallbacks" \
  "access_log $kept_dir/kept-\$msec-\$request_id.json switchboard_kept if=\$switchboard_keep;"
expect_file_line "not while the workers say the cap is reached" "$fallbacks" "if (-f $kept_dir/keeping-paused) {"
# Every `return 200 '…';` read as nginx reads a single-quoted string: it ends where the rendered text means it to
# (quotes and backslashes escaped), holds no '$' for nginx to expand, and is well-formed XML once unescaped.
escaping=$(python3 - "$fallbacks" <<'PY'
import re, sys, xml.dom.minidom
text = open(sys.argv[1]).read()
strings = re.findall(r"return 200 '((?:[^'\\]|\\.)*)';\n", text)
problems = []
if len(strings) != text.count("return 200 "):
    problems.append("a return 200 string does not end at its ';'")
for raw in strings:
    if "$" in raw:
        problems.append("a '$' is left for nginx: " + raw)
    twiml = re.sub(r"\\(.)", r"\1", raw, flags=re.S)
    try:
        xml.dom.minidom.parseString(twiml)
    except Exception as error:
        problems.append(f"not well-formed ({error}): {twiml}")
if not any("Mac&apos;s Plumbing \\\\ &#36;HOME &amp; Sons" in raw for raw in strings):
    problems.append("the company name is not written as 'Mac&apos;s Plumbing \\\\ &#36;HOME &amp; Sons'")
print(f"{len(strings)} strings" if not problems else "; ".join(problems))
PY
)
expect_equal "fallback TwiML escaped for nginx: quote, backslash, '\$' as &#36;; well-formed" "$escaping" "5 strings"

# --- 3. --check and roll-back ----------------------------------------------------------------------------------------
check "--check: the rendered files are current" render --check
sed -i "s/^SWITCHBOARD_FORWARD_TO=.*/SWITCHBOARD_FORWARD_TO=+14155550999/" "$SCRATCH/switchboard.env"
if render --check >"$SCRATCH/check-stale.log" 2>&1; then
  fail "--check missed a changed forward number"
else
  expect_equal "--check names the stale fallbacks, and only them" "$(cat "$SCRATCH/check-stale.log")" \
    "switchboard-render-nginx: $fallbacks is not current"
fi
for file in "${rendered_files[@]}"; do cp "$file" "$file.before"; done
mv "$SCRATCH/tls" "$SCRATCH/tls.away"
if render >"$SCRATCH/render-bad.log" 2>&1; then
  fail "a site nginx rejects (no certificate) was installed"
else
  pass "a site nginx rejects is refused: $(tail -1 "$SCRATCH/render-bad.log")"
fi
for file in "${rendered_files[@]}"; do
  check "after a rejected render, the previous $(basename "$file") is back" cmp -s "$file" "$file.before"
done
mv "$SCRATCH/tls.away" "$SCRATCH/tls"
sed -i "s/^SWITCHBOARD_FORWARD_TO=.*/SWITCHBOARD_FORWARD_TO=$FORWARD_TO/" "$SCRATCH/switchboard.env"
check "--check: current again with the original forward number" render --check
bad_env=$SCRATCH/bad.env
sed 's#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=http://'"$SERVER"'#' "$SCRATCH/switchboard.env" >"$bad_env"
if env_file=$bad_env render --no-test >"$SCRATCH/render-http.log" 2>&1; then
  fail "an http:// base URL was rendered"
else
  pass "an http:// base URL is refused: $(tail -1 "$SCRATCH/render-http.log")"
fi
grep -v '^SWITCHBOARD_FORWARD_TO=' "$SCRATCH/switchboard.env" >"$bad_env"
if env_file=$bad_env render --no-test >"$SCRATCH/render-noforward.log" 2>&1; then
  fail "fallbacks were rendered without a forward number"
else
  expect_contains "a configuration the workers refuse is refused, the variable named" \
    "$(cat "$SCRATCH/render-noforward.log")" SWITCHBOARD_FORWARD_TO
fi
check "…and nothing was installed" cmp -s "$fallbacks" "$fallbacks.before"

# --- 4. the site serving on loopback, no worker behind it ------------------------------------------------------------
# Live copies: loopback ports, FastCGI sockets in the scratch directory, with no worker behind them until part 5
# (whatever runs on this host), and the page from the checkout (the package puts it in /usr/share/switchboard/www).
http_port=$(free_port)
https_port=$(free_port)
live=$SCRATCH/out/switchboard-live
live_locations=$SCRATCH/out/switchboard-locations-live.conf
sed -e "s#unix:/run/switchboard/fcgi.sock#unix:$SCRATCH/webhooks.sock#" \
  -e "s#unix:/run/switchboard/feed.sock#unix:$SCRATCH/feed.sock#" \
  -e "s#root /usr/share/switchboard/www;#root $SRC/nginx/www;#" "$locations" >"$live_locations"
sed -e "s/^\\([[:space:]]*\\)listen 80;/\\1listen 127.0.0.1:$http_port;/" \
  -e "s/^\\([[:space:]]*\\)listen 443 ssl http2;/\\1listen 127.0.0.1:$https_port ssl http2;/" \
  -e '/listen \[::\]/d' -e "s#include $locations;#include $live_locations;#" "$site" >"$live"
sed "s#SITE#$live#" "$SCRATCH/nginx.conf" >"$SCRATCH/nginx-live.conf"
echo "challenge-token-content" >"$SCRATCH/acme/.well-known/acme-challenge/token123"
nginx -e "$SCRATCH/logs/error.log" -c "$SCRATCH/nginx-live.conf"
for _ in $(seq 1 50); do [[ -s $SCRATCH/nginx.pid ]] && break; sleep 0.1; done
if [[ -s $SCRATCH/nginx.pid ]]; then
  STARTED_PIDS+=("$(cat "$SCRATCH/nginx.pid")")
  pass "nginx serves the production site on 127.0.0.1:$http_port/$https_port"
else
  fail "nginx did not start: $(tail -5 "$SCRATCH/logs/error.log")"
  finish
fi
https=(--resolve "$SERVER:$https_port:127.0.0.1" -k -s --http1.1 --max-time 10)
base=https://$SERVER:$https_port

redirect=$(curl -s --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $SERVER" \
  "http://127.0.0.1:$http_port/twilio/voice?x=1")
expect_equal "http → https redirect" "$redirect" "301 https://$SERVER/twilio/voice?x=1"
challenge=$(curl -s --max-time 10 -H "Host: $SERVER" "http://127.0.0.1:$http_port/.well-known/acme-challenge/token123")
expect_equal "ACME challenge served over http" "$challenge" "challenge-token-content"

kept_count() { find "$kept_dir" -maxdepth 1 -name 'kept-*.json' | wc -l; }
# wait_kept N: the number of kept files once there are N (nginx writes its log as the request ends), or after 3 s.
wait_kept() {
  for _ in $(seq 1 30); do (($(kept_count) >= $1)) && break; sleep 0.1; done
  kept_count
}
newest_kept() { find "$kept_dir" -maxdepth 1 -name 'kept-*.json' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2; }
# post NAME PATH BODY: POSTs a signed form to PATH (NAME.body, NAME.headers in $SCRATCH); prints "status type".
post() {
  curl "${https[@]}" -o "$SCRATCH/$1.body" -D "$SCRATCH/$1.headers" -w '%{http_code} %{content_type}' \
    -X POST -H "X-Twilio-Signature: $SIGNATURE" --data "$3" "$base$2"
}
# NAME.body's TwiML, one element per line in document order, indented by depth: "Tag url=… action=…: text".
outline() {
  python3 - "$SCRATCH/$1.body" <<'PY'
import sys, xml.dom.minidom
root = xml.dom.minidom.parse(sys.argv[1]).documentElement
print(root.tagName)
def walk(node, depth):
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        attributes = "".join(f" {k}={v}" for k, v in sorted(child.attributes.items()) if k in ("url", "action"))
        text = "".join(t.data for t in child.childNodes if t.nodeType == t.TEXT_NODE).strip()
        print("  " * depth + child.tagName + attributes + (": " + text if text else ""))
        walk(child, depth + 1)
walk(root, 1)
PY
}
answered_by() { tr -d '\r' <"$SCRATCH/$1.headers" | sed -n 's/^X-Switchboard-Answered-By: //Ip'; }

# /twilio/voice: forward (screened by the fallback's own step), then the company voicemail.
kept_before=$(kept_count)
expect_equal "pool down: /twilio/voice answers 200 TwiML" \
  "$(post voice /twilio/voice 'CallSid=CA1&From=%2B15551230000')" "200 text/xml"
voice=$(outline voice 2>&1)
expect_contains "…greets with the company name, nothing lost or expanded (quote, backslash, '\$', &)" "$voice" \
  "Say: Thank you for calling $COMPANY. Please hold while we connect you."
expect_contains "…forwards to the configured number, screened by the fallback's own step" "$voice" \
  "  Dial
    Number url=https://$SERVER/twilio/fallback/screen: $FORWARD_TO"
expect_contains "…then records a voicemail whose action the fallback answers" "$voice" \
  "Record action=https://$SERVER/twilio/fallback/voicemail-done"
expect_equal "…the forward before the voicemail" \
  "$(grep -oE '^ *(Dial|Record)' <<<"$voice" | tr -d ' ' | tr '\n' ' ')" "Dial Record "
expect_equal "…answered by the fallback" "$(answered_by voice)" fallback
expect_equal "pool down: the signed webhook is kept for the workers" "$(wait_kept $((kept_before + 1)))" \
  $((kept_before + 1))
expect_equal "…one JSON record: nginx's time, method, URI, signature, body" \
  "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(float(r["msec"]) > 1e9, r["method"], r["uri"], r["signature"], r["body"])' "$(newest_kept)" 2>&1)" \
  "True POST /twilio/voice $SIGNATURE CallSid=CA1&From=%2B15551230000"

expect_equal "pool down: /twilio/voice/screen answers 200 TwiML" \
  "$(post screen /twilio/voice/screen 'CallSid=CA2&ParentCallSid=CA1')" "200 text/xml"
screen=$(outline screen 2>&1)
expect_contains "…asks the forwarded phone to press any key" "$screen" \
  "  Gather action=https://$SERVER/twilio/fallback/screen-result
    Say: Call for $COMPANY. Press any key to accept."
expect_contains "…and hangs up without one" "$screen" $'\n  Hangup'
if grep -qE '^ *(Record|Dial)' <<<"$screen"; then fail "…records or dials: $screen"; else pass "…neither records nor dials"; fi
expect_equal "…answered by the fallback" "$(answered_by screen)" fallback

expect_equal "pool down: /twilio/voice/screen-result answers 200 TwiML" \
  "$(post screen-result /twilio/voice/screen-result 'CallSid=CA2&Digits=1')" "200 text/xml"
expect_equal "…an empty Response: the legs are bridged" "$(outline screen-result 2>&1)" "Response"
expect_equal "…answered by the fallback" "$(answered_by screen-result)" fallback

expect_equal "pool down: /twilio/voice/dial-result answers 200 TwiML" \
  "$(post dial-result /twilio/voice/dial-result 'CallSid=CA1&DialCallStatus=no-answer')" "200 text/xml"
dial_result=$(outline dial-result 2>&1)
expect_contains "…offers the voicemail" "$dial_result" "Record action=https://$SERVER/twilio/fallback/voicemail-done"
if grep -qE '^ *Dial' <<<"$dial_result"; then fail "…dials again: $dial_result"; else pass "…never dials again"; fi
expect_equal "…answered by the fallback" "$(answered_by dial-result)" fallback

expect_equal "pool down: /twilio/voice/voicemail-done answers 200 TwiML" \
  "$(post voicemail-done /twilio/voice/voicemail-done 'CallSid=CA1&RecordingSid=RE1')" "200 text/xml"
expect_equal "…thanks and hangs up" "$(outline voicemail-done 2>&1)" "Response
  Say: Thank you for your message. Goodbye.
  Hangup"
expect_equal "…answered by the fallback" "$(answered_by voicemail-done)" fallback

expect_equal "pool down: a status callback is acknowledged" \
  "$(post call-status /twilio/call-status 'CallSid=CA1&CallStatus=completed')" "204 "
expect_equal "…answered by the fallback" "$(answered_by call-status)" fallback
expect_equal "every signed request was kept, one file each" "$(wait_kept $((kept_before + 6)))" $((kept_before + 6))

kept_before=$(kept_count)
status=$(curl "${https[@]}" -o /dev/null -D "$SCRATCH/unsigned.headers" -w '%{http_code}' -X POST --data 'CallSid=CA9' \
  "$base/twilio/voice")
expect_equal "unsigned POST refused by nginx" "$status" 403
expect_equal "…not a fallback" "$(answered_by unsigned)" ""
headers=$(tr -d '\r' <"$SCRATCH/unsigned.headers")
expect_contains "HSTS on https responses" "$headers" "Strict-Transport-Security: max-age=63072000"
expect_contains "nosniff" "$headers" "X-Content-Type-Options: nosniff"
status=$(curl "${https[@]}" -o /dev/null -w '%{http_code}' -X POST -H 'X-Twilio-Signature: c2lnbmF0dXJl' \
  --data 'CallSid=CA9' "$base/twilio/call-status")
expect_equal "POST with a malformed signature refused by nginx" "$status" 403
touch "$kept_dir/keeping-paused"
expect_equal "keeping paused: /twilio/voice still answers 200 TwiML" "$(post paused /twilio/voice 'CallSid=CA10')" \
  "200 text/xml"
expect_contains "…that forwards" "$(outline paused 2>&1)" "Number url=https://$SERVER/twilio/fallback/screen: $FORWARD_TO"
rm -f "$kept_dir/keeping-paused"
# One more signed request, kept again: nginx has one worker and logs each request as it ends, so once this one's file
# is there, the files of the three before it would be too.
post resumed /twilio/call-status 'CallSid=CA11&CallStatus=completed' >/dev/null
wait_kept $((kept_before + 1)) >/dev/null
sleep 0.2
expect_equal "neither the refused requests nor the one while paused were kept" "$(kept_count)" $((kept_before + 1))
expect_equal "…and the one after keeping resumed was" \
  "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["body"])' "$(newest_kept)" 2>&1)" \
  "CallSid=CA11&CallStatus=completed"

for endpoint in healthz readyz; do
  health=$(curl "${https[@]}" -o "$SCRATCH/$endpoint.body" -w '%{http_code} %{content_type}' "$base/$endpoint")
  expect_equal "no worker: /$endpoint is 503 JSON" "$health" "503 application/json"
  expect_equal "…saying no worker answered" \
    "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["status"], r["reasons"])' "$SCRATCH/$endpoint.body" 2>&1)" \
    "down ['no worker answered']"
done

check "TLS 1.2 accepted" curl "${https[@]}" -o /dev/null --tlsv1.2 --tls-max 1.2 "$base/healthz"
if curl "${https[@]}" -o /dev/null --tlsv1.1 --tls-max 1.1 "$base/" 2>/dev/null; then
  fail "TLS 1.1 accepted"
else
  pass "TLS 1.1 refused"
fi
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
status=$(curl "${https[@]}" -o /dev/null -w '%{http_code}' -X POST -H "X-Twilio-Signature: $SIGNATURE" \
  --data "Body=$big" "$base/twilio/voice")
expect_equal "body over 64k refused" "$status" 413

# The feed while its pool is down: JSON the page can show, and a retry hint; no basic-auth challenge.
api=$(curl "${https[@]}" -o "$SCRATCH/api-down.body" -D "$SCRATCH/api-down.headers" -w '%{http_code} %{content_type}' \
  "$base/api/calls")
expect_equal "feed pool down: /api/ is 503 JSON" "$api" "503 application/json"
expect_equal "…saying so" "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["error"])' "$SCRATCH/api-down.body" 2>&1)" \
  "the activity feed is temporarily unavailable"
expect_contains "…with Retry-After" "$(tr -d '\r' <"$SCRATCH/api-down.headers")" "Retry-After: 5"

# The page: to the sign-in without a session cookie; with one (valid or not: the API decides), the page.
page=$(curl "${https[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "$base/")
expect_equal "/ without a session cookie: 302 to /login" "$page" "302 $base/login"
login=$(curl "${https[@]}" -o "$SCRATCH/login.html" -w '%{http_code} %{content_type}' "$base/login")
expect_equal "/login serves the sign-in page" "$login" "200 text/html"
check "…which is login.html" cmp -s "$SCRATCH/login.html" "$SRC/nginx/www/login.html"
expect_equal "/ with a session cookie serves the page" \
  "$(curl "${https[@]}" -o "$SCRATCH/index.html" -w '%{http_code}' -H 'Cookie: sb_session=anything' "$base/")" 200
check "…which is index.html" cmp -s "$SCRATCH/index.html" "$SRC/nginx/www/index.html"

# The API's description: public (no session, no worker), JSON, the site's security headers (its location sets its
# own, so it inherits none of the server's: each one is checked here), GET only.
openapi=$(curl "${https[@]}" -o "$SCRATCH/openapi.json" -D "$SCRATCH/openapi.headers" -w '%{http_code} %{content_type}' \
  "$base/api/openapi.json")
expect_equal "/api/openapi.json without a session, no worker behind: 200 JSON" "$openapi" "200 application/json; charset=utf-8"
check "…which is nginx/www/api/openapi.json" cmp -s "$SCRATCH/openapi.json" "$SRC/nginx/www/api/openapi.json"
openapi_headers=$(tr -d '\r' <"$SCRATCH/openapi.headers")
for header in "Strict-Transport-Security: max-age=63072000" "X-Content-Type-Options: nosniff" "X-Frame-Options: DENY" \
  "Referrer-Policy: no-referrer" "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"; do
  expect_contains "…with $header" "$openapi_headers" "$header"
done
expect_equal "…GET only: a POST is 405" \
  "$(curl "${https[@]}" -o /dev/null -w '%{http_code}' -X POST --data '{}' "$base/api/openapi.json")" 405

# --- 4b. a routing change reaches the fallbacks ------------------------------------------------------------------------
# The routing snapshot as the workers write it ({"version": N, …, "routing": {…}}, fcgi/routing/snapshot.h), into
# the state directory the env file names: a temporary file renamed into place.
cat >"$SCRATCH/write-routing.py" <<'PY'
import json, os, sys
directory, version, away, *targets = sys.argv[1:]
routing = {
    "forward": {"targets": targets, "strategy": "sequential", "ring_seconds": 25, "screening": True},
    "away": {"enabled": away == "away", "message": "We are away this week. Please leave a message."},
    "office_hours": {"schedule": "", "time_zone": "UTC", "closed_message": "We are closed."},
    "holidays": [],
    "menu": {"prompt": "To be connected, press 1.", "attempts": 3, "default": "voicemail"},
    "voicemail": {"prompt": "Leave a message after the beep.", "max_seconds": 120, "transcribe": False},
    "blocklist": [],
    "text_back": {"enabled": False, "message": "Sorry we missed you."},
}
snapshot = {"version": int(version), "changed_at_ms": 1767225600000, "changed_by": "test", "routing": routing}
temporary = os.path.join(directory, ".tmp-test-" + version)
with open(temporary, "w") as f:
    f.write(json.dumps(snapshot, separators=(",", ":")) + "\n")
os.rename(temporary, os.path.join(directory, "routing.json"))
PY
write_routing() { python3 "$SCRATCH/write-routing.py" "$SCRATCH/state" "$@"; }  # VERSION present|away TARGET…
nginx_workers() { ps -o pid= --ppid "$(cat "$SCRATCH/nginx.pid")" | tr -d ' ' | sort; }
# wait_workers_replaced OLD…: until none of nginx's workers before a reload is left (at most 10 s).
wait_workers_replaced() {
  for _ in $(seq 1 100); do
    comm -12 <(printf '%s\n' "$@" | sort) <(nginx_workers) | grep -q . || return 0
    sleep 0.1
  done
  return 1
}
# NAME.body's <Dial>: its timeout, then its numbers ("25 +1… +1…"), or "no Dial".
dial_of() {
  python3 - "$SCRATCH/$1.body" <<'PY'
import sys, xml.dom.minidom
dials = xml.dom.minidom.parse(sys.argv[1]).getElementsByTagName("Dial")
if not dials:
    print("no Dial")
else:
    numbers = [n.firstChild.data.strip() for n in dials[0].getElementsByTagName("Number")]
    print(" ".join([dials[0].getAttribute("timeout")] + numbers))
PY
}
master=$(cat "$SCRATCH/nginx.pid")
readonly TARGET_A=+14155550111 TARGET_B=+14155550122

mapfile -t old_workers < <(nginx_workers)
write_routing 7 present "$TARGET_A" "$TARGET_B"
if render --check >"$SCRATCH/check-routing.log" 2>&1; then
  fail "--check missed a routing change"
else
  expect_equal "a new routing snapshot: --check names the fallbacks, and only them" \
    "$(cat "$SCRATCH/check-routing.log")" "switchboard-render-nginx: $fallbacks is not current"
fi
if render --reload >"$SCRATCH/reload.log" 2>&1; then
  pass "--reload rendered the site from the snapshot and reloaded nginx"
else
  fail "--reload: $(cat "$SCRATCH/reload.log")"
fi
expect_contains "…saying which routing version and whom the fallbacks forward to" "$(cat "$SCRATCH/reload.log")" \
  "(fallbacks from routing version 7: forward to $TARGET_A,$TARGET_B)"
expect_contains "…and that nginx was reloaded" "$(cat "$SCRATCH/reload.log")" "reloaded nginx"
check "…its previous workers gone (a graceful reload)" wait_workers_replaced "${old_workers[@]}"
expect_equal "…by the same master (a reload, not a restart)" "$(cat "$SCRATCH/nginx.pid")" "$master"
check "--check: current after the render" render --check
expect_equal "pool down, routing version 7: /twilio/voice answers 200 TwiML" \
  "$(post routed /twilio/voice 'CallSid=CA20&From=%2B15551230000')" "200 text/xml"
expect_equal "…one <Dial> ringing both targets for the ring time" "$(dial_of routed)" "25 $TARGET_A $TARGET_B"
routed=$(outline routed 2>&1)
expect_contains "…each screened by the fallback's own step" "$routed" \
  "    Number url=https://$SERVER/twilio/fallback/screen: $TARGET_A
    Number url=https://$SERVER/twilio/fallback/screen: $TARGET_B"
expect_contains "…then the voicemail" "$routed" "Record action=https://$SERVER/twilio/fallback/voicemail-done"
expect_equal "…answered by the fallback" "$(answered_by routed)" fallback

mapfile -t old_workers < <(nginx_workers)
write_routing 8 away "$TARGET_A"
check "away on (version 8): --reload" render --reload
check "…nginx reloaded" wait_workers_replaced "${old_workers[@]}"
expect_equal "away: /twilio/voice answers 200 TwiML" "$(post away /twilio/voice 'CallSid=CA21')" "200 text/xml"
away=$(outline away 2>&1)
expect_contains "…with the away message" "$away" "Say: We are away this week. Please leave a message."
expect_equal "…and no <Dial>" "$(dial_of away)" "no Dial"
expect_contains "…straight to the voicemail" "$away" "Record action=https://$SERVER/twilio/fallback/voicemail-done"

cp "$fallbacks" "$fallbacks.version-8"
write_routing 9 present not-a-phone-number
if render --reload >"$SCRATCH/reload-bad.log" 2>&1; then
  fail "a snapshot the workers refuse was rendered"
else
  expect_contains "a snapshot the workers refuse: nothing rendered, and said why" "$(cat "$SCRATCH/reload-bad.log")" \
    "the routing snapshot $SCRATCH/state/routing.json could not be used"
fi
check "…the fallbacks of version 8 stay" cmp -s "$fallbacks" "$fallbacks.version-8"
post still-away /twilio/voice 'CallSid=CA22' >/dev/null
expect_equal "…and nginx still answers them" "$(dial_of still-away)" "no Dial"

# A save while the render runs (the path unit starts no second run meanwhile): the render notices and renders again.
# switchboard-fcgi stands in a wrapper that saves version 11 right after printing version 10's fallbacks.
write_routing 10 present "$TARGET_A"
cat >"$SCRATCH/fcgi-saving-meanwhile" <<SH
#!/bin/bash
"$BUILD/switchboard-fcgi" "\$@" || exit
if [[ \$1 == --nginx-fallback-locations && ! -e $SCRATCH/saved-meanwhile ]]; then
  touch "$SCRATCH/saved-meanwhile"
  python3 "$SCRATCH/write-routing.py" "$SCRATCH/state" 11 present "$TARGET_B"
fi
SH
chmod +x "$SCRATCH/fcgi-saving-meanwhile"
mapfile -t old_workers < <(nginx_workers)
if fcgi_program=$SCRATCH/fcgi-saving-meanwhile render --reload >"$SCRATCH/reload-meanwhile.log" 2>&1; then
  expect_contains "a save during the render: rendered again" "$(cat "$SCRATCH/reload-meanwhile.log")" \
    "the routing snapshot changed while rendering: rendering again"
  expect_contains "…from the newer version" "$(cat "$SCRATCH/reload-meanwhile.log")" \
    "(fallbacks from routing version 11: forward to $TARGET_B)"
else
  fail "--reload with a save meanwhile: $(cat "$SCRATCH/reload-meanwhile.log")"
fi
# Two reloads in a row: the workers of the first may still be answering once those from before are gone, so ask
# until the answer is the newer one (or 5 s have passed).
for _ in $(seq 1 50); do
  post meanwhile /twilio/voice 'CallSid=CA23' >/dev/null
  [[ $(dial_of meanwhile) == "25 $TARGET_B" ]] && break
  sleep 0.1
done
expect_equal "…and nginx serves version 11's fallbacks" "$(dial_of meanwhile)" "25 $TARGET_B"

# Back to the environment's routing (no snapshot) for what follows.
rm -f "$SCRATCH/state/routing.json"
mapfile -t old_workers < <(nginx_workers)
check "no snapshot: --reload renders the environment's routing" render --reload
check "…nginx reloaded" wait_workers_replaced "${old_workers[@]}"
post env-routing /twilio/voice 'CallSid=CA24' >/dev/null
expect_equal "…forwarding to SWITCHBOARD_FORWARD_TO again" "$(dial_of env-routing)" "20 $FORWARD_TO"

# --- 5. real workers behind both sockets, no database ---------------------------------------------------------------
# Each pool as its unit runs it (one worker each here): the feed pool must answer /api/ and /readyz, the webhook pool
# /metrics. The database socket leads nowhere: a request without credentials needs no database to be refused.
worker_env=(PATH=/usr/bin:/bin SWITCHBOARD_PUBLIC_BASE_URL=https://$SERVER TWILIO_ACCOUNT_SID=$ACCOUNT
  SWITCHBOARD_FORWARD_TO=$FORWARD_TO SWITCHBOARD_DB_SOCKET=$SCRATCH/no-database.sock SWITCHBOARD_DB_USER=switchboard
  SWITCHBOARD_DB_NAME=switchboard SWITCHBOARD_DB_CONNECT_TIMEOUT=1 SWITCHBOARD_STATE_DIR=$SCRATCH/state
  CREDENTIALS_DIRECTORY=$SCRATCH/credentials)
start_worker() {  # SOCKET ARGS…: one switchboard-fcgi on SOCKET (fd 0, as systemd hands it over), stopped on exit
  local socket=$1
  shift
  env -i "${worker_env[@]}" spawn-fcgi -n -s "$socket" -M 0660 -- "$BUILD/switchboard-fcgi" "$@" \
    >>"$SCRATCH/logs/workers.log" 2>&1 &
  STARTED_PIDS+=("$!")
  for _ in $(seq 1 50); do [[ -S $socket ]] && return 0; sleep 0.1; done
  fail "no worker on $socket: $(tail -5 "$SCRATCH/logs/workers.log")"
}
require_command spawn-fcgi spawn-fcgi
start_worker "$SCRATCH/feed.sock" --pool feed
start_worker "$SCRATCH/webhooks.sock"

api=$(curl "${https[@]}" -o "$SCRATCH/api.body" -D "$SCRATCH/api.headers" -w '%{http_code} %{content_type}' \
  "$base/api/calls")
expect_equal "/api/ without a session: the feed pool's 401 JSON" "$api" "401 application/json; charset=utf-8"
expect_equal "…asking for authentication" \
  "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["error"])' "$SCRATCH/api.body" 2>&1)" \
  "authentication required"
if grep -qi '^WWW-Authenticate' "$SCRATCH/api.headers"; then
  fail "…with a WWW-Authenticate challenge (the browser would show its password dialog)"
else
  pass "…without a WWW-Authenticate challenge"
fi
expect_equal "basic credentials mean nothing any more: 401" \
  "$(curl "${https[@]}" -o /dev/null -w '%{http_code}' -u manager:secret "$base/api/calls")" 401
readyz=$(curl "${https[@]}" -o "$SCRATCH/readyz-live.body" -w '%{http_code}' "$base/readyz")
expect_equal "/readyz from the feed pool: 503, its database is down" "$readyz" 503
expect_equal "…not ready (a worker answered)" \
  "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' "$SCRATCH/readyz-live.body" 2>&1)" \
  "not ready"

metrics=$(curl "${https[@]}" -o "$SCRATCH/metrics.body" -w '%{http_code}' "$base/metrics")
expect_equal "/metrics from 127.0.0.1: the webhook pool answers" "$metrics" 200
check "…Prometheus text" grep -q '^switchboard_requests_total' "$SCRATCH/metrics.body"
if curl "${https[@]}" -o /dev/null --interface 127.0.0.2 "$base/healthz" 2>/dev/null; then
  expect_equal "/metrics from 127.0.0.2 (not this host's address to nginx): refused" \
    "$(curl "${https[@]}" -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$base/metrics")" 403
else
  fail "cannot connect from 127.0.0.2 to test /metrics from another address"
fi

finish
