// Opening a MariaDB/MySQL connection with Connector/C++ 1.1 from plain options, with short timeouts (a webhook must
// answer within Twilio's 15 s even when the database hangs) and automatic reconnection off: a silent reconnect
// invalidates prepared statements (stack-notes §3.2), so callers drop the connection and prepare again instead.
#pragma once

#include <memory>
#include <string>

namespace sql {
class Connection;
class SQLException;
}

namespace switchboard::store {

struct ConnectionOptions {
  std::string socket;  // unix socket; when empty, host:port over TCP
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;
  std::string schema;
  int connect_timeout_s = 2;
  int read_timeout_s = 4;
  int write_timeout_s = 4;
};

std::unique_ptr<sql::Connection> open_connection(const ConnectionOptions& options);

// Errors after which the connection is unusable (server gone, connection lost or killed, cannot connect).
bool is_connection_error(const sql::SQLException& error);
// Errors worth one immediate retry of the whole transaction.
bool is_transient_error(const sql::SQLException& error);

// What a failed transaction says about the work it carried, from the error it ended with.
enum class Failure {
  kRetry,        // try the whole transaction once more, now (deadlock, lock wait timeout, a stale connection)
  kUnavailable,  // nothing can be stored now, whatever the work: keep it and try again later
  kRejected,     // the server refused this work (a value, a constraint, a trigger): the same work fails the same way
};
// `may_retry` is false once the transaction has had its retry.
Failure classify(const sql::SQLException& error, bool may_retry);

}  // namespace switchboard::store
