// Routing as data, end to end: an admin changes the routing through PUT /api/routing (as the page does) and the
// very next call follows it — several targets at once or in order, away, a holiday, the blocklist — with the rule
// that decided each step in the call's timeline; the database stopped leaves the last saved routing in force; a
// viewer cannot change it; a bad document is refused with the field at fault and changes nothing; an edit of an
// older version is refused; every version is kept with who saved it; the CLI takes the same path.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <thread>

#include "support/routing.h"
#include "support/stack.h"

using namespace integration;

namespace {

constexpr char kFirst[] = "+15005550021";
constexpr char kSecond[] = "+15005550022";

// The rules the call's events name, in order: "rule" or "rule detail".
std::vector<std::string> rules_of(const std::string& sid) {
  std::vector<std::string> rules;
  for (const auto& row : query("SELECT routing_rule, routing_detail FROM call_events WHERE call_sid = ? "
                               "AND routing_rule IS NOT NULL ORDER BY id",
                               {sid})) {
    rules.push_back(row.at("routing_rule") + (row.at("routing_detail") == "NULL" ? "" : " " + row.at("routing_detail")));
  }
  return rules;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

rapidjson::Document json_of(const HttpResult& result) {
  rapidjson::Document document;
  document.Parse(result.body.c_str());
  BOOST_REQUIRE_MESSAGE(!document.HasParseError(), result.body);
  return document;
}

RoutingEdit targets(std::vector<std::string> numbers, const char* strategy) {
  return [numbers, strategy](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
    routing["forward"]["targets"] = string_array(numbers, allocator);
    routing["forward"]["strategy"] = rapidjson::StringRef(strategy);
  };
}

// Every call's events reach the database before the test reads them back.
void settle() { BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(20))); }

}  // namespace

BOOST_AUTO_TEST_SUITE(routing_as_data)

BOOST_AUTO_TEST_CASE(ChangedTargetsRingAtOnceOnTheNextCall) {
  const RoutingChange change(targets({kFirst, kSecond}, "simultaneous"));
  callsim::Scenario scenario;
  scenario.presses = {"1"};
  scenario.dial_by_number = {{kFirst, "no-answer"}, {kSecond, "answered"}};
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "connected");
  BOOST_REQUIRE(report.dial_groups.size() == 1u);
  BOOST_TEST(report.dial_groups[0] == (std::vector<std::string>{kFirst, kSecond}), boost::test_tools::per_element());
  settle();
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("forwarded_to") == std::string(kFirst) + "," + kSecond);
  BOOST_TEST(row.at("routing_rule") == "menu");
  const auto rules = rules_of(report.call_sid);
  BOOST_TEST(contains(rules, "menu-forward"));
  BOOST_TEST(contains(rules, std::string("target-accepted ") + kSecond));
  BOOST_TEST(contains(rules, "target-answered"));
}

BOOST_AUTO_TEST_CASE(InOrderTheSecondRingsAfterTheFirstThenVoicemail) {
  const RoutingChange change(targets({kFirst, kSecond}, "sequential"));
  callsim::Scenario scenario;
  scenario.presses = {"1"};
  scenario.dial = "no-answer";
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_REQUIRE(report.dial_groups.size() == 2u);
  BOOST_TEST(report.dial_groups[0] == std::vector<std::string>{kFirst}, boost::test_tools::per_element());
  BOOST_TEST(report.dial_groups[1] == std::vector<std::string>{kSecond}, boost::test_tools::per_element());
  settle();
  const auto rules = rules_of(report.call_sid);
  BOOST_TEST(contains(rules, std::string("next-target ") + kSecond));
  BOOST_TEST(contains(rules, "no-answer"));
  BOOST_TEST(call_row(report.call_sid).at("outcome") == "voicemail");
}

BOOST_AUTO_TEST_CASE(InOrderTheSecondTakesTheCallWhenTheFirstDoesNotAnswer) {
  const RoutingChange change(targets({kFirst, kSecond}, "sequential"));
  callsim::Scenario scenario;
  scenario.presses = {"1"};
  scenario.dial_by_number = {{kFirst, "busy"}, {kSecond, "answered"}};
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "connected");
  BOOST_TEST(report.dial_groups.size() == 2u);
  settle();
  BOOST_TEST(contains(rules_of(report.call_sid), std::string("target-answered ") + kSecond));
  BOOST_TEST(call_row(report.call_sid).at("outcome") == "answered");
}

BOOST_AUTO_TEST_CASE(AwaySendsCallersStraightToVoicemailWithTheAwayMessage) {
  const RoutingChange change([](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
    routing["away"]["enabled"] = true;
    routing["away"]["message"] = string_value("We are at the trade fair until Monday.", allocator);
  });
  callsim::Scenario scenario;
  scenario.presses = {"1"};  // never asked
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_REQUIRE(!report.heard.empty());
  BOOST_TEST(report.heard.front() == "We are at the trade fair until Monday.");
  BOOST_TEST(report.dialled.empty());
  settle();
  BOOST_TEST(call_row(report.call_sid).at("routing_rule") == "away");
  // The feed shows the rule on the call and on its first event.
  const rapidjson::Document call = json_of(request("GET", "/api/calls/" + report.call_sid, true));
  BOOST_TEST(std::string(call["routing_rule"].GetString()) == "away");
  BOOST_TEST(std::string(call["events"][0]["rule"].GetString()) == "away");
}

BOOST_AUTO_TEST_CASE(OnAHolidayTheCallerHearsItsMessageThenVoicemail) {
  const std::string today = utc_date_today();
  const RoutingChange change([&](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
    routing["office_hours"]["time_zone"] = "UTC";
    rapidjson::Value holiday(rapidjson::kObjectType);
    holiday.AddMember("date", string_value(today, allocator), allocator);
    holiday.AddMember("message", "Happy holidays: we are closed today.", allocator);
    routing["holidays"].PushBack(holiday, allocator);
    routing["away"]["enabled"] = true;  // a holiday comes first
  });
  callsim::Scenario scenario;
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_REQUIRE(!report.heard.empty());
  BOOST_TEST(report.heard.front() == "Happy holidays: we are closed today.");
  settle();
  BOOST_TEST(call_row(report.call_sid).at("routing_rule") == "holiday");
  BOOST_TEST(rules_of(report.call_sid).front() == "holiday " + today);
}

BOOST_AUTO_TEST_CASE(ABlocklistedCallerIsRejectedAndTheFeedMarksTheCallBlocked) {
  callsim::Scenario scenario;
  scenario.from = "+15005550666";
  const RoutingChange change([&](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
    routing["blocklist"] = string_array({"+15005550999", scenario.from}, allocator);
    routing["away"]["enabled"] = true;  // the blocklist comes before everything
  });
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "rejected");
  BOOST_TEST(report.heard.empty());
  settle();
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("routing_rule") == "blocklist");
  BOOST_TEST(row.at("outcome") == "blocked");
  BOOST_TEST(row.at("status") == "no-answer");
  const rapidjson::Document page = json_of(request("GET", "/api/calls?outcome=blocked&limit=5", true));
  const auto& calls = page["calls"];
  BOOST_REQUIRE(calls.IsArray() && calls.Size() >= 1u);
  BOOST_TEST(std::string(calls[0]["sid"].GetString()) == report.call_sid);
  BOOST_TEST(std::string(calls[0]["outcome"].GetString()) == "blocked");
  // Someone else still gets through.
  const auto other = callsim::run_call(simulator_options(), callsim::Scenario{});
  BOOST_TEST(other.outcome != "rejected");
}

BOOST_AUTO_TEST_CASE(WithTheDatabaseDownTheLastSavedRoutingStaysInForce) {
  const RoutingChange change([](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
    routing["away"]["enabled"] = true;
    routing["away"]["message"] = string_value("Closed for the inventory, back tomorrow.", allocator);
  });
  struct DatabaseBack {
    ~DatabaseBack() {
      stack_command("sb_start_mariadb");
      eventually(backlog_drained, std::chrono::seconds(30));
    }
  } back;
  BOOST_REQUIRE(stack_command("sb_stop_mariadb") == 0);
  // Workers started while the database is down route from the snapshot too: nothing they route from is in it.
  BOOST_REQUIRE(stack_command("sb_stop_workers && sb_start_workers") == 0);

  const auto report = callsim::run_call(simulator_options(), callsim::Scenario{});
  BOOST_TEST(report.ok());
  BOOST_REQUIRE(!report.heard.empty());
  BOOST_TEST(report.heard.front() == "Closed for the inventory, back tomorrow.");
  // The page still shows the routing in force (this host's snapshot); a change cannot be saved.
  const HttpResult shown = request("GET", "/api/routing", true);
  // Sessions and tokens are checked in the database: without it the API answers 503 before any handler.
  BOOST_TEST((shown.status == 200 || shown.status == 503));
  const HttpResult refused = put_routing(R"({"forward":{}})");
  BOOST_TEST(refused.status == 503);

  BOOST_REQUIRE(stack_command("sb_start_mariadb") == 0);
  BOOST_REQUIRE(eventually(backlog_drained, std::chrono::seconds(30)));
  BOOST_TEST(call_row(report.call_sid).at("routing_rule") == "away");
  BOOST_TEST(routing_in_force()["version"].GetInt64() == change.version());
}

BOOST_AUTO_TEST_CASE(AViewerCanReadTheRoutingButNotChangeIt) {
  users_command("remove routing-viewer");
  BOOST_REQUIRE(users_command("add routing-viewer --role viewer", "viewer-password-1\n").status == 0);
  const CommandResult token = users_command("token routing-viewer");
  BOOST_REQUIRE(token.status == 0);
  const std::string bearer = "Authorization: Bearer " + token.output.substr(0, token.output.find('\n'));
  const rapidjson::Document before = routing_in_force();
  BOOST_TEST(request("GET", "/api/routing", false, "", {bearer}).status == 200);
  const HttpResult put = request("PUT", "/api/routing", false, routing_text(before["routing"]),
                                 {bearer, "Content-Type: application/json", "X-Requested-With: switchboard"});
  BOOST_TEST(put.status == 403);
  BOOST_TEST(routing_in_force()["version"].GetInt64() == before["version"].GetInt64());
  // Nobody signed in at all: 401.
  BOOST_TEST(request("GET", "/api/routing", false).status == 401);
  users_command("remove routing-viewer");
}

BOOST_AUTO_TEST_CASE(ABadDocumentIsRefusedWithTheFieldAtFaultAndChangesNothing) {
  rapidjson::Document in_force = routing_in_force();
  const std::int64_t version = in_force["version"].GetInt64();
  rapidjson::Value& routing = in_force["routing"];
  routing["forward"]["targets"] = string_array({kFirst, "0612345678"}, in_force.GetAllocator());
  const HttpResult refused = put_routing(routing_text(routing), version);
  BOOST_TEST(refused.status == 400);
  const rapidjson::Document error = json_of(refused);
  BOOST_TEST(std::string(error["field"].GetString()) == "forward.targets[1]");
  BOOST_TEST(std::string(error["error"].GetString()).rfind("forward.targets[1]: not E.164", 0) == 0);
  BOOST_TEST(routing_in_force()["version"].GetInt64() == version);
  // Not JSON, and a document missing a part: 400 too.
  BOOST_TEST(put_routing("{not json", version).status == 400);
  const HttpResult partial = put_routing(R"({"forward":{"targets":["+15005550021"]}})", version);
  BOOST_TEST(partial.status == 400);
  BOOST_TEST(partial.body.find("forward.strategy: required") != std::string::npos);
  // Without the CSRF guard the write is refused before it is read.
  BOOST_TEST(request("PUT", "/api/routing", true, routing_text(routing), {"Content-Type: application/json"}).status ==
             415);
}

BOOST_AUTO_TEST_CASE(AnEditOfAnOlderVersionIsRefusedAndHistoryKeepsWhoChangedWhat) {
  const rapidjson::Document before = routing_in_force();
  const std::int64_t old_version = before["version"].GetInt64();
  const RoutingChange change(targets({kSecond}, "simultaneous"));
  // An admin still editing the version before the change:
  const HttpResult stale = put_routing(routing_text(before["routing"]), old_version);
  BOOST_TEST(stale.status == 409);
  BOOST_TEST(json_of(stale)["version"].GetInt64() == change.version());

  const rapidjson::Document history = json_of(request("GET", "/api/routing/history?limit=2", true));
  const auto& versions = history["versions"];
  BOOST_REQUIRE(versions.IsArray() && versions.Size() >= 1u);
  BOOST_TEST(versions[0]["version"].GetInt64() == change.version());
  BOOST_TEST(std::string(versions[0]["changed_by"].GetString()) == stack().feed_user);
  BOOST_TEST(std::string(versions[0]["routing"]["forward"]["targets"][0].GetString()) == kSecond);
  const auto stored = query("SELECT previous_version FROM routing_versions WHERE version = ?",
                            {std::to_string(change.version())});
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0].at("previous_version") == (old_version == 0 ? "NULL" : std::to_string(old_version)));
  BOOST_TEST(count("SELECT COUNT(*) FROM audit_log WHERE action = 'routing_changed' AND target = ?",
                   {std::to_string(change.version())}) == 1);
}

BOOST_AUTO_TEST_CASE(TheCliChangesTheRoutingThroughTheSamePath) {
  const std::string previous = routing_text(routing_in_force()["routing"]);
  struct Restore {
    std::string document;
    ~Restore() {
      put_routing(document);
      wait_for_workers_to_see_routing();
    }
  } restore{previous};
  BOOST_REQUIRE(stack_command("sb_with_worker_env \"$SB_BUILD_DIR/switchboard-routing\" away on >/dev/null") == 0);
  const rapidjson::Document after = routing_in_force();
  BOOST_TEST(after["routing"]["away"]["enabled"].GetBool());
  BOOST_TEST(std::string(after["changed_by"].GetString()).rfind("cli:", 0) == 0);
  wait_for_workers_to_see_routing();
  const auto report = callsim::run_call(simulator_options(), callsim::Scenario{});
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_TEST(report.dialled.empty());
  // A refused document: exit status 1, nothing saved.
  const std::int64_t version = after["version"].GetInt64();
  BOOST_TEST(stack_command("echo '{}' | sb_with_worker_env \"$SB_BUILD_DIR/switchboard-routing\" set - 2>/dev/null") ==
             1);
  BOOST_TEST(routing_in_force()["version"].GetInt64() == version);
}

BOOST_AUTO_TEST_CASE(WithThePoolDownNginxRingsTheCurrentTargetsAtOnce) {
  const RoutingChange change(targets({kFirst, kSecond}, "sequential"));
  // A saved change renders nginx's fallbacks again and reloads it.
  BOOST_REQUIRE(wait_for_fallbacks(change.version()));
  struct PoolBack {
    ~PoolBack() {
      stack_command("sb_start_workers");
      eventually(backlog_drained, std::chrono::seconds(30));
    }
  } back;
  BOOST_REQUIRE(stack_command("sb_stop_workers") == 0);
  callsim::Scenario scenario;
  scenario.dial_by_number = {{kFirst, "no-answer"}, {kSecond, "answered"}};
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  // The second phone answered nginx's own screening ("press any key"); without an action the caller's document
  // goes on to the voicemail once that call ends, so the simulator's last milestone is the voicemail.
  BOOST_TEST(std::any_of(report.exchanges.begin(), report.exchanges.end(), [](const callsim::Exchange& exchange) {
    return exchange.leg == "screen" && exchange.params.count("To") && exchange.params.at("To") == kSecond &&
           url_path(exchange.url) == "/twilio/fallback/screen";
  }));
  // In order would need a worker to tell an unanswered target from a call that ended: nginx rings both at once.
  BOOST_REQUIRE(report.dial_groups.size() == 1u);
  BOOST_TEST(report.dial_groups[0] == (std::vector<std::string>{kFirst, kSecond}), boost::test_tools::per_element());
  BOOST_REQUIRE(!report.exchanges.empty());
  BOOST_TEST(report.exchanges.front().headers.at("x-switchboard-answered-by") == "fallback");
}

BOOST_AUTO_TEST_SUITE_END()
