// One lazily opened MariaDB connection in autocommit mode with its prepared statements, for stores whose every
// operation is one statement (or a read then a write whose order does not matter): the accounts and the routing
// history. A connection the server dropped (a restart, wait_timeout) is noticed only at its next use: then it is
// dropped with its statements and the operation runs once more on a new one. Only when that fails too does the
// error become Unavailable, so every operation run here must be safe to repeat.
#pragma once

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <map>
#include <memory>
#include <string>

#include "store/call_store.h"
#include "store/mysql_connection.h"

namespace sql {
class Connection;
}

namespace switchboard::store {

class AutocommitConnection {
 public:
  // `what` names the store in errors: "accounts: find user: …".
  AutocommitConnection(ConnectionOptions options, std::string what);
  ~AutocommitConnection();

  template <typename Work>
  auto run(const char* operation, Work&& work) {
    for (int attempt = 1;; ++attempt) {
      try {
        open();
        return work();
      } catch (const sql::SQLException& error) {
        if (!is_connection_error(error)) throw;
        drop();
        if (attempt == 1) continue;
        throw Unavailable(what_ + ": " + operation + ": " + error.what());
      }
    }
  }

  // The statement for `text` (a constant: statements are cached by its address), prepared on first use.
  sql::PreparedStatement& statement(const char* text);

 private:
  void open();
  void drop();

  ConnectionOptions options_;
  std::string what_;
  std::unique_ptr<sql::Connection> connection_;
  std::map<const char*, std::unique_ptr<sql::PreparedStatement>> statements_;
};

}  // namespace switchboard::store
