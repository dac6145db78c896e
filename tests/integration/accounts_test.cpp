// The office side end to end, through nginx and the feed pool: sign-in sets the session cookie with its attributes,
// the cookie opens the API until sign-out, idle or absolute expiry, or a password change; bearer tokens until they
// are revoked; failed sign-ins slow down and lock; viewers get 403 from admin endpoints; an admin adds a second
// user over the API; the audit log names who signed in, played and marked a voicemail; switchboard-users refuses
// bad input with clear errors; the page without a cookie goes to the sign-in; and the feed pool stuck solid does
// not delay a single webhook.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <signal.h>

#include <algorithm>
#include <thread>

#include "support/stack.h"

using namespace integration;

namespace {

const std::vector<std::string> kJsonWrite{"Content-Type: application/json", "X-Requested-With: switchboard"};

rapidjson::Document json_of(const HttpResult& result) {
  rapidjson::Document document;
  document.Parse(result.body.c_str());
  BOOST_REQUIRE_MESSAGE(!document.HasParseError(), result.body);
  return document;
}

HttpResult sign_in(const std::string& user, const std::string& password) {
  return request("POST", "/api/session", false, R"({"user":")" + user + R"(","password":")" + password + R"("})",
                 kJsonWrite);
}

// "sb_session=…" from a sign-in's Set-Cookie, as a browser sends it back.
std::string cookie_of(const HttpResult& signed_in) {
  BOOST_REQUIRE_MESSAGE(signed_in.status == 200, signed_in.status << " " << signed_in.body);
  const std::string set_cookie = signed_in.headers.at("set-cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

HttpResult with_cookie(const std::string& method, const std::string& path, const std::string& cookie,
                       const std::string& body = "") {
  std::vector<std::string> headers = kJsonWrite;
  headers.push_back("Cookie: " + cookie);
  return request(method, path, false, body, headers);
}

HttpResult with_token(const std::string& path, const std::string& token) {
  return request("GET", path, false, "", {"Authorization: Bearer " + token});
}

// A fresh user made with the CLI: NAME-<random>, so that reruns on one stack and the tests' throttles and sessions
// never cross.
std::string add_user(const std::string& name, const std::string& role, const std::string& password) {
  const std::string unique = name + "-" + new_call_sid().substr(2, 8);
  const CommandResult added = users_command("add " + unique + " --role " + role, password + "\n");
  BOOST_REQUIRE_MESSAGE(added.status == 0, added.output);
  return unique;
}

std::vector<std::string> audit_lines(const std::string& user) {
  std::vector<std::string> lines;
  const rapidjson::Document page = json_of(request("GET", "/api/audit?limit=200", true));
  for (const auto& entry : page["entries"].GetArray()) {
    if (user == entry["user"].GetString()) {
      lines.push_back(std::string(entry["action"].GetString()) + " " + entry["target"].GetString());
    }
  }
  return lines;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(accounts)

BOOST_AUTO_TEST_CASE(ASessionCookieOpensTheFeedUntilSignOut) {
  const HttpResult signed_in = sign_in(stack().feed_user, stack().feed_password);
  const std::string set_cookie = signed_in.headers.at("set-cookie");
  for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/", "; Max-Age="}) {
    BOOST_TEST(set_cookie.find(attribute) != std::string::npos, attribute << " in " << set_cookie);
  }
  const rapidjson::Document who = json_of(signed_in);
  BOOST_TEST(who["user"].GetString() == stack().feed_user);
  BOOST_TEST(who["role"].GetString() == std::string("admin"));
  const std::string cookie = cookie_of(signed_in);

  BOOST_TEST(with_cookie("GET", "/api/calls", cookie).status == 200);
  const rapidjson::Document me = json_of(with_cookie("GET", "/api/session", cookie));
  BOOST_TEST(me["via"].GetString() == std::string("session"));
  // Sign-out needs the CSRF header like every write.
  BOOST_TEST(request("DELETE", "/api/session", false, "", {"Cookie: " + cookie}).status == 415);
  const HttpResult signed_out = with_cookie("DELETE", "/api/session", cookie);
  BOOST_TEST(signed_out.status == 204);
  BOOST_TEST(signed_out.headers.at("set-cookie").find("Max-Age=0") != std::string::npos);
  BOOST_TEST(with_cookie("GET", "/api/calls", cookie).status == 401);
  BOOST_TEST(with_cookie("GET", "/api/session", cookie).status == 401);
}

BOOST_AUTO_TEST_CASE(SessionsExpireWhenIdleAndAtTheirAbsoluteLimit) {
  const std::string user = add_user("expiry", "viewer", "expiry's long password");
  const std::string idle = cookie_of(sign_in(user, "expiry's long password"));
  const std::string old = cookie_of(sign_in(user, "expiry's long password"));
  BOOST_TEST(with_cookie("GET", "/api/calls", idle).status == 200);
  // An hour and a minute without a request (SWITCHBOARD_SESSION_IDLE_MINUTES defaults to 60)…
  BOOST_TEST(count("SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)", {user}) == 2);
  BOOST_TEST(execute("UPDATE sessions SET last_seen_at_ms = last_seen_at_ms - 3660000 WHERE digest = SHA2(?, 256)",
                     {old.substr(old.find('=') + 1)}) == 1);
  BOOST_TEST(with_cookie("GET", "/api/calls", old).status == 401);
  BOOST_TEST(with_cookie("GET", "/api/calls", idle).status == 200);
  // …and the absolute limit, however recently used.
  BOOST_TEST(execute("UPDATE sessions SET expires_at_ms = CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED) - 1 "
                     "WHERE digest = SHA2(?, 256)", {idle.substr(idle.find('=') + 1)}) == 1);
  BOOST_TEST(with_cookie("GET", "/api/calls", idle).status == 401);
}

BOOST_AUTO_TEST_CASE(APasswordChangeEndsTheSessions) {
  const std::string user = add_user("changer", "viewer", "changer's long password");
  const std::string cookie = cookie_of(sign_in(user, "changer's long password"));
  BOOST_TEST(with_cookie("GET", "/api/calls", cookie).status == 200);
  const CommandResult changed = users_command("passwd " + user, "changer's new long password\n");
  BOOST_REQUIRE_MESSAGE(changed.status == 0, changed.output);
  BOOST_TEST(with_cookie("GET", "/api/calls", cookie).status == 401);
  BOOST_TEST(sign_in(user, "changer's long password").status == 401);
  BOOST_TEST(sign_in(user, "changer's new long password").status == 200);
}

BOOST_AUTO_TEST_CASE(BearerTokensWorkUntilRevokedAndViewersGet403FromAdminEndpoints) {
  const std::string user = add_user("reporter", "viewer", "reporter's long password");
  const CommandResult issued = users_command("token " + user);
  BOOST_REQUIRE_MESSAGE(issued.status == 0, issued.output);
  const std::string token = issued.output.substr(0, issued.output.find('\n'));
  BOOST_TEST(token.rfind("sbt_", 0) == 0);
  BOOST_TEST(count("SELECT COUNT(*) FROM api_tokens WHERE digest = SHA2(?, 256)", {token}) == 1);
  BOOST_TEST(count("SELECT COUNT(*) FROM api_tokens WHERE digest = ?", {token}) == 0);  // never stored as is

  BOOST_TEST(with_token("/api/calls", token).status == 200);
  const rapidjson::Document me = json_of(with_token("/api/session", token));
  BOOST_TEST(me["via"].GetString() == std::string("token"));
  BOOST_TEST(me["role"].GetString() == std::string("viewer"));
  for (const char* admin_only : {"/api/audit", "/api/users"}) {
    const HttpResult refused = with_token(admin_only, token);
    BOOST_TEST(refused.status == 403, admin_only);
    BOOST_TEST(json_of(refused)["error"].GetString() == std::string("admins only"));
  }
  BOOST_TEST(request("POST", "/api/users", false, R"({"name":"sneaky","role":"admin","password":"sneaky's long one"})",
                     {"Content-Type: application/json", "X-Requested-With: x", "Authorization: Bearer " + token})
                 .status == 403);
  BOOST_TEST(count("SELECT COUNT(*) FROM users WHERE name = 'sneaky'") == 0);

  const CommandResult revoked = users_command("revoke-tokens " + user);
  BOOST_REQUIRE_MESSAGE(revoked.status == 0, revoked.output);
  BOOST_TEST(with_token("/api/calls", token).status == 401);
}

BOOST_AUTO_TEST_CASE(WrongPasswordsSlowDownThenLockWithoutTellingWhoExists) {
  const std::string user = add_user("guessed", "viewer", "guessed's long password");
  for (int i = 0; i < 3; ++i) {
    const HttpResult wrong = sign_in(user, "guess " + std::to_string(i));
    BOOST_TEST(wrong.status == 401);
    BOOST_TEST(json_of(wrong)["error"].GetString() == std::string("wrong user name or password"));
    const HttpResult nobody = sign_in("nobody-" + std::to_string(i), "guess");
    BOOST_TEST(nobody.body == wrong.body);  // the same answer for a user that does not exist
  }
  // Now even the right password waits: the attempt is not checked at all.
  const HttpResult throttled = sign_in(user, "guessed's long password");
  BOOST_TEST(throttled.status == 429);
  BOOST_TEST(throttled.headers.count("retry-after") == 1u);
  BOOST_TEST(json_of(throttled)["retry_after_s"].GetInt() >= 1);
  // The lock: at ten failures in a row (past each wait) the account waits 15 minutes.
  BOOST_TEST(execute("UPDATE login_failures SET failures = 9, blocked_until_ms = 0 WHERE scope = ?", {"user:" + user}) == 1);
  BOOST_TEST(sign_in(user, "guess 9").status == 401);
  const HttpResult locked = sign_in(user, "guessed's long password");
  BOOST_TEST(locked.status == 429);
  BOOST_TEST(json_of(locked)["retry_after_s"].GetInt() > 800);
  const std::vector<std::string> trail = audit_lines(user);
  BOOST_TEST(std::count(trail.begin(), trail.end(), "login_failed ") == 4);
  BOOST_TEST(!has(trail, "login "));
}

BOOST_AUTO_TEST_CASE(AnAdminAddsASecondUserAndTheAuditShowsWhoDidWhat) {
  const std::string admin = cookie_of(sign_in(stack().feed_user, stack().feed_password));
  const std::string name = "maria-" + new_call_sid().substr(2, 8);
  const HttpResult added = with_cookie("POST", "/api/users", admin,
                                       R"({"name":")" + name + R"(","role":"viewer","password":"maria's long password"})");
  BOOST_TEST(added.status == 201, added.body);
  BOOST_TEST(with_cookie("POST", "/api/users", admin,
                         R"({"name":")" + name + R"(","role":"viewer","password":"whatever long"})")
                 .status == 409);
  BOOST_TEST(with_cookie("POST", "/api/users", admin, R"({"name":"weak","role":"viewer","password":"short"})").status ==
             400);
  const rapidjson::Document users = json_of(with_cookie("GET", "/api/users", admin));
  bool listed = false;
  for (const auto& user : users["users"].GetArray()) listed = listed || user["name"].GetString() == name;
  BOOST_TEST(listed);

  // Maria signs in, plays a voicemail and marks it heard.
  callsim::Scenario scenario;
  scenario.presses = {"2"};
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_REQUIRE(report.ok());
  const std::string maria = cookie_of(sign_in(name, "maria's long password"));
  const HttpResult audio = with_cookie("GET", "/api/calls/" + report.call_sid + "/voicemail", maria);
  BOOST_TEST(audio.status == 200);
  BOOST_TEST(audio.content_type == "audio/mpeg");
  // Seeking is not another play.
  std::vector<std::string> ranged = kJsonWrite;
  ranged.push_back("Cookie: " + maria);
  ranged.push_back("Range: bytes=100-199");
  BOOST_TEST(request("GET", "/api/calls/" + report.call_sid + "/voicemail", false, "", ranged).status == 206);
  BOOST_TEST(with_cookie("POST", "/api/calls/" + report.call_sid + "/voicemail/heard", maria, R"({"heard":true})")
                 .status == 200);

  const std::vector<std::string> by_admin = audit_lines(stack().feed_user);
  BOOST_TEST(has(by_admin, "login "));
  BOOST_TEST(has(by_admin, "user_added " + name));
  const std::vector<std::string> by_maria = audit_lines(name);
  BOOST_TEST(has(by_maria, "login "));
  BOOST_TEST(std::count(by_maria.begin(), by_maria.end(), "voicemail_played " + report.call_sid) == 1);
  BOOST_TEST(has(by_maria, "voicemail_heard " + report.call_sid));
  // Newest first, with where from.
  const rapidjson::Document page = json_of(request("GET", "/api/audit?limit=1", true));
  BOOST_TEST(page["entries"][0]["address"].GetString() == std::string("127.0.0.1"));
  BOOST_TEST(page["next_cursor"].IsString());
}

BOOST_AUTO_TEST_CASE(TheCliRefusesBadInputClearly) {
  const CommandResult role = users_command("add someone --role owner", "a long enough password\n");
  BOOST_TEST(role.status == 1);
  BOOST_TEST(role.output.find("the role must be viewer or admin") != std::string::npos, role.output);
  const CommandResult empty = users_command("add someone --role viewer", "\n");
  BOOST_TEST(empty.status == 1);
  BOOST_TEST(empty.output.find("the password is empty") != std::string::npos, empty.output);
  const CommandResult weak = users_command("add someone --role viewer", "short\n");
  BOOST_TEST(weak.status == 1);
  BOOST_TEST(weak.output.find("shorter than 10") != std::string::npos, weak.output);
  const CommandResult duplicate = users_command("add " + stack().feed_user + " --role viewer", "a long enough password\n");
  BOOST_TEST(duplicate.status == 1);
  BOOST_TEST(duplicate.output.find("already a user") != std::string::npos, duplicate.output);
  const CommandResult name = users_command("add 'Robert\\x27); DROP' --role viewer", "a long enough password\n");
  BOOST_TEST(name.status == 1);
  const CommandResult usage = users_command("add someone");
  BOOST_TEST(usage.status == 2);
  BOOST_TEST(users_command("remove nobody-at-all").status == 1);
  BOOST_TEST(count("SELECT COUNT(*) FROM users WHERE name = 'someone'") == 0);
  const CommandResult listed = users_command("list");
  BOOST_TEST(listed.status == 0);
  BOOST_TEST(listed.output.find(stack().feed_user + "\tadmin") != std::string::npos, listed.output);
}

BOOST_AUTO_TEST_CASE(ThePageWithoutACookieGoesToTheSignIn) {
  const HttpResult page = request("GET", "/", false);
  BOOST_TEST(page.status == 302);
  BOOST_TEST(page.headers.at("location").find("/login") != std::string::npos);
  const HttpResult login = request("GET", "/login", false);
  BOOST_TEST(login.status == 200);
  BOOST_TEST(login.content_type.find("text/html") == 0);
  BOOST_TEST(login.headers.count("content-security-policy") == 1u);
  BOOST_TEST(request("GET", "/api/calls", false).status == 401);
}

BOOST_AUTO_TEST_CASE(AStuckFeedPoolDelaysNoWebhook) {
  // Every feed worker frozen (SIGSTOP): feed requests wait, and callers must not notice.
  const std::vector<int> feed_workers = pool_worker_pids("feed-workers");
  BOOST_REQUIRE(!feed_workers.empty());
  for (int pid : feed_workers) kill(pid, SIGSTOP);
  std::vector<std::thread> waiting;
  for (int i = 0; i < 4; ++i) {
    waiting.emplace_back([] {
      try {
        request("GET", "/api/calls", true);
      } catch (const std::exception&) {
      }
    });
  }
  double slowest = 0;
  for (int i = 0; i < 10; ++i) {
    callsim::Scenario scenario;
    scenario.presses = {"1"};
    const auto report = callsim::run_call(simulator_options(), scenario);
    BOOST_TEST(report.ok());
    BOOST_TEST(report.dialled.size() == 1u);
    // Every step answered by a webhook worker itself, not by nginx's fallback for a pool that did not answer.
    for (const callsim::Exchange& exchange : report.exchanges) {
      if (exchange.leg == "callback") continue;
      BOOST_TEST(exchange.headers.count("x-switchboard-answered-by") == 1u);
      if (exchange.headers.count("x-switchboard-answered-by")) {
        BOOST_TEST(exchange.headers.at("x-switchboard-answered-by") == "worker", exchange.url);
      }
    }
    BOOST_TEST(call_row(report.call_sid).at("menu_choice") == "forward");
    slowest = std::max(slowest, report.slowest_webhook_s);
  }
  BOOST_TEST_MESSAGE("slowest webhook with the feed pool frozen: " << slowest * 1000 << " ms");
  BOOST_TEST(request("GET", "/healthz", false).status == 200);
  for (int pid : feed_workers) kill(pid, SIGCONT);
  for (std::thread& thread : waiting) thread.join();
  BOOST_TEST(request("GET", "/api/calls", true).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
