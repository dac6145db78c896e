#!/usr/bin/env bash
# The install layout: `cmake --install BUILD --prefix /usr` into a scratch DESTDIR puts every file where the units,
# the render script, the switchboard-users wrapper and switchboard-migrate look for it, and nothing into /etc. Then the installed render script
# renders the installed templates, and (unless SWITCHBOARD_TEST_SKIP_CPACK=1; ~15 s) cpack builds the .deb, whose
# control fields and contents are checked too.
#   install_layout_test.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
require_command cmake cmake

root=$SCRATCH/root
if DESTDIR=$root cmake --install "$BUILD" --prefix /usr >"$SCRATCH/install.log" 2>&1; then
  pass "cmake --install --prefix /usr with DESTDIR"
else
  fail "cmake --install: $(tail -5 "$SCRATCH/install.log")"
  finish
fi

# expect_installed MODE PATH…: each file exists with that mode.
expect_installed() {
  local mode=$1 path
  shift
  for path in "$@"; do
    if [[ ! -f $root$path ]]; then
      fail "missing $path"
    elif [[ $(stat -c %a "$root$path") != "$mode" ]]; then
      fail "$path has mode $(stat -c %a "$root$path"), expected $mode"
    else
      pass "installed $path ($mode)"
    fi
  done
}

expect_installed 755 /usr/bin/switchboard-fcgi /usr/bin/switchboard-migrate /usr/bin/switchboard-notify \
  /usr/bin/switchboard-twilio \
  /usr/sbin/switchboard-render-nginx /usr/sbin/switchboard-users /usr/lib/switchboard/switchboard-users \
  /usr/sbin/switchboard-routing /usr/sbin/switchboard-backup
expect_installed 755 /usr/sbin/switchboard-admin /usr/lib/switchboard/switchboard-admin
# The routing program is installed once the build has it (cmake/install.cmake guards it by its target).
if [[ -x $BUILD/switchboard-routing ]]; then
  expect_installed 755 /usr/lib/switchboard/switchboard-routing
else
  echo "skip /usr/lib/switchboard/switchboard-routing: not in this build"
fi
expect_installed 644 /usr/lib/systemd/system/switchboard.socket /usr/lib/systemd/system/switchboard.service \
  /usr/lib/systemd/system/switchboard-migrate.service /usr/lib/systemd/system/switchboard-notify.service \
  /usr/lib/switchboard/switchboard-env.sh \
  /usr/lib/sysusers.d/switchboard.conf \
  /usr/lib/tmpfiles.d/switchboard.conf \
  /usr/share/switchboard/nginx/switchboard.conf.in /usr/share/switchboard/nginx/switchboard-http.conf.in \
  /usr/share/switchboard/nginx/switchboard-locations.conf.in \
  /usr/share/doc/switchboard/switchboard.env.example
[[ -f $SRC/docs/operations.md ]] && expect_installed 644 /usr/share/doc/switchboard/operations.md

# Every unit in systemd/ (the feed pool's too), whatever the list above says.
for file in "$SRC"/systemd/*; do expect_installed 644 "/usr/lib/systemd/system/$(basename "$file")"; done
for program in switchboard-users switchboard-routing switchboard-admin; do
  if [[ -e $root/usr/bin/$program ]]; then
    fail "/usr/bin/$program: the program without its configuration would be the first one on PATH"
  else
    pass "$program on PATH is the wrapper (/usr/sbin), the program is in /usr/lib/switchboard"
  fi
done
for file in "$SRC"/schema/*.sql; do expect_installed 644 "/usr/share/switchboard/schema/$(basename "$file")"; done
# The page's files, its modules in www/js/ too.
while IFS= read -r -d '' file; do
  expect_installed 644 "/usr/share/switchboard/www/${file#"$SRC"/nginx/www/}"
done < <(find "$SRC/nginx/www" -type f -print0)

if [[ -e $root/etc ]]; then fail "files installed into /etc: $(cd "$root" && find etc)"; else pass "nothing in /etc"; fi
if [[ -e $root/usr/local ]]; then fail "files under /usr/local"; else pass "nothing under /usr/local"; fi

# Every program a unit starts is in the package, at that path (or is a Debian package's: multiwatch, env, sh).
for program in $(grep -ho '^Exec[A-Za-z]*=[^ ]*' "$root"/usr/lib/systemd/system/* | cut -d= -f2 | sed 's/^[-@+!]*//' | sort -u); do
  case $program in
    /usr/bin/multiwatch | /usr/bin/env | /bin/sh) pass "unit runs $program (a dependency)" ;;
    *) if [[ -x $root$program ]]; then pass "unit runs $program, installed"; else fail "unit runs $program, not installed"; fi ;;
  esac
done
# switchboard-migrate's default schema directory is the installed one.
expect_contains "switchboard-migrate looks in the installed schema directory" \
  "$(grep -o '/usr/share/switchboard/schema' "$SRC/fcgi/server/migrate_main.cc" | head -1)" /usr/share/switchboard/schema

# The installed render script renders the installed templates.
mkdir -p "$SCRATCH/credentials"
printf '0f1e2d3c4b5a69788796a5b4c3d2e1f0' >"$SCRATCH/credentials/twilio-auth-token"  # 32 hex, as Twilio's
sed -e 's#^SWITCHBOARD_PUBLIC_BASE_URL=.*#SWITCHBOARD_PUBLIC_BASE_URL=https://voice.example.test#' \
  -e 's#^TWILIO_ACCOUNT_SID=.*#TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef#' \
  "$root/usr/share/doc/switchboard/switchboard.env.example" >"$SCRATCH/switchboard.env"
if SWITCHBOARD_ENV_FILE=$SCRATCH/switchboard.env SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials \
  SWITCHBOARD_FCGI=$root/usr/bin/switchboard-fcgi SWITCHBOARD_TEMPLATE_DIR=$root/usr/share/switchboard/nginx \
  SWITCHBOARD_NGINX_SITE=$SCRATCH/site SWITCHBOARD_NGINX_LOCATIONS=$SCRATCH/locations \
  SWITCHBOARD_NGINX_HTTP=$SCRATCH/http SWITCHBOARD_NGINX_FALLBACK_MAP=$SCRATCH/fallback-map \
  SWITCHBOARD_NGINX_FALLBACKS=$SCRATCH/fallbacks SWITCHBOARD_RENDER_LOCK=$SCRATCH/render.lock \
  "$root/usr/sbin/switchboard-render-nginx" --no-test >"$SCRATCH/render.log" 2>&1; then
  pass "the installed render script renders the installed templates with the example env file"
  expect_file_line "…for the example's server name" "$SCRATCH/site" "server_name voice.example.test;"
  expect_file_line "…with Let's Encrypt's certificate path" "$SCRATCH/site" \
    "ssl_certificate /etc/letsencrypt/live/voice.example.test/fullchain.pem;"
  expect_file_line "…recordings from the unit's state directory" "$SCRATCH/locations" \
    "alias /var/lib/switchboard/recordings/;"
  expect_file_line "…kept webhooks into the directory tmpfiles.d makes nginx-writable" "$SCRATCH/fallbacks" \
    "access_log /var/lib/switchboard/spool/nginx/kept-\$msec-\$request_id.json switchboard_kept if=\$switchboard_keep;"
  expect_file_line "…the site includes the rendered http snippet" "$SCRATCH/site" "include $SCRATCH/http;"
  expect_file_line "…which includes the rendered fallback map" "$SCRATCH/http" "include $SCRATCH/fallback-map;"
  expect_file_line "…and the locations the rendered fallbacks" "$SCRATCH/locations" "include $SCRATCH/fallbacks;"
  expect_file_line "…the feed pool's socket" "$SCRATCH/locations" "fastcgi_pass unix:/run/switchboard/feed.sock;"
  check "…which tmpfiles.d creates setgid, group-writable" \
    grep -qE '^d /var/lib/switchboard/spool/nginx +2770 switchboard switchboard' "$root/usr/lib/tmpfiles.d/switchboard.conf"
else
  fail "installed render script: $(cat "$SCRATCH/render.log")"
fi

# The installed switchboard-users wrapper finds its program and the env-file reader beside it (../lib/switchboard);
# it is run against a real database in accounts_test.sh. Here: usage, and what it says without its configuration.
users_status=0
users_out=$("$root/usr/sbin/switchboard-users" 2>&1) || users_status=$?
expect_equal "installed switchboard-users without arguments: usage, status 2" "$users_status" 2
expect_contains "…the program's usage" "$users_out" "usage: switchboard-users add NAME --role viewer|admin"
users_status=0
users_out=$(SWITCHBOARD_ENV_FILE=$SCRATCH/switchboard.env SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials \
  "$root/usr/sbin/switchboard-users" list 2>&1) || users_status=$?
expect_equal "installed switchboard-users without the db-password credential: status 2" "$users_status" 2
expect_contains "…naming it" "$users_out" "$SCRATCH/credentials/db-password is missing"

# The installed switchboard-routing wrapper finds the env-file reader beside it; without its program (a build
# before the program exists) it says so. It is run around a stand-in program in routing_test.sh.
routing_status=0
routing_out=$(SWITCHBOARD_ENV_FILE=$SCRATCH/switchboard.env SWITCHBOARD_CREDENTIALS_DIR=$SCRATCH/credentials \
  "$root/usr/sbin/switchboard-routing" show 2>&1) || routing_status=$?
if [[ -x $root/usr/lib/switchboard/switchboard-routing && $(id -u) -ne 0 ]]; then
  expect_equal "installed switchboard-routing, not root: status 2" "$routing_status" 2
  expect_contains "…saying to run it as root" "$routing_out" "run it as root"
elif [[ -x $root/usr/lib/switchboard/switchboard-routing ]]; then
  expect_equal "installed switchboard-routing without the db-password credential: status 2" "$routing_status" 2
  expect_contains "…naming it" "$routing_out" "$SCRATCH/credentials/db-password is missing"
else
  expect_equal "installed switchboard-routing without its program: status 2" "$routing_status" 2
  expect_contains "…naming it" "$routing_out" "lib/switchboard/switchboard-routing is not executable"
fi

# The installed switchboard-backup finds the env-file reader beside it (../lib/switchboard); it backs up and restores
# a real database in backup_restore_test.sh. Here: usage, and a backup refused without the env file.
backup_status=0
backup_out=$("$root/usr/sbin/switchboard-backup" 2>&1) || backup_status=$?
expect_equal "installed switchboard-backup without arguments: usage, status 2" "$backup_status" 2
expect_contains "…its usage" "$backup_out" "usage: switchboard-backup backup DIR | check DIR | restore DIR"
backup_status=0
backup_out=$(SWITCHBOARD_ENV_FILE=$SCRATCH/missing.env "$root/usr/sbin/switchboard-backup" backup "$SCRATCH/b" 2>&1) ||
  backup_status=$?
expect_equal "installed switchboard-backup without its env file: status 2" "$backup_status" 2
expect_contains "…naming it" "$backup_out" "cannot read the environment file $SCRATCH/missing.env"

# --- the Debian package ----------------------------------------------------------------------------------------------
if [[ ${SWITCHBOARD_TEST_SKIP_CPACK:-0} == 1 ]]; then
  echo "skip cpack (SWITCHBOARD_TEST_SKIP_CPACK=1)"
  finish
  exit 0
fi
require_command dpkg-deb dpkg
if (cd "$SCRATCH" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$SCRATCH/package") >"$SCRATCH/cpack.log" 2>&1; then
  pass "cpack -G DEB"
else
  fail "cpack: $(tail -5 "$SCRATCH/cpack.log")"
  finish
fi
deb=$(ls "$SCRATCH"/package/switchboard_*.deb)
expect_equal "package name" "$(dpkg-deb -f "$deb" Package)" switchboard
depends=$(dpkg-deb -f "$deb" Depends)
for package in multiwatch nginx mariadb-client libfcgi0ldbl libcgicc3 libmysqlcppconn7v5 libcurl4 libssl3; do
  expect_contains "Depends: $package" "$depends" "$package"
done
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/switchboard-fcgi ./usr/sbin/switchboard-render-nginx ./usr/lib/systemd/system/switchboard.service \
  ./usr/lib/systemd/system/switchboard-feed.socket ./usr/lib/systemd/system/switchboard-feed.service \
  ./usr/sbin/switchboard-users ./usr/lib/switchboard/switchboard-users ./usr/lib/switchboard/switchboard-env.sh \
  ./usr/sbin/switchboard-routing ./usr/sbin/switchboard-backup ./usr/lib/systemd/system/switchboard-routing.path \
  ./usr/lib/systemd/system/switchboard-nginx-fallbacks.service \
  ./usr/sbin/switchboard-admin ./usr/lib/switchboard/switchboard-admin \
  ./usr/lib/systemd/system/switchboard-purge.service ./usr/lib/systemd/system/switchboard-purge.timer \
  ./usr/share/switchboard/schema/009_retention.sql \
  ./usr/share/switchboard/schema/004_accounts.sql \
  ./usr/share/switchboard/schema/001_calls_and_events.sql ./usr/share/switchboard/nginx/switchboard-http.conf.in; do
  expect_contains "package holds $path" "$contents" "$path"
done
control=$SCRATCH/control
dpkg-deb -e "$deb" "$control"
check "postinst creates the user with the shipped sysusers file" grep -q 'systemd-sysusers /usr/lib/sysusers.d/switchboard.conf' "$control/postinst"
check "postinst restarts both pools on an upgrade" \
  grep -q 'try-restart switchboard.service switchboard-feed.service switchboard-notify.service' "$control/postinst"
check "prerm stops the feed pool and its socket on removal" grep -q 'switchboard-feed.service switchboard-feed.socket' "$control/prerm"
check "postinst enables the routing watch as Debian enables units" \
  grep -q 'deb-systemd-helper enable switchboard-routing.path' "$control/postinst"
check "prerm stops the routing watch on removal" grep -q 'systemctl stop switchboard-routing.path' "$control/prerm"
check "postrm forgets it on purge" grep -q 'deb-systemd-helper purge switchboard-routing.path' "$control/postrm"
# Retention is off until configured: the package never enables the purge's timer, and stops it on removal.
if grep -q 'switchboard-purge' "$control/postinst"; then
  fail "postinst mentions the purge's timer: retention must stay off until the operator enables it"
else
  pass "postinst leaves the purge's timer disabled"
fi
check "prerm stops the purge's timer on removal" grep -q 'switchboard-purge.timer switchboard-purge.service' "$control/prerm"
recommends=$(dpkg-deb -f "$deb" Recommends)
if [[ $recommends == *apache2-utils* ]]; then fail "Recommends apache2-utils (htpasswd): $recommends"; else pass "no htpasswd tool recommended"; fi
finish
