// How the settings become the MySQL stores' options, for every entry point that opens the database (the worker,
// switchboard-migrate, -notify, -users, -routing, -admin): one mapping, so the programs of a host cannot disagree on
// where the database is or on its timeouts. To add a database setting, add it to config::Database and map it here.
#pragma once

#include "config/settings.h"
#include "store/mysql_call_store.h"
#include "store/mysql_connection.h"

namespace switchboard::server {

store::ConnectionOptions connection_options(const config::Database& database);
// Which notifications a completed voicemail queues, from the notification settings.
store::NotificationPolicy notification_policy(const config::Settings& settings);

}  // namespace switchboard::server
