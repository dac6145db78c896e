// One lazily opened MariaDB connection in transaction mode (autocommit off) with its prepared statements, and the
// retry discipline of the call log: work runs in a transaction on a live connection and leaves none open whatever
// happens. A stale connection, a deadlock (on Galera also a certification conflict with another node's commit) or
// a lock wait timeout is tried again at once, up to kMaxAttempts times and only while the first attempt is less
// than kRetryWindow old, so a webhook still answers well within nginx's 10 s; with a cluster's endpoints, so is a
// lost connection or a node that stopped serving, on the next node that does. An error that says the server takes
// nothing now becomes Unavailable (and the next connect waits a second, so a dead database costs callers nothing);
// any other SQL error is the server refusing this work and becomes Rejected. Work that ends its transaction itself
// (a stored procedure that commits) says so with transaction_ended().
#pragma once

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "store/call_store.h"
#include "store/mysql_connection.h"
#include "store/rejection.h"

namespace sql {
class Connection;
}

namespace switchboard::store {

class MysqlSession {
 public:
  explicit MysqlSession(ConnectionOptions options);
  ~MysqlSession();

  static constexpr int kMaxAttempts = 4;
  static constexpr std::chrono::milliseconds kRetryWindow{3000};

  template <typename Work>
  auto transaction(const char* operation, Work&& work) {
    const auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
      connect(operation);
      ended_ = false;
      try {
        auto result = work();
        if (!ended_) commit();
        return result;
      } catch (const sql::SQLException& error) {
        abandon(is_connection_error(error));
        const std::string detail = std::string(operation) + ": " + error.what() + " (MySQL error " +
                                   std::to_string(error.getErrorCode()) + ")";
        const bool may_retry = attempt < kMaxAttempts && std::chrono::steady_clock::now() - started < kRetryWindow;
        switch (classify(error, may_retry, options_.endpoints.size() > 1)) {
          case Failure::kRetry:
            pause_before_retry(error, attempt);
            continue;
          case Failure::kUnavailable:
            // What refused everything (a grant, the schema, read-only) may be fixed by the next try, on a new
            // connection: an open one keeps the database grants it started with, and statements prepared before
            // the schema changed.
            drop();
            wait_before_reconnecting();
            throw Unavailable(detail);
          case Failure::kRejected:
            throw Rejected(Rejection{error.getErrorCode(), std::string(error.getSQLState()), error.what()});
        }
      } catch (...) {
        abandon(false);
        throw;
      }
    }
  }

  // The statement for `text`, prepared on this connection at first use.
  sql::PreparedStatement& statement(const std::string& text);
  // The statement just run ended the transaction on the server (it committed, or rolled back and raised an error):
  // transaction() has nothing left to commit.
  void transaction_ended() { ended_ = true; }
  // Rolls back what the transaction did so far: transaction() has nothing left to commit.
  void roll_back();

 private:
  // Opens the connection when there is none; throws Unavailable when that fails.
  void connect(const char* operation);
  void commit();
  void wait_before_reconnecting();
  // After a conflict, a few random milliseconds, more each time: two writers that collided at once do not collide
  // again at once. Nothing before a new connection.
  static void pause_before_retry(const sql::SQLException& error, int attempt);
  // Rolls back the open transaction, or drops the connection when it is lost or the rollback fails.
  void abandon(bool connection_lost);
  void drop();

  ConnectionOptions options_;
  std::unique_ptr<sql::Connection> connection_;
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  std::chrono::steady_clock::time_point next_connect_attempt_{};
  bool ended_ = false;
};

}  // namespace switchboard::store
