# Shared by scripts/local-up, scripts/local-down and the integration tests: install, build, and run the whole stack
# (private MariaDB, migrations, the two FastCGI worker pools — webhooks and feed — under spawn-fcgi + multiwatch,
# the feed's first admin account, nginx with TLS) inside one
# directory, on loopback only. Every process started here writes a pid file under $SB_DIR/run and is stopped by pid.
#
# Inputs (environment): SB_DIR (stack directory), SB_BUILD_DIR (where switchboard-fcgi was built),
# SB_HTTPS_PORT (default 8443), SB_WORKERS (webhook pool, default 4), SB_FEED_WORKERS (feed pool, default 2), plus any SWITCHBOARD_* / TWILIO_* overrides for the workers.
# shellcheck shell=bash

SB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SB_PACKAGES=(build-essential cmake pkg-config libfcgi-dev libcgicc-dev libmysqlcppconn-dev rapidjson-dev
  libboost-test-dev libssl-dev libcurl4-openssl-dev libpugixml-dev libphonenumber-dev mariadb-server mariadb-client
  nginx-light spawn-fcgi multiwatch libfcgi-bin systemd tzdata openssl curl jq python3 espeak-ng lame)

sb_log() { printf '[switchboard] %s\n' "$*" >&2; }
sb_die() { printf '[switchboard] error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages that are missing (apt-get update only when something is).
sb_install_packages() {
  local missing=() package
  for package in "${SB_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  sb_log "installing ${missing[*]}"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures and builds into $SB_BUILD_DIR; extra arguments go to cmake.
sb_build() {
  cmake -S "$SB_REPO" -B "$SB_BUILD_DIR" -DCMAKE_BUILD_TYPE="${SB_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
  cmake --build "$SB_BUILD_DIR" -j2 >/dev/null || cmake --build "$SB_BUILD_DIR" -j1
}

sb_pid_alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

sb_random_hex() { openssl rand -hex "$1"; }

# KEY=value with the value quoted for the shell (the files are sourced by scripts and tests).
sb_kv() { printf '%s=%q\n' "$1" "$2"; }

# Writes $SB_DIR/workers.env (the workers' configuration) and $SB_DIR/env (the summary for people and tools) once;
# later runs keep the generated secrets. Values already in the environment win.
sb_configure() {
  mkdir -p "$SB_DIR"/{run,log,db,state/spool/nginx,state/recordings,secrets,nginx/tmp}
  chmod 700 "$SB_DIR/secrets"
  [[ -s $SB_DIR/secrets/db-password ]] || sb_random_hex 16 >"$SB_DIR/secrets/db-password"
  [[ -s $SB_DIR/secrets/twilio-auth-token ]] || printf '%s' "${TWILIO_AUTH_TOKEN:-$(sb_random_hex 16)}" >"$SB_DIR/secrets/twilio-auth-token"
  [[ -s $SB_DIR/secrets/feed-password ]] || printf '%s' "${FEED_PASSWORD:-$(sb_random_hex 9)}" >"$SB_DIR/secrets/feed-password"
  [[ -s $SB_DIR/secrets/notify-webhook-secret ]] || sb_random_hex 24 >"$SB_DIR/secrets/notify-webhook-secret"
  [[ -s $SB_DIR/secrets/account-sid ]] || printf '%s' "${TWILIO_ACCOUNT_SID:-AC$(sb_random_hex 16)}" >"$SB_DIR/secrets/account-sid"
  local port=${SB_HTTPS_PORT:-8443}
  local base="https://127.0.0.1:$port"
  {
    sb_kv SWITCHBOARD_PUBLIC_BASE_URL "${SWITCHBOARD_PUBLIC_BASE_URL:-$base}"
    sb_kv TWILIO_ACCOUNT_SID "$(cat "$SB_DIR/secrets/account-sid")"
    sb_kv TWILIO_AUTH_TOKEN_FILE "$SB_DIR/secrets/twilio-auth-token"
    sb_kv SWITCHBOARD_FORWARD_TO "${SWITCHBOARD_FORWARD_TO:-+15005550010}"
    sb_kv SWITCHBOARD_DB_SOCKET "$SB_DIR/run/mysqld.sock"
    sb_kv SWITCHBOARD_DB_USER switchboard
    sb_kv SWITCHBOARD_DB_PASSWORD_FILE "$SB_DIR/secrets/db-password"
    sb_kv SWITCHBOARD_DB_NAME switchboard
    sb_kv SWITCHBOARD_STATE_DIR "$SB_DIR/state"
    sb_kv SWITCHBOARD_SCHEMA_DIR "$SB_REPO/schema"
    sb_kv SWITCHBOARD_COMPANY_NAME "${SWITCHBOARD_COMPANY_NAME:-Acme Plumbing}"
    sb_kv SWITCHBOARD_TWILIO_API_BASE "$(sb_twilio_api_base)"
    if [[ ${SB_FAKE_NOTIFY:-0} == 1 && -s $SB_DIR/run/fake-twilio.port ]]; then
      # Voicemail notifications to the fake Twilio (SMS) and its webhook receiver.
      sb_kv SWITCHBOARD_NOTIFY_SMS_TO +15005550009
      sb_kv SWITCHBOARD_TWILIO_NUMBER +15005550006
      sb_kv SWITCHBOARD_NOTIFY_WEBHOOK_URL "http://127.0.0.1:$(cat "$SB_DIR/run/fake-twilio.port")/hooks/voicemail"
      sb_kv SWITCHBOARD_NOTIFY_WEBHOOK_SECRET_FILE "$SB_DIR/secrets/notify-webhook-secret"
    fi
    # Optional settings the caller exported (office hours, screening, timeouts…) pass through to the workers.
    local name
    for name in $(compgen -e | grep -E '^SWITCHBOARD_(OFFICE_HOURS|TIMEZONE|SCREENING|MENU_|DIAL_TIMEOUT|VOICEMAIL_|TRANSCRIBE|VOICE|LANGUAGE|NOTIFY_TRANSCRIPTION_WAIT|NOTIFY_TIMEOUT|KEPT_REQUESTS_MAX_MB|SESSION_|DB_(CONNECT|READ|WRITE)_TIMEOUT)'); do
      sb_kv "$name" "${!name}"
    done
  } >"$SB_DIR/workers.env"
  {
    sb_kv PUBLIC_BASE_URL "${SWITCHBOARD_PUBLIC_BASE_URL:-$base}"
    sb_kv TWILIO_ACCOUNT_SID "$(cat "$SB_DIR/secrets/account-sid")"
    sb_kv TWILIO_AUTH_TOKEN "$(cat "$SB_DIR/secrets/twilio-auth-token")"
    sb_kv TWILIO_NUMBER "${TWILIO_NUMBER:-+15005550006}"
    sb_kv FORWARD_TO "${SWITCHBOARD_FORWARD_TO:-+15005550010}"
    sb_kv FEED_URL "$base/"
    sb_kv FEED_USER "${FEED_USER:-admin}"
    sb_kv FEED_PASSWORD "$(cat "$SB_DIR/secrets/feed-password")"
    sb_kv FEED_TOKEN "$(cat "$SB_DIR/secrets/feed-token" 2>/dev/null || true)"
    sb_kv HTTPS_PORT "$port"
    sb_kv DB_SOCKET "$SB_DIR/run/mysqld.sock"
    sb_kv FCGI_SOCKET "$SB_DIR/run/fcgi.sock"
    sb_kv FEED_SOCKET "$SB_DIR/run/feed.sock"
    sb_kv STACK_DIR "$SB_DIR"
  } >"$SB_DIR/env"
  chmod 600 "$SB_DIR/env" "$SB_DIR/workers.env"
}

# The local stack talks to a fake Twilio REST API on loopback (tools/fake-twilio) unless a real one is configured.
sb_twilio_api_base() {
  if [[ -n ${SWITCHBOARD_TWILIO_API_BASE:-} ]]; then echo "$SWITCHBOARD_TWILIO_API_BASE"; return; fi
  [[ -s $SB_DIR/run/fake-twilio.port ]] || sb_free_port >"$SB_DIR/run/fake-twilio.port"
  echo "http://127.0.0.1:$(cat "$SB_DIR/run/fake-twilio.port")"
}

sb_start_fake_twilio() {
  [[ -n ${SWITCHBOARD_TWILIO_API_BASE:-} ]] && return 0
  local pidfile=$SB_DIR/run/fake-twilio.pid
  sb_pid_alive "$pidfile" && return 0
  setsid python3 "$SB_REPO/tools/fake-twilio/fake_twilio.py" --port "$(cat "$SB_DIR/run/fake-twilio.port")" \
    --dir "$SB_DIR/fake-twilio" --account-sid "$(cat "$SB_DIR/secrets/account-sid")" \
    --auth-token-file "$SB_DIR/secrets/twilio-auth-token" --webhook-secret-file "$SB_DIR/secrets/notify-webhook-secret" \
    ${SB_FAKE_TWILIO_ARGS:-} \
    </dev/null >>"$SB_DIR/log/fake-twilio.log" 2>&1 &
  echo $! >"$pidfile"
  local i
  for i in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$(cat "$SB_DIR/run/fake-twilio.port")/" && return 0
    sleep 0.1
  done
  sb_die "the fake Twilio API did not start, see $SB_DIR/log/fake-twilio.log"
}

# Stops the process of a pid file: SIGNAL (default TERM), then SIGKILL after TENTHS tenths of a second (default 100);
# then whatever is left of its process group when it led one, the same way.
sb_stop_pid() {
  local pidfile=$1 signal=${2:-TERM} tenths=${3:-100}
  sb_pid_alive "$pidfile" || return 0
  local pid group=""
  pid=$(cat "$pidfile")
  # A process started under setsid leads its own process group (the pools: multiwatch and its workers). A worker
  # whose multiwatch went first must not live on orphaned, serving the socket and claiming kept requests.
  [[ $(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') == "$pid" ]] && group=$pid
  kill "-$signal" "$pid" 2>/dev/null
  local i
  for i in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  [[ -n $group ]] || return 0
  for i in $(seq 1 "$tenths"); do
    pgrep -g "$group" >/dev/null 2>&1 || return 0
    ((i == 1)) && kill -TERM -- "-$group" 2>/dev/null
    sleep 0.1
  done
  kill -9 -- "-$group" 2>/dev/null || true
}

# Runs a command with the workers' configuration in its environment.
sb_with_worker_env() { (set -a && . "$SB_DIR/workers.env" && set +a && "$@"); }

sb_mariadb_client() { mariadb --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot "$@"; }

sb_start_mariadb() {
  local pidfile=$SB_DIR/run/mariadb.pid
  if sb_pid_alive "$pidfile" && mariadb-admin --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot ping >/dev/null 2>&1; then
    return 0
  fi
  if [[ ! -d $SB_DIR/db/data/mysql ]]; then
    mariadb-install-db --no-defaults --datadir="$SB_DIR/db/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >"$SB_DIR/log/mariadb-install.log" 2>&1 ||
      sb_die "mariadb-install-db failed, see $SB_DIR/log/mariadb-install.log"
  fi
  # Durability as in production: every commit is flushed (innodb_flush_log_at_trx_commit=1).
  setsid mariadbd --no-defaults --datadir="$SB_DIR/db/data" --socket="$SB_DIR/run/mysqld.sock" \
    --pid-file="$pidfile" --skip-networking --user="$(id -un)" --log-error="$SB_DIR/log/mariadb.log" \
    --innodb-buffer-pool-size="${SB_DB_BUFFER_POOL:-128M}" --innodb-log-file-size=64M \
    --innodb-flush-log-at-trx-commit=1 --skip-log-bin --max-connections=200 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
  local i
  for i in $(seq 1 300); do
    mariadb-admin --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb-admin --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot ping >/dev/null 2>&1 ||
    sb_die "MariaDB did not start, see $SB_DIR/log/mariadb.log"
  local password
  password=$(cat "$SB_DIR/secrets/db-password")
  sb_mariadb_client -e "
    CREATE DATABASE IF NOT EXISTS switchboard CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS 'switchboard'@'localhost' IDENTIFIED BY '$password';
    ALTER USER 'switchboard'@'localhost' IDENTIFIED BY '$password';
    GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON switchboard.* TO 'switchboard'@'localhost';"
}

sb_stop_mariadb() { sb_stop_pid "$SB_DIR/run/mariadb.pid" TERM 300; }

sb_migrate() { sb_with_worker_env "$SB_BUILD_DIR/switchboard-migrate" --schema-dir "$SB_REPO/schema"; }

# Runs switchboard-users with the workers' database settings.
sb_users() { sb_with_worker_env "$SB_BUILD_DIR/switchboard-users" "$@"; }

# The feed's first account: FEED_USER (default admin) as an admin with the generated password, and an API token for
# scripts and tests (secrets/feed-token). Kept across runs while the database keeps the user; a new database gets a
# new user and a new token. Then $SB_DIR/env is written again with the token.
sb_create_admin() {
  local user users
  user=$(source "$SB_DIR/env" && echo "$FEED_USER")
  users=$(sb_users list) || sb_die "could not list the feed's users"
  if ! cut -f1 <<<"$users" | grep -qx -- "$user"; then
    sb_users add "$user" --role admin <"$SB_DIR/secrets/feed-password" || sb_die "could not create the feed user $user"
    rm -f "$SB_DIR/secrets/feed-token"
  fi
  if [[ ! -s $SB_DIR/secrets/feed-token ]]; then
    sb_users token "$user" >"$SB_DIR/secrets/feed-token.new" && mv "$SB_DIR/secrets/feed-token.new" "$SB_DIR/secrets/feed-token" ||
      sb_die "could not issue an API token for $user"
  fi
  sb_configure
}

sb_start_workers() {
  local pidfile=$SB_DIR/run/workers.pid
  sb_pid_alive "$pidfile" && return 0
  rm -f "$SB_DIR/run/fcgi.sock"
  # spawn-fcgi creates the socket and execs multiwatch with it as fd 0 (-n: no fork, so stderr — the workers' log —
  # stays ours); multiwatch forks N workers, restarts any that die, and on SIGTERM passes SIGTERM on (a graceful
  # stop for our workers: the request in flight is finished).
  (set -a && . "$SB_DIR/workers.env" && set +a &&
    exec setsid spawn-fcgi -n -s "$SB_DIR/run/fcgi.sock" -M 0660 -- \
      /usr/bin/multiwatch -f "${SB_WORKERS:-4}" -s TERM -r 10 -- "$SB_BUILD_DIR/switchboard-fcgi") \
    </dev/null >>"$SB_DIR/log/workers.log" 2>&1 &
  echo $! >"$pidfile"
  local i
  for i in $(seq 1 50); do [[ -S $SB_DIR/run/fcgi.sock ]] && break; sleep 0.1; done
}

sb_stop_workers() { sb_stop_pid "$SB_DIR/run/workers.pid"; }

# The feed pool: the same program with --pool feed, on its own socket and under its own multiwatch, so the office's
# requests never wait for (or hold up) a webhook worker.
sb_start_feed_workers() {
  local pidfile=$SB_DIR/run/feed-workers.pid
  sb_pid_alive "$pidfile" && return 0
  rm -f "$SB_DIR/run/feed.sock"
  (set -a && . "$SB_DIR/workers.env" && set +a &&
    exec setsid spawn-fcgi -n -s "$SB_DIR/run/feed.sock" -M 0660 -- \
      /usr/bin/multiwatch -f "${SB_FEED_WORKERS:-2}" -s TERM -r 10 -- "$SB_BUILD_DIR/switchboard-fcgi" --pool feed) \
    </dev/null >>"$SB_DIR/log/feed-workers.log" 2>&1 &
  echo $! >"$pidfile"
  local i
  for i in $(seq 1 50); do [[ -S $SB_DIR/run/feed.sock ]] && break; sleep 0.1; done
}

sb_stop_feed_workers() { sb_stop_pid "$SB_DIR/run/feed-workers.pid"; }

sb_render() {
  local template=$1 target=$2
  python3 - "$template" "$target" <<'PY'
import os, sys
text = open(sys.argv[1]).read()
d = os.environ
for key, value in {
    "@FCGI_SOCKET@": d["SB_DIR"] + "/run/fcgi.sock",
    "@WWW_ROOT@": d["SB_REPO"] + "/nginx/www",
    "@FEED_SOCKET@": d["SB_DIR"] + "/run/feed.sock",
    "@RECORDINGS@": d["SB_DIR"] + "/state/recordings",
    "@FALLBACK_MAP@": d["SB_DIR"] + "/nginx/switchboard-fallback-map.conf",
    "@FALLBACK_LOCATIONS@": d["SB_DIR"] + "/nginx/switchboard-fallbacks.conf",
    "@RUN_DIR@": d["SB_DIR"] + "/run",
    "@LOG_DIR@": d["SB_DIR"] + "/log",
    "@NGINX_DIR@": d["SB_DIR"] + "/nginx",
    "@HTTPS_PORT@": d.get("SB_HTTPS_PORT", "8443"),
}.items():
    text = text.replace(key, value)
open(sys.argv[2], "w").write(text)
PY
}

sb_start_nginx() {
  local dir=$SB_DIR/nginx
  if [[ ! -s $dir/tls.crt ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$dir/tls.key" -out "$dir/tls.crt" >/dev/null 2>&1
  fi
  export SB_DIR SB_REPO SB_HTTPS_PORT
  sb_render "$SB_REPO/nginx/local.conf.in" "$dir/nginx.conf"
  sb_render "$SB_REPO/nginx/switchboard-http.conf.in" "$dir/switchboard-http.conf"
  sb_render "$SB_REPO/nginx/switchboard-locations.conf.in" "$dir/switchboard-locations.conf"
  # Each Twilio step's answer when no worker answers, from the step table and the workers' configuration.
  sb_with_worker_env "$SB_BUILD_DIR/switchboard-fcgi" --nginx-fallback-map >"$dir/switchboard-fallback-map.conf"
  sb_with_worker_env "$SB_BUILD_DIR/switchboard-fcgi" --nginx-fallback-locations >"$dir/switchboard-fallbacks.conf"
  # Run as the invoking user (root in CI): the workers' socket is 0660 and owned by that user.
  if [[ $(id -u) -eq 0 ]]; then sed -i '1i user root root;' "$dir/nginx.conf"; fi
  nginx -t -q -p "$dir" -c nginx.conf -e "$SB_DIR/log/nginx-error.log" || sb_die "nginx configuration rejected"
  if sb_pid_alive "$SB_DIR/run/nginx.pid"; then
    nginx -p "$dir" -c nginx.conf -e "$SB_DIR/log/nginx-error.log" -s reload
  else
    nginx -p "$dir" -c nginx.conf -e "$SB_DIR/log/nginx-error.log"
  fi
  local i
  for i in $(seq 1 50); do sb_pid_alive "$SB_DIR/run/nginx.pid" && return 0; sleep 0.1; done
  sb_die "nginx did not start, see $SB_DIR/log/nginx-error.log"
}

sb_stop_nginx() { sb_stop_pid "$SB_DIR/run/nginx.pid" QUIT; }

# switchboard-notify: delivers queued voicemail notifications, fetches each voicemail's audio. NAME (default notify)
# names its pid file and log, so tests can run a second one on the same queue (run/NAME.pid, log/NAME.log); sb_down
# stops every run/notify*.pid.
sb_start_notifier() {
  local name=${1:-notify}
  local pidfile=$SB_DIR/run/$name.pid
  sb_pid_alive "$pidfile" && return 0
  (set -a && . "$SB_DIR/workers.env" && set +a &&
    exec setsid "$SB_BUILD_DIR/switchboard-notify" </dev/null >>"$SB_DIR/log/$name.log" 2>&1) &
  echo $! >"$pidfile"
}

sb_up() {
  sb_configure
  sb_start_fake_twilio
  sb_start_mariadb
  sb_migrate >>"$SB_DIR/log/migrate.log"
  sb_create_admin
  sb_start_workers
  sb_start_feed_workers
  sb_start_notifier
  sb_start_nginx
}

sb_down() {
  sb_stop_nginx
  local pidfile
  for pidfile in "$SB_DIR"/run/notify*.pid; do sb_stop_pid "$pidfile"; done
  sb_stop_feed_workers
  sb_stop_workers
  sb_stop_mariadb
  sb_stop_pid "$SB_DIR/run/fake-twilio.pid"
}

# A free TCP port on 127.0.0.1.
sb_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
