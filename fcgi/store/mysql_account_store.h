// Accounts in MariaDB (schema/004) through Connector/C++ prepared statements, on one AutocommitConnection per
// process (opened lazily, after any fork): every operation is one statement, or a read then a write whose order does
// not matter to correctness, and each is safe to run again after a lost connection (a failure counted twice only
// slows a guesser more).
#pragma once

#include <string>

#include "store/account_store.h"
#include "store/autocommit_connection.h"

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
  AutocommitConnection connection_;
};

}  // namespace switchboard::store
