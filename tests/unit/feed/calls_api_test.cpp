// The activity feed's JSON API: query validation (every bad parameter a 400 naming it), cursors, ISO 8601 input,
// and GET /api/calls[/{sid}] against an in-memory store, with the JSON parsed back and compared field by field.
#include <boost/test/unit_test.hpp>

#include <string>
#include <variant>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/json.h"
#include "../support/print.h"
#include "../support/response.h"
#include "../support/sample_calls.h"
#include "feed/call_json.h"
#include "feed/calls_api.h"

namespace {

namespace feed = switchboard::feed;
using switchboard::http::Params;
using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::store::CallQuery;
using switchboard::store::CallRow;
using switchboard::store::Cursor;
using switchboard::test::FakeCallStore;
using switchboard::test::header_of;
using switchboard::test::json_error_of;
using switchboard::test::parse_json;
using switchboard::test::string_of;

constexpr std::int64_t kStart = 1764147600000;  // 2025-11-26T09:00:00.000Z
const std::string kAnsweredSid = "CA000000000000000000000000000000a1";
const std::string kVoicemailSid = "CA000000000000000000000000000000b2";
const std::string kOngoingSid = "CA000000000000000000000000000000c3";

CallQuery parsed(const Params& params) {
  auto result = feed::parse_call_query(params);
  if (const auto* error = std::get_if<feed::QueryError>(&result)) BOOST_FAIL("rejected: " << error->message);
  return std::get<CallQuery>(result);
}

std::string rejection(const Params& params) {
  auto result = feed::parse_call_query(params);
  const auto* error = std::get_if<feed::QueryError>(&result);
  BOOST_REQUIRE_MESSAGE(error != nullptr, "accepted");
  return error->message;
}

// `name=value` is refused with a message that starts with the parameter's name.
void check_rejected(const std::string& name, const std::string& value) {
  BOOST_TEST_CONTEXT(name << "=" << value) {
    const std::string message = rejection({{name, value}});
    BOOST_TEST(message.rfind(name + " ", 0) == 0, "message: " << message);
  }
}

std::int64_t iso(const std::string& text) {
  const auto ms = feed::parse_iso8601(text);
  BOOST_REQUIRE_MESSAGE(ms, "rejected " << text);
  return *ms;
}

Request api_request(Params query = {}) {
  Request request;
  request.method = "GET";
  request.path = "/api/calls";
  request.query = std::move(query);
  request.remote_user = "alice";
  return request;
}

// Three calls: answered (oldest), voicemail, still ringing (newest).
void seed(FakeCallStore& store) {
  CallRow answered = switchboard::test::answered_call(kAnsweredSid, kStart);
  answered.caller_name = "ALICE";
  answered.from_city = "OAKLAND";
  answered.forwarded_to = "+14155550100";
  answered.forward_accepted = true;
  answered.dial_status = "completed";
  answered.duration_s = 55;
  answered.answered_at_ms = kStart + 2000;
  answered.ended_at_ms = kStart + 57123;
  store.put(answered);

  CallRow voicemail = switchboard::test::voicemail_call(kVoicemailSid, kStart + 60000);
  voicemail.recording_url =
      "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789abcdef0123456789abcdef";
  store.put(voicemail);

  CallRow ongoing;
  ongoing.sid = kOngoingSid;
  ongoing.from = "+14155550125";
  ongoing.to = "+14155550199";
  ongoing.status = "ringing";
  ongoing.started_at_ms = kStart + 120000;
  store.put(ongoing);
}

std::vector<std::string> member_names(const rapidjson::Value& object) {
  std::vector<std::string> names;
  for (const auto& member : object.GetObject()) names.emplace_back(member.name.GetString());
  return names;
}

std::vector<std::string> sids_of(const rapidjson::Value& calls) {
  std::vector<std::string> sids;
  for (const auto& call : calls.GetArray()) sids.push_back(string_of(call["sid"]));
  return sids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_call_query)

BOOST_AUTO_TEST_CASE(NoParametersMeansFirstPageOfFifty) {
  const CallQuery query = parsed({});
  BOOST_TEST(query.limit == 50);
  BOOST_TEST(!query.after.has_value());
  BOOST_TEST(!query.status);
  BOOST_TEST(!query.menu_choice);
  BOOST_TEST(!query.has_voicemail);
  BOOST_TEST(!query.from);
  BOOST_TEST(!query.since_ms);
  BOOST_TEST(!query.until_ms);
}

BOOST_AUTO_TEST_CASE(EveryValidParameterIsRead) {
  const CallQuery query = parsed({{"limit", "200"},
                                  {"cursor", "1764147600000-42"},
                                  {"status", "no-answer"},
                                  {"menu_choice", "none"},
                                  {"has_voicemail", "false"},
                                  {"outcome", "missed"},
                                  {"from", "+14155550123"},
                                  {"since", "2025-11-26"},
                                  {"until", "2025-11-27T00:00:00Z"}});
  BOOST_TEST(query.limit == 200);
  BOOST_REQUIRE(query.after.has_value());
  BOOST_TEST(query.after->started_at_ms == kStart);
  BOOST_TEST(query.after->id == 42);
  BOOST_TEST(query.status == "no-answer");
  BOOST_TEST(query.menu_choice == "none");
  BOOST_TEST(query.has_voicemail == false);
  BOOST_TEST(query.outcome == "missed");
  BOOST_TEST(query.from == "+14155550123");
  BOOST_TEST(query.since_ms == kStart - 9 * 3600 * 1000);
  BOOST_TEST(query.until_ms == kStart + 15 * 3600 * 1000);
}

BOOST_AUTO_TEST_CASE(EachCallStatusIsAFilter) {
  for (const char* status :
       {"queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"}) {
    BOOST_TEST(parsed({{"status", status}}).status == status);
  }
  BOOST_TEST(parsed({{"limit", "1"}}).limit == 1);
  BOOST_TEST(parsed({{"has_voicemail", "true"}}).has_voicemail == true);
  BOOST_TEST(parsed({{"menu_choice", "forward"}}).menu_choice == "forward");
}

// The words each call's "outcome" field uses, "in-progress" with its dash included.
BOOST_AUTO_TEST_CASE(EachOutcomeIsAFilter) {
  for (const char* outcome : {"answered", "missed", "voicemail", "abandoned", "in-progress"}) {
    BOOST_TEST(parsed({{"outcome", outcome}}).outcome == outcome);
  }
}

BOOST_AUTO_TEST_CASE(BadLimitIsRefused) {
  for (const char* value : {"0", "201", "abc", "", "-1", "1000", "5.0", " 5"}) check_rejected("limit", value);
}

BOOST_AUTO_TEST_CASE(BadFiltersAreRefusedByName) {
  check_rejected("cursor", "abc");
  check_rejected("cursor", "1764147600000");
  check_rejected("cursor", "1764147600000-x");
  check_rejected("status", "done");
  check_rejected("status", "Completed");
  check_rejected("menu_choice", "hangup");
  check_rejected("has_voicemail", "yes");
  check_rejected("has_voicemail", "1");
  check_rejected("outcome", "Answered");
  check_rejected("outcome", "in_progress");
  check_rejected("outcome", "");
  check_rejected("from", "<script>");
  check_rejected("since", "garbage");
  check_rejected("since", "2025-11-26T09:00:00");  // a time needs its zone
  check_rejected("until", "yesterday");
}

BOOST_AUTO_TEST_CASE(UnknownParameterIsNamed) {
  BOOST_TEST(rejection({{"sort", "asc"}}) == "unknown parameter sort");
  BOOST_TEST(rejection({{"limit", "5"}, {"Status", "completed"}}) == "unknown parameter Status");
  // A hostile name is cut, not echoed in full.
  BOOST_TEST(rejection({{std::string(100, 'x'), "1"}}) == "unknown parameter " + std::string(40, 'x'));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_cursor)

BOOST_AUTO_TEST_CASE(CursorRoundTrips) {
  const Cursor cursor{kStart + 123, 987654321};
  const std::string text = feed::encode_cursor(cursor);
  BOOST_TEST(text == "1764147600123-987654321");
  const auto decoded = feed::decode_cursor(text);
  BOOST_REQUIRE(decoded.has_value());
  BOOST_TEST(decoded->started_at_ms == cursor.started_at_ms);
  BOOST_TEST(decoded->id == cursor.id);
}

BOOST_AUTO_TEST_CASE(ForeignCursorsAreRefused) {
  for (const char* text : {"", "-", "1-", "-1", "abc-1", "1-abc", "1-2-3", "1 -2", "+1-2", "1234567890123456-1",
                           "1-1234567890123456789"}) {
    BOOST_TEST_CONTEXT("cursor '" << text << "'") { BOOST_TEST(!feed::decode_cursor(text).has_value()); }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_iso8601)

BOOST_AUTO_TEST_CASE(UtcWithZ) {
  BOOST_TEST(iso("2025-11-26T09:00:00Z") == kStart);
  BOOST_TEST(iso("2025-11-26T09:00Z") == kStart);
  BOOST_TEST(iso("1970-01-01T00:00:00Z") == 0);
}

BOOST_AUTO_TEST_CASE(OffsetsAreSubtracted) {
  BOOST_TEST(iso("2025-11-26T10:00:00+01:00") == kStart);
  BOOST_TEST(iso("2025-11-26T10:00:00+0100") == kStart);
  BOOST_TEST(iso("2025-11-26T04:00:00-05:00") == kStart);
  BOOST_TEST(iso("2025-11-26T14:30:00+05:30") == kStart);
  BOOST_TEST(iso("2025-11-26T09:00:00+00:00") == kStart);
}

BOOST_AUTO_TEST_CASE(FractionsAreMilliseconds) {
  BOOST_TEST(iso("2025-11-26T09:00:00.5Z") == kStart + 500);
  BOOST_TEST(iso("2025-11-26T09:00:00.05Z") == kStart + 50);
  BOOST_TEST(iso("2025-11-26T09:00:00.123Z") == kStart + 123);
  BOOST_TEST(iso("2025-11-26T09:00:00.123456789Z") == kStart + 123);
  BOOST_TEST(iso("2025-11-26T10:00:00.5+01:00") == kStart + 500);
}

BOOST_AUTO_TEST_CASE(DateOnlyIsUtcMidnight) {
  BOOST_TEST(iso("2025-11-26") == kStart - 9 * 3600 * 1000);
  BOOST_TEST(iso("2024-02-29") == std::int64_t{1709164800000});
}

BOOST_AUTO_TEST_CASE(MalformedTextIsRefused) {
  for (const char* text : {"", "2025", "2025-11", "26/11/2025", "2025-11-26T09:00:00", "2025-11-26 09:00:00Z",
                           "2025-11-26T9:00:00Z", "2025-13-01", "2025-11-32", "2025-11-00", "2025-11-26T24:00:00Z",
                           "2025-11-26T09:60:00Z", "2025-11-26T09:00:00.Z", "2025-11-26T09:00:00.1234567890Z",
                           "2025-11-26T09:00:00z", "2025-11-26Z", "now"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") { BOOST_TEST(!feed::parse_iso8601(text).has_value()); }
  }
}

// 30 February or month 00 would be normalised by timegm() into a date nobody asked for: a 400 instead.
BOOST_AUTO_TEST_CASE(ImpossibleCalendarDatesAreRefused) {
  for (const char* text : {"2026-00-10", "2026-02-30", "2025-02-29", "2026-04-31", "2026-00-10T09:00:00Z"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") { BOOST_TEST(!feed::parse_iso8601(text).has_value()); }
  }
}

// Offsets beyond ±14:59 do not exist.
BOOST_AUTO_TEST_CASE(ImpossibleZoneOffsetsAreRefused) {
  for (const char* text : {"2025-11-26T09:00:00+01:99", "2025-11-26T09:00:00+99:00"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") { BOOST_TEST(!feed::parse_iso8601(text).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(OutputIsUtcWithMilliseconds) {
  BOOST_TEST(feed::iso8601(kStart + 7) == "2025-11-26T09:00:00.007Z");
  BOOST_TEST(feed::iso8601(0) == "1970-01-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_calls_api)

BOOST_AUTO_TEST_CASE(ListWithoutAuthenticatedUserIsRefused) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  Request request = api_request();
  request.remote_user = "";
  const Response response = api.list(request);
  BOOST_TEST(json_error_of(response, 401) == "authentication required");
  // No Basic challenge: a browser would open its own password dialog instead of the sign-in page.
  BOOST_TEST(header_of(response, "WWW-Authenticate").empty());
  BOOST_TEST(!store.last_query.has_value());  // refused before the store was asked
  BOOST_TEST(json_error_of(api.get(request, kAnsweredSid), 401) == "authentication required");
}

BOOST_AUTO_TEST_CASE(ListWithBadParameterIs400NamingIt) {
  FakeCallStore store;
  feed::CallsApi api(store);
  BOOST_TEST(json_error_of(api.list(api_request({{"limit", "0"}})), 400) ==
             "limit must be a whole number from 1 to 200");
  BOOST_TEST(json_error_of(api.list(api_request({{"colour", "red"}})), 400) == "unknown parameter colour");
}

BOOST_AUTO_TEST_CASE(ListPagesNewestFirstWithCursor) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);

  const Response first = api.list(api_request({{"limit", "2"}}));
  BOOST_TEST(first.status == 200);
  BOOST_TEST(first.content_type == "application/json; charset=utf-8");
  BOOST_TEST(store.last_query->limit == 3);  // one more than asked tells whether there is another page
  const rapidjson::Document page1 = parse_json(first.body);
  BOOST_TEST(member_names(page1) == (std::vector<std::string>{"calls", "next_cursor"}),
             boost::test_tools::per_element());
  BOOST_TEST(sids_of(page1["calls"]) == (std::vector<std::string>{kOngoingSid, kVoicemailSid}),
             boost::test_tools::per_element());
  const std::string cursor = string_of(page1["next_cursor"]);
  BOOST_TEST(cursor == feed::encode_cursor({kStart + 60000, 2}));

  const rapidjson::Document page2 = parse_json(api.list(api_request({{"limit", "2"}, {"cursor", cursor}})).body);
  BOOST_TEST(sids_of(page2["calls"]) == (std::vector<std::string>{kAnsweredSid}), boost::test_tools::per_element());
  BOOST_TEST(page2["next_cursor"].IsNull());
}

BOOST_AUTO_TEST_CASE(ExactlyFullLastPageHasNoCursor) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  const rapidjson::Document page = parse_json(api.list(api_request({{"limit", "3"}})).body);
  BOOST_TEST(page["calls"].Size() == 3u);
  BOOST_TEST(page["next_cursor"].IsNull());
}

BOOST_AUTO_TEST_CASE(EmptyLogIsAnEmptyList) {
  FakeCallStore store;
  feed::CallsApi api(store);
  const Response response = api.list(api_request());
  BOOST_TEST(response.body == R"({"calls":[],"next_cursor":null})");
}

BOOST_AUTO_TEST_CASE(FiltersReachTheStore) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  const rapidjson::Document page =
      parse_json(api.list(api_request({{"has_voicemail", "true"}, {"status", "completed"}})).body);
  BOOST_TEST(sids_of(page["calls"]) == (std::vector<std::string>{kVoicemailSid}), boost::test_tools::per_element());
  BOOST_TEST(store.last_query->has_voicemail == true);
  BOOST_TEST(store.last_query->status == "completed");
  BOOST_TEST(store.last_query->limit == 51);
}

BOOST_AUTO_TEST_CASE(CallObjectHasTheContractFields) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  const rapidjson::Document page = parse_json(api.list(api_request()).body);
  const rapidjson::Value& answered = page["calls"][2];
  BOOST_TEST(member_names(answered) ==
                 (std::vector<std::string>{"sid", "from", "to", "caller_name", "from_city", "from_state",
                                           "from_country", "status", "menu_choice", "forwarded_to",
                                           "forward_accepted", "dial_status", "talk_s", "duration_s", "started_at",
                                           "answered_at", "ended_at", "outcome", "routing_rule", "voicemail"}),
             boost::test_tools::per_element());
  BOOST_TEST(string_of(answered["sid"]) == kAnsweredSid);
  BOOST_TEST(string_of(answered["from"]) == "+14155550123");
  BOOST_TEST(string_of(answered["to"]) == "+14155550199");
  BOOST_TEST(string_of(answered["caller_name"]) == "ALICE");
  BOOST_TEST(string_of(answered["from_city"]) == "OAKLAND");
  BOOST_TEST(answered["from_state"].IsNull());
  BOOST_TEST(string_of(answered["status"]) == "completed");
  BOOST_TEST(string_of(answered["menu_choice"]) == "forward");
  BOOST_TEST(string_of(answered["forwarded_to"]) == "+14155550100");
  BOOST_TEST(answered["forward_accepted"].GetBool());
  BOOST_TEST(string_of(answered["dial_status"]) == "completed");
  BOOST_TEST(answered["talk_s"].GetInt() == 42);
  BOOST_TEST(answered["duration_s"].GetInt() == 55);
  BOOST_TEST(string_of(answered["started_at"]) == "2025-11-26T09:00:00.000Z");
  BOOST_TEST(string_of(answered["answered_at"]) == "2025-11-26T09:00:02.000Z");
  BOOST_TEST(string_of(answered["ended_at"]) == "2025-11-26T09:00:57.123Z");
  BOOST_TEST(string_of(answered["outcome"]) == "answered");
  BOOST_TEST(answered["voicemail"].IsNull());

  const rapidjson::Value& ongoing = page["calls"][0];
  BOOST_TEST(string_of(ongoing["outcome"]) == "in-progress");
  BOOST_TEST(ongoing["ended_at"].IsNull());
  BOOST_TEST(ongoing["menu_choice"].IsNull());
  BOOST_TEST(ongoing["talk_s"].IsNull());
}

// A row folded before talk time required a bridged dial may hold a declined screen's seconds: never shown.
BOOST_AUTO_TEST_CASE(NoTalkTimeForAForwardThatWasNotBridged) {
  FakeCallStore store;
  CallRow declined = switchboard::test::answered_call(kAnsweredSid, kStart);
  declined.dial_status = "completed";
  declined.dial_bridged = false;
  declined.talk_s = 7;
  store.put(declined);
  feed::CallsApi api(store);
  const rapidjson::Document page = parse_json(api.list(api_request()).body);
  BOOST_TEST(page["calls"][0]["talk_s"].IsNull());
  BOOST_TEST(string_of(page["calls"][0]["outcome"]) == "missed");
}

BOOST_AUTO_TEST_CASE(VoicemailPointsAtOurEndpoint) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  const Response response = api.list(api_request());
  const rapidjson::Document page = parse_json(response.body);
  const rapidjson::Value& call = page["calls"][1];
  BOOST_TEST(string_of(call["outcome"]) == "voicemail");
  const rapidjson::Value& voicemail = call["voicemail"];
  BOOST_REQUIRE(voicemail.IsObject());
  BOOST_TEST(string_of(voicemail["url"]) == "/api/calls/" + kVoicemailSid + "/voicemail");
  BOOST_TEST(string_of(voicemail["recording_sid"]) == "RE0123456789abcdef0123456789abcdef");
  BOOST_TEST(voicemail["duration_s"].GetInt() == 12);
  BOOST_TEST(string_of(voicemail["status"]) == "completed");
  BOOST_TEST(voicemail["heard"].GetBool() == false);
  BOOST_TEST(string_of(voicemail["transcription"]) == "Call me back");
  BOOST_TEST(voicemail["transcription_status"].IsNull());
  // Twilio's media URL needs the account's credentials; it never reaches the browser.
  BOOST_TEST(response.body.find("api.twilio.com") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(StoreDownIs503WithRetryAfter) {
  FakeCallStore store;
  store.unavailable = true;
  feed::CallsApi api(store);
  const Response list = api.list(api_request());
  BOOST_TEST(json_error_of(list, 503) == "the call log is temporarily unavailable");
  BOOST_TEST(header_of(list, "Retry-After") == "5");
  BOOST_TEST(json_error_of(api.get(api_request(), kAnsweredSid), 503) == "the call log is temporarily unavailable");
}

BOOST_AUTO_TEST_CASE(GetUnknownCallIs404) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  BOOST_TEST(json_error_of(api.get(api_request(), "CA0000000000000000000000000000dead"), 404) == "no such call");
}

BOOST_AUTO_TEST_CASE(GetMalformedSidIs404WithoutAskingTheStore) {
  FakeCallStore store;
  store.unavailable = true;  // a question to the store would be a 503
  feed::CallsApi api(store);
  for (const char* sid : {"", "CA1/voicemail", "CA1'--", "../etc"}) {
    BOOST_TEST_CONTEXT("sid '" << sid << "'") {
      BOOST_TEST(json_error_of(api.get(api_request(), sid), 404) == "no such call");
    }
  }
}

BOOST_AUTO_TEST_CASE(GetKnownCallHasItsEvents) {
  FakeCallStore store;
  seed(store);
  store.put_event(kAnsweredSid, {0, "voice", "", R"({"CallSid":"CA1","From":"+14155550123"})", kStart, std::nullopt, std::nullopt});
  store.put_event(kAnsweredSid, {0, "menu", "attempt=1", R"({"CallSid":"CA1","Digits":"1"})", kStart + 8000, std::nullopt, std::nullopt});
  store.put_event(kAnsweredSid, {0, "call-status", "", "not json", kStart + 57123, std::nullopt, std::nullopt});
  store.put_event(kVoicemailSid, {0, "voice", "", "{}", kStart + 60000, std::nullopt, std::nullopt});
  feed::CallsApi api(store);
  const Response response = api.get(api_request(), kAnsweredSid);
  BOOST_TEST(response.status == 200);
  const rapidjson::Document call = parse_json(response.body);
  BOOST_TEST(string_of(call["sid"]) == kAnsweredSid);
  BOOST_TEST(string_of(call["outcome"]) == "answered");
  const rapidjson::Value& events = call["events"];
  BOOST_REQUIRE(events.IsArray());
  BOOST_REQUIRE(events.Size() == 3u);
  BOOST_TEST(member_names(events[0]) == (std::vector<std::string>{"kind", "label", "received_at", "rule", "rule_detail", "params"}),
             boost::test_tools::per_element());
  BOOST_TEST(string_of(events[0]["kind"]) == "voice");
  BOOST_TEST(string_of(events[0]["label"]) == "Call came in");  // the step table's name, shown by the page
  BOOST_TEST(string_of(events[2]["label"]) == "Call status");
  BOOST_TEST(string_of(events[0]["received_at"]) == "2025-11-26T09:00:00.000Z");
  BOOST_TEST(string_of(events[0]["params"]["From"]) == "+14155550123");
  BOOST_TEST(string_of(events[1]["kind"]) == "menu");
  BOOST_TEST(string_of(events[1]["params"]["Digits"]) == "1");
  BOOST_TEST(events[2]["params"].IsNull());  // a stored document that does not parse is shown as null
}

BOOST_AUTO_TEST_CASE(HostileCallerNameComesBackVerbatim) {
  FakeCallStore store;
  CallRow row;
  row.sid = kAnsweredSid;
  const std::string name = "</script><img src=x onerror=alert(1)> \"quoted\" \\ \xE2\x80\xA8 ]]>";
  row.caller_name = name;
  row.from_city = "Jos\xE9";  // not UTF-8
  row.status = "completed";
  row.started_at_ms = kStart;
  store.put(row);
  feed::CallsApi api(store);
  const Response response = api.get(api_request(), kAnsweredSid);
  const rapidjson::Document call = parse_json(response.body);  // also proves the body is valid UTF-8 JSON
  BOOST_TEST(string_of(call["caller_name"]) == name);
  BOOST_TEST(string_of(call["from_city"]) == "Jos\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(OutcomeFilterReachesTheStoreAndKeepsOnlyThatOutcome) {
  FakeCallStore store;
  seed(store);
  feed::CallsApi api(store);
  const rapidjson::Document page = parse_json(api.list(api_request({{"outcome", "voicemail"}})).body);
  BOOST_TEST(sids_of(page["calls"]) == (std::vector<std::string>{kVoicemailSid}), boost::test_tools::per_element());
  BOOST_TEST(store.last_query->outcome == "voicemail");
  for (const auto& call : page["calls"].GetArray()) BOOST_TEST(string_of(call["outcome"]) == "voicemail");
}

BOOST_AUTO_TEST_SUITE_END()
