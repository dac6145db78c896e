// Accounts as the feed sees them: users with a role, sessions and API tokens (stored as digests, auth/tokens.h),
// sign-in failure counters for the throttle, and the audit log. MysqlAccountStore (store/mysql_account_store.h) is
// the real one; unit tests use an in-memory one. Times are Unix milliseconds (schema/004 stores BIGINT: no time
// zone conversions, no 2038 limit).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::store {

inline constexpr char kRoleViewer[] = "viewer";
inline constexpr char kRoleAdmin[] = "admin";

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  std::string password_hash;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> last_login_at_ms;
  int api_tokens = 0;  // live (unrevoked) tokens, filled by list_users()
};

// Who a request is, as established from its session cookie or bearer token.
struct Principal {
  std::int64_t user_id = 0;
  std::string name;
  std::string role;
  std::string via;                  // "session" or "token"
  std::string credential_digest;    // the session's or token's digest (logout revokes it)
  std::optional<std::int64_t> expires_at_ms;  // a session's absolute expiry
};

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  std::string user;     // who acted (a name, kept as text: it outlives the account)
  std::string action;   // login, login_failed, logout, voicemail_played, …
  std::string target;   // what it was done to: a call SID, a user name
  std::string detail;
  std::string address;  // the client address nginx saw, or "cli"
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  virtual std::optional<User> find_user(const std::string& name) = 0;
  virtual std::vector<User> list_users() = 0;
  // False when the name is taken.
  virtual bool add_user(const User& user) = 0;
  // Replaces the hash and ends every session of the user; false when there is no such user.
  virtual bool set_password(const std::string& name, const std::string& password_hash, std::int64_t now_ms) = 0;
  // Removes the user with its sessions and tokens; false when there is no such user.
  virtual bool remove_user(const std::string& name) = 0;
  virtual void set_last_login(std::int64_t user_id, std::int64_t now_ms) = 0;

  virtual void create_session(const std::string& digest, std::int64_t user_id, std::int64_t now_ms,
                              std::int64_t expires_at_ms, const std::string& address) = 0;
  // The live session with this digest: not past its absolute expiry, and seen within `idle_ms`. Records the use
  // (at most once a minute, so a check stays one read).
  virtual std::optional<Principal> find_session(const std::string& digest, std::int64_t now_ms,
                                                std::int64_t idle_ms) = 0;
  virtual void delete_session(const std::string& digest) = 0;

  virtual void add_api_token(const std::string& digest, std::int64_t user_id, std::int64_t now_ms) = 0;
  virtual std::optional<Principal> find_api_token(const std::string& digest, std::int64_t now_ms) = 0;
  // Revokes every live token of the user; how many.
  virtual int revoke_api_tokens(std::int64_t user_id, std::int64_t now_ms) = 0;

  // The latest "not before" of any of the scopes ("user:NAME", "address:IP"), 0 when none is blocked.
  virtual std::int64_t blocked_until(const std::vector<std::string>& scopes) = 0;
  // Counts a failure for the scope (starting again from 1 when the last one is older than `memory_ms`) and
  // returns the count now.
  virtual int count_failure(const std::string& scope, std::int64_t now_ms, std::int64_t memory_ms) = 0;
  virtual void block(const std::string& scope, std::int64_t until_ms) = 0;
  virtual void clear_failures(const std::string& scope) = 0;

  virtual void audit(const AuditEntry& entry) = 0;
  // Newest first; entries with id < `before_id` when given.
  virtual std::vector<AuditEntry> audit_log(std::optional<std::int64_t> before_id, int limit) = 0;
};

}  // namespace switchboard::store
