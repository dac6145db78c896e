// Every path a caller can take, played by the Twilio simulator through nginx → workers → MariaDB: where the call
// ends, what the caller heard, and the call record left behind. The stack runs with 2 menu attempts.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <algorithm>

#include "support/stack.h"

using namespace integration;

namespace {

callsim::CallReport play(callsim::Scenario scenario) {
  callsim::CallReport report = callsim::run_call(simulator_options(), scenario);
  for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
  BOOST_TEST(report.ok());
  return report;
}

callsim::Scenario pressing(std::vector<std::string> presses, std::string dial = "answered") {
  callsim::Scenario scenario;
  scenario.presses = std::move(presses);
  scenario.dial = std::move(dial);
  return scenario;
}

bool heard(const callsim::CallReport& report, const std::string& words) {
  return std::any_of(report.heard.begin(), report.heard.end(),
                     [&](const std::string& text) { return text.find(words) != std::string::npos; });
}

void expect_company_voicemail(const std::map<std::string, std::string>& row, int seconds) {
  BOOST_TEST(row.at("recording_sid").rfind("RE", 0) == 0);
  BOOST_TEST(row.at("recording_status") == "completed");
  BOOST_TEST(row.at("recording_duration_s") == std::to_string(seconds));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(call_flow)

BOOST_AUTO_TEST_CASE(PressOneAndTheForwardedPhoneAccepts) {
  const auto report = play(pressing({"1"}, "answered"));
  BOOST_TEST(report.outcome == "connected");
  BOOST_TEST(!report.screen_heard.empty());
  BOOST_TEST(report.screen_heard.front().find("Call for Acme Plumbing from") != std::string::npos);

  const auto row = call_row(report.call_sid);
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(row.at("menu_choice") == "forward");
  BOOST_TEST(row.at("forwarded_to") == stack().forward_to);
  BOOST_TEST(stack().forward_to != stack().twilio_number);  // so this proves the forward number was dialled
  BOOST_TEST(row.at("forward_accepted") == "1");
  BOOST_TEST(row.at("dial_status") == "completed");
  BOOST_TEST(row.at("dial_bridged") == "1");
  BOOST_TEST(row.at("talk_s") == "30");
  BOOST_TEST(row.at("status") == "completed");
  BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s));
  BOOST_TEST(row.at("recording_sid") == "NULL");
  BOOST_TEST(row.at("ended_at") != "NULL");
}

BOOST_AUTO_TEST_CASE(PressOneNobodyAnswersAndTheCallerLeavesAVoicemail) {
  for (const char* outcome : {"no-answer", "busy", "failed"}) {
    callsim::Scenario scenario = pressing({"1"}, outcome);
    scenario.record_seconds = 17;
    const auto report = play(scenario);
    BOOST_TEST(report.outcome == "voicemail", outcome);
    BOOST_TEST(heard(report, "nobody is available"), outcome);
    const auto row = call_row(report.call_sid);
    BOOST_TEST(row.at("menu_choice") == "forward");
    BOOST_TEST(row.at("dial_status") == outcome);
    BOOST_TEST(row.at("dial_bridged") == "0");
    expect_company_voicemail(row, 17);
  }
}

BOOST_AUTO_TEST_CASE(APhonesOwnVoicemailIgnoresTheScreenAndTheCallerGetsTheCompanyVoicemail) {
  const auto report = play(pressing({"1"}, "voicemail"));
  BOOST_TEST(report.outcome == "voicemail");
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("dial_status") == "completed");  // the personal voicemail did answer the child call…
  BOOST_TEST(row.at("dial_bridged") == "0");         // …but the caller was never connected to it
  expect_company_voicemail(row, 12);
}

BOOST_AUTO_TEST_CASE(TheForwardedPersonDeclinesAndTheCallerGetsVoicemail) {
  const auto report = play(pressing({"1"}, "declined"));
  BOOST_TEST(report.outcome == "voicemail");
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("forward_accepted") == "0");
  BOOST_TEST(row.at("dial_bridged") == "0");
  expect_company_voicemail(row, 12);
}

BOOST_AUTO_TEST_CASE(PressTwoLeavesAVoicemail) {
  const auto report = play(pressing({"2"}));
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_TEST(heard(report, "leave a message"));
  BOOST_TEST(heard(report, "[beep]"));
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("menu_choice") == "voicemail");
  BOOST_TEST(row.at("dial_status") == "NULL");
  expect_company_voicemail(row, 12);
}

BOOST_AUTO_TEST_CASE(AWrongKeyThenTwo) {
  const auto report = play(pressing({"7", "2"}));
  BOOST_TEST(heard(report, "not a valid choice"));
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_TEST(call_row(report.call_sid).at("menu_choice") == "voicemail");
}

BOOST_AUTO_TEST_CASE(SilenceThroughoutEndsInTheDefaultVoicemail) {
  const auto report = play(pressing({"", ""}));
  BOOST_TEST(report.outcome == "voicemail");
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("menu_choice") == "NULL");
  expect_company_voicemail(row, 12);
}

BOOST_AUTO_TEST_CASE(TheCallerHangsUpInTheMenu) {
  const auto report = play(pressing({"hangup"}));
  BOOST_TEST(report.outcome == "hangup-in-menu");
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("status") == "completed");
  BOOST_TEST(row.at("menu_choice") == "NULL");
  BOOST_TEST(row.at("recording_sid") == "NULL");

  HttpResult call = request("GET", "/api/calls/" + report.call_sid, true);
  rapidjson::Document json;
  json.Parse(call.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  BOOST_TEST(std::string(json["outcome"].GetString()) == "abandoned");
}

BOOST_AUTO_TEST_CASE(TheCallerHangsUpWhileRecording) {
  callsim::Scenario scenario = pressing({"2"});
  scenario.hangup_during_record = true;
  scenario.record_seconds = 9;
  const auto report = play(scenario);
  expect_company_voicemail(call_row(report.call_sid), 9);
}

BOOST_AUTO_TEST_CASE(DuplicateAndReorderedCallbacksNeverMoveTheCallBackwards) {
  callsim::Scenario scenario = pressing({"1"}, "answered");
  scenario.duplicate_callbacks = true;
  scenario.reorder_callbacks = true;
  const auto report = play(scenario);
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("status") == "completed");
  BOOST_TEST(row.at("status_sequence") == "2");
  BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s));
  // completed, in-progress and ringing once each, though each was delivered twice.
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'call-status'",
                   {report.call_sid}) == 3);
}

BOOST_AUTO_TEST_CASE(TheCallAndItsTimelineAreInTheApi) {
  callsim::Scenario scenario = pressing({"2"});
  scenario.caller_name = "<img src=x onerror=alert(1)>";
  scenario.from_city = "Robert'); DROP TABLE calls;--";
  scenario.from_country = "FR";
  const auto report = play(scenario);

  HttpResult call = request("GET", "/api/calls/" + report.call_sid, true);
  BOOST_TEST(call.status == 200);
  rapidjson::Document json;
  json.Parse(call.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  BOOST_TEST(std::string(json["sid"].GetString()) == report.call_sid);
  BOOST_TEST(std::string(json["caller_name"].GetString()) == "<img src=x onerror=alert(1)>");
  BOOST_TEST(std::string(json["from_city"].GetString()) == "Robert'); DROP TABLE calls;--");
  BOOST_TEST(std::string(json["menu_choice"].GetString()) == "voicemail");
  BOOST_TEST(std::string(json["outcome"].GetString()) == "voicemail");
  BOOST_REQUIRE(json["voicemail"].IsObject());
  BOOST_TEST(std::string(json["voicemail"]["url"].GetString()) == "/api/calls/" + report.call_sid + "/voicemail");
  BOOST_REQUIRE(json["events"].IsArray());
  std::vector<std::string> kinds;
  for (const auto& event : json["events"].GetArray()) {
    // Notification attempts are appended by switchboard-notify whenever it runs: not Twilio's webhooks.
    if (std::string(event["kind"].GetString()) != "notification") kinds.emplace_back(event["kind"].GetString());
  }
  const std::vector<std::string> expected{"voice", "menu", "voicemail-done", "recording-status", "transcription",
                                          "call-status"};
  BOOST_TEST(kinds == expected, boost::test_tools::per_element());

  BOOST_TEST(request("GET", "/api/calls/CAdoesnotexist", true).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
