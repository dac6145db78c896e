// Connector/C++ connection set-up. Option value types matter: a wrong type throws InvalidArgumentException.
#include "store/mysql_connection.h"

#include <cppconn/exception.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

namespace switchboard::store {

std::unique_ptr<sql::Connection> open_connection(const ConnectionOptions& options) {
  sql::ConnectOptionsMap map;
  map["hostName"] = options.socket.empty()
                        ? sql::SQLString("tcp://" + options.host + ":" + std::to_string(options.port))
                        : sql::SQLString("unix://" + options.socket);
  map["userName"] = sql::SQLString(options.user);
  map["password"] = sql::SQLString(options.password);
  map["schema"] = sql::SQLString(options.schema);
  map["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  map["OPT_CONNECT_TIMEOUT"] = options.connect_timeout_s;
  map["OPT_READ_TIMEOUT"] = options.read_timeout_s;
  map["OPT_WRITE_TIMEOUT"] = options.write_timeout_s;
  map["OPT_RECONNECT"] = false;
  // Times are bound and read as UTC strings; the session zone only matters for NOW(), which we never use.
  map["postInit"] = sql::SQLString("SET time_zone = '+00:00', collation_connection = utf8mb4_unicode_ci");
  sql::Driver* driver = sql::mysql::get_mysql_driver_instance();
  return std::unique_ptr<sql::Connection>(driver->connect(map));
}

bool is_connection_error(const sql::SQLException& error) {
  switch (error.getErrorCode()) {
    case 1053:  // server shutdown in progress
    case 1927:  // connection was killed
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to server
    case 2005:  // unknown host
    case 2006:  // server has gone away
    case 2013:  // lost connection during query (also: read timeout)
    case 2055:  // lost connection at handshake
      return true;
    default:
      return false;
  }
}

bool is_transient_error(const sql::SQLException& error) {
  return error.getErrorCode() == 1213 /* deadlock */ || error.getErrorCode() == 1205 /* lock wait timeout */ ||
         error.getErrorCode() == 2006 /* stale connection: the server closed it while we were idle */;
}

namespace {

// Server errors that say nothing about the work, only that the server takes no writes now: they hit every
// transaction alike, so the work is kept for later rather than dead-lettered. Anything not listed here (or in
// is_connection_error) is taken as a refusal of this work.
bool is_outage_error(const sql::SQLException& error) {
  switch (error.getErrorCode()) {
    case 1021:  // disk full
    case 1040:  // too many connections
    case 1044:  // access denied to the database
    case 1045:  // access denied for the user
    case 1054:  // unknown column: the schema is behind the code (our statements are constants)
    case 1114:  // the table is full
    case 1142:  // command denied to the user on the table
    case 1146:  // no such table: migrations not applied
    case 1158:  // network read error
    case 1159:  // network read timeout
    case 1160:  // network write error
    case 1161:  // network write timeout
    case 1180:  // error during commit
    case 1205:  // lock wait timeout, after its retry
    case 1213:  // deadlock, after its retry
    case 1290:  // the server runs with --read-only (a replica, a failover in progress)
    case 1305:  // no such stored procedure: migrations not applied (schema/010)
    case 1317:  // query interrupted (server shutting down, KILL QUERY)
    case 1318:  // wrong number of arguments to a procedure: the schema is behind the code
    case 1370:  // EXECUTE denied on a procedure: the grants are behind the schema
    case 1792:  // read-only transaction
    case 1836:  // read-only mode
    case 1969:  // max_statement_time exceeded
      return true;
    default:
      return false;
  }
}

}  // namespace

Failure classify(const sql::SQLException& error, bool may_retry) {
  if (may_retry && is_transient_error(error)) return Failure::kRetry;
  if (is_connection_error(error) || is_outage_error(error)) return Failure::kUnavailable;
  return Failure::kRejected;
}

}  // namespace switchboard::store
