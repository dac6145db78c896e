// /api/routing and /api/routing/history against an in-memory store and a private snapshot: who may read and change
// the routing (401, 403), the CSRF guard (415), a refused document (400 naming its field, nothing saved), a stale
// edit (409 with the version in force), the saved version's JSON and ETag, the audit entry, GET answering from the
// snapshot while the database is down, and the history's paging.
#include "feed/routing_api.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "../support/fake_routing_store.h"
#include "../support/json.h"
#include "../support/print.h"
#include "../support/response.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "routing/changes.h"
#include "routing/routing.h"
#include "routing/snapshot.h"
#include "store/call_store.h"

namespace {

namespace feed = switchboard::feed;
namespace routing = switchboard::routing;
namespace store = switchboard::store;
using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::test::FakeRoutingStore;
using switchboard::test::header_of;
using switchboard::test::json_error_of;
using switchboard::test::parse_json;
using switchboard::test::routing_of;
using switchboard::test::string_of;
using switchboard::test::TempDir;
using switchboard::test::test_settings;

constexpr std::int64_t kNow = 1764147600000;  // 2025-11-26T09:00:00.000Z

std::string document_with(const std::string& away) {
  routing::Routing r = routing_of(test_settings());
  r.away.message = away;
  return routing::to_json(r);
}

struct Audited {
  std::string user, action, target;
};

struct Fixture {
  TempDir dir;
  FakeRoutingStore store;
  std::int64_t now = kNow;
  std::string path = dir.path() + "/routing.json";
  routing::Changes changes{store, path, routing_of(test_settings()), [this] { return now; }};
  routing::Snapshot snapshot{path, routing_of(test_settings()), std::chrono::milliseconds(0)};
  std::vector<Audited> audited;
  feed::RoutingApi api{changes, snapshot,
                       [this](const Request& request, const std::string& action, const std::string& target) {
                         audited.push_back({request.remote_user, action, target});
                       }};

  static Request as(const std::string& user, const std::string& role, Request request) {
    request.remote_user = user;
    request.user_role = role;
    return request;
  }
  static Request get(const std::string& path, switchboard::http::Params query = {}) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.query = std::move(query);
    return request;
  }
  static Request put(const std::string& body, const std::string& if_match = "") {
    Request request;
    request.method = "PUT";
    request.path = "/api/routing";
    request.content_type = "application/json";
    request.custom_request_header = "switchboard";
    request.body = body;
    request.if_match = if_match;
    return request;
  }
  Response admin_put(const std::string& body, const std::string& if_match = "") {
    return api.put(as("alice", "admin", put(body, if_match)));
  }
};

// A version document {"version", "changed_at", "changed_by", "routing"} with the ETag of its version.
void check_version(const Response& response, std::int64_t version, const std::optional<std::string>& changed_at,
                   const std::optional<std::string>& changed_by, const std::string& away) {
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == "application/json; charset=utf-8");
  BOOST_TEST(header_of(response, "ETag") == "\"" + std::to_string(version) + "\"");
  const rapidjson::Document body = parse_json(response.body);
  BOOST_REQUIRE(body.IsObject());
  BOOST_TEST(body.MemberCount() == 4u);
  BOOST_TEST(body["version"].GetInt64() == version);
  if (changed_at)
    BOOST_TEST(string_of(body["changed_at"]) == *changed_at);
  else
    BOOST_TEST(body["changed_at"].IsNull());
  if (changed_by)
    BOOST_TEST(string_of(body["changed_by"]) == *changed_by);
  else
    BOOST_TEST(body["changed_by"].IsNull());
  BOOST_REQUIRE(body["routing"].IsObject());
  BOOST_TEST(string_of(body["routing"]["away"]["message"]) == away);
  // The routing member is a whole document: it is accepted back as it is.
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  body["routing"].Accept(writer);
  BOOST_TEST(routing::parse(std::string(buffer.GetString(), buffer.GetSize())).routing.has_value());
}

std::string default_away() {
  return routing_of(test_settings()).away.message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(routing_api)

BOOST_FIXTURE_TEST_CASE(ReadingTheRoutingNeedsASignedInUser, Fixture) {
  BOOST_TEST(json_error_of(api.get(get("/api/routing")), 401) == "authentication required");
  BOOST_TEST(json_error_of(api.history(get("/api/routing/history")), 401) == "authentication required");
  BOOST_TEST(store.latest_calls == 0);
  BOOST_TEST(store.history_calls == 0);
}

BOOST_FIXTURE_TEST_CASE(AViewerReadsTheInitialRoutingAsVersionZero, Fixture) {
  const Response response = api.get(as("bob", "viewer", get("/api/routing")));
  check_version(response, 0, std::nullopt, std::nullopt, default_away());
  const rapidjson::Document body = parse_json(response.body);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  body["routing"].Accept(writer);
  BOOST_TEST(std::string(buffer.GetString()) == routing::to_json(routing_of(test_settings())));
}

BOOST_FIXTURE_TEST_CASE(AnAdminSavesTheWholeDocument, Fixture) {
  const Response response = admin_put(document_with("Away for the week."));
  check_version(response, 1, std::string("2025-11-26T09:00:00.000Z"), std::string("alice"), "Away for the week.");
  BOOST_REQUIRE(store.rows().size() == 1u);
  BOOST_TEST(store.rows().at(1).changed_by == "alice");
  BOOST_REQUIRE(audited.size() == 1u);
  BOOST_TEST(audited[0].user == "alice");
  BOOST_TEST(audited[0].action == "routing_changed");
  BOOST_TEST(audited[0].target == "1");
  // In force on this host: the snapshot has it, and GET answers it.
  BOOST_TEST(snapshot.current().number == 1);
  check_version(api.get(as("bob", "viewer", get("/api/routing"))), 1, std::string("2025-11-26T09:00:00.000Z"),
                std::string("alice"), "Away for the week.");
}

BOOST_FIXTURE_TEST_CASE(AViewerCannotChangeTheRouting, Fixture) {
  BOOST_TEST(json_error_of(api.put(as("bob", "viewer", put(document_with("No.")))), 403) == "admins only");
  BOOST_TEST(json_error_of(api.put(put(document_with("No."))), 401) == "authentication required");
  BOOST_TEST(store.rows().empty());
  BOOST_TEST(store.latest_calls == 0);
  BOOST_TEST(audited.empty());
}

BOOST_FIXTURE_TEST_CASE(AChangeWithoutTheCsrfGuardIsRefused, Fixture) {
  Request no_header = put(document_with("No."));
  no_header.custom_request_header.clear();
  Request form = put(document_with("No."));
  form.content_type = "application/x-www-form-urlencoded";
  Request plain = put(document_with("No."));
  plain.content_type = "text/plain";
  for (const Request& request : {no_header, form, plain}) {
    BOOST_TEST(json_error_of(api.put(as("alice", "admin", request)), 415) ==
               "send Content-Type: application/json and X-Requested-With");
  }
  BOOST_TEST(store.rows().empty());
  BOOST_TEST(store.latest_calls == 0);
  BOOST_TEST(audited.empty());
  Request charset = put(document_with("Yes."));
  charset.content_type = "application/json; charset=utf-8";
  BOOST_TEST(api.put(as("alice", "admin", charset)).status == 200);
}

BOOST_FIXTURE_TEST_CASE(ABadDocumentNamesItsFieldAndSavesNothing, Fixture) {
  routing::Routing bad = routing_of(test_settings());
  bad.forward.targets = {"+14155550100", "4155550101"};
  const Response response = admin_put(routing::to_json(bad));
  BOOST_TEST(response.status == 400);
  BOOST_TEST(response.content_type == "application/json; charset=utf-8");
  const rapidjson::Document body = parse_json(response.body);
  BOOST_TEST(body.MemberCount() == 2u);
  BOOST_TEST(string_of(body["error"]) == "forward.targets[1]: not E.164 (like +14155550123)");
  BOOST_TEST(string_of(body["field"]) == "forward.targets[1]");
  BOOST_TEST(store.rows().empty());
  BOOST_TEST(store.save_calls == 0);
  BOOST_TEST(audited.empty());
  BOOST_TEST(snapshot.current().number == 0);
}

BOOST_FIXTURE_TEST_CASE(PutTakesTheDocumentNotGetsEnvelope, Fixture) {
  // GET answers {"version", …, "routing": {…}}; PUT takes what is under "routing" (the version goes in If-Match).
  const std::string envelope = api.get(as("alice", "admin", get("/api/routing"))).body;
  const Response response = admin_put(envelope);
  BOOST_TEST(response.status == 400);
  const rapidjson::Document body = parse_json(response.body);
  BOOST_TEST(string_of(body["field"]) == "version");
  BOOST_TEST(string_of(body["error"]) == "version: unknown field");
  BOOST_TEST(store.rows().empty());
}

BOOST_FIXTURE_TEST_CASE(NotJsonIsRefusedForTheWholeDocument, Fixture) {
  const Response response = admin_put("{\"forward\": ");
  BOOST_TEST(response.status == 400);
  const rapidjson::Document body = parse_json(response.body);
  BOOST_TEST(string_of(body["error"]).rfind("not JSON: ", 0) == 0u);
  BOOST_TEST(string_of(body["field"]) == "");
  BOOST_TEST(store.rows().empty());
}

BOOST_FIXTURE_TEST_CASE(AStaleEditIsAConflictNamingTheVersionInForce, Fixture) {
  BOOST_REQUIRE(admin_put(document_with("One."), "\"0\"").status == 200);
  BOOST_REQUIRE(admin_put(document_with("Two."), "\"1\"").status == 200);
  const Response response = admin_put(document_with("Edited from one."), "\"1\"");
  BOOST_TEST(response.status == 409);
  BOOST_TEST(response.content_type == "application/json; charset=utf-8");
  const rapidjson::Document body = parse_json(response.body);
  BOOST_TEST(body.MemberCount() == 2u);
  BOOST_TEST(body["version"].GetInt64() == 2);
  BOOST_TEST(string_of(body["error"]) == "the routing was changed meanwhile (now version 2): reload it and edit again");
  BOOST_TEST(store.rows().size() == 2u);
  BOOST_TEST(audited.size() == 2u);  // the two saves only
  BOOST_TEST(snapshot.current().routing.away.message == "Two.");
}

BOOST_FIXTURE_TEST_CASE(IfMatchTakesTheEtagInItsUsualShapes, Fixture) {
  BOOST_TEST(admin_put(document_with("One."), "0").status == 200);
  BOOST_TEST(admin_put(document_with("Two."), "W/\"1\"").status == 200);
  BOOST_TEST(admin_put(document_with("Three."), "*").status == 200);  // any version
  BOOST_TEST(admin_put(document_with("Four."), "").status == 200);    // no If-Match: the newest
  BOOST_TEST(admin_put(document_with("Stale."), "W/\"3\"").status == 409);
  BOOST_TEST(store.rows().size() == 4u);
  for (const char* bad : {"\"abc\"", "\"\"", "-1", "\"1\", \"2\"", "1234567890123456789", "W/"}) {
    BOOST_TEST(
        json_error_of(admin_put(document_with("Bad."), bad), 400) == "If-Match must be the version number, like \"3\"",
        bad);
  }
  BOOST_TEST(store.rows().size() == 4u);
}

BOOST_FIXTURE_TEST_CASE(GetAnswersFromTheSnapshotWhileTheDatabaseIsDown, Fixture) {
  BOOST_REQUIRE(admin_put(document_with("Saved before the outage.")).status == 200);
  store.unavailable = true;
  check_version(api.get(as("bob", "viewer", get("/api/routing"))), 1, std::string("2025-11-26T09:00:00.000Z"),
                std::string("alice"), "Saved before the outage.");
}

BOOST_FIXTURE_TEST_CASE(GetWithTheDatabaseDownAndNoSnapshotAnswersVersionZero, Fixture) {
  store.unavailable = true;
  check_version(api.get(as("bob", "viewer", get("/api/routing"))), 0, std::nullopt, std::nullopt, default_away());
}

BOOST_FIXTURE_TEST_CASE(PutWithTheDatabaseDownCannotSave, Fixture) {
  store.unavailable = true;
  BOOST_CHECK_THROW(admin_put(document_with("Lost.")), store::Unavailable);  // the App answers 503
  BOOST_TEST(audited.empty());
  BOOST_TEST(snapshot.current().number == 0);
}

BOOST_FIXTURE_TEST_CASE(HistoryIsNewestFirstWithTheNextPagesCursor, Fixture) {
  for (int i = 1; i <= 3; ++i) {
    now = kNow + i * 60000;
    BOOST_REQUIRE(admin_put(document_with("Version " + std::to_string(i) + ".")).status == 200);
  }
  const Response all = api.history(as("bob", "viewer", get("/api/routing/history")));
  BOOST_TEST(all.status == 200);
  BOOST_TEST(all.content_type == "application/json; charset=utf-8");
  const rapidjson::Document body = parse_json(all.body);
  BOOST_TEST(body.MemberCount() == 2u);
  BOOST_REQUIRE(body["versions"].IsArray());
  BOOST_REQUIRE(body["versions"].Size() == 4u);
  BOOST_TEST(body["versions"][3]["version"].GetInt64() == 0);  // the configuration's, last
  BOOST_TEST(body["versions"][3]["changed_by"].IsNull());
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    const rapidjson::Value& version = body["versions"][i];
    const int number = 3 - static_cast<int>(i);
    BOOST_TEST(version["version"].GetInt64() == number);
    BOOST_TEST(string_of(version["changed_by"]) == "alice");
    BOOST_TEST(string_of(version["changed_at"]) == "2025-11-26T09:0" + std::to_string(number) + ":00.000Z");
    BOOST_TEST(string_of(version["routing"]["away"]["message"]) == "Version " + std::to_string(number) + ".");
  }
  BOOST_TEST(body["next_before"].IsNull());  // fewer than a page: the last one

  const Response first = api.history(as("bob", "viewer", get("/api/routing/history", {{"limit", "2"}})));
  const rapidjson::Document page = parse_json(first.body);
  BOOST_REQUIRE(page["versions"].Size() == 2u);
  BOOST_TEST(page["versions"][0]["version"].GetInt64() == 3);
  BOOST_TEST(page["versions"][1]["version"].GetInt64() == 2);
  BOOST_TEST(page["next_before"].GetInt64() == 2);

  const Response next =
      api.history(as("bob", "viewer", get("/api/routing/history", {{"limit", "2"}, {"before", "2"}})));
  const rapidjson::Document rest = parse_json(next.body);
  BOOST_REQUIRE(rest["versions"].Size() == 2u);
  BOOST_TEST(rest["versions"][0]["version"].GetInt64() == 1);
  BOOST_TEST(rest["versions"][1]["version"].GetInt64() == 0);
  BOOST_TEST(rest["next_before"].GetInt64() == 0);
  const rapidjson::Document end = parse_json(
      api.history(as("bob", "viewer", get("/api/routing/history", {{"limit", "2"}, {"before", "0"}}))).body);
  BOOST_TEST(end["versions"].Size() == 0u);
}

BOOST_FIXTURE_TEST_CASE(HistoryBeforeAnyChangeIsTheConfigurationsRouting, Fixture) {
  const rapidjson::Document body = parse_json(api.history(as("bob", "viewer", get("/api/routing/history"))).body);
  BOOST_REQUIRE(body["versions"].Size() == 1u);
  BOOST_TEST(body["versions"][0]["version"].GetInt64() == 0);
  BOOST_TEST(body["next_before"].IsNull());
}

BOOST_FIXTURE_TEST_CASE(HistoryRefusesOtherParameters, Fixture) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"limit", "0"},  {"limit", "101"}, {"limit", "abc"}, {"limit", ""}, {"limit", "-1"},
      {"before", "x"}, {"before", ""},   {"before", "-3"}, {"page", "2"}, {"limit", "1000"}};
  for (const auto& [name, value] : bad) {
    BOOST_TEST(json_error_of(api.history(as("bob", "viewer", get("/api/routing/history", {{name, value}}))), 400) ==
                   "history takes limit (1-100) and before (a version number)",
               name << "=" << value);
  }
  BOOST_TEST(store.history_calls == 0);
  BOOST_TEST(api.history(as("bob", "viewer", get("/api/routing/history", {{"limit", "100"}}))).status == 200);
  BOOST_TEST(api.history(as("bob", "viewer", get("/api/routing/history", {{"limit", "1"}}))).status == 200);
}

BOOST_FIXTURE_TEST_CASE(HistoryWithTheDatabaseDownCannotAnswer, Fixture) {
  store.unavailable = true;
  BOOST_CHECK_THROW(api.history(as("bob", "viewer", get("/api/routing/history"))), store::Unavailable);
}

BOOST_AUTO_TEST_SUITE_END()
