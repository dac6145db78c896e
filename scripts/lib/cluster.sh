# Shared by scripts/cluster-up and scripts/cluster-down: the production topology on one machine, on loopback only,
# under $CLUSTER_DIR — a 3-node MariaDB Galera cluster, two application hosts A and B (each a whole stack.sh host in
# its own SB_DIR, $CLUSTER_DIR/a and /b, whose database is the cluster over TCP), HAProxy in front of them (TCP, so
# TLS stays at each host's nginx) and one fake Twilio that both hosts talk to. Every process has a pid file under
# $CLUSTER_DIR/run (the hosts' as symlinks into their own run/) and is stopped by pid; data survives a stop.
#
# Inputs (environment): CLUSTER_DIR (default $SB_REPO/.cluster), CLUSTER_PORT_BASE (default 34000: every port is
# derived from it, see cl_ports), SB_BUILD_DIR, plus stack.sh's settings (SB_WORKERS, SWITCHBOARD_*, TWILIO_*…).
# shellcheck shell=bash

source "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

CLUSTER_DIR=${CLUSTER_DIR:-$SB_REPO/.cluster}
CL_NODES=(1 2 3)
CL_HOSTS=(a b)
CL_HOST_PIDS=(nginx workers feed-workers notify routing-watcher)

# The ports, all from one base, 30 in a row, so that parallel runs (tests) with bases 30 or more apart never collide:
#   base+0 HAProxy, base+1 host A's HTTPS, base+2 host B's HTTPS, base+3 the fake Twilio;
#   node N (1..3) at base+10*(N-1): +6 SQL, +7 Galera replication (gcomm), +8 IST, +9 SST (rsync).
# The base used last is kept in $CLUSTER_DIR/port-base, so a later run without CLUSTER_PORT_BASE finds the cluster.
cl_ports() {
  local recorded=""
  [[ -s $CLUSTER_DIR/port-base ]] && recorded=$(cat "$CLUSTER_DIR/port-base")
  CL_BASE=${CLUSTER_PORT_BASE:-${recorded:-34000}}
  if ! [[ $CL_BASE =~ ^[0-9]+$ ]] || ((CL_BASE < 1024 || CL_BASE + 29 > 65535)); then
    sb_die "CLUSTER_PORT_BASE=$CL_BASE: give a number from 1024 to 65506"
  fi
  CL_HAPROXY_PORT=$CL_BASE
  CL_A_PORT=$((CL_BASE + 1))
  CL_B_PORT=$((CL_BASE + 2))
  CL_FAKE_PORT=$((CL_BASE + 3))
  local n
  CL_SQL_PORTS=()
  for n in "${CL_NODES[@]}"; do CL_SQL_PORTS+=("$(cl_sql_port "$n")"); done
}

cl_sql_port() { echo $((CL_BASE + 10 * ($1 - 1) + 6)); }
cl_gcomm_port() { echo $((CL_BASE + 10 * ($1 - 1) + 7)); }
cl_ist_port() { echo $((CL_BASE + 10 * ($1 - 1) + 8)); }
cl_sst_port() { echo $((CL_BASE + 10 * ($1 - 1) + 9)); }

cl_node_dir() { echo "$CLUSTER_DIR/galera-$1"; }
cl_node_sock() { echo "$CLUSTER_DIR/galera-$1/mysqld.sock"; }
cl_node_pidfile() { echo "$CLUSTER_DIR/run/galera-$1.pid"; }

# Anything of ours still running? (Any pid file's process, or leftovers of its process group: named on stdout.)
cl_anything_running() {
  local pidfile found=1
  for pidfile in "$CLUSTER_DIR"/run/*.pid "$CLUSTER_DIR"/{a,b}/run/*.pid; do
    [[ -s $pidfile ]] || continue
    if sb_pid_alive "$pidfile" || cl_group_alive "$(cat "$pidfile")"; then
      echo "${pidfile#"$CLUSTER_DIR"/} ($(cat "$pidfile"))"
      found=0
    fi
  done
  return $found
}

# A base given now that differs from the one the running cluster uses would leave half of it unreachable.
cl_record_ports() {
  local recorded=""
  [[ -s $CLUSTER_DIR/port-base ]] && recorded=$(cat "$CLUSTER_DIR/port-base")
  if [[ -n $recorded && $recorded != "$CL_BASE" ]] && cl_anything_running >/dev/null; then
    sb_die "the cluster in $CLUSTER_DIR runs on port base $recorded, not $CL_BASE: scripts/cluster-down first, or unset CLUSTER_PORT_BASE"
  fi
  echo "$CL_BASE" >"$CLUSTER_DIR/port-base"
}

# --- processes ------------------------------------------------------------------------------------------------------

# Whether any process (not a zombie) of process group GROUP is left.
cl_group_alive() {
  ps -eo pgid=,stat= | awk -v group="$1" '$1 == group && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# A pid file whose process died by kill -9 can leave the rest of its process group running: multiwatch's workers
# (still serving the unlinked socket and claiming kept requests), nginx's workers (still holding the port), a
# node's rsync. sb_stop_pid only looks at the group when its leader is alive, so this stops the leftovers when it
# is not. A pgid cannot be handed out again as a pid while its group has members, so they are surely ours.
cl_reap_leftovers() {
  local pidfile=$1 what=$2 pid
  [[ -s $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  sb_running "$pid" && return 0
  cl_group_alive "$pid" || return 0
  sb_log "$what: its process $pid is gone but its process group is not: stopping the leftovers"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do cl_group_alive "$pid" || return 0; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do cl_group_alive "$pid" || return 0; sleep 0.1; done
}

# --- shared material ------------------------------------------------------------------------------------------------

# The mysql user must reach the node directories (mariadbd runs as mysql when we are root: rsync SST fails as root).
cl_check_dirs() {
  mkdir -p "$CLUSTER_DIR"/{run,log,secrets}
  chmod 700 "$CLUSTER_DIR/secrets"
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u mysql -- test -x "$CLUSTER_DIR" ||
      sb_die "the mysql user cannot reach $CLUSTER_DIR (a parent directory is not searchable by others): choose another CLUSTER_DIR, e.g. under /tmp"
  fi
}

# The secrets both hosts share (as in production, where they serve the same public name), made once; stack.sh's
# rules: a value in the environment wins the first time.
cl_secrets() {
  local s=$CLUSTER_DIR/secrets
  [[ -s $s/db-password ]] || sb_random_hex 16 >"$s/db-password"
  [[ -s $s/twilio-auth-token ]] || printf '%s' "${TWILIO_AUTH_TOKEN:-$(sb_random_hex 16)}" >"$s/twilio-auth-token"
  [[ -s $s/feed-password ]] || printf '%s' "${FEED_PASSWORD:-$(sb_random_hex 9)}" >"$s/feed-password"
  [[ -s $s/notify-webhook-secret ]] || sb_random_hex 24 >"$s/notify-webhook-secret"
  [[ -s $s/account-sid ]] || printf '%s' "${TWILIO_ACCOUNT_SID:-AC$(sb_random_hex 16)}" >"$s/account-sid"
  # One certificate for both nginx: a client behind the balancer cannot tell which host answered.
  if [[ ! -s $CLUSTER_DIR/tls.crt || ! -s $CLUSTER_DIR/tls.key ]]; then
    sb_log "creating the shared TLS certificate (CN localhost, IP:127.0.0.1)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$CLUSTER_DIR/tls.key" \
      -out "$CLUSTER_DIR/tls.crt" >/dev/null 2>&1 || sb_die "openssl could not create the certificate"
    chmod 600 "$CLUSTER_DIR/tls.key"
  fi
}

# The fake Twilio, as stack.sh starts it, with $CLUSTER_DIR as its stack directory (run/, log/, secrets/,
# fake-twilio/requests.jsonl).
cl_start_fake_twilio() {
  [[ -n ${SWITCHBOARD_TWILIO_API_BASE:-} ]] && return 0
  echo "$CL_FAKE_PORT" >"$CLUSTER_DIR/run/fake-twilio.port"
  if sb_pid_alive "$CLUSTER_DIR/run/fake-twilio.pid"; then
    sb_log "fake Twilio: running"
    return 0
  fi
  cl_reap_leftovers "$CLUSTER_DIR/run/fake-twilio.pid" "fake Twilio"
  sb_log "fake Twilio: starting on 127.0.0.1:$CL_FAKE_PORT"
  # shellcheck disable=SC2030 # SB_DIR for this call only
  (SB_DIR=$CLUSTER_DIR && sb_start_fake_twilio)
}

# --- Galera ---------------------------------------------------------------------------------------------------------

# Each node's options (stack-notes §13), written on every run so that they follow the port base.
cl_node_config() {
  local n=$1 dir addresses="" m
  dir=$(cl_node_dir "$n")
  for m in "${CL_NODES[@]}"; do addresses+="${addresses:+,}127.0.0.1:$(cl_gcomm_port "$m")"; done
  mkdir -p "$dir"/{data,tmp}
  {
    echo "[mysqld]"
    # rsync SST fails as root (the rsync daemon drops to nobody): as root, the node runs as mysql.
    [[ $(id -u) -eq 0 ]] && echo "user=mysql"
    echo "datadir=$dir/data"
    echo "socket=$dir/mysqld.sock"
    echo "pid-file=$dir/mysqld.pid"
    echo "log-error=$dir/error.log"
    # A tmpdir per node: mariadbd clears #sql* files in its tmpdir at start, a shared one would lose a peer's.
    echo "tmpdir=$dir/tmp"
    echo "port=$(cl_sql_port "$n")"
    echo "bind-address=127.0.0.1"
    echo "skip-name-resolve"
    echo "character-set-server=utf8mb4"
    echo "collation-server=utf8mb4_unicode_ci"
    echo "max-connections=200"
    echo "innodb_buffer_pool_size=${SB_DB_BUFFER_POOL:-64M}"
    echo "innodb_log_file_size=48M"
    echo "performance_schema=OFF"
    # Durability as in production: every commit is flushed.
    echo "innodb_flush_log_at_trx_commit=1"
    echo "binlog_format=ROW"
    echo "innodb_autoinc_lock_mode=2"
    echo "default_storage_engine=InnoDB"
    echo "wsrep_on=ON"
    echo "wsrep_provider=/usr/lib/galera/libgalera_smm.so"
    echo "wsrep_cluster_name=switchboard"
    echo "wsrep_cluster_address=gcomm://$addresses"
    echo "wsrep_node_name=galera-$n"
    echo "wsrep_node_address=127.0.0.1:$(cl_gcomm_port "$n")"
    echo "wsrep_node_incoming_address=127.0.0.1:$(cl_sql_port "$n")"
    echo "wsrep_sst_method=rsync"
    echo "wsrep_sst_receive_address=127.0.0.1:$(cl_sst_port "$n")"
    echo "wsrep_provider_options=\"gmcast.listen_addr=tcp://127.0.0.1:$(cl_gcomm_port "$n");ist.recv_addr=127.0.0.1:$(cl_ist_port "$n");gcache.size=64M\""
  } >"$dir/my.cnf"
}

# The node's files belong to the user it runs as (mysql when we are root), including logs we created.
cl_node_own() {
  [[ $(id -u) -eq 0 ]] && chown -R mysql:mysql "$(cl_node_dir "$1")"
  return 0
}

cl_sql() { local n=$1; shift; mariadb --no-defaults -S "$(cl_node_sock "$n")" -uroot "$@"; }
cl_status() { cl_sql "$1" -N -B -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2; }
cl_ping() { mariadb-admin --no-defaults -S "$(cl_node_sock "$1")" -uroot ping >/dev/null 2>&1; }
cl_node_alive() { sb_pid_alive "$(cl_node_pidfile "$1")"; }
cl_node_primary() { cl_node_alive "$1" && [[ $(cl_status "$1" wsrep_cluster_status) == Primary ]]; }

# grastate.dat's "seqno" and "safe_to_bootstrap" (empty when there is no such file).
cl_grastate() { sed -n "s/^$2: *//p" "$(cl_node_dir "$1")/data/grastate.dat" 2>/dev/null; }

# The node's last committed position (uuid:seqno) read from InnoDB by mariadbd --wsrep-recover (same options);
# empty when it has none (a node that never completed a state transfer).
cl_recover_position() {
  local n=$1 dir log position
  dir=$(cl_node_dir "$n")
  log=$dir/recover.log
  : >"$log"
  cl_node_own "$n"
  mariadbd --defaults-file="$dir/my.cnf" --wsrep-recover --log-error="$log" </dev/null >/dev/null 2>&1 || true
  position=$(sed -n 's/.*WSREP: Recovered position: *//p' "$log" | tail -1 | tr -d ' ')
  [[ $position =~ ^[0-9a-f-]{36}:[0-9]+$ ]] && echo "$position"
  return 0
}

# The position to start a node from: grastate.dat's after a clean stop, else (seqno -1: it was killed) InnoDB's.
cl_start_position() {
  local n=$1 uuid seqno
  uuid=$(cl_grastate "$n" uuid)
  seqno=$(cl_grastate "$n" seqno)
  if [[ -n $uuid && $seqno =~ ^[0-9]+$ ]]; then
    sb_log "galera-$n: position $uuid:$seqno from grastate.dat (it was stopped cleanly)"
    echo "$uuid:$seqno"
  else
    sb_log "galera-$n: recovering its position from InnoDB (mariadbd --wsrep-recover)"
    cl_recover_position "$n"
  fi
}

# Starts node N in the background (extra options: --wsrep-new-cluster, --wsrep-start-position=…); the pid is
# mariadbd's own (setsid without a fork: it leads its process group, so its SST helpers are stopped with it).
cl_launch_node() {
  local n=$1 dir
  shift
  dir=$(cl_node_dir "$n")
  cl_reap_leftovers "$(cl_node_pidfile "$n")" "galera-$n"
  cl_node_own "$n"
  setsid mariadbd --defaults-file="$dir/my.cnf" "$@" </dev/null >>"$CLUSTER_DIR/log/galera-$n.out" 2>&1 &
  echo $! >"$(cl_node_pidfile "$n")"
}

# Waits until node N is Synced in a Primary component (a joiner's SST can take a while on 2 cores).
cl_wait_synced() {
  local n=$1 tenths=${2:-1800} state=""
  for _ in $(seq 1 "$tenths"); do
    cl_node_alive "$n" || sb_die "galera-$n stopped while starting; the end of $(cl_node_dir "$n")/error.log:
$(tail -15 "$(cl_node_dir "$n")/error.log" 2>/dev/null)"
    if cl_ping "$n"; then
      state=$(cl_status "$n" wsrep_local_state_comment)
      [[ $state == Synced && $(cl_status "$n" wsrep_cluster_status) == Primary ]] && return 0
    fi
    sleep 0.1
  done
  sb_die "galera-$n is not Synced after $((tenths / 10)) s (state: ${state:-no answer}), see $(cl_node_dir "$n")/error.log"
}

cl_bootstrap_node() {
  local n=$1 position=$2
  # Galera refuses --wsrep-new-cluster on a node not marked safe_to_bootstrap; after a crash of every node none is,
  # and this one was chosen by its seqno.
  sed -i 's/^safe_to_bootstrap: *0/safe_to_bootstrap: 1/' "$(cl_node_dir "$n")/data/grastate.dat" 2>/dev/null || true
  sb_log "galera-$n: bootstrapping a new cluster (--wsrep-new-cluster) from ${position:-an empty cluster}"
  cl_launch_node "$n" --wsrep-new-cluster ${position:+"--wsrep-start-position=$position"}
  cl_wait_synced "$n"
}

# Joins node N to the cluster: from its recovered position (IST) when it has one, else by SST; waits until it is
# Synced unless WAIT (4th argument) is 0.
cl_join_node() {
  local n=$1 position=$2 primary_peer=$3 wait=${4:-1}
  # Its gvwstate.dat (the last view it saw) makes a restarted node wait for that old view while a Primary peer
  # exists, ~15 s of churn; without it, it simply joins the peer. With no Primary peer the file is what lets the
  # nodes rebuild their component, so it stays.
  if [[ $primary_peer == 1 ]]; then rm -f "$(cl_node_dir "$n")/data/gvwstate.dat"; fi
  if [[ -n $position ]]; then
    sb_log "galera-$n: joining from position $position (IST)"
    cl_launch_node "$n" "--wsrep-start-position=$position"
  else
    sb_log "galera-$n: joining with a full state transfer (SST, rsync)"
    cl_launch_node "$n"
  fi
  if ((wait)); then cl_wait_synced "$n"; fi
}

cl_galera_up() {
  local n alive=() dead=() primary="" has_data position
  # Positions already recovered (choosing the node to bootstrap from), not to be recovered twice.
  local -A positions=()
  for n in "${CL_NODES[@]}"; do cl_node_config "$n"; done
  # A pid file's process that does not answer yet is still starting: give it a moment before deciding.
  for n in "${CL_NODES[@]}"; do
    if cl_node_alive "$n"; then
      for _ in $(seq 1 300); do cl_ping "$n" && break; cl_node_alive "$n" || break; sleep 0.1; done
    fi
    if cl_node_alive "$n"; then
      alive+=("$n")
      [[ -z $primary ]] && cl_node_primary "$n" && primary=$n
    else
      dead+=("$n")
    fi
  done

  if ((${#dead[@]} == 0)); then
    for n in "${CL_NODES[@]}"; do
      sb_log "galera-$n: running ($(cl_status "$n" wsrep_local_state_comment), cluster size $(cl_status "$n" wsrep_cluster_size))"
    done
  fi

  if ((${#alive[@]} == 0)); then
    # Nothing runs: a new cluster, or one that was stopped (or crashed) whole.
    if [[ ! -d $(cl_node_dir 1)/data/mysql ]]; then
      sb_log "galera-1: new node, initializing its data directory"
      local user
      user=$(id -un)
      [[ $(id -u) -eq 0 ]] && user=mysql
      cl_node_own 1
      mariadb-install-db --no-defaults --datadir="$(cl_node_dir 1)/data" --user="$user" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        >"$CLUSTER_DIR/log/galera-1-install.log" 2>&1 ||
        sb_die "mariadb-install-db failed, see $CLUSTER_DIR/log/galera-1-install.log"
      cl_bootstrap_node 1 ""
      dead=(2 3)
    else
      # After cluster-down (nodes stopped 3, 2, 1) node 1 is the one marked safe_to_bootstrap; after a crash of
      # all nodes none is, and the node with the highest recovered seqno has every committed transaction.
      local first="" best_seqno=-2 seqno
      for n in "${CL_NODES[@]}"; do
        if [[ $(cl_grastate "$n" safe_to_bootstrap) == 1 ]]; then first=$n; break; fi
      done
      if [[ -n $first ]]; then
        sb_log "all nodes down: galera-$first says safe_to_bootstrap: 1"
        positions[$first]=$(cl_start_position "$first")
      else
        sb_log "all nodes down and none marked safe_to_bootstrap: recovering each node's position"
        for n in "${CL_NODES[@]}"; do
          [[ -d $(cl_node_dir "$n")/data/mysql ]] || continue
          position=$(cl_start_position "$n")
          positions[$n]=$position
          sb_log "galera-$n: position ${position:-none}"
          seqno=${position##*:}
          [[ -n $position ]] && ((seqno > best_seqno)) && { best_seqno=$seqno; first=$n; }
        done
        [[ -n $first ]] || sb_die "no node has a recoverable position: scripts/cluster-down --purge and start again"
        sb_log "galera-$first has the highest seqno ($best_seqno): bootstrapping from it"
      fi
      cl_bootstrap_node "$first" "${positions[$first]}"
      dead=()
      for n in "${CL_NODES[@]}"; do [[ $n == "$first" ]] || dead+=("$n"); done
    fi
    primary=1
  elif [[ -n $primary ]]; then
    primary=1
  elif ((${#dead[@]} > 0)); then
    sb_log "no running node is in a Primary component: the restarted nodes should let them form one again"
  fi

  # One at a time when a Primary component runs: joiners at once slow each other's state transfers. Without one,
  # a node alone cannot become Synced: they all start, then are waited for together.
  local wait=1
  [[ $primary == 1 ]] || wait=0
  for n in "${dead[@]}"; do
    has_data=0
    [[ -d $(cl_node_dir "$n")/data/mysql ]] && has_data=1
    if ((has_data)); then
      sb_log "galera-$n: not running"
      position=${positions[$n]-}
      [[ -n ${positions[$n]+set} ]] || position=$(cl_start_position "$n")
      cl_join_node "$n" "$position" "${primary:-0}" "$wait"
    else
      sb_log "galera-$n: new node"
      cl_join_node "$n" "" "${primary:-0}" "$wait"
    fi
  done

  local size
  for n in "${CL_NODES[@]}"; do cl_wait_synced "$n"; done
  size=$(cl_status 1 wsrep_cluster_size)
  [[ $size == "${#CL_NODES[@]}" ]] || sb_die "the cluster has $size nodes, not ${#CL_NODES[@]}"
  sb_log "galera: ${#CL_NODES[@]} nodes Synced (SQL ports ${CL_SQL_PORTS[*]})"
}

# The application's database and its TCP user (stack.sh's grants, for 'switchboard'@'127.0.0.1'), on node 1; DDL
# and account statements replicate to the other nodes.
cl_database() {
  local password
  password=$(cat "$CLUSTER_DIR/secrets/db-password")
  cl_sql 1 -e "
    CREATE DATABASE IF NOT EXISTS switchboard CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS 'switchboard'@'127.0.0.1' IDENTIFIED BY '$password';
    ALTER USER 'switchboard'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE ROUTINE, ALTER ROUTINE, EXECUTE ON switchboard.* TO 'switchboard'@'127.0.0.1';" ||
    sb_die "could not create the database or its user on galera-1"
}

cl_stop_galera() {
  local n
  # 3, 2, 1: the last to stop (node 1) is marked safe_to_bootstrap, so the next cluster-up starts from it.
  for n in 3 2 1; do
    cl_reap_leftovers "$(cl_node_pidfile "$n")" "galera-$n"
    sb_pid_alive "$(cl_node_pidfile "$n")" || continue
    sb_log "galera-$n: stopping"
    sb_stop_pid "$(cl_node_pidfile "$n")" TERM 600
  done
}

# --- the application hosts ------------------------------------------------------------------------------------------

# Runs a command (a stack.sh function) in host H's environment: its SB_DIR and port, the cluster's database and
# URLs. A subshell, so that nothing leaks from one host to the other.
cl_host() {
  local host=$1
  shift
  (
    # shellcheck disable=SC2031 # each host's SB_DIR, in this subshell
    export SB_DIR=$CLUSTER_DIR/$host
    if [[ $host == a ]]; then export SB_HTTPS_PORT=$CL_A_PORT; else export SB_HTTPS_PORT=$CL_B_PORT; fi
    local endpoints="" port
    for port in "${CL_SQL_PORTS[@]}"; do endpoints+="${endpoints:+,}127.0.0.1:$port"; done
    export SB_DB_HOSTS=$endpoints
    # Twilio signs the public (balancer's) URL; its VoiceFallbackUrl goes to host B directly.
    export SWITCHBOARD_PUBLIC_BASE_URL="https://127.0.0.1:$CL_HAPROXY_PORT"
    # shellcheck disable=SC2030 # the default is spelled again in cl_write_env
    export SWITCHBOARD_FALLBACK_BASE_URL=${SWITCHBOARD_FALLBACK_BASE_URL:-https://127.0.0.1:$CL_B_PORT}
    "$@"
  )
}

cl_host_configure() {
  local host=$1 dir=$CLUSTER_DIR/$1
  mkdir -p "$dir"/{run,secrets,nginx}
  chmod 700 "$dir/secrets"
  # The shared secrets first: sb_configure keeps the files it finds.
  local secret
  for secret in db-password twilio-auth-token feed-password notify-webhook-secret account-sid; do
    cp "$CLUSTER_DIR/secrets/$secret" "$dir/secrets/$secret"
  done
  [[ -s $CLUSTER_DIR/secrets/feed-token ]] && cp "$CLUSTER_DIR/secrets/feed-token" "$dir/secrets/feed-token"
  # The shared fake Twilio (stack.sh reads its port from the host's run/).
  [[ -z ${SWITCHBOARD_TWILIO_API_BASE:-} ]] && cp "$CLUSTER_DIR/run/fake-twilio.port" "$dir/run/fake-twilio.port"
  cp "$CLUSTER_DIR/tls.crt" "$dir/nginx/tls.crt"
  cp "$CLUSTER_DIR/tls.key" "$dir/nginx/tls.key"
  chmod 600 "$dir/nginx/tls.key"
  cl_host "$host" sb_configure
}

# The feed's admin account, made once through host A; host B gets A's token (the same user, the same database).
cl_feed_admin() {
  cl_host a sb_create_admin
  cp "$CLUSTER_DIR/a/secrets/feed-token" "$CLUSTER_DIR/secrets/feed-token"
  cl_host_configure b
}

cl_host_pidfile() { echo "$CLUSTER_DIR/$1/run/$2.pid"; }

# What a host's pid file names, for the log.
cl_host_what() {
  case $2 in
    workers) echo "$1: webhook pool" ;;
    feed-workers) echo "$1: feed pool" ;;
    notify) echo "$1: notifier" ;;
    routing-watcher) echo "$1: routing watcher" ;;
    *) echo "$1: $2" ;;
  esac
}

# Starts whatever of host H is down. nginx that runs is left alone (sb_start_nginx would reload it); the routing
# watcher is started with it, or alone when only the watcher is gone.
cl_host_up() {
  local host=$1 name pidfile what
  for name in "${CL_HOST_PIDS[@]}"; do
    cl_reap_leftovers "$(cl_host_pidfile "$host" "$name")" "$(cl_host_what "$host" "$name")"
  done
  local -A starter=([workers]=sb_start_workers [feed-workers]=sb_start_feed_workers [notify]=sb_start_notifier)
  for name in workers feed-workers notify; do
    pidfile=$(cl_host_pidfile "$host" "$name")
    what=$(cl_host_what "$host" "$name")
    if sb_pid_alive "$pidfile"; then
      sb_log "$what: running"
    else
      sb_log "$what: starting"
      cl_host "$host" "${starter[$name]}"
    fi
  done
  if sb_pid_alive "$(cl_host_pidfile "$host" nginx)"; then
    sb_log "$host: nginx: running"
    if ! sb_pid_alive "$(cl_host_pidfile "$host" routing-watcher)"; then
      sb_log "$host: routing watcher: starting"
      cl_host "$host" sb_start_routing_watcher
    fi
  else
    local port=$CL_A_PORT
    [[ $host == b ]] && port=$CL_B_PORT
    sb_log "$host: nginx: starting on https://127.0.0.1:$port"
    cl_host "$host" sb_start_nginx
  fi
}

# Restarts host H's pools and notifier (after a build: so they run the new binary).
cl_host_restart_programs() {
  local host=$1
  sb_log "$host: restarting the pools and the notifier (new build)"
  cl_host "$host" sb_stop_workers
  cl_host "$host" sb_stop_feed_workers
  cl_host "$host" sb_stop_pid "$(cl_host_pidfile "$host" notify)"
}

# Stops host H (stack.sh's sb_down: it has no MariaDB and no fake Twilio of its own, so those steps do nothing).
cl_host_down() {
  local host=$1 name
  [[ -d $CLUSTER_DIR/$host/run ]] || return 0
  sb_log "$host: stopping the routing watcher, nginx, the notifier and the pools"
  cl_host "$host" sb_down
  for name in "${CL_HOST_PIDS[@]}"; do
    cl_reap_leftovers "$(cl_host_pidfile "$host" "$name")" "$(cl_host_what "$host" "$name")"
  done
}

# $CLUSTER_DIR/run/a-nginx.pid → ../a/run/nginx.pid…: relative symlinks, true across restarts (and a move).
cl_pid_links() {
  local host name
  for host in "${CL_HOSTS[@]}"; do
    for name in "${CL_HOST_PIDS[@]}"; do
      ln -sfn "../$host/run/$name.pid" "$CLUSTER_DIR/run/$host-$name.pid"
    done
  done
}

# --- HAProxy --------------------------------------------------------------------------------------------------------

cl_haproxy_config() {
  mkdir -p "$CLUSTER_DIR/haproxy"
  cat >"$CLUSTER_DIR/haproxy/haproxy.cfg" <<CFG
# Written by scripts/lib/cluster.sh (scripts/cluster-up): the balancer in front of hosts A and B.
global
  maxconn 2000
  # show stat / show servers state, for tests: which hosts the balancer sees up.
  stats socket $CLUSTER_DIR/run/haproxy.sock mode 600 level admin

defaults
  # TCP: TLS stays at each host's nginx, which sees the client's own TLS session.
  mode tcp
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  # A connection that fails on a dead host is tried again, on the other one.
  option redispatch
  retries 3

frontend voice
  bind 127.0.0.1:$CL_HAPROXY_PORT
  default_backend hosts

backend hosts
  balance roundrobin
  # /healthz answers 503 when no webhook worker does: such a host gets no calls.
  option httpchk GET /healthz
  http-check expect status 200
  default-server check check-ssl verify none inter 500ms fall 2 rise 2
  server a 127.0.0.1:$CL_A_PORT
  server b 127.0.0.1:$CL_B_PORT
CFG
}

cl_start_haproxy() {
  local pidfile=$CLUSTER_DIR/run/haproxy.pid
  cl_haproxy_config
  if sb_pid_alive "$pidfile"; then
    sb_log "haproxy: running"
    return 0
  fi
  cl_reap_leftovers "$pidfile" haproxy
  haproxy -c -q -f "$CLUSTER_DIR/haproxy/haproxy.cfg" >"$CLUSTER_DIR/log/haproxy-check.log" 2>&1 ||
    sb_die "haproxy -c refused $CLUSTER_DIR/haproxy/haproxy.cfg: $(cat "$CLUSTER_DIR/log/haproxy-check.log")"
  sb_log "haproxy: starting on 127.0.0.1:$CL_HAPROXY_PORT"
  haproxy -f "$CLUSTER_DIR/haproxy/haproxy.cfg" -D -p "$pidfile" >>"$CLUSTER_DIR/log/haproxy.log" 2>&1 ||
    sb_die "haproxy did not start, see $CLUSTER_DIR/log/haproxy.log"
}

# The servers' states as HAProxy sees them ("a UP", "b DOWN"…), from its stats socket.
cl_haproxy_states() {
  python3 - "$CLUSTER_DIR/run/haproxy.sock" <<'PY'
import csv, io, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
for row in csv.DictReader(io.StringIO(data.decode().lstrip("# "))):
    if row["pxname"] == "hosts" and row["svname"] not in ("BACKEND", "FRONTEND"):
        print(row["svname"], row["status"].split()[0])
PY
}

# Waits (10 s at most) until the balancer's health checks see both hosts up.
cl_wait_balancer() {
  local states=""
  for _ in $(seq 1 100); do
    states=$(cl_haproxy_states 2>/dev/null | tr '\n' ' ')
    [[ $states == "a UP b UP " ]] && { sb_log "haproxy: both hosts UP"; return 0; }
    sleep 0.1
  done
  sb_log "warning: haproxy sees ${states:-nothing} after 10 s"
}

# --- the cluster's summary ------------------------------------------------------------------------------------------

cl_write_env() {
  local n sockets=() token
  for n in "${CL_NODES[@]}"; do sockets+=("$(cl_node_sock "$n")"); done
  token=$(cat "$CLUSTER_DIR/secrets/feed-token" 2>/dev/null || true)
  {
    sb_kv PUBLIC_BASE_URL "https://127.0.0.1:$CL_HAPROXY_PORT"
    sb_kv A_BASE_URL "https://127.0.0.1:$CL_A_PORT"
    sb_kv B_BASE_URL "https://127.0.0.1:$CL_B_PORT"
    # shellcheck disable=SC2031 # the caller's value, or B (as cl_host sets it)
    sb_kv FALLBACK_BASE_URL "${SWITCHBOARD_FALLBACK_BASE_URL:-https://127.0.0.1:$CL_B_PORT}"
    sb_kv TWILIO_ACCOUNT_SID "$(cat "$CLUSTER_DIR/secrets/account-sid")"
    sb_kv TWILIO_AUTH_TOKEN "$(cat "$CLUSTER_DIR/secrets/twilio-auth-token")"
    sb_kv TWILIO_NUMBER "${TWILIO_NUMBER:-+15005550006}"
    sb_kv FORWARD_TO "${SWITCHBOARD_FORWARD_TO:-+15005550010}"
    sb_kv FEED_USER "${FEED_USER:-admin}"
    sb_kv FEED_PASSWORD "$(cat "$CLUSTER_DIR/secrets/feed-password")"
    sb_kv FEED_TOKEN "$token"
    sb_kv CACERT "$CLUSTER_DIR/tls.crt"
    sb_kv CLUSTER_DIR "$CLUSTER_DIR"
    sb_kv GALERA_PORTS "${CL_SQL_PORTS[*]}"
    sb_kv GALERA_SOCKETS "${sockets[*]}"
    if [[ -n ${SWITCHBOARD_TWILIO_API_BASE:-} ]]; then
      sb_kv FAKE_TWILIO_URL ""
    else
      sb_kv FAKE_TWILIO_URL "http://127.0.0.1:$CL_FAKE_PORT"
    fi
    # Beyond the summary: each host's own stack directory (its env, run/, log/) and the balancer's stats socket.
    sb_kv A_DIR "$CLUSTER_DIR/a"
    sb_kv B_DIR "$CLUSTER_DIR/b"
    sb_kv HAPROXY_SOCKET "$CLUSTER_DIR/run/haproxy.sock"
  } >"$CLUSTER_DIR/env"
  chmod 600 "$CLUSTER_DIR/env"
}
