// The page header's numbers: one call of each outcome counted once, unheard voicemails, the average talk time over
// answered calls only, hourly buckets by outcome; and summary_json parsed back and compared field by field. The
// counts come from the store's tally (the in-memory store here; MySQL's GROUP BY in tests/integration/outcome_test),
// and GET /api/summary through the handler.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/json.h"
#include "../support/print.h"
#include "../support/response.h"
#include "feed/call_json.h"
#include "feed/calls_api.h"
#include "feed/summary.h"

namespace {

namespace feed = switchboard::feed;
using switchboard::store::CallRow;
using switchboard::test::parse_json;
using switchboard::test::string_of;

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kNine = 1764147600000;  // 2025-11-26T09:00:00.000Z
constexpr std::int64_t kTen = kNine + kHour;

CallRow call(const std::string& sid, std::int64_t started_at_ms) {
  CallRow row;
  row.sid = sid;
  row.from = "+14155550123";
  row.to = "+14155550199";
  row.status = "completed";
  row.started_at_ms = started_at_ms;
  row.ended_at_ms = started_at_ms + 60000;
  return row;
}

CallRow answered(const std::string& sid, std::int64_t started_at_ms, std::optional<int> talk_s) {
  CallRow row = call(sid, started_at_ms);
  row.menu_choice = "forward";
  row.dial_status = "completed";
  row.dial_bridged = true;
  row.talk_s = talk_s;
  return row;
}

CallRow missed(const std::string& sid, std::int64_t started_at_ms) {
  CallRow row = call(sid, started_at_ms);
  row.menu_choice = "forward";
  row.dial_status = "no-answer";
  row.dial_bridged = false;
  row.talk_s = 0;  // Twilio reports DialCallDuration=0 for an unanswered leg: must not pull the average down
  return row;
}

CallRow voicemail(const std::string& sid, std::int64_t started_at_ms, bool heard) {
  CallRow row = call(sid, started_at_ms);
  row.menu_choice = "voicemail";
  row.recording_sid = "RE0123456789abcdef0123456789abcd" + sid.substr(sid.size() - 2);
  row.recording_status = "completed";
  row.recording_duration_s = 30;
  if (heard) row.voicemail_heard_at_ms = started_at_ms + kHour;
  return row;
}

CallRow abandoned(const std::string& sid, std::int64_t started_at_ms) { return call(sid, started_at_ms); }

CallRow ringing(const std::string& sid, std::int64_t started_at_ms) {
  CallRow row = call(sid, started_at_ms);
  row.status = "ringing";
  row.ended_at_ms.reset();
  return row;
}

// A morning: 9:00–9:59 one call of each outcome plus a second voicemail (heard), 10:00–10:59 two answered calls.
std::vector<CallRow> morning() {
  return {answered("CA01", kNine + 60000, 30),
          missed("CA02", kNine + 120000),
          voicemail("CA03", kNine + 180000, false),
          voicemail("CA04", kNine + 240000, true),
          abandoned("CA05", kNine + 300000),
          ringing("CA06", kTen - 1),
          answered("CA07", kTen, 45),
          answered("CA08", kTen + kHour - 1, std::nullopt)};  // bridged, DialCallDuration not in yet
}

// The summary of `calls` as the handler computes it: the store counts, summarize() adds up.
feed::Summary summarize(const std::vector<CallRow>& calls) {
  switchboard::test::FakeCallStore store;
  for (const CallRow& call : calls) store.put(call);
  return feed::summarize(store.tally_by_hour(0, std::nullopt));
}

std::map<std::string, std::int64_t> counts(std::initializer_list<std::pair<const std::string, std::int64_t>> list) {
  return std::map<std::string, std::int64_t>(list);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_summary)

BOOST_AUTO_TEST_CASE(EachOutcomeIsCountedOnce) {
  const feed::Summary summary = summarize(morning());
  BOOST_TEST(summary.calls == 8);
  BOOST_TEST(summary.answered == 3);
  BOOST_TEST(summary.missed == 1);
  BOOST_TEST(summary.voicemails == 2);
  BOOST_TEST(summary.abandoned == 1);
  BOOST_TEST(summary.in_progress == 1);
  BOOST_TEST(summary.answered + summary.missed + summary.voicemails + summary.abandoned + summary.in_progress ==
             summary.calls);
}

BOOST_AUTO_TEST_CASE(OutcomesAgreeWithTheListsBadge) {
  for (const CallRow& row : morning()) {
    const feed::Summary one = summarize({row});
    const std::string outcome = switchboard::store::outcome_of(row);
    BOOST_TEST_CONTEXT(row.sid << " " << outcome) {
      BOOST_TEST(one.calls == 1);
      BOOST_TEST(one.answered == (outcome == "answered" ? 1 : 0));
      BOOST_TEST(one.missed == (outcome == "missed" ? 1 : 0));
      BOOST_TEST(one.voicemails == (outcome == "voicemail" ? 1 : 0));
      BOOST_TEST(one.abandoned == (outcome == "abandoned" ? 1 : 0));
      BOOST_TEST(one.in_progress == (outcome == "in-progress" ? 1 : 0));
    }
  }
}

BOOST_AUTO_TEST_CASE(OnlyUnheardVoicemailsAreCounted) {
  BOOST_TEST(summarize(morning()).unheard_voicemails == 1);
}

BOOST_AUTO_TEST_CASE(AverageTalkTimeCoversAnsweredCallsWithADurationOnly) {
  // 30 s and 45 s; the missed call's 0 s and the answered call still without a duration are left out.
  const feed::Summary summary = summarize(morning());
  BOOST_REQUIRE(summary.average_talk_s.has_value());
  BOOST_TEST(*summary.average_talk_s == 37.5);
}

BOOST_AUTO_TEST_CASE(TalkTimeOfAVoicemailCallDoesNotCount) {
  // Forwarded, not answered, then voicemail: Twilio may still report a DialCallDuration.
  CallRow row = voicemail("CA09", kNine, false);
  row.talk_s = 12;
  const feed::Summary summary = summarize({row, answered("CA10", kNine, 20)});
  BOOST_TEST(summary.average_talk_s == 20.0);
}

BOOST_AUTO_TEST_CASE(NoAnsweredCallMeansNoAverage) {
  const feed::Summary summary = summarize({missed("CA02", kNine), voicemail("CA03", kNine, false)});
  BOOST_TEST(!summary.average_talk_s.has_value());
}

BOOST_AUTO_TEST_CASE(CallsFallIntoTheHourTheyStarted) {
  const feed::Summary summary = summarize(morning());
  BOOST_TEST(summary.by_hour.size() == 2u);
  BOOST_REQUIRE(summary.by_hour.count(kNine) == 1u);
  BOOST_REQUIRE(summary.by_hour.count(kTen) == 1u);
  BOOST_TEST((summary.by_hour.at(kNine) ==
              counts({{"answered", 1}, {"missed", 1}, {"voicemail", 2}, {"abandoned", 1}, {"in-progress", 1}})));
  BOOST_TEST((summary.by_hour.at(kTen) == counts({{"answered", 2}})));
}

BOOST_AUTO_TEST_CASE(EmptyDayIsAllZero) {
  const feed::Summary summary = summarize({});
  BOOST_TEST(summary.calls == 0);
  BOOST_TEST(summary.unheard_voicemails == 0);
  BOOST_TEST(!summary.average_talk_s.has_value());
  BOOST_TEST(summary.by_hour.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_summary_json)

BOOST_AUTO_TEST_CASE(CountsSinceAndAverageAreFields) {
  const rapidjson::Document body = parse_json(feed::summary_json(summarize(morning()), kNine));
  std::vector<std::string> names;
  for (const auto& member : body.GetObject()) names.emplace_back(member.name.GetString());
  BOOST_TEST(names == (std::vector<std::string>{"since", "calls", "answered", "missed", "voicemails", "abandoned",
                                                "in_progress", "blocked", "unheard_voicemails", "average_talk_s", "by_hour"}),
             boost::test_tools::per_element());
  BOOST_TEST(string_of(body["since"]) == "2025-11-26T09:00:00.000Z");
  const std::vector<std::pair<const char*, std::int64_t>> expected = {
      {"calls", 8},     {"answered", 3},    {"missed", 1},           {"voicemails", 2},
      {"abandoned", 1}, {"in_progress", 1}, {"unheard_voicemails", 1}};
  for (const auto& [key, value] : expected) {
    BOOST_REQUIRE_MESSAGE(body[key].IsInt64(), key << " is not an integer");
    BOOST_TEST(body[key].GetInt64() == value, key);
  }
  BOOST_REQUIRE(body["average_talk_s"].IsNumber());
  BOOST_TEST(body["average_talk_s"].GetDouble() == 37.5);
}

BOOST_AUTO_TEST_CASE(HoursAreInOrderWithEveryOutcomeKey) {
  const rapidjson::Document body = parse_json(feed::summary_json(summarize(morning()), kNine));
  const rapidjson::Value& hours = body["by_hour"];
  BOOST_REQUIRE(hours.IsArray());
  BOOST_REQUIRE(hours.Size() == 2u);

  const auto check_hour = [](const rapidjson::Value& hour, const std::string& start,
                             const std::vector<std::int64_t>& expected) {
    std::vector<std::string> names;
    for (const auto& member : hour.GetObject()) names.emplace_back(member.name.GetString());
    BOOST_TEST(names == (std::vector<std::string>{"hour_start", "answered", "missed", "voicemail", "abandoned",
                                                  "in_progress", "blocked"}),
               boost::test_tools::per_element());
    BOOST_TEST(string_of(hour["hour_start"]) == start);
    const std::vector<std::int64_t> got = {hour["answered"].GetInt64(), hour["missed"].GetInt64(),
                                           hour["voicemail"].GetInt64(), hour["abandoned"].GetInt64(),
                                           hour["in_progress"].GetInt64()};
    BOOST_TEST(got == expected, boost::test_tools::per_element());
  };
  check_hour(hours[0], "2025-11-26T09:00:00.000Z", {1, 1, 2, 1, 1});
  check_hour(hours[1], "2025-11-26T10:00:00.000Z", {2, 0, 0, 0, 0});
}

BOOST_AUTO_TEST_CASE(AverageIsRoundedToATenthOfASecond) {
  feed::Summary summary;
  summary.average_talk_s = 10.0 / 3.0;
  BOOST_TEST(parse_json(feed::summary_json(summary, kNine))["average_talk_s"].GetDouble() == 3.3);
  summary.average_talk_s = 2.0 / 3.0;
  BOOST_TEST(parse_json(feed::summary_json(summary, kNine))["average_talk_s"].GetDouble() == 0.7);
}

BOOST_AUTO_TEST_CASE(NoAverageIsNull) {
  const rapidjson::Document body = parse_json(feed::summary_json(summarize({}), kNine));
  BOOST_TEST(body["average_talk_s"].IsNull());
  BOOST_TEST(body["calls"].GetInt64() == 0);
  BOOST_REQUIRE(body["by_hour"].IsArray());
  BOOST_TEST(body["by_hour"].Size() == 0u);
}

BOOST_AUTO_TEST_CASE(NonFiniteAverageIsNullNotInvalidJson) {
  feed::Summary summary;
  summary.average_talk_s = std::numeric_limits<double>::infinity();
  BOOST_TEST(parse_json(feed::summary_json(summary, kNine))["average_talk_s"].IsNull());
  summary.average_talk_s = std::numeric_limits<double>::quiet_NaN();
  BOOST_TEST(parse_json(feed::summary_json(summary, kNine))["average_talk_s"].IsNull());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_summary_api)

namespace {

switchboard::http::Request summary_request(switchboard::http::Params query) {
  switchboard::http::Request request;
  request.method = "GET";
  request.path = "/api/summary";
  request.query = std::move(query);
  request.remote_user = "alice";
  return request;
}

}  // namespace

BOOST_AUTO_TEST_CASE(AnAbsentRecordingIsNeitherAVoicemailNorUnheard) {
  CallRow nothing_recorded = voicemail("CA11", kNine, false);
  nothing_recorded.recording_status = "absent";
  const feed::Summary summary = summarize({nothing_recorded, voicemail("CA12", kNine, false)});
  BOOST_TEST(summary.voicemails == 1);
  BOOST_TEST(summary.unheard_voicemails == 1);
  BOOST_TEST(summary.abandoned == 1);
}

BOOST_AUTO_TEST_CASE(OnlyCallsOfThePeriodAreCounted) {
  switchboard::test::FakeCallStore store;
  for (const CallRow& call : morning()) store.put(call);
  store.put(answered("CA20", kNine - 1, 10));  // the evening before
  feed::CallsApi api(store);
  const auto response =
      api.summary(summary_request({{"since", "2025-11-26T09:00:00Z"}, {"until", "2025-11-26T10:00:00Z"}}));
  BOOST_TEST(response.status == 200);
  const rapidjson::Document body = parse_json(response.body);
  BOOST_TEST(body["calls"].GetInt64() == 6);  // 9:00 to 9:59; the 10:00 calls and the one at 8:59 are outside
  BOOST_TEST(body["answered"].GetInt64() == 1);
  BOOST_TEST(body["average_talk_s"].GetDouble() == 30.0);
  BOOST_TEST(body["by_hour"].Size() == 1u);
}

// The page asks from its local midnight; the hours stay UTC hours, which the page places on its own clock (a
// half-hour zone gets buckets on the half hour).
BOOST_AUTO_TEST_CASE(HoursAreUtcHoursWhateverTheZoneOfSince) {
  switchboard::test::FakeCallStore store;
  for (const CallRow& call : morning()) store.put(call);
  feed::CallsApi api(store);
  const rapidjson::Document body = parse_json(api.summary(summary_request({{"since", "2025-11-26T00:00:00+05:30"}})).body);
  BOOST_TEST(string_of(body["since"]) == "2025-11-25T18:30:00.000Z");
  BOOST_REQUIRE(body["by_hour"].Size() == 2u);
  BOOST_TEST(string_of(body["by_hour"][0]["hour_start"]) == "2025-11-26T09:00:00.000Z");
  BOOST_TEST(string_of(body["by_hour"][1]["hour_start"]) == "2025-11-26T10:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(SinceIsRequiredAndParametersAreChecked) {
  switchboard::test::FakeCallStore store;
  feed::CallsApi api(store);
  BOOST_TEST(switchboard::test::json_error_of(api.summary(summary_request({})), 400) ==
             "since is required, e.g. since=2026-11-26T00:00:00Z");
  BOOST_TEST(switchboard::test::json_error_of(api.summary(summary_request({{"since", "today"}})), 400) ==
             "since must be an ISO 8601 date or time");
  BOOST_TEST(switchboard::test::json_error_of(api.summary(summary_request({{"since", "2025-11-26"}, {"limit", "5"}})),
                                              400) == "unknown parameter limit");
}

BOOST_AUTO_TEST_CASE(ADatabaseThatIsDownIsA503) {
  switchboard::test::FakeCallStore store;
  store.unavailable = true;
  feed::CallsApi api(store);
  const auto response = api.summary(summary_request({{"since", "2025-11-26"}}));
  BOOST_TEST(switchboard::test::json_error_of(response, 503) == "the call log is temporarily unavailable");
  BOOST_TEST(switchboard::test::header_of(response, "Retry-After") == "5");
}

BOOST_AUTO_TEST_CASE(WithoutAUserNothingIsCounted) {
  switchboard::test::FakeCallStore store;
  store.unavailable = true;  // would be a 503 if the store were asked
  feed::CallsApi api(store);
  auto request = summary_request({{"since", "2025-11-26"}});
  request.remote_user.clear();
  BOOST_TEST(api.summary(request).status == 401);
}

BOOST_AUTO_TEST_SUITE_END()
