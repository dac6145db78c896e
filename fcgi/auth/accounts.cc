// Sign-in, sessions and user changes.
#include "auth/accounts.h"

#include <algorithm>

#include "auth/password.h"
#include "auth/throttle.h"
#include "auth/tokens.h"

namespace switchboard::auth {

namespace {

std::string user_scope(const std::string& name) { return "user:" + name.substr(0, 64); }
std::string address_scope(const std::string& address) { return "address:" + address.substr(0, 64); }

}  // namespace

bool valid_user_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '@' && c != '-'))) return false;
  }
  return true;
}

bool valid_role(const std::string& role) { return role == store::kRoleViewer || role == store::kRoleAdmin; }

std::string normalised_user_name(const std::string& typed) {
  std::string name = typed;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return name;
}

void Accounts::audit(const Actor& actor, const std::string& action, const std::string& target,
                     const std::string& detail) {
  store_.audit(store::AuditEntry{0, now(), actor.name, action, target, detail, actor.address});
}

SignIn Accounts::sign_in(const std::string& typed_name, const std::string& password, const std::string& address) {
  const std::string name = normalised_user_name(typed_name);
  SignIn outcome;
  const std::int64_t started = now();
  const std::int64_t blocked = store_.blocked_until({user_scope(name), address_scope(address)});
  if (blocked > started) {
    outcome.result = SignIn::Result::kThrottled;
    outcome.retry_after_ms = blocked - started;
    return outcome;
  }
  std::optional<store::User> user = valid_user_name(name) ? store_.find_user(name) : std::nullopt;
  bool accepted = false;
  if (user) {
    accepted = verify_password(password, user->password_hash);
  } else {
    verify_password_of_nobody(password);
  }
  const Actor who{valid_user_name(name) ? name : "(invalid name)", address};
  if (!accepted) {
    const std::int64_t at = now();
    const int account_failures = store_.count_failure(user_scope(name), at, kFailureMemoryMs);
    const int address_failures = store_.count_failure(address_scope(address), at, kFailureMemoryMs);
    const std::int64_t account_wait = wait_after_failures(account_failures, kAccountThrottle);
    const std::int64_t address_wait = wait_after_failures(address_failures, kAddressThrottle);
    if (account_wait > 0) store_.block(user_scope(name), at + account_wait);
    if (address_wait > 0) store_.block(address_scope(address), at + address_wait);
    audit(who, "login_failed", "", user ? "wrong password" : "no such user");
    outcome.result = SignIn::Result::kRefused;
    return outcome;
  }
  const std::int64_t at = now();
  store_.clear_failures(user_scope(name));
  outcome.session_token = new_token();
  const std::string digest = token_digest(outcome.session_token);
  store_.create_session(digest, user->id, at, at + policy_.max_ms, address);
  store_.set_last_login(user->id, at);
  audit(who, "login", "", "");
  outcome.result = SignIn::Result::kSignedIn;
  outcome.principal = store::Principal{user->id, user->name, user->role, "session", digest, at + policy_.max_ms};
  return outcome;
}

std::optional<store::Principal> Accounts::session(const std::string& token) {
  if (!plausible_token(token) || token.rfind(kApiTokenPrefix, 0) == 0) return std::nullopt;
  return store_.find_session(token_digest(token), now(), policy_.idle_ms);
}

std::optional<store::Principal> Accounts::api_token(const std::string& token) {
  if (!plausible_token(token) || token.rfind(kApiTokenPrefix, 0) != 0) return std::nullopt;
  return store_.find_api_token(token_digest(token), now());
}

void Accounts::sign_out(const store::Principal& principal, const std::string& address) {
  if (principal.via == "session") store_.delete_session(principal.credential_digest);
  audit(Actor{principal.name, address}, "logout", "", principal.via == "session" ? "" : "API token (still valid)");
}

std::optional<Refusal> Accounts::add_user(const Actor& actor, const std::string& name, const std::string& role,
                                          const std::string& password) {
  if (!valid_user_name(name)) {
    return Refusal{Refusal::Kind::kInvalid,
                   "a user name is 1 to 64 lowercase letters, digits and . _ @ -, starting with a letter or digit"};
  }
  if (!valid_role(role)) return Refusal{Refusal::Kind::kInvalid, "the role must be viewer or admin"};
  if (auto weak = weak_password_reason(password, name)) return Refusal{Refusal::Kind::kInvalid, *weak};
  store::User user;
  user.name = name;
  user.role = role;
  user.password_hash = hash_password(password);
  user.created_at_ms = now();
  if (!store_.add_user(user)) return Refusal{Refusal::Kind::kDuplicate, "there is already a user " + name};
  audit(actor, "user_added", name, "role " + role);
  return std::nullopt;
}

std::optional<Refusal> Accounts::change_password(const Actor& actor, const std::string& name,
                                                 const std::string& password) {
  if (!valid_user_name(name)) return Refusal{Refusal::Kind::kUnknownUser, "there is no user " + name.substr(0, 64)};
  if (auto weak = weak_password_reason(password, name)) return Refusal{Refusal::Kind::kInvalid, *weak};
  if (!store_.set_password(name, hash_password(password), now())) {
    return Refusal{Refusal::Kind::kUnknownUser, "there is no user " + name};
  }
  audit(actor, "password_changed", name, "every session of the user ended");
  return std::nullopt;
}

std::optional<Refusal> Accounts::remove_user(const Actor& actor, const std::string& name) {
  const std::optional<store::User> user = valid_user_name(name) ? store_.find_user(name) : std::nullopt;
  if (!user) return Refusal{Refusal::Kind::kUnknownUser, "there is no user " + name.substr(0, 64)};
  if (user->role == store::kRoleAdmin) {
    const std::vector<store::User> all = store_.list_users();
    const auto admins = std::count_if(all.begin(), all.end(), [](const store::User& u) { return u.role == store::kRoleAdmin; });
    if (admins <= 1) return Refusal{Refusal::Kind::kInvalid, name + " is the last admin: add another admin first"};
  }
  if (!store_.remove_user(name)) return Refusal{Refusal::Kind::kUnknownUser, "there is no user " + name};
  audit(actor, "user_removed", name, "sessions and API tokens ended");
  return std::nullopt;
}

std::variant<std::string, Refusal> Accounts::issue_token(const Actor& actor, const std::string& name) {
  const std::optional<store::User> user = valid_user_name(name) ? store_.find_user(name) : std::nullopt;
  if (!user) return Refusal{Refusal::Kind::kUnknownUser, "there is no user " + name.substr(0, 64)};
  std::string token = new_token(kApiTokenPrefix);
  store_.add_api_token(token_digest(token), user->id, now());
  audit(actor, "token_issued", name, "");
  return token;
}

std::variant<int, Refusal> Accounts::revoke_tokens(const Actor& actor, const std::string& name) {
  const std::optional<store::User> user = valid_user_name(name) ? store_.find_user(name) : std::nullopt;
  if (!user) return Refusal{Refusal::Kind::kUnknownUser, "there is no user " + name.substr(0, 64)};
  const int revoked = store_.revoke_api_tokens(user->id, now());
  audit(actor, "tokens_revoked", name, std::to_string(revoked) + " revoked");
  return revoked;
}

}  // namespace switchboard::auth
