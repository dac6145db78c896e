// The accounts' rules, shared by the feed's API (feed/account_api.h) and the switchboard-users CLI: who may sign in
// (throttled, auth/throttle.h), how a session or API token becomes a Principal, and the checks on user changes
// (name and role formats, weak passwords, duplicates, never the last admin). Every sign-in, sign-out and change is
// written to the audit log here, so no entry point can forget it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "store/account_store.h"

namespace switchboard::auth {

// Lowercase ASCII letters, digits and . _ @ -, starting with a letter or digit, at most 64 characters.
bool valid_user_name(const std::string& name);
bool valid_role(const std::string& role);
// What a person typed as a user name, as it is looked up: ASCII lowercased ("Alice" signs in as alice).
std::string normalised_user_name(const std::string& typed);

// Unix milliseconds now; injected so tests control time.
using Clock = std::function<std::int64_t()>;

struct SessionPolicy {
  std::int64_t idle_ms = 60LL * 60 * 1000;
  std::int64_t max_ms = 12LL * 60 * 60 * 1000;
};

struct SignIn {
  enum class Result { kSignedIn, kRefused, kThrottled } result = Result::kRefused;
  std::string session_token;  // the cookie's value (kSignedIn)
  store::Principal principal;  // kSignedIn
  std::int64_t retry_after_ms = 0;  // kThrottled
};

// Why a change was refused: the input (400), a duplicate name (409), no such user (404).
struct Refusal {
  enum class Kind { kInvalid, kDuplicate, kUnknownUser } kind;
  std::string message;
};

// Who did something, for the audit log: a signed-in user, or the CLI's Unix user.
struct Actor {
  std::string name;
  std::string address;
};

class Accounts {
 public:
  Accounts(store::AccountStore& store, SessionPolicy policy, Clock clock)
      : store_(store), policy_(policy), clock_(std::move(clock)) {}

  // Checks the throttle first (a blocked attempt is not even checked, so it learns nothing), then the password;
  // the answer is the same for an unknown user and a wrong password, in content and timing.
  SignIn sign_in(const std::string& typed_name, const std::string& password, const std::string& address);
  std::optional<store::Principal> session(const std::string& token);
  std::optional<store::Principal> api_token(const std::string& token);
  void sign_out(const store::Principal& principal, const std::string& address);

  std::optional<Refusal> add_user(const Actor& actor, const std::string& name, const std::string& role,
                                  const std::string& password);
  std::optional<Refusal> change_password(const Actor& actor, const std::string& name, const std::string& password);
  std::optional<Refusal> remove_user(const Actor& actor, const std::string& name);
  // A new API token for the user (shown once; only its digest is stored).
  std::variant<std::string, Refusal> issue_token(const Actor& actor, const std::string& name);
  std::variant<int, Refusal> revoke_tokens(const Actor& actor, const std::string& name);
  std::vector<store::User> users() { return store_.list_users(); }
  std::vector<store::AuditEntry> audit_entries(std::optional<std::int64_t> before_id, int limit) {
    return store_.audit_log(before_id, limit);
  }

  void audit(const Actor& actor, const std::string& action, const std::string& target,
             const std::string& detail = "");

 private:
  std::int64_t now() const { return clock_(); }

  store::AccountStore& store_;
  SessionPolicy policy_;
  Clock clock_;
};

}  // namespace switchboard::auth
