# Shared by scripts/local-up, scripts/local-down and the integration tests: install, build, and run the whole stack
# (private MariaDB, migrations, the two FastCGI worker pools — webhooks and feed — under spawn-fcgi + multiwatch,
# the feed's first admin account, nginx with TLS, the routing watcher that renders nginx's fallbacks again when the
# routing changes) inside one
# directory, on loopback only. Every process started here writes a pid file under $SB_DIR/run and is stopped by pid.
#
# Inputs (environment): SB_DIR (stack directory), SB_BUILD_DIR (where switchboard-fcgi was built),
# SB_HTTPS_PORT (default 8443), SB_WORKERS (webhook pool, default 4), SB_FEED_WORKERS (feed pool, default 2), plus any SWITCHBOARD_* / TWILIO_* overrides for the workers.
# SB_DB_HOSTS (host:port,… over TCP instead of the private MariaDB's socket: scripts/lib/cluster.sh's Galera nodes).
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

# A process is running when it exists and is not a zombie: a process whose parent went first waits for init to reap
# it, which some inits (a VM's or a container's) do only every second or two, and it would be waited for that long.
sb_running() { kill -0 "$1" 2>/dev/null && [[ $(ps -o stat= -p "$1" 2>/dev/null) != Z* ]]; }
sb_pid_alive() { [[ -s $1 ]] && sb_running "$(cat "$1")"; }

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
    if [[ -n ${SB_DB_HOSTS:-} ]]; then
      # A database over TCP (scripts/cluster-up: the Galera nodes, tried in order). Binaries that predate
      # SWITCHBOARD_DB_HOSTS read the first endpoint from SWITCHBOARD_DB_HOST/PORT.
      local first=${SB_DB_HOSTS%%,*}
      sb_kv SWITCHBOARD_DB_HOSTS "$SB_DB_HOSTS"
      sb_kv SWITCHBOARD_DB_HOST "${first%:*}"
      sb_kv SWITCHBOARD_DB_PORT "${first##*:}"
    else
      sb_kv SWITCHBOARD_DB_SOCKET "$SB_DIR/run/mysqld.sock"
    fi
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
    for name in $(compgen -e | grep -E '^SWITCHBOARD_(OFFICE_HOURS|TIMEZONE|SCREENING|MENU_|DIAL_TIMEOUT|VOICEMAIL_|TRANSCRIBE|VOICE|LANGUAGE|NOTIFY_TRANSCRIPTION_WAIT|NOTIFY_TIMEOUT|RECONCILE_|KEPT_REQUESTS_MAX_MB|SESSION_|DB_(CONNECT|READ|WRITE)_TIMEOUT|FALLBACK_BASE_URL|TWILIO_URL_OVERRIDES)'); do
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
    if [[ -n ${SB_DB_HOSTS:-} ]]; then sb_kv DB_HOSTS "$SB_DB_HOSTS"; else sb_kv DB_SOCKET "$SB_DIR/run/mysqld.sock"; fi
    sb_kv FCGI_SOCKET "$SB_DIR/run/fcgi.sock"
    sb_kv FEED_SOCKET "$SB_DIR/run/feed.sock"
    sb_kv STACK_DIR "$SB_DIR"
  } >"$SB_DIR/env"
  chmod 600 "$SB_DIR/env" "$SB_DIR/workers.env"
}

# The local stack talks to a fake Twilio REST API on loopback (tools/fake-twilio) unless a real one is configured.
sb_twilio_api_base() {
  if [[ -n ${SWITCHBOARD_TWILIO_API_BASE:-} ]]; then echo "$SWITCHBOARD_TWILIO_API_BASE"; return; fi
  if [[ ! -s $SB_DIR/run/fake-twilio.port ]]; then
    # Two asks for a free port can get the same one (nothing holds it in between): never nginx's.
    local port
    port=$(sb_free_port)
    while [[ $port == "${SB_HTTPS_PORT:-8443}" ]]; do port=$(sb_free_port); done
    echo "$port" >"$SB_DIR/run/fake-twilio.port"
  fi
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
  for i in $(seq 1 "$tenths"); do sb_running "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  [[ -n $group ]] || return 0
  for i in $(seq 1 "$tenths"); do
    # Any member of the group still running (zombies waiting for init do not count).
    ps -eo pgid=,stat= | awk -v group="$group" '$1 == group && $2 !~ /^Z/ { found = 1 } END { exit !found }' ||
      return 0
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
    GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE ROUTINE, ALTER ROUTINE, EXECUTE ON switchboard.* TO 'switchboard'@'localhost';"
}

sb_stop_mariadb() { sb_stop_pid "$SB_DIR/run/mariadb.pid" TERM 300; }

sb_migrate() { sb_with_worker_env "$SB_BUILD_DIR/switchboard-migrate" --schema-dir "$SB_REPO/schema"; }

# Runs switchboard-users with the workers' database settings.
sb_users() { sb_with_worker_env "$SB_BUILD_DIR/switchboard-users" "$@"; }

# Runs switchboard-routing (show | set FILE|- | history [N] | away on|off) with the workers' whole configuration,
# as switchboard-fcgi reads it; it writes the stack's routing snapshot, $SB_DIR/state/routing.json.
sb_routing() { sb_with_worker_env "$SB_BUILD_DIR/switchboard-routing" "$@"; }

# Runs switchboard-admin (purge [--dry-run]) with the workers' whole configuration; the retention settings
# (SWITCHBOARD_RETAIN_*, SWITCHBOARD_DELETE_TWILIO_RECORDINGS) come from the caller's environment.
sb_admin() { sb_with_worker_env "$SB_BUILD_DIR/switchboard-admin" "$@"; }

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

# The stack's nginx (its prefix, configuration and error log); arguments are nginx's (-t -q, -s reload).
sb_nginx() { nginx -p "$SB_DIR/nginx" -c nginx.conf -e "$SB_DIR/log/nginx-error.log" "$@"; }

# Starts nginx (or reloads it when it runs), with every file rendered again, then the routing watcher.
sb_start_nginx() {
  local dir=$SB_DIR/nginx
  if [[ ! -s $dir/tls.crt ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$dir/tls.key" -out "$dir/tls.crt" >/dev/null 2>&1
  fi
  export SB_DIR SB_REPO SB_HTTPS_PORT
  sb_render "$SB_REPO/nginx/local.conf.in" "$dir/nginx.conf"
  # Run as the invoking user (root in CI): the workers' socket is 0660 and owned by that user.
  if [[ $(id -u) -eq 0 ]]; then sed -i '1i user root root;' "$dir/nginx.conf"; fi
  sb_render "$SB_REPO/nginx/switchboard-http.conf.in" "$dir/switchboard-http.conf"
  sb_render "$SB_REPO/nginx/switchboard-locations.conf.in" "$dir/switchboard-locations.conf"
  # Each Twilio step's answer when no worker answers, from the step table, the workers' configuration and the
  # routing snapshot; under the watcher's lock, so that a running watcher does not render at the same time.
  sb_with_worker_env "$SB_BUILD_DIR/switchboard-fcgi" --nginx-fallback-map >"$dir/switchboard-fallback-map.conf"
  exec 9>>"$SB_DIR/run/fallbacks.lock"
  flock -w 60 9 || sb_die "the routing watcher holds $SB_DIR/run/fallbacks.lock"
  local snapshot_id version
  snapshot_id=$(sb_routing_snapshot_id)
  version=$(sb_routing_snapshot_version) || version='?'
  # sb_render_fallbacks checks the whole configuration with nginx -t.
  sb_render_fallbacks || sb_die "nginx's fallbacks not rendered, or the configuration rejected (above)"
  if sb_pid_alive "$SB_DIR/run/nginx.pid"; then
    sb_nginx_reload || sb_die "nginx did not reload, see $SB_DIR/log/nginx-error.log"
  else
    sb_nginx 9>&-  # nginx must not keep the lock
  fi
  local i
  for i in $(seq 1 50); do sb_pid_alive "$SB_DIR/run/nginx.pid" && break; sleep 0.1; done
  sb_pid_alive "$SB_DIR/run/nginx.pid" || sb_die "nginx did not start, see $SB_DIR/log/nginx-error.log"
  sb_mark_fallbacks "$snapshot_id" "$version"
  exec 9>&-
  sb_start_routing_watcher
}

sb_stop_nginx() { sb_stop_pid "$SB_DIR/run/nginx.pid" QUIT; }

# --- nginx's fallbacks follow the routing ---------------------------------------------------------------------------
# Routing is data: the routing snapshot $SB_DIR/state/routing.json is replaced (a new file renamed into place) by the
# feed pool when an admin saves a change (PUT /api/routing), by sb_routing, and by a webhook worker that finds a newer
# version in the database. nginx's fallbacks — what it answers on each Twilio step while no worker does — are printed
# by `switchboard-fcgi --nginx-fallback-locations` from that snapshot, so each change must render them again and
# reload nginx. In production switchboard-routing.path (inotify) runs switchboard-render-nginx --reload; here the
# routing watcher polls the snapshot (every 0.3 s: inode, modification time, size) and does the same, logging to
# $SB_DIR/log/routing-watcher.log. It is started with nginx (sb_start_nginx), stopped by sb_down, and stops by itself
# when nginx's pid is gone or its own pid file (run/routing-watcher.pid) is removed or names another process.
#
# What tests wait on, in $SB_DIR/run (each file replaced whole):
#   fallbacks.version   the routing version whose fallbacks nginx serves: written once nginx has reloaded and its
#                       previous workers are gone (0 = the environment's routing, before any save). After saving
#                       version N, `sb_wait_fallbacks N` (or polling this file for N) says the fallbacks are N's.
#   fallbacks.rendered  the snapshot's identity ("inode mtime size", or "none") those fallbacks were rendered from.
# A change that cannot be rendered (a snapshot the program cannot use, nginx -t refusing the result) keeps the
# previous fallbacks, leaves fallbacks.version as it was and says why in the log.

sb_routing_snapshot_id() { stat -c '%i %.9Y %s' "$SB_DIR/state/routing.json" 2>/dev/null || echo none; }

# The snapshot's "version", 0 when there is none yet; fails when the file holds no version number.
sb_routing_snapshot_version() {
  [[ -e $SB_DIR/state/routing.json ]] || { echo 0; return 0; }
  jq -er '.version | numbers' "$SB_DIR/state/routing.json" 2>/dev/null
}

# Renders $SB_DIR/nginx/switchboard-fallbacks.conf from the snapshot and checks the whole configuration with
# nginx -t; on any failure the previous file stays (or is put back) and the reason goes to stderr. Reloads nothing.
sb_render_fallbacks() {
  local target=$SB_DIR/nginx/switchboard-fallbacks.conf
  local new=$target.new previous=$target.previous errors=$SB_DIR/nginx/fallbacks.stderr
  if ! sb_with_worker_env "$SB_BUILD_DIR/switchboard-fcgi" --nginx-fallback-locations >"$new" 2>"$errors"; then
    cat "$errors" >&2
    echo "switchboard-fcgi --nginx-fallback-locations failed" >&2
    rm -f "$new"
    return 1
  fi
  # The program renders the last good version it read, the environment's if none: never install that for a
  # snapshot it could not use (it says so on stderr).
  if grep -q 'routing snapshot' "$errors"; then
    cat "$errors" >&2
    echo "the routing snapshot could not be used: the previous fallbacks stay" >&2
    rm -f "$new"
    return 1
  fi
  if [[ -e $target ]]; then cp "$target" "$previous"; else rm -f "$previous"; fi
  mv -f "$new" "$target"
  if ! sb_nginx -t -q >&2; then
    if [[ -e $previous ]]; then mv -f "$previous" "$target"; else rm -f "$target"; fi
    echo "nginx -t refused the new fallbacks: the previous ones are back" >&2
    return 1
  fi
  rm -f "$previous"
}

# Reloads nginx gracefully and waits (10 s at most) until none of its previous workers is left, so that every
# connection from now on is served with the new configuration. Workers still finishing a long request after that
# count as gone once they say they are shutting down (they no longer accept connections).
sb_nginx_reload() {
  local master old pid i left
  master=$(cat "$SB_DIR/run/nginx.pid")
  old=$(ps -o pid= --ppid "$master" | tr -d ' ')
  sb_nginx -s reload 9>&- || return 1
  for i in $(seq 1 100); do
    left=()
    for pid in $old; do
      [[ $(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ') == "$master" ]] && left+=("$pid")
    done
    ((${#left[@]} == 0)) && return 0
    sleep 0.1
  done
  for pid in "${left[@]}"; do
    ps -o args= -p "$pid" 2>/dev/null | grep -q 'shutting down' || return 1
  done
}

# sb_mark_fallbacks SNAPSHOT_ID VERSION: what nginx serves now (see above).
sb_mark_fallbacks() {
  local run=$SB_DIR/run
  printf '%s\n' "$1" >"$run/fallbacks.rendered.new" && mv -f "$run/fallbacks.rendered.new" "$run/fallbacks.rendered"
  printf '%s\n' "$2" >"$run/fallbacks.version.new" && mv -f "$run/fallbacks.version.new" "$run/fallbacks.version"
}

# sb_wait_fallbacks VERSION [SECONDS]: waits (default 15 s) until nginx serves the fallbacks of routing version
# VERSION or a later one; fails, with the watcher's last log lines, if it does not.
sb_wait_fallbacks() {
  local want=$1 tenths=$((${2:-15} * 10)) i have
  for i in $(seq 1 "$tenths"); do
    have=$(cat "$SB_DIR/run/fallbacks.version" 2>/dev/null || true)
    [[ $have =~ ^[0-9]+$ ]] && ((have >= want)) && return 0
    sleep 0.1
  done
  echo "nginx's fallbacks are still those of routing version ${have:-?}, not $want:" >&2
  tail -5 "$SB_DIR/log/routing-watcher.log" >&2 2>/dev/null || true
  return 1
}

sb_start_routing_watcher() {
  local pidfile=$SB_DIR/run/routing-watcher.pid
  sb_pid_alive "$pidfile" && return 0
  # A process of its own (setsid, like the pools) running this file's sb_routing_watch.
  # shellcheck disable=SC2016 # $0 is expanded by that bash
  SB_DIR=$SB_DIR SB_BUILD_DIR=$SB_BUILD_DIR setsid bash -c 'source "$0" && sb_routing_watch' \
    "$SB_REPO/scripts/lib/stack.sh" </dev/null >>"$SB_DIR/log/routing-watcher.log" 2>&1 &
  echo $! >"$pidfile"
}

sb_stop_routing_watcher() { sb_stop_pid "$SB_DIR/run/routing-watcher.pid"; }

sb_watch_say() { printf '%s routing-watcher[%s]: %s\n' "$(date '+%F %T')" "$$" "$*"; }

# The watcher's loop (run by sb_start_routing_watcher, in a process of its own; its output is the log). The polling
# itself is a small Python loop (a stat and two pid checks every 0.3 s, next to no CPU beside a benchmark, where a
# shell loop would fork stat(1) three times a second); it prints "change" when the snapshot's identity differs from
# the last one it saw, and "stop REASON" before it ends. The renders are this shell's.
sb_routing_watch() {
  local pidfile=$SB_DIR/run/routing-watcher.pid seen i event reason status
  # The starter writes the pid file just after starting this process.
  for i in $(seq 1 50); do [[ $(cat "$pidfile" 2>/dev/null) == "$$" ]] && break; sleep 0.1; done
  seen=$(cat "$SB_DIR/run/fallbacks.rendered" 2>/dev/null || echo unknown)
  sb_watch_say "watching $SB_DIR/state/routing.json; nginx serves the fallbacks of routing version" \
    "$(cat "$SB_DIR/run/fallbacks.version" 2>/dev/null || echo '?')"
  # (The loop after the poller runs in a pipeline's subshell: $$ is still this process, the pid file's.)
  python3 -u - "$SB_DIR/state/routing.json" "$pidfile" "$SB_DIR/run/nginx.pid" "$$" "$seen" <<'PY' |
import os, sys, time
snapshot, pidfile, nginx_pidfile, me, last = sys.argv[1:]

def identity():  # as sb_routing_snapshot_id prints it: inode, mtime (s.ns), size
    try:
        info = os.stat(snapshot)
    except FileNotFoundError:
        return "none"
    return "%d %d.%09d %d" % ((info.st_ino,) + divmod(info.st_mtime_ns, 10**9) + (info.st_size,))

def alive(path):
    try:
        os.kill(int(open(path).read().split()[0]), 0)
        return True
    except PermissionError:
        return True
    except (OSError, ValueError, IndexError):
        return False

while True:
    try:
        owner = open(pidfile).read().strip()
    except OSError:
        owner = ""
    if owner != me:
        print("stop pid file %s removed or taken over" % pidfile)
        break
    if not alive(nginx_pidfile):
        print("stop nginx is gone")
        break
    now = identity()
    if now != last:
        print("change")
        last = now
    time.sleep(0.3)
PY
    while read -r event reason; do
      if [[ $event == stop ]]; then
        sb_watch_say "$reason: stopping"
        break
      fi
      # One look per change the poller saw; the render reads the snapshot as it is now, and a change during the
      # render is the poller's next line.
      [[ $(sb_routing_snapshot_id) == "$seen" ]] && continue
      status=0
      (flock -w 60 9 || exit 1; sb_refresh_fallbacks "$(sb_routing_snapshot_id)") 9>>"$SB_DIR/run/fallbacks.lock" ||
        status=$?
      # 0 done; 1 failed (the log says why; the next change is tried); 2 changed meanwhile (the poller's next line).
      ((status == 0)) && seen=$(cat "$SB_DIR/run/fallbacks.rendered")
    done
}

# sb_refresh_fallbacks SNAPSHOT_ID: renders, reloads nginx and marks, for the snapshot seen as SNAPSHOT_ID. 0 done,
# 1 failed (previous fallbacks kept), 2 the snapshot changed meanwhile (nothing marked).
sb_refresh_fallbacks() {
  local id=$1 version
  version=$(sb_routing_snapshot_version) || version='?'
  local errors
  if ! errors=$(sb_render_fallbacks 2>&1); then
    sb_watch_say "routing version $version: not rendered, nginx keeps the fallbacks of version" \
      "$(cat "$SB_DIR/run/fallbacks.version" 2>/dev/null || echo '?'):"
    sed 's/^/    /' <<<"$errors"
    return 1
  fi
  [[ $(sb_routing_snapshot_id) == "$id" ]] || { sb_watch_say "the snapshot changed while rendering: again"; return 2; }
  if ! sb_nginx_reload; then
    sb_watch_say "routing version $version: rendered, but nginx did not reload (see $SB_DIR/log/nginx-error.log)"
    return 1
  fi
  sb_mark_fallbacks "$id" "$version"
  sb_watch_say "routing version $version: fallbacks rendered, nginx reloaded"
}

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
  sb_start_nginx  # and the routing watcher
}

sb_down() {
  sb_stop_routing_watcher
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
