// One outcome, two definitions held together: the database's calls.outcome (schema/005, what ?outcome= filters on
// and the summary groups by) and store::outcome_of() (what each call's JSON says). Every combination of the columns
// the outcome reads is inserted, paged through /api/calls once per outcome, and each call must carry the outcome it
// was filtered by, every call found exactly once; the SQL summary must equal the sums over the listed calls; the
// filter must read one page from its index however deep the cursor; and calls played through the stack land where an office manager expects them.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "store/mysql_call_store.h"
#include "store/sql_time.h"
#include "support/stack.h"

using namespace integration;

namespace {

const char* const kOutcomes[] = {"answered", "missed", "voicemail", "abandoned", "in-progress", "blocked"};
// The shapes live in a window of their own, far from other tests' calls.
const std::string kWindow = "since=2021-03-01T00:00:00Z&until=2021-03-04T00:00:00Z";

// Every combination of the values each column the outcome reads can hold, including the ones only a hand-edited
// row has (case and trailing-space variants the table's collation would call equal, nonsense pairs such as a status
// without a recording): 7 × 2 × 4 × 2 × 3 × 3 × 2 × 6 = 12,096 rows, two per started_at second so that keyset ties
// are exercised, with heard marks, talk times and the routing rule ('blocklist', its case and trailing-space
// variants, another rule, none) spread over them for the summary and the blocked outcome.
constexpr int kShapes = 12096;
void seed_shapes() {
  static bool seeded = false;
  if (seeded) return;
  seeded = true;
  const std::string sql = R"(
INSERT INTO calls (sid, from_number, to_number, status, ended_at, menu_choice, forwarded_to, dial_status,
                   dial_bridged, recording_sid, recording_status, voicemail_heard_at, talk_s, started_at, routing_rule)
SELECT CONCAT('CAshape', LPAD(n, 26, '0')), '+14155550177', '+15005550006', status,
       IF(ended, '2021-03-05 00:00:00', NULL), menu_choice, forwarded_to, dial_status, dial_bridged,
       IF(has_recording, CONCAT('RE', LPAD(n, 32, '0')), NULL), recording_status,
       IF(n MOD 2 = 0, '2021-03-05 00:00:00', NULL), IF(n MOD 3 = 0, NULL, n MOD 97),
       TIMESTAMPADD(SECOND, (n DIV 2) * 21, '2021-03-01 00:00:00'),
       ELT(n MOD 7 + 1, 'blocklist', 'blocklist ', 'Blocklist', 'menu', NULL, NULL, NULL)
FROM (
  SELECT ROW_NUMBER() OVER () AS n, s.v AS status, e.v AS ended, m.v AS menu_choice, f.v AS forwarded_to,
         d.v AS dial_status, b.v AS dial_bridged, r.v AS has_recording, rs.v AS recording_status
  FROM (SELECT '' AS v UNION ALL SELECT 'ringing' UNION ALL SELECT 'in-progress' UNION ALL SELECT 'completed'
        UNION ALL SELECT 'no-answer' UNION ALL SELECT 'Completed' UNION ALL SELECT 'completed ') s
  CROSS JOIN (SELECT 0 AS v UNION ALL SELECT 1) e
  CROSS JOIN (SELECT NULL AS v UNION ALL SELECT 'forward' UNION ALL SELECT 'voicemail' UNION ALL SELECT 'Forward ') m
  CROSS JOIN (SELECT NULL AS v UNION ALL SELECT '+15005550010') f
  CROSS JOIN (SELECT NULL AS v UNION ALL SELECT 'no-answer' UNION ALL SELECT 'completed') d
  CROSS JOIN (SELECT NULL AS v UNION ALL SELECT 0 UNION ALL SELECT 1) b
  CROSS JOIN (SELECT 0 AS v UNION ALL SELECT 1) r
  CROSS JOIN (SELECT NULL AS v UNION ALL SELECT 'completed' UNION ALL SELECT 'absent' UNION ALL SELECT 'ABSENT'
              UNION ALL SELECT 'absent ' UNION ALL SELECT 'failed') rs
) shapes;
)";
  // Already there when the suite runs again against a stack that is still up.
  if (count("SELECT COUNT(*) FROM calls WHERE sid LIKE 'CAshape%'") == 0) {
    const std::string file = stack().dir + "/outcome-shapes.sql";
    std::ofstream(file) << sql;
    BOOST_REQUIRE(stack_command("sb_mariadb_client switchboard < " + file) == 0);
  }
  BOOST_REQUIRE(count("SELECT COUNT(*) FROM calls WHERE sid LIKE 'CAshape%'") == kShapes);
}

rapidjson::Document get_json(const std::string& path) {
  const HttpResult answer = request("GET", path, true);
  BOOST_REQUIRE_MESSAGE(answer.status == 200, path << " → " << answer.status << " " << answer.body);
  rapidjson::Document json;
  json.Parse(answer.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  return json;
}

// Each call a filter returns, following next_cursor to the end, as the listing's JSON objects.
std::vector<rapidjson::Document> all_calls(const std::string& filter) {
  std::vector<rapidjson::Document> calls;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    rapidjson::Document json = get_json("/api/calls?limit=200&" + filter + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& call : json["calls"].GetArray()) {
      rapidjson::Document copy;
      copy.CopyFrom(call, copy.GetAllocator());
      calls.push_back(std::move(copy));
    }
    if (json["next_cursor"].IsNull()) break;
    cursor = json["next_cursor"].GetString();
  }
  return calls;
}

std::int64_t unix_ms(const std::string& iso) {  // "2021-03-01T00:00:21.000Z"
  std::tm utc{};
  BOOST_REQUIRE(strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &utc) != nullptr);
  return static_cast<std::int64_t>(timegm(&utc)) * 1000 + std::stoi(iso.substr(20, 3));
}

std::string iso_hour(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
  return text;
}

// The columns the outcome reads, for a failure message.
std::string shape_of(const std::string& sid) {
  const auto rows = query(
      "SELECT status, ended_at, menu_choice, forwarded_to, dial_status, dial_bridged, recording_sid, recording_status, "
      "routing_rule, outcome FROM calls WHERE sid = ?",
      {sid});
  if (rows.empty()) return "(no row)";
  std::string text;
  for (const auto& [name, value] : rows.front()) text += name + "='" + value + "' ";
  return text;
}

callsim::CallReport play(callsim::Scenario scenario) {
  callsim::CallReport report = callsim::run_call(simulator_options(), scenario);
  for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
  BOOST_TEST(report.ok());
  return report;
}

// A call's webhooks posted one by one, signed, as Twilio would for a caller the simulator cannot play (hanging up
// during a prompt). Each answer must be the 2xx Twilio expects.
void post_all(const std::string& sid, const std::string& from, const std::vector<std::pair<std::string, Params>>& steps) {
  for (const auto& [path, extra] : steps) {
    Params params = {{"CallSid", sid}, {"AccountSid", stack().account_sid}, {"From", from},
                     {"To", stack().twilio_number}, {"Direction", "inbound"}};
    params.insert(params.end(), extra.begin(), extra.end());
    const HttpResult answer = post_webhook(path, params);
    BOOST_TEST(answer.status / 100 == 2, path << " → " << answer.status);
  }
}

// The outcome of `sid` as its JSON says, as the database column says, and whether ?outcome= finds it.
void expect_outcome(const std::string& sid, const std::string& from, const std::string& expected) {
  BOOST_TEST_CONTEXT(sid << " expected " << expected) {
    const rapidjson::Document call = get_json("/api/calls/" + sid);
    BOOST_TEST(std::string(call["outcome"].GetString()) == expected);
    BOOST_TEST(call_row(sid).at("outcome") == expected);
    std::string encoded = from;
    encoded.replace(0, 1, "%2B");
    bool found = false;
    for (const rapidjson::Document& listed : all_calls("from=" + encoded + "&outcome=" + expected)) {
      found = found || std::string(listed["sid"].GetString()) == sid;
    }
    BOOST_TEST(found);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(outcome)

BOOST_AUTO_TEST_CASE(TheFilterAndEachCallsOutcomeAgreeOnEveryShapeOfRow) {
  seed_shapes();
  std::set<std::string> seen;
  int repeated = 0;
  for (const char* outcome : kOutcomes) {
    int listed = 0;
    int disagreeing = 0;
    for (const rapidjson::Document& call : all_calls(kWindow + "&outcome=" + outcome)) {
      const std::string sid = call["sid"].GetString();
      if (sid.rfind("CAshape", 0) != 0) continue;
      ++listed;
      if (!seen.insert(sid).second) ++repeated;
      const std::string said = call["outcome"].GetString();
      if (said != outcome && ++disagreeing <= 5) {
        BOOST_ERROR("filtered as " << outcome << ", JSON says " << said << ": " << shape_of(sid));
      }
    }
    BOOST_TEST_MESSAGE(outcome << ": " << listed << " of the " << kShapes << " shapes");
    BOOST_TEST(listed > 0, outcome);
    BOOST_TEST(disagreeing == 0, outcome);
  }
  BOOST_TEST(repeated == 0);
  BOOST_TEST(static_cast<int>(seen.size()) == kShapes);  // every row has exactly one of the six outcomes
}

BOOST_AUTO_TEST_CASE(TheSqlSummaryIsTheSumOverTheListedCalls) {
  seed_shapes();
  std::map<std::string, std::int64_t> by_outcome;
  std::map<std::string, std::map<std::string, std::int64_t>> by_hour;
  std::int64_t unheard = 0, talk_total = 0, talk_count = 0, calls = 0;
  for (const rapidjson::Document& call : all_calls(kWindow)) {
    const std::string outcome = call["outcome"].GetString();
    ++calls;
    ++by_outcome[outcome];
    const std::int64_t started = unix_ms(call["started_at"].GetString());
    ++by_hour[iso_hour(started - started % 3600000)][outcome == "in-progress" ? "in_progress" : outcome];
    if (outcome == "voicemail" && !call["voicemail"]["heard"].GetBool()) ++unheard;
    if (outcome == "answered" && call["talk_s"].IsInt()) {
      talk_total += call["talk_s"].GetInt();
      ++talk_count;
    }
  }
  BOOST_REQUIRE(calls >= kShapes);
  BOOST_REQUIRE(talk_count > 0);

  const rapidjson::Document summary = get_json("/api/summary?" + kWindow);
  BOOST_TEST(summary["calls"].GetInt64() == calls);
  BOOST_TEST(summary["answered"].GetInt64() == by_outcome["answered"]);
  BOOST_TEST(summary["missed"].GetInt64() == by_outcome["missed"]);
  BOOST_TEST(summary["voicemails"].GetInt64() == by_outcome["voicemail"]);
  BOOST_TEST(summary["abandoned"].GetInt64() == by_outcome["abandoned"]);
  BOOST_TEST(summary["in_progress"].GetInt64() == by_outcome["in-progress"]);
  BOOST_TEST(summary["blocked"].GetInt64() == by_outcome["blocked"]);
  BOOST_TEST(summary["unheard_voicemails"].GetInt64() == unheard);
  const double average = std::round(static_cast<double>(talk_total) / static_cast<double>(talk_count) * 10) / 10;
  BOOST_TEST(summary["average_talk_s"].GetDouble() == average);

  const rapidjson::Value& hours = summary["by_hour"];
  BOOST_REQUIRE(hours.Size() == by_hour.size());
  size_t i = 0;
  for (const auto& [hour, counts] : by_hour) {
    BOOST_TEST_CONTEXT(hour) {
      BOOST_TEST(std::string(hours[i]["hour_start"].GetString()) == hour);  // in order, UTC hours
      for (const char* key : {"answered", "missed", "voicemail", "abandoned", "in_progress"}) {
        const auto found = counts.find(key);
        BOOST_TEST(hours[i][key].GetInt64() == (found == counts.end() ? 0 : found->second), key);
      }
    }
    ++i;
  }
}

// More calls in the period than the old in-memory summary's cap: counted where they are, none dropped.
BOOST_AUTO_TEST_CASE(TheSummaryCountsEveryCallOfALongPeriod) {
  seed_shapes();
  const rapidjson::Document summary = get_json("/api/summary?since=2000-01-01T00:00:00Z");
  BOOST_TEST(summary["calls"].GetInt64() == count("SELECT COUNT(*) FROM calls"));
}

BOOST_AUTO_TEST_CASE(TheOutcomeFilterReadsOnePageFromItsIndexAtAnyDepth) {
  seed_shapes();
  // A cursor nine tenths of the way down the missed calls, as a page deep in the list would send.
  const int missed = count("SELECT COUNT(*) FROM calls WHERE outcome = 'missed'");
  const auto deep = query("SELECT CAST(UNIX_TIMESTAMP(started_at) * 1000 AS SIGNED) AS ms, id FROM calls WHERE "
                          "outcome = 'missed' ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET " +
                          std::to_string(missed * 9 / 10));
  BOOST_REQUIRE(deep.size() == 1u);
  const std::string at = "'" + switchboard::store::to_sql_datetime(std::stoll(deep[0].at("ms"))) + "'";

  switchboard::store::CallQuery first_page;
  first_page.outcome = "missed";
  first_page.limit = 51;
  switchboard::store::CallQuery deep_page = first_page;
  deep_page.after = switchboard::store::Cursor{std::stoll(deep[0].at("ms")), std::stoll(deep[0].at("id"))};
  const std::pair<switchboard::store::CallQuery, std::vector<std::string>> shapes[] = {
      {first_page, {"'missed'", "51"}},
      {deep_page, {"'missed'", at, at, deep[0].at("id"), "51"}},
  };
  for (const auto& [shape, values] : shapes) {
    // The statement the store prepares, its placeholders filled in the order it binds them.
    std::string statement = switchboard::store::MysqlCallStore::list_calls_sql(shape);
    for (const std::string& value : values) statement.replace(statement.find('?'), 1, value);
    BOOST_REQUIRE(statement.find('?') == std::string::npos);
    BOOST_TEST_CONTEXT(statement) {
      const auto plan = query("ANALYZE " + statement);
      BOOST_REQUIRE(plan.size() == 1u);
      BOOST_TEST(plan[0].at("key") == "calls_outcome_newest");
      BOOST_TEST(plan[0].at("Extra").find("filesort") == std::string::npos, plan[0].at("Extra"));
      BOOST_TEST(std::stod(plan[0].at("r_rows")) <= 51.0, plan[0].at("r_rows"));
    }
  }
}

BOOST_AUTO_TEST_CASE(CallsPlayedThroughTheStackGetTheOutcomeTheOfficeExpects) {
  const std::string from = "+14155550188";
  callsim::Scenario scenario;
  scenario.from = from;

  scenario.presses = {"1"};
  scenario.dial = "answered";
  expect_outcome(play(scenario).call_sid, from, "answered");

  scenario.dial = "no-answer";  // then the company voicemail, and a message
  expect_outcome(play(scenario).call_sid, from, "voicemail");

  scenario.presses = {"2"};
  expect_outcome(play(scenario).call_sid, from, "voicemail");

  scenario.presses = {"hangup"};
  expect_outcome(play(scenario).call_sid, from, "abandoned");

  // Pressed 1, nobody answered, hung up during the voicemail prompt: forwarded and missed.
  const std::string missed = new_call_sid();
  post_all(missed, from,
           {{"/twilio/voice", {{"CallStatus", "ringing"}}},
            {"/twilio/voice/menu?attempt=1", {{"CallStatus", "in-progress"}, {"Digits", "1"}}},
            {"/twilio/voice/dial-result", {{"CallStatus", "in-progress"}, {"DialCallStatus", "no-answer"}}},
            {"/twilio/call-status", {{"CallStatus", "completed"}, {"CallDuration", "25"}}}});
  expect_outcome(missed, from, "missed");

  // Pressed 2 and hung up before the beep: no message, never forwarded.
  const std::string before_beep = new_call_sid();
  post_all(before_beep, from,
           {{"/twilio/voice", {{"CallStatus", "ringing"}}},
            {"/twilio/voice/menu?attempt=1", {{"CallStatus", "in-progress"}, {"Digits", "2"}}},
            {"/twilio/call-status", {{"CallStatus", "completed"}, {"CallDuration", "6"}}}});
  expect_outcome(before_beep, from, "abandoned");

  // Hung up at the beep: Twilio reports the recording absent.
  const std::string at_beep = new_call_sid();
  post_all(at_beep, from,
           {{"/twilio/voice", {{"CallStatus", "ringing"}}},
            {"/twilio/voice/menu?attempt=1", {{"CallStatus", "in-progress"}, {"Digits", "2"}}},
            {"/twilio/recording-status",
             {{"RecordingSid", "RE" + new_call_sid().substr(2)}, {"RecordingStatus", "absent"},
              {"RecordingDuration", "0"}}},
            {"/twilio/call-status", {{"CallStatus", "completed"}, {"CallDuration", "9"}}}});
  expect_outcome(at_beep, from, "abandoned");

  // Still ringing through the menu.
  const std::string ongoing = new_call_sid();
  post_all(ongoing, from, {{"/twilio/voice", {{"CallStatus", "ringing"}}}});
  expect_outcome(ongoing, from, "in-progress");
}

BOOST_AUTO_TEST_SUITE_END()
