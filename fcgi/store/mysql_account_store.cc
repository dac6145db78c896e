// SQL of the accounts. Every statement is a named constant with placeholders, prepared once per connection.
#include "store/mysql_account_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include "store/call_store.h"
#include "text/utf8.h"

namespace switchboard::store {

namespace {

constexpr int kDuplicateEntry = 1062;
// A session's last use is written at most this often: a check is then one primary-key read, and idle expiry is
// exact to within a minute.
constexpr std::int64_t kTouchEveryMs = 60 * 1000;

constexpr char kFindUser[] =
    "SELECT id, name, role, password_hash, created_at_ms, last_login_at_ms FROM users WHERE name = ?";
constexpr char kListUsers[] =
    "SELECT u.id, u.name, u.role, '', u.created_at_ms, u.last_login_at_ms, "
    "(SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at_ms IS NULL) "
    "FROM users u ORDER BY u.name";
constexpr char kAddUser[] =
    "INSERT INTO users (name, role, password_hash, created_at_ms, password_set_at_ms) VALUES (?, ?, ?, ?, ?)";
constexpr char kSetPassword[] = "UPDATE users SET password_hash = ?, password_set_at_ms = ? WHERE name = ?";
constexpr char kEndSessionsOfName[] =
    "DELETE s FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = ?";
constexpr char kRemoveUser[] = "DELETE FROM users WHERE name = ?";
constexpr char kSetLastLogin[] = "UPDATE users SET last_login_at_ms = ? WHERE id = ?";

constexpr char kCreateSession[] =
    "INSERT INTO sessions (digest, user_id, created_at_ms, last_seen_at_ms, expires_at_ms, address) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kFindSession[] =
    "SELECT s.user_id, u.name, u.role, s.last_seen_at_ms, s.expires_at_ms "
    "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.digest = ?";
constexpr char kTouchSession[] = "UPDATE sessions SET last_seen_at_ms = ? WHERE digest = ?";
constexpr char kDeleteSession[] = "DELETE FROM sessions WHERE digest = ?";
// Expired sessions are removed whenever one is created: the table holds only what could still be used.
constexpr char kDeleteExpiredSessions[] = "DELETE FROM sessions WHERE expires_at_ms < ? LIMIT 100";

constexpr char kAddToken[] = "INSERT INTO api_tokens (digest, user_id, created_at_ms) VALUES (?, ?, ?)";
constexpr char kFindToken[] =
    "SELECT t.user_id, u.name, u.role, t.last_used_at_ms FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.digest = ? AND t.revoked_at_ms IS NULL";
constexpr char kTouchToken[] = "UPDATE api_tokens SET last_used_at_ms = ? WHERE digest = ?";
constexpr char kRevokeTokens[] =
    "UPDATE api_tokens SET revoked_at_ms = ? WHERE user_id = ? AND revoked_at_ms IS NULL";

constexpr char kBlockedUntil[] = "SELECT COALESCE(MAX(blocked_until_ms), 0) FROM login_failures WHERE scope IN (?, ?)";
// Assignments run left to right: `failures` is decided from the old last_failure_at_ms before it is overwritten.
constexpr char kCountFailure[] =
    "INSERT INTO login_failures (scope, failures, last_failure_at_ms) VALUES (?, 1, ?) "
    "ON DUPLICATE KEY UPDATE failures = IF(last_failure_at_ms < ?, 1, failures + 1), "
    "last_failure_at_ms = VALUES(last_failure_at_ms)";
constexpr char kReadFailures[] = "SELECT failures FROM login_failures WHERE scope = ?";
constexpr char kBlock[] = "UPDATE login_failures SET blocked_until_ms = GREATEST(blocked_until_ms, ?) WHERE scope = ?";
constexpr char kClearFailures[] = "DELETE FROM login_failures WHERE scope = ?";

constexpr char kAudit[] =
    "INSERT INTO audit_log (at_ms, user_name, action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kAuditNewest[] =
    "SELECT id, at_ms, user_name, action, target, detail, address FROM audit_log ORDER BY id DESC LIMIT ?";
constexpr char kAuditBefore[] =
    "SELECT id, at_ms, user_name, action, target, detail, address FROM audit_log WHERE id < ? "
    "ORDER BY id DESC LIMIT ?";

std::optional<std::int64_t> nullable_int64(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getInt64(column);
}

// Caller-supplied text cut to its column (in characters of valid UTF-8).
std::string column_text(const std::string& text, size_t characters) {
  return text::truncate_utf8(text::valid_utf8(text), characters);
}

User user_of(sql::ResultSet& rows) {
  User user;
  user.id = rows.getInt64(1);
  user.name = rows.getString(2);
  user.role = rows.getString(3);
  user.password_hash = rows.getString(4);
  user.created_at_ms = rows.getInt64(5);
  user.last_login_at_ms = nullable_int64(rows, 6);
  return user;
}

}  // namespace

MysqlAccountStore::MysqlAccountStore(ConnectionOptions options) : connection_(std::move(options), "accounts") {}
MysqlAccountStore::~MysqlAccountStore() = default;

std::optional<User> MysqlAccountStore::find_user(const std::string& name) {
  return connection_.run("find user", [&]() -> std::optional<User> {
    sql::PreparedStatement& select = connection_.statement(kFindUser);
    select.setString(1, name);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return std::nullopt;
    return user_of(*rows);
  });
}

std::vector<User> MysqlAccountStore::list_users() {
  return connection_.run("list users", [&] {
    std::vector<User> users;
    std::unique_ptr<sql::ResultSet> rows(connection_.statement(kListUsers).executeQuery());
    while (rows->next()) {
      User user = user_of(*rows);
      user.api_tokens = rows->getInt(7);
      users.push_back(std::move(user));
    }
    return users;
  });
}

bool MysqlAccountStore::add_user(const User& user) {
  return connection_.run("add user", [&] {
    sql::PreparedStatement& insert = connection_.statement(kAddUser);
    insert.setString(1, user.name);
    insert.setString(2, user.role);
    insert.setString(3, user.password_hash);
    insert.setInt64(4, user.created_at_ms);
    insert.setInt64(5, user.created_at_ms);
    try {
      insert.executeUpdate();
    } catch (const sql::SQLException& error) {
      if (error.getErrorCode() == kDuplicateEntry) return false;
      throw;
    }
    return true;
  });
}

bool MysqlAccountStore::set_password(const std::string& name, const std::string& password_hash, std::int64_t now_ms) {
  return connection_.run("set password", [&] {
    sql::PreparedStatement& update = connection_.statement(kSetPassword);
    update.setString(1, password_hash);
    update.setInt64(2, now_ms);
    update.setString(3, name);
    if (update.executeUpdate() != 1) return false;
    // After the new hash is in place: a session created between the two statements was made with the old
    // password and ends here too.
    sql::PreparedStatement& end_sessions = connection_.statement(kEndSessionsOfName);
    end_sessions.setString(1, name);
    end_sessions.executeUpdate();
    return true;
  });
}

bool MysqlAccountStore::remove_user(const std::string& name) {
  return connection_.run("remove user", [&] {
    sql::PreparedStatement& remove = connection_.statement(kRemoveUser);
    remove.setString(1, name);
    return remove.executeUpdate() == 1;  // sessions and tokens go with it (ON DELETE CASCADE)
  });
}

void MysqlAccountStore::set_last_login(std::int64_t user_id, std::int64_t now_ms) {
  connection_.run("record sign-in", [&] {
    sql::PreparedStatement& update = connection_.statement(kSetLastLogin);
    update.setInt64(1, now_ms);
    update.setInt64(2, user_id);
    update.executeUpdate();
  });
}

void MysqlAccountStore::create_session(const std::string& digest, std::int64_t user_id, std::int64_t now_ms,
                                       std::int64_t expires_at_ms, const std::string& address) {
  connection_.run("create session", [&] {
    sql::PreparedStatement& sweep = connection_.statement(kDeleteExpiredSessions);
    sweep.setInt64(1, now_ms);
    sweep.executeUpdate();
    sql::PreparedStatement& insert = connection_.statement(kCreateSession);
    insert.setString(1, digest);
    insert.setInt64(2, user_id);
    insert.setInt64(3, now_ms);
    insert.setInt64(4, now_ms);
    insert.setInt64(5, expires_at_ms);
    insert.setString(6, column_text(address, 64));
    insert.executeUpdate();
  });
}

std::optional<Principal> MysqlAccountStore::find_session(const std::string& digest, std::int64_t now_ms,
                                                         std::int64_t idle_ms) {
  return connection_.run("check session", [&]() -> std::optional<Principal> {
    sql::PreparedStatement& select = connection_.statement(kFindSession);
    select.setString(1, digest);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return std::nullopt;
    const std::int64_t last_seen = rows->getInt64(4);
    const std::int64_t expires = rows->getInt64(5);
    if (now_ms >= expires || now_ms - last_seen >= idle_ms) return std::nullopt;
    Principal principal{rows->getInt64(1), rows->getString(2), rows->getString(3), "session", digest, expires};
    rows.reset();
    if (now_ms - last_seen >= kTouchEveryMs) {
      sql::PreparedStatement& touch = connection_.statement(kTouchSession);
      touch.setInt64(1, now_ms);
      touch.setString(2, digest);
      touch.executeUpdate();
    }
    return principal;
  });
}

void MysqlAccountStore::delete_session(const std::string& digest) {
  connection_.run("end session", [&] {
    sql::PreparedStatement& remove = connection_.statement(kDeleteSession);
    remove.setString(1, digest);
    remove.executeUpdate();
  });
}

void MysqlAccountStore::add_api_token(const std::string& digest, std::int64_t user_id, std::int64_t now_ms) {
  connection_.run("add API token", [&] {
    sql::PreparedStatement& insert = connection_.statement(kAddToken);
    insert.setString(1, digest);
    insert.setInt64(2, user_id);
    insert.setInt64(3, now_ms);
    insert.executeUpdate();
  });
}

std::optional<Principal> MysqlAccountStore::find_api_token(const std::string& digest, std::int64_t now_ms) {
  return connection_.run("check API token", [&]() -> std::optional<Principal> {
    sql::PreparedStatement& select = connection_.statement(kFindToken);
    select.setString(1, digest);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return std::nullopt;
    Principal principal{rows->getInt64(1), rows->getString(2), rows->getString(3), "token", digest, std::nullopt};
    const std::optional<std::int64_t> last_used = nullable_int64(*rows, 4);
    rows.reset();
    if (!last_used || now_ms - *last_used >= kTouchEveryMs) {
      sql::PreparedStatement& touch = connection_.statement(kTouchToken);
      touch.setInt64(1, now_ms);
      touch.setString(2, digest);
      touch.executeUpdate();
    }
    return principal;
  });
}

int MysqlAccountStore::revoke_api_tokens(std::int64_t user_id, std::int64_t now_ms) {
  return connection_.run("revoke API tokens", [&] {
    sql::PreparedStatement& update = connection_.statement(kRevokeTokens);
    update.setInt64(1, now_ms);
    update.setInt64(2, user_id);
    return update.executeUpdate();
  });
}

std::int64_t MysqlAccountStore::blocked_until(const std::vector<std::string>& scopes) {
  return connection_.run("read sign-in throttle", [&] {
    sql::PreparedStatement& select = connection_.statement(kBlockedUntil);
    select.setString(1, scopes.empty() ? std::string() : scopes[0]);
    select.setString(2, scopes.size() < 2 ? std::string() : scopes[1]);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    return rows->next() ? rows->getInt64(1) : std::int64_t{0};
  });
}

int MysqlAccountStore::count_failure(const std::string& scope, std::int64_t now_ms, std::int64_t memory_ms) {
  return connection_.run("count sign-in failure", [&] {
    sql::PreparedStatement& upsert = connection_.statement(kCountFailure);
    upsert.setString(1, scope);
    upsert.setInt64(2, now_ms);
    upsert.setInt64(3, now_ms - memory_ms);
    upsert.executeUpdate();
    sql::PreparedStatement& select = connection_.statement(kReadFailures);
    select.setString(1, scope);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    return rows->next() ? rows->getInt(1) : 1;
  });
}

void MysqlAccountStore::block(const std::string& scope, std::int64_t until_ms) {
  connection_.run("block sign-ins", [&] {
    sql::PreparedStatement& update = connection_.statement(kBlock);
    update.setInt64(1, until_ms);
    update.setString(2, scope);
    update.executeUpdate();
  });
}

void MysqlAccountStore::clear_failures(const std::string& scope) {
  connection_.run("clear sign-in failures", [&] {
    sql::PreparedStatement& remove = connection_.statement(kClearFailures);
    remove.setString(1, scope);
    remove.executeUpdate();
  });
}

void MysqlAccountStore::audit(const AuditEntry& entry) {
  connection_.run("write audit log", [&] {
    sql::PreparedStatement& insert = connection_.statement(kAudit);
    insert.setInt64(1, entry.at_ms);
    insert.setString(2, column_text(entry.user, 64));
    insert.setString(3, column_text(entry.action, 32));
    insert.setString(4, column_text(entry.target, 128));
    insert.setString(5, column_text(entry.detail, 255));
    insert.setString(6, column_text(entry.address, 64));
    insert.executeUpdate();
  });
}

std::vector<AuditEntry> MysqlAccountStore::audit_log(std::optional<std::int64_t> before_id, int limit) {
  return connection_.run("read audit log", [&] {
    sql::PreparedStatement& select = connection_.statement(before_id ? kAuditBefore : kAuditNewest);
    int column = 1;
    if (before_id) select.setInt64(column++, *before_id);
    select.setInt(column, limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    std::vector<AuditEntry> entries;
    while (rows->next()) {
      entries.push_back(AuditEntry{rows->getInt64(1), rows->getInt64(2), rows->getString(3), rows->getString(4),
                                   rows->getString(5), rows->getString(6), rows->getString(7)});
    }
    return entries;
  });
}

}  // namespace switchboard::store
