// An in-memory AccountStore with the MySQL store's semantics (sessions end on a password change and with their
// user, expiry and idle checks, failure counters forgotten after their memory), for tests of the account rules and
// the API without a database.
#pragma once

#include <algorithm>
#include <map>

#include "store/account_store.h"

namespace switchboard::test {

class FakeAccountStore : public store::AccountStore {
 public:
  struct Session {
    std::int64_t user_id, created, last_seen, expires;
  };
  struct Token {
    std::int64_t user_id;
    bool revoked = false;
  };
  struct Failures {
    int count = 0;
    std::int64_t last = 0, blocked_until = 0;
  };

  std::map<std::string, store::User> users;  // by name
  std::map<std::string, Session> sessions;    // by digest
  std::map<std::string, Token> tokens;        // by digest
  std::map<std::string, Failures> failures;   // by scope
  std::vector<store::AuditEntry> audit_entries;
  std::int64_t next_id = 1;

  std::optional<store::User> find_user(const std::string& name) override {
    auto found = users.find(name);
    if (found == users.end()) return std::nullopt;
    return found->second;
  }
  std::vector<store::User> list_users() override {
    std::vector<store::User> all;
    for (const auto& entry : users) {
      store::User copy = entry.second;
      const std::int64_t id = copy.id;
      copy.api_tokens = static_cast<int>(std::count_if(tokens.begin(), tokens.end(), [id](const auto& token) {
        return token.second.user_id == id && !token.second.revoked;
      }));
      all.push_back(copy);
    }
    return all;
  }
  bool add_user(const store::User& user) override {
    if (users.count(user.name)) return false;
    store::User stored = user;
    stored.id = next_id++;
    users[user.name] = stored;
    return true;
  }
  bool set_password(const std::string& name, const std::string& hash, std::int64_t) override {
    auto found = users.find(name);
    if (found == users.end()) return false;
    found->second.password_hash = hash;
    end_sessions_of(found->second.id);
    return true;
  }
  bool remove_user(const std::string& name) override {
    auto found = users.find(name);
    if (found == users.end()) return false;
    const std::int64_t id = found->second.id;
    end_sessions_of(id);
    for (auto it = tokens.begin(); it != tokens.end();) it = it->second.user_id == id ? tokens.erase(it) : std::next(it);
    users.erase(found);
    return true;
  }
  void set_last_login(std::int64_t user_id, std::int64_t now_ms) override {
    for (auto& [name, user] : users) {
      if (user.id == user_id) user.last_login_at_ms = now_ms;
    }
  }
  void create_session(const std::string& digest, std::int64_t user_id, std::int64_t now_ms, std::int64_t expires,
                      const std::string&) override {
    sessions[digest] = Session{user_id, now_ms, now_ms, expires};
  }
  std::optional<store::Principal> find_session(const std::string& digest, std::int64_t now_ms,
                                               std::int64_t idle_ms) override {
    auto found = sessions.find(digest);
    if (found == sessions.end() || now_ms >= found->second.expires || now_ms - found->second.last_seen >= idle_ms) {
      return std::nullopt;
    }
    found->second.last_seen = now_ms;
    const store::User* user = by_id(found->second.user_id);
    if (!user) return std::nullopt;
    return store::Principal{user->id, user->name, user->role, "session", digest, found->second.expires};
  }
  void delete_session(const std::string& digest) override { sessions.erase(digest); }
  void add_api_token(const std::string& digest, std::int64_t user_id, std::int64_t) override {
    tokens[digest] = Token{user_id};
  }
  std::optional<store::Principal> find_api_token(const std::string& digest, std::int64_t) override {
    auto found = tokens.find(digest);
    if (found == tokens.end() || found->second.revoked) return std::nullopt;
    const store::User* user = by_id(found->second.user_id);
    if (!user) return std::nullopt;
    return store::Principal{user->id, user->name, user->role, "token", digest, std::nullopt};
  }
  int revoke_api_tokens(std::int64_t user_id, std::int64_t) override {
    int revoked = 0;
    for (auto& [digest, token] : tokens) {
      if (token.user_id == user_id && !token.revoked) {
        token.revoked = true;
        ++revoked;
      }
    }
    return revoked;
  }
  std::int64_t blocked_until(const std::vector<std::string>& scopes) override {
    std::int64_t until = 0;
    for (const std::string& scope : scopes) {
      auto found = failures.find(scope);
      if (found != failures.end()) until = std::max(until, found->second.blocked_until);
    }
    return until;
  }
  int count_failure(const std::string& scope, std::int64_t now_ms, std::int64_t memory_ms) override {
    Failures& entry = failures[scope];
    entry.count = entry.count > 0 && entry.last >= now_ms - memory_ms ? entry.count + 1 : 1;
    entry.last = now_ms;
    return entry.count;
  }
  void block(const std::string& scope, std::int64_t until_ms) override {
    failures[scope].blocked_until = std::max(failures[scope].blocked_until, until_ms);
  }
  void clear_failures(const std::string& scope) override { failures.erase(scope); }
  void audit(const store::AuditEntry& entry) override {
    store::AuditEntry stored = entry;
    stored.id = next_id++;
    audit_entries.push_back(stored);
  }
  std::vector<store::AuditEntry> audit_log(std::optional<std::int64_t> before_id, int limit) override {
    std::vector<store::AuditEntry> page;
    for (auto it = audit_entries.rbegin(); it != audit_entries.rend() && static_cast<int>(page.size()) < limit; ++it) {
      if (!before_id || it->id < *before_id) page.push_back(*it);
    }
    return page;
  }

 private:
  const store::User* by_id(std::int64_t id) const {
    for (const auto& [name, user] : users) {
      if (user.id == id) return &user;
    }
    return nullptr;
  }
  void end_sessions_of(std::int64_t user_id) {
    for (auto it = sessions.begin(); it != sessions.end();) {
      it = it->second.user_id == user_id ? sessions.erase(it) : std::next(it);
    }
  }
};

}  // namespace switchboard::test
