// The accounts over HTTP against an in-memory store: the cookie's attributes, the JSON answers for a wrong password
// and a throttled one, the CSRF guard on every write, bearer tokens taking precedence over cookies, sign-out
// clearing the cookie and ending the session, admins-only endpoints, and the audit log's keyset paging.
#include <boost/test/unit_test.hpp>

#include "../support/fake_account_store.h"
#include "../support/json.h"
#include "../support/response.h"
#include "feed/account_api.h"

namespace {

namespace auth = switchboard::auth;
namespace feed = switchboard::feed;
using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::test::FakeAccountStore;
using switchboard::test::header_of;
using switchboard::test::json_error_of;
using switchboard::test::parse_json;
using switchboard::test::string_of;

constexpr std::int64_t kStart = 1764147600000;

struct Fixture {
  FakeAccountStore store;
  std::int64_t now = kStart;
  auth::SessionPolicy policy{30 * 60 * 1000, 12 * 60 * 60 * 1000};
  auth::Accounts accounts{store, policy, [this] { return now; }};
  feed::AccountApi api{accounts, policy};

  Fixture() {
    accounts.add_user({"cli:root", "cli"}, "alice", "admin", "alice's long password");
    accounts.add_user({"cli:root", "cli"}, "bob", "viewer", "bob's long password");
  }

  static Request json_post(const std::string& path, const std::string& body) {
    Request request;
    request.method = "POST";
    request.path = path;
    request.content_type = "application/json";
    request.custom_request_header = "switchboard";
    request.body = body;
    request.remote_addr = "203.0.113.9";
    return request;
  }
  // The cookie a sign-in set, as a browser would send it back.
  std::string sign_in_cookie(const std::string& user, const std::string& password) {
    const Response response = api.sign_in(json_post("/api/session", R"({"user":")" + user + R"(","password":")" +
                                                                         password + R"("})"));
    BOOST_REQUIRE(response.status == 200);
    const std::string set_cookie = header_of(response, "Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }
  Request authenticated(Request request, const std::string& cookie) {
    request.cookie = "theme=dark; " + cookie;
    api.authenticate(request);
    return request;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(account_api)

BOOST_AUTO_TEST_CASE(cookie_and_bearer_headers_are_parsed_exactly) {
  BOOST_TEST(feed::cookie_value("a=1; sb_session=xyz; b=2", "sb_session").value() == "xyz");
  BOOST_TEST(feed::cookie_value("sb_session=xyz", "sb_session").value() == "xyz");
  BOOST_TEST(!feed::cookie_value("not_sb_session=xyz", "sb_session").has_value());
  BOOST_TEST(!feed::cookie_value("sb_sessionx=xyz", "sb_session").has_value());
  BOOST_TEST(!feed::cookie_value("", "sb_session").has_value());
  BOOST_TEST(feed::bearer_token("Bearer sbt_abc").value() == "sbt_abc");
  BOOST_TEST(!feed::bearer_token("Basic YWRtaW46d3Jvbmc=").has_value());
  BOOST_TEST(!feed::bearer_token("Bearer ").has_value());
}

BOOST_FIXTURE_TEST_CASE(sign_in_sets_a_strict_http_only_secure_cookie, Fixture) {
  const Response response =
      api.sign_in(json_post("/api/session", R"({"user":"alice","password":"alice's long password"})"));
  BOOST_TEST(response.status == 200);
  const std::string cookie = header_of(response, "Set-Cookie");
  BOOST_TEST(cookie.rfind("sb_session=", 0) == 0);
  BOOST_TEST(cookie.find("; HttpOnly") != std::string::npos);
  BOOST_TEST(cookie.find("; Secure") != std::string::npos);
  BOOST_TEST(cookie.find("; SameSite=Strict") != std::string::npos);
  BOOST_TEST(cookie.find("; Path=/") != std::string::npos);
  BOOST_TEST(cookie.find("; Max-Age=43200") != std::string::npos);
  const auto body = parse_json(response.body);
  BOOST_TEST(string_of(body["user"]) == "alice");
  BOOST_TEST(string_of(body["role"]) == "admin");
}

BOOST_FIXTURE_TEST_CASE(wrong_and_throttled_sign_ins_answer_json, Fixture) {
  for (int i = 0; i < 3; ++i) {
    const Response wrong = api.sign_in(json_post("/api/session", R"({"user":"alice","password":"nope"})"));
    BOOST_TEST(json_error_of(wrong, 401) == "wrong user name or password");
    BOOST_TEST(header_of(wrong, "Set-Cookie").empty());
  }
  const Response throttled =
      api.sign_in(json_post("/api/session", R"({"user":"alice","password":"alice's long password"})"));
  BOOST_TEST(throttled.status == 429);
  BOOST_TEST(header_of(throttled, "Retry-After") == "1");
  BOOST_TEST(parse_json(throttled.body)["retry_after_s"].GetInt() == 1);
  const Response unknown = api.sign_in(json_post("/api/session", R"({"user":"nobody","password":"nope"})"));
  BOOST_TEST(json_error_of(unknown, 401) == "wrong user name or password");
  BOOST_TEST(json_error_of(api.sign_in(json_post("/api/session", R"({"user":"alice"})")), 400).find("body must") == 0);
  BOOST_TEST(json_error_of(api.sign_in(json_post("/api/session", "not json")), 400).find("body must") == 0);
}

BOOST_FIXTURE_TEST_CASE(writes_need_the_csrf_guard, Fixture) {
  Request form = json_post("/api/session", "user=alice&password=alice%27s+long+password");
  form.content_type = "application/x-www-form-urlencoded";
  BOOST_TEST(api.sign_in(form).status == 415);
  Request no_header = json_post("/api/session", R"({"user":"alice","password":"alice's long password"})");
  no_header.custom_request_header.clear();
  BOOST_TEST(api.sign_in(no_header).status == 415);
  const std::string cookie = sign_in_cookie("alice", "alice's long password");
  Request sign_out;
  sign_out.method = "DELETE";
  sign_out.path = "/api/session";
  sign_out = authenticated(sign_out, cookie);
  BOOST_TEST(api.sign_out(sign_out).status == 415);
  BOOST_TEST(store.sessions.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(sign_out_ends_the_session_and_clears_the_cookie, Fixture) {
  const std::string cookie = sign_in_cookie("bob", "bob's long password");
  Request whoami;
  whoami.method = "GET";
  whoami.path = "/api/session";
  const Response me = api.whoami(authenticated(whoami, cookie));
  BOOST_TEST(me.status == 200);
  BOOST_TEST(string_of(parse_json(me.body)["via"]) == "session");
  Request sign_out = json_post("/api/session", "");
  sign_out.method = "DELETE";
  const Response gone = api.sign_out(authenticated(sign_out, cookie));
  BOOST_TEST(gone.status == 204);
  BOOST_TEST(header_of(gone, "Set-Cookie").find("sb_session=; Path=/; Max-Age=0") == 0);
  const Request after = authenticated(whoami, cookie);
  BOOST_TEST(after.remote_user.empty());
  BOOST_TEST(json_error_of(api.whoami(after), 401) == "authentication required");
}

BOOST_FIXTURE_TEST_CASE(a_bearer_token_decides_alone, Fixture) {
  const std::string token = std::get<std::string>(accounts.issue_token({"cli:root", "cli"}, "bob"));
  const std::string alice_cookie = sign_in_cookie("alice", "alice's long password");
  Request request;
  request.method = "GET";
  request.path = "/api/session";
  request.authorization = "Bearer " + token;
  request.cookie = alice_cookie;
  api.authenticate(request);
  BOOST_TEST(request.remote_user == "bob");
  BOOST_TEST(request.user_role == "viewer");
  request.authorization = "Bearer sbt_" + std::string(43, 'A');  // well-formed, unknown
  api.authenticate(request);
  BOOST_TEST(request.remote_user.empty());  // not alice either
  request.authorization = "Basic YWRtaW46d3Jvbmc=";
  api.authenticate(request);
  BOOST_TEST(request.remote_user.empty());
}

BOOST_FIXTURE_TEST_CASE(viewers_cannot_reach_admin_endpoints, Fixture) {
  Request audit;
  audit.method = "GET";
  audit.path = "/api/audit";
  const Request bob = authenticated(audit, sign_in_cookie("bob", "bob's long password"));
  BOOST_TEST(json_error_of(api.audit_log(bob), 403) == "admins only");
  BOOST_TEST(json_error_of(api.list_users(bob), 403) == "admins only");
  Request add = json_post("/api/users", R"({"name":"eve","role":"admin","password":"eve's long password"})");
  BOOST_TEST(json_error_of(api.add_user(authenticated(add, sign_in_cookie("bob", "bob's long password"))), 403) ==
             "admins only");
  BOOST_TEST(!store.find_user("eve").has_value());
  Request anonymous = audit;
  BOOST_TEST(json_error_of(api.audit_log(anonymous), 401) == "authentication required");
}

BOOST_FIXTURE_TEST_CASE(admins_add_users_and_read_the_audit_newest_first_in_pages, Fixture) {
  const std::string cookie = sign_in_cookie("alice", "alice's long password");
  Request add = authenticated(json_post("/api/users", R"({"name":"carol","role":"viewer","password":"carol's long one"})"), cookie);
  BOOST_TEST(api.add_user(add).status == 201);
  BOOST_TEST(json_error_of(api.add_user(add), 409) == "there is already a user carol");
  Request audit;
  audit.method = "GET";
  audit.path = "/api/audit";
  audit.query = {{"limit", "2"}};
  audit = authenticated(audit, cookie);
  const auto first = parse_json(api.audit_log(audit).body);
  BOOST_REQUIRE(first["entries"].Size() == 2u);
  BOOST_TEST(string_of(first["entries"][0]["action"]) == "user_added");
  BOOST_TEST(string_of(first["entries"][0]["user"]) == "alice");
  BOOST_TEST(string_of(first["entries"][0]["target"]) == "carol");
  BOOST_TEST(string_of(first["entries"][0]["address"]) == "203.0.113.9");
  BOOST_TEST(string_of(first["entries"][1]["action"]) == "login");
  audit.query = {{"limit", "2"}, {"cursor", string_of(first["next_cursor"])}};
  const auto second = parse_json(api.audit_log(audit).body);
  BOOST_REQUIRE(second["entries"].Size() == 2u);
  BOOST_TEST(string_of(second["entries"][0]["action"]) == "user_added");  // bob, by the CLI
  BOOST_TEST(string_of(second["entries"][0]["user"]) == "cli:root");
  BOOST_TEST(second["next_cursor"].IsNull());
  audit.query = {{"limit", "0"}};
  BOOST_TEST(api.audit_log(audit).status == 400);
  audit.query = {{"cursor", "1; DROP TABLE users"}};
  BOOST_TEST(api.audit_log(audit).status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
