#!/usr/bin/env bash
# The production nginx site, rendered by the real switchboard-render-nginx from nginx/*.conf.in with a throwaway
# certificate and a configuration like production's (the fallback TwiML holds the real forward number):
#   1. the render script's own `nginx -t` passes, through a test-only nginx.conf that includes the rendered site;
#   2. the rendered files say what production needs (paths, TLS, limits, escaping of the fallback TwiML);
#   3. --check notices a stale site; a site nginx rejects is rolled back;
#   4. the site really serves, on loopback ports: the redirect, ACME challenges, the fallback TwiML while no worker
#      runs, the webhook kept for the workers in the state directory's spool/nginx, HSTS, TLS 1.2+ only, the body
#      limit, auth on the API.
#   nginx_site_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command nginx nginx
require_command openssl openssl
require_command curl curl

readonly SERVER=voice.example.test
readonly FORWARD_TO=+14155550123
readonly ACCOUNT=AC0123456789abcdef0123456789abcdef
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
  SWITCHBOARD_COMPANY_NAME = Mac's Plumbing \\ \$HOME & Sons
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

render() {
  SWITCHBOARD_ENV_FILE=${env_file:-$SCRATCH/switchboard.env} \
    SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials \
    SWITCHBOARD_FCGI=$BUILD/switchboard-fcgi \
    SWITCHBOARD_TEMPLATE_DIR=$SRC/nginx \
    SWITCHBOARD_NGINX_SITE=$SCRATCH/out/switchboard \
    SWITCHBOARD_NGINX_LOCATIONS=$SCRATCH/out/switchboard-locations.conf \
    SWITCHBOARD_NGINX_CONF=$SCRATCH/nginx-site.conf \
    SWITCHBOARD_TLS_DIR=$SCRATCH/tls \
    SWITCHBOARD_ACME_ROOT=$SCRATCH/acme \
    SWITCHBOARD_NGINX_LOG_DIR=$SCRATCH/logs \
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
site=$SCRATCH/out/switchboard
locations=$SCRATCH/out/switchboard-locations.conf
expect_equal "rendered files are not world-readable (the forward number)" "$(stat -c %a "$site" "$locations" | sort -u)" 640
expect_file_line "server name from SWITCHBOARD_PUBLIC_BASE_URL" "$site" "server_name $SERVER;"
expect_file_line "TLS certificate" "$site" "ssl_certificate $SCRATCH/tls/fullchain.pem;"
expect_file_line "TLS key" "$site" "ssl_certificate_key $SCRATCH/tls/privkey.pem;"
expect_file_line "TLS 1.2 and 1.3 only" "$site" "ssl_protocols TLSv1.2 TLSv1.3;"
expect_file_line "HSTS" "$site" 'add_header Strict-Transport-Security "max-age=63072000" always;'
expect_file_line "rate-limit zone the locations use" "$site" \
  'limit_req_zone $binary_remote_addr zone=switchboard_twilio:10m rate=30r/s;'
expect_file_line "body limit" "$site" "client_max_body_size 64k;"
expect_file_line "redirect to https" "$site" "return 301 https://$SERVER\$request_uri;"
expect_file_line "ACME challenges over http" "$site" "location ^~ /.well-known/acme-challenge/ {"
expect_file_line "the locations are included" "$site" "include $locations;"
expect_file_line "FastCGI socket of switchboard.socket" "$locations" "fastcgi_pass unix:/run/switchboard/fcgi.sock;"
expect_file_line "feed page from the package" "$locations" "root /usr/share/switchboard/www;"
expect_file_line "feed users" "$locations" "auth_basic_user_file /etc/switchboard/htpasswd;"
expect_file_line "recordings from the state directory" "$locations" "alias $SCRATCH/state/recordings/;"
expect_file_line "kept webhooks into the state directory's spool" "$locations" \
  "access_log $SCRATCH/state/spool/nginx/kept-\$msec-\$request_id.json switchboard_kept;"
kept_format() { sed -n '/log_format switchboard_kept/,/;$/p' "$1" | sed 's/^[[:space:]]*//'; }
expect_equal "log_format switchboard_kept is local.conf.in's, field for field (the workers parse it)" \
  "$(kept_format "$site")" "$(kept_format "$SRC/nginx/local.conf.in")"
fallback_line=$(grep -F "return 200 '<?xml" "$locations" | grep -F '<Dial' || true)
expect_contains "fallback TwiML forwards to the configured number" "$fallback_line" "<Number>$FORWARD_TO</Number>"
expect_contains "fallback TwiML: backslash escaped for nginx" "$fallback_line" 'Plumbing \\ HOME'
if [[ $fallback_line != *'$'* ]]; then pass "fallback TwiML: no '\$' left for nginx to expand"; else fail "a '\$' is left: $fallback_line"; fi

# --- 3. --check and roll-back ----------------------------------------------------------------------------------------
check "--check: the rendered files are current" render --check
sed -i "s/^SWITCHBOARD_FORWARD_TO=.*/SWITCHBOARD_FORWARD_TO=+14155550999/" "$SCRATCH/switchboard.env"
if render --check >/dev/null 2>&1; then fail "--check missed a changed forward number"; else pass "--check notices a changed forward number"; fi
cp "$locations" "$SCRATCH/locations.before"
mv "$SCRATCH/tls" "$SCRATCH/tls.away"
if render >"$SCRATCH/render-bad.log" 2>&1; then
  fail "a site nginx rejects (no certificate) was installed"
else
  pass "a site nginx rejects is refused: $(tail -1 "$SCRATCH/render-bad.log")"
fi
check "the previous files are back after a rejected render" cmp -s "$locations" "$SCRATCH/locations.before"
mv "$SCRATCH/tls.away" "$SCRATCH/tls"
sed -i "s/^SWITCHBOARD_FORWARD_TO=.*/SWITCHBOARD_FORWARD_TO=$FORWARD_TO/" "$SCRATCH/switchboard.env"
bad_env=$SCRATCH/bad.env
sed 's#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=http://'"$SERVER"'#' "$SCRATCH/switchboard.env" >"$bad_env"
if env_file=$bad_env render --no-test >"$SCRATCH/render-http.log" 2>&1; then
  fail "an http:// base URL was rendered"
else
  pass "an http:// base URL is refused: $(tail -1 "$SCRATCH/render-http.log")"
fi

# --- 4. the site serving on loopback ---------------------------------------------------------------------------------
http_port=$(free_port)
https_port=$(free_port)
live=$SCRATCH/out/switchboard-live
sed -e "s/^\\([[:space:]]*\\)listen 80;/\\1listen 127.0.0.1:$http_port;/" \
  -e "s/^\\([[:space:]]*\\)listen 443 ssl http2;/\\1listen 127.0.0.1:$https_port ssl http2;/" \
  -e '/listen \[::\]/d' "$site" >"$live"
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
https=(--resolve "$SERVER:$https_port:127.0.0.1" -k -s --http1.1)
base=https://$SERVER:$https_port

redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $SERVER" \
  "http://127.0.0.1:$http_port/twilio/voice?x=1")
expect_equal "http → https redirect" "$redirect" "301 https://$SERVER/twilio/voice?x=1"
challenge=$(curl -s -H "Host: $SERVER" "http://127.0.0.1:$http_port/.well-known/acme-challenge/token123")
expect_equal "ACME challenge served over http" "$challenge" "challenge-token-content"

fallback=$(curl "${https[@]}" -D "$SCRATCH/fallback.headers" -X POST -H 'X-Twilio-Signature: c2lnbmF0dXJl' \
  --data 'CallSid=CA1&From=%2B15551230000' "$base/twilio/voice")
expect_contains "pool down: /twilio/voice answers the fallback TwiML" "$fallback" "<Number>$FORWARD_TO</Number>"
expect_contains "pool down: fallback records a voicemail after the forward" "$fallback" \
  "action=\"https://$SERVER/twilio/fallback/voicemail-done\""
expect_contains "fallback TwiML: quote unescaped again by nginx" "$fallback" "Mac&apos;s Plumbing \\ HOME"
headers=$(tr -d '\r' <"$SCRATCH/fallback.headers")
expect_contains "fallback status 200" "$headers" "HTTP/1.1 200"
expect_contains "fallback is XML" "$headers" "Content-Type: text/xml"
expect_contains "HSTS on https responses" "$headers" "Strict-Transport-Security: max-age=63072000"
expect_contains "nosniff" "$headers" "X-Content-Type-Options: nosniff"
if python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.read())' <<<"$fallback"; then
  pass "fallback TwiML is well-formed XML"
else
  fail "fallback TwiML is not well-formed: $fallback"
fi
kept=$(cat "$SCRATCH"/state/spool/nginx/kept-*.json 2>/dev/null || true)
expect_equal "pool down: the webhook is kept for the workers, one JSON file" \
  "$(python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); print(r["method"], r["uri"], r["signature"], r["body"])' <<<"$kept" 2>&1)" \
  "POST /twilio/voice c2lnbmF0dXJl CallSid=CA1&From=%2B15551230000"
status=$(curl "${https[@]}" -o /dev/null -w '%{http_code}' -X POST --data 'CallSid=CA1&CallStatus=completed' \
  "$base/twilio/call-status")
expect_equal "pool down: a status callback is acknowledged" "$status" 204
expect_equal "…and kept too" "$(ls "$SCRATCH"/state/spool/nginx | wc -l)" 2
check "TLS 1.2 accepted" curl "${https[@]}" -o /dev/null --tlsv1.2 --tls-max 1.2 "$base/twilio/fallback/voicemail-done"
if curl "${https[@]}" -o /dev/null --tlsv1.1 --tls-max 1.1 "$base/" 2>/dev/null; then
  fail "TLS 1.1 accepted"
else
  pass "TLS 1.1 refused"
fi
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
status=$(curl "${https[@]}" -o /dev/null -w '%{http_code}' -X POST --data "Body=$big" "$base/twilio/voice")
expect_equal "body over 64k refused" "$status" 413
status=$(curl "${https[@]}" -o /dev/null -w '%{http_code}' "$base/api/calls")
expect_equal "feed API needs a password" "$status" 401

finish
