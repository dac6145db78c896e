# Helpers for bench/run: results records, process accounting from /proc, wrk and SQL wrappers.
# shellcheck shell=bash
# Expects: SB_DIR (the bench's private stack), BENCH_LIB, RESULTS (the records file), WRK_THREADS.

bench_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# One record: a section name, then key=value words (values may hold spaces). bench/lib/report.py reads them.
rec() {
  local line=$1 kv
  shift
  for kv in "$@"; do line+=" $(printf '%q' "$kv")"; done
  printf '%s\n' "$line" >>"$RESULTS"
}

# --- processes -----------------------------------------------------------------------------------------------

children_of() { cat "/proc/$1/task/$1/children" 2>/dev/null || true; }
nginx_pids() { local m; m=$(cat "$SB_DIR/run/nginx.pid" 2>/dev/null) || return 0; echo "$m $(children_of "$m")"; }
nginx_worker_pids() { local m; m=$(cat "$SB_DIR/run/nginx.pid" 2>/dev/null) || return 0; children_of "$m"; }
worker_pids() { local m; m=$(cat "$SB_DIR/run/workers.pid" 2>/dev/null) || return 0; children_of "$m"; }
feed_worker_pids() { local m; m=$(cat "$SB_DIR/run/feed-workers.pid" 2>/dev/null) || return 0; children_of "$m"; }
mariadb_pids() { cat "$SB_DIR/run/mariadb.pid" 2>/dev/null || true; }
# The bare program's processes (bare_start): spawn-fcgi -F writes every child's pid to run/bare.pid.
bare_pids() { cat "$SB_DIR/run/bare.pid" 2>/dev/null || true; }

# utime+stime in clock ticks, summed over the pids given (fields 14 and 15 of /proc/pid/stat, after the comm).
cpu_ticks() {
  local total=0 pid stat
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# Busy and total jiffies of the whole machine (every process, ours and other people's).
machine_ticks() {
  local _ user nice system idle iowait irq softirq steal
  read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
  echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# Snapshot of CPU ticks per component: nginx (its worker processes) webhook-workers mariadb machine_busy
# machine_total feed-workers bare-program (the later ones last, so records of older runs still read the same).
cpu_snapshot() {
  # shellcheck disable=SC2046
  echo "$(cpu_ticks $(nginx_worker_pids)) $(cpu_ticks $(worker_pids)) $(cpu_ticks $(mariadb_pids)) $(machine_ticks)" \
    "$(cpu_ticks $(feed_worker_pids)) $(cpu_ticks $(bare_pids))"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- MariaDB -------------------------------------------------------------------------------------------------

sql() { mariadb --no-defaults -S "$SB_DIR/run/mysqld.sock" -uroot -D switchboard -B -N "$@"; }

# Global status counters, one "name value" line each, for the deltas printed beside the webhook figures.
db_status() {
  sql -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit', 'Com_insert', 'Com_update', 'Com_select',
    'Com_stmt_execute', 'Innodb_data_fsyncs', 'Innodb_log_writes', 'Questions', 'Innodb_buffer_pool_reads',
    'Innodb_buffer_pool_read_requests', 'Innodb_row_lock_waits', 'Innodb_deadlocks', 'Handler_write',
    'Handler_update', 'Handler_read_key', 'Handler_read_next')" 2>/dev/null || true
}

# --- the bare program (bench/bare/bare_webhook.c): the floor the webhook is compared with ----------------------

# bare_build OUT: compiles the bare program into OUT, warnings as errors.
bare_build() {
  # shellcheck disable=SC2046
  cc -O2 -Wall -Wextra -Werror -o "$1" "$BENCH_LIB/../bare/bare_webhook.c" $(pkg-config --cflags --libs libmariadb fcgi)
}

# bare_start BINARY TWIML_FILE PROCESSES: creates bench's own table bare_calls in the stack's database (not a
# migration: the product never sees it) and starts PROCESSES copies of BINARY under spawn-fcgi on run/bare.sock,
# connected as the stack's database user, answering TWIML_FILE's bytes. Their stderr goes to log/bare.log.
bare_start() {
  sql -e "CREATE TABLE IF NOT EXISTS bare_calls (
    sid VARCHAR(64) NOT NULL PRIMARY KEY, from_number VARCHAR(64) NOT NULL, to_number VARCHAR(64) NOT NULL,
    status VARCHAR(64) NOT NULL, started_at DATETIME(3) NOT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
  rm -f "$SB_DIR/run/bare.sock" "$SB_DIR/run/bare.pid"
  BARE_DB_SOCKET=$SB_DIR/run/mysqld.sock BARE_DB_USER=switchboard BARE_DB_NAME=switchboard \
    BARE_DB_PASSWORD=$(cat "$SB_DIR/secrets/db-password") BARE_TWIML_FILE=$2 BARE_LOG=$SB_DIR/log/bare.log \
    spawn-fcgi -F "$3" -P "$SB_DIR/run/bare.pid" -s "$SB_DIR/run/bare.sock" -M 0660 -- "$1" \
    </dev/null >>"$SB_DIR/log/bare.log" 2>&1 || sb_die "spawn-fcgi could not start $1, see $SB_DIR/log/bare.log"
  for _ in $(seq 1 50); do [[ -S $SB_DIR/run/bare.sock ]] && break; sleep 0.1; done
  (($(bare_pids | wc -w) == $3)) || sb_die "the bare program did not start $3 processes, see $SB_DIR/log/bare.log"
}

# Stops the bare program's processes by their pids: TERM, then KILL after 2 s.
bare_stop() {
  local pid left
  [[ -s $SB_DIR/run/bare.pid ]] || return 0
  for pid in $(bare_pids); do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    left=
    for pid in $(bare_pids); do sb_running "$pid" && left+=" $pid"; done
    [[ -z $left ]] && break
    sleep 0.1
  done
  for pid in $left; do kill -9 "$pid" 2>/dev/null || true; done
  rm -f "$SB_DIR/run/bare.pid" "$SB_DIR/run/bare.sock"
}

# --- wrk -----------------------------------------------------------------------------------------------------

# Runs wrk in the foreground under /usr/bin/time (its own CPU), prints its RESULT words plus wrk_cpu_ticks.
# Arguments: connections seconds url [wrk options...] [-- script arguments...]. WRK_TAG (default wrk) names its
# files under $SB_DIR/bench (TAG.out, TAG.time, TAG.pid), so a second wrk can run in the background beside one in
# the foreground; TAG.pid lets bench/run's trap stop it (this function often runs in a $(…) subshell).
run_wrk() {
  local connections=$1 seconds=$2 url=$3
  shift 3
  local tag=${WRK_TAG:-wrk}
  local options=() out=$SB_DIR/bench/$tag.out timefile=$SB_DIR/bench/$tag.time threads=$WRK_THREADS
  while (($#)) && [[ $1 != -- ]]; do options+=("$1"); shift; done
  ((connections < threads)) && threads=$connections
  # wrk takes the URL first and hands what follows it to the script's init(args).
  /usr/bin/time -f '%U %S' -o "$timefile" \
    wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout 5s "${options[@]}" "$url" "$@" >"$out" 2>&1 &
  echo $! >"$SB_DIR/bench/$tag.pid"
  wait "$!" || true
  rm -f "$SB_DIR/bench/$tag.pid"
  local result
  result=$(grep '^RESULT ' "$out" | head -1)
  if [[ -z $result ]]; then
    bench_log "wrk failed: $(tail -5 "$out" | tr '\n' ' ')"
    echo "failed=1"
    return
  fi
  local user sys
  read -r user sys < <(tail -1 "$timefile")
  echo "${result#RESULT } wrk_cpu_ticks=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d", (u + s) * 100}')"
}

# "k=v k=v" -> the value of one key.
field() { local key=$1 words=$2 word; for word in $words; do [[ $word == "$key="* ]] && { echo "${word#*=}"; return; }; done; echo ""; }

# --- the feed's session -------------------------------------------------------------------------------------

# Signs in once as a browser does (POST /api/session with the CSRF guard's headers) and prints the sb_session
# cookie's value; every feed figure then sends "Cookie: sb_session=…". Arguments: base URL, CA file, user, password.
feed_sign_in() {
  local base=$1 cacert=$2 headers=$SB_DIR/bench/session.headers status
  status=$(jq -cn --arg user "$3" --arg password "$4" '{user: $user, password: $password}' |
    curl -s --cacert "$cacert" -D "$headers" -o "$SB_DIR/bench/session.json" -w '%{http_code}' \
      -H 'Content-Type: application/json' -H 'X-Requested-With: switchboard' --data-binary @- "$base/api/session")
  [[ $status == 200 ]] || sb_die "sign-in as $3 answered HTTP $status: $(head -c 300 "$SB_DIR/bench/session.json")"
  sed -n 's/^[Ss]et-[Cc]ookie: sb_session=\([^;]*\).*/\1/p' "$headers" | tr -d '\r' | head -1
}

# --- nginx -----------------------------------------------------------------------------------------------------

# Standard input as the body of an nginx string in single quotes, on one line: backslashes and quotes escaped, and
# "$" dropped (nginx would read it as a variable and has no escape for it; the TwiML has none).
bench_nginx_quote() { sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" -e 's/\$//g' | tr -d '\n'; }

# Edits the stack's rendered nginx.conf — the bench's private copy, not nginx/*.conf.in — to include
# $SB_DIR/nginx/bench-locations.conf and to lift any per-address limit_req rate (all bench load comes from 127.0.0.1;
# the shipped configuration has none on the webhooks any more), then reloads nginx. Prints the original rate.
bench_nginx_apply() {
  local ngx=$SB_DIR/nginx limit
  [[ -f $ngx/nginx.conf.orig ]] || cp "$ngx/nginx.conf" "$ngx/nginx.conf.orig"
  limit=$(grep -o 'limit_req_zone[^;]*rate=[0-9]*r/s' "$ngx/nginx.conf.orig" | grep -o '[0-9]*r/s' || echo none)
  sed -E -e 's#(limit_req_zone[^;]*rate=)[0-9]+r/s#\11000000r/s#' \
    -e "s#^( *)include (.*/switchboard-locations.conf;)#\1include $ngx/bench-locations.conf;\n\1include \2#" \
    "$ngx/nginx.conf.orig" >"$ngx/nginx.conf"
  nginx -t -q -p "$ngx" -c nginx.conf -e "$SB_DIR/log/nginx-error.log" >&2 || sb_die "bench nginx config rejected"
  local old_workers
  old_workers=$(children_of "$(cat "$SB_DIR/run/nginx.pid")")
  nginx -p "$ngx" -c nginx.conf -e "$SB_DIR/log/nginx-error.log" -s reload
  # The reload is done when the old workers have gone.
  local pid
  for _ in $(seq 1 100); do
    for pid in $old_workers; do kill -0 "$pid" 2>/dev/null && break; pid=; done
    [[ -z ${pid:-} ]] && break
    sleep 0.1
  done
  echo "$limit"
}
