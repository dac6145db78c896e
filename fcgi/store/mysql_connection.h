// Opening a MariaDB/MySQL connection with Connector/C++ 1.1 from plain options, with short timeouts (a webhook must
// answer within Twilio's 15 s even when the database hangs) and automatic reconnection off: a silent reconnect
// invalidates prepared statements (stack-notes §3.2), so callers drop the connection and prepare again instead.
// A cluster (Galera) is a list of endpoints tried in order: a node that refuses, times out or is not ready (outside
// the primary component, still joining) is passed over for the next one.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace sql {
class Connection;
class SQLException;
}

namespace switchboard::store {

struct Endpoint {
  std::string host;
  int port = 3306;
};

struct ConnectionOptions {
  std::string socket;               // unix socket; when empty, the endpoints over TCP
  std::vector<Endpoint> endpoints;  // one server, or a cluster's nodes in the order connections try them
  std::string user;
  std::string password;
  std::string schema;
  int connect_timeout_s = 2;
  int read_timeout_s = 4;
  int write_timeout_s = 4;
  // Reads see every write committed anywhere in the cluster before them (Galera's wsrep_sync_wait=1), for the
  // feed: a page on one host shows the call another host just wrote. Nothing on a server that is not Galera.
  bool causal_reads = false;
};

// The first endpoint that takes the connection and, when there are several, serves clients (a Galera node that is
// not ready answers every statement with 1047); throws the last endpoint's error when none does.
std::unique_ptr<sql::Connection> open_connection(const ConnectionOptions& options);

// Errors after which the connection is unusable (server gone, connection lost or killed, cannot connect, a Galera
// node that no longer serves clients).
bool is_connection_error(const sql::SQLException& error);
// Errors worth an immediate retry of the whole transaction: on the same connection (a deadlock, which on Galera is
// also a certification conflict with another node's commit; a lock wait timeout), or on a new one (a stale
// connection; with other nodes to go to, any lost connection).
bool is_transient_error(const sql::SQLException& error, bool other_nodes = false);

// What a failed transaction says about the work it carried, from the error it ended with.
enum class Failure {
  kRetry,        // try the whole transaction once more, now (deadlock, lock wait timeout, a stale connection)
  kUnavailable,  // nothing can be stored now, whatever the work: keep it and try again later
  kRejected,     // the server refused this work (a value, a constraint, a trigger): the same work fails the same way
};
// `may_retry` is false once the transaction has had its retries; `other_nodes` says the options list more than one
// endpoint, so that a lost connection may be retried on the next.
Failure classify(const sql::SQLException& error, bool may_retry, bool other_nodes = false);

}  // namespace switchboard::store
