// Connector/C++ connection set-up. Option value types matter: a wrong type throws InvalidArgumentException.
#include "store/mysql_connection.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

namespace switchboard::store {

namespace {

std::unique_ptr<sql::Connection> connect_to(const ConnectionOptions& options, const std::string& address) {
  sql::ConnectOptionsMap map;
  map["hostName"] = sql::SQLString(address);
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

// The last column of the first row (SHOW STATUS rows are name, value), "" when there is no row.
std::string first_value(sql::Connection& connection, const char* query) {
  std::unique_ptr<sql::Statement> statement(connection.createStatement());
  std::unique_ptr<sql::ResultSet> rows(statement->executeQuery(query));
  return rows->next() ? std::string(rows->getString(rows->getMetaData()->getColumnCount())) : std::string();
}

void execute(sql::Connection& connection, const char* text) {
  std::unique_ptr<sql::Statement>(connection.createStatement())->execute(text);
}

// A Galera node (wsrep_on) serves clients only while it is part of the primary component and synced enough to
// apply (wsrep_ready); MariaDB built without Galera, or MySQL, has no such variable and always serves.
bool is_galera(sql::Connection& connection) {
  try {
    return first_value(connection, "SELECT @@global.wsrep_on") == "1";
  } catch (const sql::SQLException& error) {
    if (error.getErrorCode() == 1193) return false;  // unknown system variable
    throw;
  }
}

}  // namespace

std::unique_ptr<sql::Connection> open_connection(const ConnectionOptions& options) {
  if (!options.socket.empty()) {
    std::unique_ptr<sql::Connection> connection = connect_to(options, "unix://" + options.socket);
    if (options.causal_reads && is_galera(*connection)) execute(*connection, "SET SESSION wsrep_sync_wait = 1");
    return connection;
  }
  if (options.endpoints.empty()) throw sql::SQLException("no database endpoint configured", "HY000", 2005);
  std::string errors;
  int last_code = 2003;
  for (const Endpoint& endpoint : options.endpoints) {
    const std::string address = endpoint.host + ":" + std::to_string(endpoint.port);
    try {
      std::unique_ptr<sql::Connection> connection = connect_to(options, "tcp://" + address);
      const bool galera = (options.causal_reads || options.endpoints.size() > 1) && is_galera(*connection);
      if (galera && options.endpoints.size() > 1 &&
          first_value(*connection, "SHOW GLOBAL STATUS LIKE 'wsrep_ready'") != "ON") {
        throw sql::SQLException("the node is not ready (outside the primary component, or joining)", "08S01", 1047);
      }
      if (galera && options.causal_reads) {
        execute(*connection, "SET SESSION wsrep_sync_wait = 1");
      }
      return connection;
    } catch (const sql::SQLException& error) {
      // With one endpoint its own error goes up as it is; with several, each one's is named.
      if (options.endpoints.size() == 1) throw;
      errors += (errors.empty() ? "" : "; ") + address + ": " + error.what();
      last_code = error.getErrorCode();
    }
  }
  throw sql::SQLException("no database node took the connection (" + errors + ")", "08S01", last_code);
}

bool is_connection_error(const sql::SQLException& error) {
  switch (error.getErrorCode()) {
    case 1047:  // a Galera node outside the primary component: "WSREP has not yet prepared node for application use"
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

bool is_transient_error(const sql::SQLException& error, bool other_nodes) {
  return error.getErrorCode() == 1213 /* deadlock */ || error.getErrorCode() == 1205 /* lock wait timeout */ ||
         error.getErrorCode() == 2006 /* stale connection: the server closed it while we were idle */ ||
         (other_nodes && is_connection_error(error));
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

Failure classify(const sql::SQLException& error, bool may_retry, bool other_nodes) {
  if (may_retry && is_transient_error(error, other_nodes)) return Failure::kRetry;
  if (is_connection_error(error) || is_outage_error(error)) return Failure::kUnavailable;
  return Failure::kRejected;
}

}  // namespace switchboard::store
