// The account rules without a database: yescrypt hashes verify and refuse, tokens are unguessable and shaped, the
// throttle's curve, sign-in answers that never tell whether a user exists, sessions ending (idle, absolute,
// password change, removal, sign-out), API tokens and their revocation, the last admin, and the audit trail of it
// all.
#include <boost/test/unit_test.hpp>

#include <set>

#include "../support/fake_account_store.h"
#include "auth/accounts.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "auth/tokens.h"

namespace {

namespace auth = switchboard::auth;
namespace store = switchboard::store;
using switchboard::test::FakeAccountStore;

constexpr std::int64_t kStart = 1764147600000;
const auth::Actor kCli{"cli:root", "cli"};
const std::string kPassword = "correct horse battery";

struct Fixture {
  FakeAccountStore store;
  std::int64_t now = kStart;
  auth::SessionPolicy policy{30 * 60 * 1000, 12 * 60 * 60 * 1000};
  auth::Accounts accounts{store, policy, [this] { return now; }};

  Fixture() {
    BOOST_REQUIRE(!accounts.add_user(kCli, "alice", "admin", kPassword));
    BOOST_REQUIRE(!accounts.add_user(kCli, "bob", "viewer", "bob's long password"));
  }
  std::vector<std::string> actions() const {
    std::vector<std::string> all;
    for (const auto& entry : store.audit_entries) all.push_back(entry.user + " " + entry.action + " " + entry.target);
    return all;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(accounts)

BOOST_AUTO_TEST_CASE(yescrypt_hashes_verify_only_their_password) {
  const std::string hash = auth::hash_password(kPassword);
  BOOST_TEST(hash.rfind("$y$", 0) == 0);
  BOOST_TEST(auth::verify_password(kPassword, hash));
  BOOST_TEST(!auth::verify_password(kPassword + " ", hash));
  BOOST_TEST(!auth::verify_password("", hash));
  BOOST_TEST(auth::hash_password(kPassword) != hash);  // salted
  BOOST_TEST(!auth::verify_password(kPassword, "plaintext"));
  BOOST_TEST(!auth::verify_password(kPassword, ""));
}

BOOST_AUTO_TEST_CASE(weak_passwords_are_refused_with_a_reason) {
  BOOST_TEST(auth::weak_password_reason("", "alice").value() == "the password is empty");
  BOOST_TEST(auth::weak_password_reason("short", "alice").has_value());
  BOOST_TEST(auth::weak_password_reason("aaaaaaaaaaaa", "alice").has_value());
  BOOST_TEST(auth::weak_password_reason("alice.smith1", "alice.smith1").has_value());
  BOOST_TEST(auth::weak_password_reason(std::string(1025, 'x') + "y", "alice").has_value());
  BOOST_TEST(!auth::weak_password_reason("ünïcödé pässwörd", "alice").has_value());
  BOOST_TEST(auth::weak_password_reason("éééééééé", "alice").has_value());  // 8 characters, 16 bytes
}

BOOST_AUTO_TEST_CASE(tokens_are_random_and_recognisable) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(auth::new_token());
  BOOST_TEST(seen.size() == 100u);
  const std::string session = auth::new_token();
  const std::string api = auth::new_token(auth::kApiTokenPrefix);
  BOOST_TEST(session.size() == 43u);
  BOOST_TEST(api.rfind("sbt_", 0) == 0);
  BOOST_TEST(auth::plausible_token(session));
  BOOST_TEST(auth::plausible_token(api));
  BOOST_TEST(!auth::plausible_token(session.substr(1)));
  BOOST_TEST(!auth::plausible_token(session.substr(1) + "'"));
  BOOST_TEST(auth::token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(the_throttle_is_free_then_doubles_then_locks) {
  const auth::ThrottleRule rule = auth::kAccountThrottle;
  BOOST_TEST(auth::wait_after_failures(1, rule) == 0);
  BOOST_TEST(auth::wait_after_failures(2, rule) == 0);
  BOOST_TEST(auth::wait_after_failures(3, rule) == 1000);
  BOOST_TEST(auth::wait_after_failures(4, rule) == 2000);
  BOOST_TEST(auth::wait_after_failures(9, rule) == 64000);
  BOOST_TEST(auth::wait_after_failures(10, rule) == 15 * 60 * 1000);
  BOOST_TEST(auth::wait_after_failures(1000, rule) == 15 * 60 * 1000);
  BOOST_TEST(auth::wait_after_failures(19, auth::kAddressThrottle) == 0);
}

BOOST_FIXTURE_TEST_CASE(a_right_password_signs_in_with_a_session, Fixture) {
  const auth::SignIn signed_in = accounts.sign_in("Alice", kPassword, "203.0.113.9");
  BOOST_REQUIRE(signed_in.result == auth::SignIn::Result::kSignedIn);
  BOOST_TEST(signed_in.principal.name == "alice");
  BOOST_TEST(signed_in.principal.role == "admin");
  const auto principal = accounts.session(signed_in.session_token);
  BOOST_REQUIRE(principal.has_value());
  BOOST_TEST(principal->name == "alice");
  // The store holds the digest only.
  BOOST_TEST(store.sessions.count(signed_in.session_token) == 0u);
  BOOST_TEST(store.sessions.count(auth::token_digest(signed_in.session_token)) == 1u);
  BOOST_TEST(store.users["alice"].last_login_at_ms.value() == kStart);
  BOOST_TEST(actions().back() == "alice login ");
  BOOST_TEST(store.audit_entries.back().address == "203.0.113.9");
}

BOOST_FIXTURE_TEST_CASE(unknown_users_and_wrong_passwords_get_the_same_answer, Fixture) {
  const auth::SignIn wrong = accounts.sign_in("alice", "not the password", "203.0.113.9");
  const auth::SignIn nobody = accounts.sign_in("mallory", "not the password", "203.0.113.9");
  BOOST_TEST((wrong.result == auth::SignIn::Result::kRefused));
  BOOST_TEST((nobody.result == auth::SignIn::Result::kRefused));
  BOOST_TEST(wrong.session_token.empty());
  BOOST_TEST(nobody.session_token.empty());
  BOOST_TEST(store.sessions.empty());
  BOOST_TEST(actions()[actions().size() - 2] == "alice login_failed ");
  BOOST_TEST(actions().back() == "mallory login_failed ");
}

BOOST_FIXTURE_TEST_CASE(failures_slow_down_then_lock_an_account_even_a_nonexistent_one, Fixture) {
  for (const std::string name : {"alice", "mallory"}) {
    now = kStart;
    for (int i = 0; i < 2; ++i) {
      BOOST_TEST((accounts.sign_in(name, "wrong", "198.51.100." + std::to_string(i)).result ==
                  auth::SignIn::Result::kRefused));
    }
    // The third failure makes the next attempt wait a second, whatever the password and the address.
    BOOST_TEST((accounts.sign_in(name, "wrong", "198.51.100.7").result == auth::SignIn::Result::kRefused));
    const auth::SignIn throttled = accounts.sign_in(name, kPassword, "198.51.100.8");
    BOOST_TEST((throttled.result == auth::SignIn::Result::kThrottled));
    BOOST_TEST(throttled.retry_after_ms == 1000);
    now += 1000;
    BOOST_TEST((accounts.sign_in(name, "wrong", "198.51.100.7").result == auth::SignIn::Result::kRefused));
    BOOST_TEST((accounts.sign_in(name, kPassword, "198.51.100.7").result == auth::SignIn::Result::kThrottled));
    // Growing: after failure n the wait is 2^(n-3) s, until the lock.
    for (int failures = 4; failures < 10; ++failures) {
      now += auth::wait_after_failures(failures, auth::kAccountThrottle);
      BOOST_TEST((accounts.sign_in(name, "wrong", "198.51.100.7").result == auth::SignIn::Result::kRefused));
    }
    const auth::SignIn locked = accounts.sign_in(name, kPassword, "198.51.100.7");
    BOOST_TEST((locked.result == auth::SignIn::Result::kThrottled));
    BOOST_TEST(locked.retry_after_ms == 15 * 60 * 1000);
  }
  // Bob's account and another address are untouched.
  BOOST_TEST((accounts.sign_in("bob", "bob's long password", "192.0.2.1").result == auth::SignIn::Result::kSignedIn));
}

BOOST_FIXTURE_TEST_CASE(a_success_clears_the_account_count_but_not_the_address, Fixture) {
  for (int i = 0; i < 2; ++i) accounts.sign_in("alice", "wrong", "198.51.100.1");
  BOOST_TEST((accounts.sign_in("alice", kPassword, "198.51.100.1").result == auth::SignIn::Result::kSignedIn));
  BOOST_TEST(store.failures.count("user:alice") == 0u);
  BOOST_TEST(store.failures["address:198.51.100.1"].count == 2);
}

BOOST_FIXTURE_TEST_CASE(one_address_guessing_many_names_is_throttled, Fixture) {
  for (int i = 0; i < 20; ++i) accounts.sign_in("user" + std::to_string(i), "wrong", "198.51.100.66");
  const auth::SignIn throttled = accounts.sign_in("alice", kPassword, "198.51.100.66");
  BOOST_TEST((throttled.result == auth::SignIn::Result::kThrottled));
  BOOST_TEST((accounts.sign_in("alice", kPassword, "192.0.2.1").result == auth::SignIn::Result::kSignedIn));
}

BOOST_FIXTURE_TEST_CASE(failures_are_forgotten_after_an_hour, Fixture) {
  for (int i = 0; i < 3; ++i) accounts.sign_in("alice", "wrong", "198.51.100.1");
  now += auth::kFailureMemoryMs + 1;
  accounts.sign_in("alice", "wrong", "198.51.100.1");
  BOOST_TEST(store.failures["user:alice"].count == 1);
  BOOST_TEST((accounts.sign_in("alice", kPassword, "198.51.100.1").result == auth::SignIn::Result::kSignedIn));
}

BOOST_FIXTURE_TEST_CASE(sessions_end_when_idle_at_their_limit_and_on_sign_out, Fixture) {
  const std::string token = accounts.sign_in("alice", kPassword, "a").session_token;
  now += policy.idle_ms - 1;
  BOOST_TEST(accounts.session(token).has_value());  // used: idle time starts again
  now += policy.idle_ms;
  BOOST_TEST(!accounts.session(token).has_value());  // idle too long

  now = kStart;
  const std::string busy = accounts.sign_in("alice", kPassword, "a").session_token;
  for (std::int64_t t = 0; t < policy.max_ms; t += policy.idle_ms / 2) {
    now = kStart + t;
    BOOST_TEST(accounts.session(busy).has_value());
  }
  now = kStart + policy.max_ms;
  BOOST_TEST(!accounts.session(busy).has_value());  // absolute limit, however busy

  now = kStart;
  const std::string leaving = accounts.sign_in("alice", kPassword, "a").session_token;
  accounts.sign_out(*accounts.session(leaving), "a");
  BOOST_TEST(!accounts.session(leaving).has_value());
  BOOST_TEST(actions().back() == "alice logout ");
}

BOOST_FIXTURE_TEST_CASE(a_password_change_ends_every_session_of_the_user, Fixture) {
  const std::string alice = accounts.sign_in("alice", kPassword, "a").session_token;
  const std::string bob = accounts.sign_in("bob", "bob's long password", "a").session_token;
  BOOST_TEST(!accounts.change_password(kCli, "alice", "a brand new password"));
  BOOST_TEST(!accounts.session(alice).has_value());
  BOOST_TEST(accounts.session(bob).has_value());
  BOOST_TEST((accounts.sign_in("alice", kPassword, "a").result == auth::SignIn::Result::kRefused));
  BOOST_TEST((accounts.sign_in("alice", "a brand new password", "a").result == auth::SignIn::Result::kSignedIn));
}

BOOST_FIXTURE_TEST_CASE(api_tokens_work_until_revoked_and_are_not_sessions, Fixture) {
  const auto issued = accounts.issue_token(kCli, "bob");
  const std::string token = std::get<std::string>(issued);
  BOOST_TEST(accounts.api_token(token)->name == "bob");
  BOOST_TEST(!accounts.session(token).has_value());  // a token is no cookie
  const std::string session = accounts.sign_in("bob", "bob's long password", "a").session_token;
  BOOST_TEST(!accounts.api_token(session).has_value());  // and a cookie no token
  BOOST_TEST(std::get<int>(accounts.revoke_tokens(kCli, "bob")) == 1);
  BOOST_TEST(!accounts.api_token(token).has_value());
  BOOST_TEST(actions().back() == "cli:root tokens_revoked bob");
}

BOOST_FIXTURE_TEST_CASE(user_changes_are_checked, Fixture) {
  using Kind = auth::Refusal::Kind;
  BOOST_TEST((accounts.add_user(kCli, "alice", "viewer", "another long one")->kind == Kind::kDuplicate));
  BOOST_TEST((accounts.add_user(kCli, "carol", "owner", "another long one")->kind == Kind::kInvalid));
  BOOST_TEST((accounts.add_user(kCli, "Carol", "viewer", "another long one")->kind == Kind::kInvalid));
  BOOST_TEST((accounts.add_user(kCli, "carol;drop", "viewer", "another long one")->kind == Kind::kInvalid));
  BOOST_TEST((accounts.add_user(kCli, "carol", "viewer", "")->kind == Kind::kInvalid));
  BOOST_TEST((accounts.add_user(kCli, "carol", "viewer", "short")->kind == Kind::kInvalid));
  BOOST_TEST((accounts.change_password(kCli, "nobody", "another long one")->kind == Kind::kUnknownUser));
  BOOST_TEST((accounts.remove_user(kCli, "nobody")->kind == Kind::kUnknownUser));
  // The last admin stays.
  BOOST_TEST((accounts.remove_user(kCli, "alice")->kind == Kind::kInvalid));
  BOOST_TEST(!accounts.add_user(kCli, "carol", "admin", "another long one"));
  BOOST_TEST(!accounts.remove_user(kCli, "alice"));
  BOOST_TEST(!store.find_user("alice").has_value());
}

BOOST_FIXTURE_TEST_CASE(removing_a_user_ends_its_sessions_and_tokens, Fixture) {
  const std::string session = accounts.sign_in("bob", "bob's long password", "a").session_token;
  const std::string token = std::get<std::string>(accounts.issue_token(kCli, "bob"));
  BOOST_TEST(!accounts.remove_user(kCli, "bob"));
  BOOST_TEST(!accounts.session(session).has_value());
  BOOST_TEST(!accounts.api_token(token).has_value());
  BOOST_TEST(actions().back() == "cli:root user_removed bob");
}

BOOST_AUTO_TEST_SUITE_END()
