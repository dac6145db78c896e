// Accounts in MariaDB (schema/004) through Connector/C++ prepared statements. One connection per process, opened
// lazily (after any fork), autocommit on: every operation is one statement, or a read then a write whose order does
// not matter to correctness. A lost connection is dropped with its prepared statements and the operation runs once
// more on a new one (each is safe to repeat: a failure counted twice only slows a guesser more); if that fails too
// the error becomes Unavailable.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "store/account_store.h"
#include "store/mysql_connection.h"

namespace sql {
class Connection;
class PreparedStatement;
}

namespace switchboard::store {

class MysqlAccountStore : public AccountStore {
 public:
  explicit MysqlAccountStore(ConnectionOptions options);
  ~MysqlAccountStore() override;

  std::optional<User> find_user(const std::string& name) override;
  std::vector<User> list_users() override;
  bool add_user(const User& user) override;
  bool set_password(const std::string& name, const std::string& password_hash, std::int64_t now_ms) override;
  bool remove_user(const std::string& name) override;
  void set_last_login(std::int64_t user_id, std::int64_t now_ms) override;

  void create_session(const std::string& digest, std::int64_t user_id, std::int64_t now_ms,
                      std::int64_t expires_at_ms, const std::string& address) override;
  std::optional<Principal> find_session(const std::string& digest, std::int64_t now_ms,
                                        std::int64_t idle_ms) override;
  void delete_session(const std::string& digest) override;

  void add_api_token(const std::string& digest, std::int64_t user_id, std::int64_t now_ms) override;
  std::optional<Principal> find_api_token(const std::string& digest, std::int64_t now_ms) override;
  int revoke_api_tokens(std::int64_t user_id, std::int64_t now_ms) override;

  std::int64_t blocked_until(const std::vector<std::string>& scopes) override;
  int count_failure(const std::string& scope, std::int64_t now_ms, std::int64_t memory_ms) override;
  void block(const std::string& scope, std::int64_t until_ms) override;
  void clear_failures(const std::string& scope) override;

  void audit(const AuditEntry& entry) override;
  std::vector<AuditEntry> audit_log(std::optional<std::int64_t> before_id, int limit) override;

 private:
  template <typename Work>
  auto run(const char* operation, Work&& work);
  sql::PreparedStatement& statement(const char* text);

  ConnectionOptions options_;
  std::unique_ptr<sql::Connection> connection_;
  std::map<const char*, std::unique_ptr<sql::PreparedStatement>> statements_;
};

}  // namespace switchboard::store
