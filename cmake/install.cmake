# The install layout (`cmake --install <build> --prefix /usr`) and the Debian package (`cpack` in the build
# directory, or `cmake --build <build> --target package`). Included by the top-level CMakeLists.
#
#   /usr/bin/switchboard-fcgi, -migrate, -notify, -twilio                 the programs
#   /usr/sbin/switchboard-render-nginx                                     renders the nginx site (root)
#   /usr/sbin/switchboard-backup                                           backs up and restores the database and
#                                                                          the state directory (root)
#   /usr/sbin/switchboard-users                                            manages the feed's accounts (root): runs
#   /usr/lib/switchboard/switchboard-users                                 the program with the units' env file and
#                                                                          db-password credential
#   /usr/sbin/switchboard-routing                                          shows and changes the routing (root): runs
#   /usr/lib/switchboard/switchboard-routing                               the program as the user switchboard with
#                                                                          the units' env file and credentials
#   /usr/sbin/switchboard-admin                                            the retention purge by hand (root): runs
#   /usr/lib/switchboard/switchboard-admin                                 the program as the user switchboard with
#                                                                          the purge unit's database user
#   /usr/lib/switchboard/switchboard-env.sh                                the env file's reader for the scripts
#   /usr/lib/systemd/system/switchboard.{socket,service}                   the webhook pool
#   /usr/lib/systemd/system/switchboard-feed.{socket,service}              the feed pool
#   /usr/lib/systemd/system/switchboard-{migrate,notify}.service
#   /usr/lib/systemd/system/switchboard-routing.path                       a routing change renders nginx's
#   /usr/lib/systemd/system/switchboard-nginx-fallbacks.service            fallbacks again and reloads nginx
#   /usr/lib/systemd/system/switchboard-purge.{timer,service}              the daily retention purge (not enabled)
#   /usr/lib/sysusers.d/switchboard.conf                                   the switchboard user
#   /usr/lib/tmpfiles.d/switchboard.conf                                   /var/lib/switchboard's layout
#   /usr/share/switchboard/schema/*.sql                                    migrations (switchboard-migrate's default)
#   /usr/share/switchboard/nginx/*.conf.in                                 site, http and locations templates
#   /usr/share/switchboard/www/                                            the feed page
#   /usr/share/doc/switchboard/                                            operations.md, switchboard.env.example
#
# The units name /usr/bin and /usr/sbin: install with --prefix /usr (the package does). Nothing is installed into
# /etc: the operator writes /etc/switchboard/ from the example (docs/operations.md).

set(SWITCHBOARD_UNIT_DIR lib/systemd/system)
set(SWITCHBOARD_DATA_DIR share/switchboard)
set(SWITCHBOARD_LIB_DIR lib/switchboard)
set(SWITCHBOARD_DOC_DIR share/doc/switchboard)

install(TARGETS switchboard-fcgi switchboard-migrate switchboard-notify switchboard-twilio DESTINATION bin)
install(PROGRAMS packaging/switchboard-render-nginx packaging/switchboard-users packaging/switchboard-routing
                 packaging/switchboard-backup
                 packaging/switchboard-admin
        DESTINATION sbin)
# switchboard-users and switchboard-routing need the root-only credentials: people run the wrappers in sbin, which
# find their program and the env file's reader beside them in ../lib/switchboard.
install(TARGETS switchboard-users DESTINATION ${SWITCHBOARD_LIB_DIR})
# (fcgi/server/routing_main.cc; the guard lets this file stand before the target exists.)
if(TARGET switchboard-routing)
  install(TARGETS switchboard-routing DESTINATION ${SWITCHBOARD_LIB_DIR})
endif()
# switchboard-purge.service runs this one directly (ExecStart=), as its own database user.
if(TARGET switchboard-admin)
  install(TARGETS switchboard-admin DESTINATION ${SWITCHBOARD_LIB_DIR})
endif()
install(FILES packaging/switchboard-env.sh DESTINATION ${SWITCHBOARD_LIB_DIR})

install(FILES systemd/switchboard.socket systemd/switchboard.service
              systemd/switchboard-feed.socket systemd/switchboard-feed.service
              systemd/switchboard-migrate.service systemd/switchboard-notify.service
              systemd/switchboard-routing.path systemd/switchboard-nginx-fallbacks.service
              systemd/switchboard-purge.service systemd/switchboard-purge.timer
        DESTINATION ${SWITCHBOARD_UNIT_DIR})
install(FILES packaging/switchboard.sysusers DESTINATION lib/sysusers.d RENAME switchboard.conf)
install(FILES packaging/switchboard.tmpfiles DESTINATION lib/tmpfiles.d RENAME switchboard.conf)

file(GLOB SWITCHBOARD_SCHEMA_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/schema/*.sql)
install(FILES ${SWITCHBOARD_SCHEMA_FILES} DESTINATION ${SWITCHBOARD_DATA_DIR}/schema)
install(FILES nginx/switchboard.conf.in nginx/switchboard-http.conf.in nginx/switchboard-locations.conf.in
        DESTINATION ${SWITCHBOARD_DATA_DIR}/nginx)
install(DIRECTORY nginx/www/ DESTINATION ${SWITCHBOARD_DATA_DIR}/www
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

install(FILES packaging/switchboard.env.example DESTINATION ${SWITCHBOARD_DOC_DIR})
if(EXISTS ${PROJECT_SOURCE_DIR}/docs/operations.md)
  install(FILES docs/operations.md DESTINATION ${SWITCHBOARD_DOC_DIR})
endif()

# --- Debian package ------------------------------------------------------------------------------------------------
set(SWITCHBOARD_PACKAGE_MAINTAINER "Switchboard maintainers <ops@switchboard.example>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME switchboard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Switchboard")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "call-forwarding IVR backend for Twilio (FastCGI workers behind nginx)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SWITCHBOARD_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description (the synopsis is the summary above); CPack indents each line and turns an empty one
# into " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Twilio asks Switchboard what to do with a call: a spoken menu, a screened forward
to a personal phone, the company voicemail. Every call and event is logged in
MariaDB/MySQL and shown in an activity feed (JSON API and web page) behind
named accounts with sessions, API tokens and an audit log.

Ships the two worker pools (switchboard-fcgi under multiwatch, each on its own
systemd socket: Twilio's webhooks, the feed), the migrations, the nginx site
templates, switchboard-users, which manages the feed's accounts,
switchboard-routing, which shows and changes who gets the calls,
switchboard-backup, which backs up and restores the database and the state
directory, a path unit
that renders nginx's fallbacks again whenever the routing changes,
switchboard-admin and a daily timer for the retention purge (off until
configured), and
switchboard-twilio, which points the Twilio number at the server. See
/usr/share/doc/switchboard/operations.md.")
# Libraries come from dpkg-shlibdeps when it is there (dpkg-dev); the rest of the runtime by name.
# In Debian 12, nginx-light is a metapackage that depends on nginx, so "nginx" covers both.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "multiwatch, nginx, mariadb-client, adduser")
find_program(SWITCHBOARD_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SWITCHBOARD_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", libfcgi0ldbl, libcgicc3, libmysqlcppconn7v5, libcurl4, libssl3, libphonenumber8, libstdc++6, libc6")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mariadb-server, certbot")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
