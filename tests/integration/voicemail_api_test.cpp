// Voicemail playback through the authenticated API (fetched from the fake Twilio with the account's credentials,
// served by nginx with Range support) and the heard marker with its cross-site guard.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "support/stack.h"

using namespace integration;

namespace {

std::string leave_voicemail() {
  callsim::Scenario scenario;
  scenario.presses = {"2"};
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_REQUIRE(report.ok());
  return report.call_sid;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(voicemail_api)

BOOST_AUTO_TEST_CASE(AVoicemailPlaysThroughTheApiOnly) {
  const std::string sid = leave_voicemail();
  const std::string path = "/api/calls/" + sid + "/voicemail";
  BOOST_TEST(request("GET", path, false).status == 401);

  const HttpResult audio = request("GET", path, true);
  BOOST_TEST(audio.status == 200);
  BOOST_TEST(audio.content_type == "audio/mpeg");
  BOOST_REQUIRE(audio.body.size() > 1000);
  // An MP3 starts with an ID3 tag or a frame sync.
  const bool mp3 = audio.body.compare(0, 3, "ID3") == 0 ||
                   (static_cast<unsigned char>(audio.body[0]) == 0xFF && (audio.body[1] & 0xE0) == 0xE0);
  BOOST_TEST(mp3);

  const HttpResult part = request("GET", path, true, "", {"Range: bytes=100-199"});
  BOOST_TEST(part.status == 206);
  BOOST_TEST(part.body.size() == 100u);
  BOOST_TEST(part.body == audio.body.substr(100, 100));
}

BOOST_AUTO_TEST_CASE(ARecordingTwilioDoesNotHaveYetIsAClear409) {
  // A recording SID the fake Twilio answers 404 for, delivered by a signed voicemail-done webhook.
  const std::string sid = new_call_sid();
  const std::string recording = "RE000" + std::string(29, '0');
  const HttpResult done = post_webhook("/twilio/voice/voicemail-done",
                                       {{"AccountSid", stack().account_sid}, {"CallSid", sid}, {"CallStatus", "completed"},
                                        {"From", "+14155550100"}, {"To", "+15005550006"},
                                        {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" +
                                                             stack().account_sid + "/Recordings/" + recording},
                                        {"RecordingSid", recording}, {"RecordingDuration", "5"}, {"Digits", "hangup"}});
  BOOST_REQUIRE(done.status == 200);
  const HttpResult audio = request("GET", "/api/calls/" + sid + "/voicemail", true);
  BOOST_TEST(audio.status == 409);
  BOOST_TEST(audio.body.find("not available") != std::string::npos);
  BOOST_TEST(request("GET", "/api/calls/" + new_call_sid() + "/voicemail", true).status == 404);
}

BOOST_AUTO_TEST_CASE(MarkingHeardNeedsJsonAndACustomHeader) {
  const std::string sid = leave_voicemail();
  const std::string path = "/api/calls/" + sid + "/voicemail/heard";
  // What a cross-site HTML form could send.
  BOOST_TEST(request("POST", path, true, "heard=true", {"Content-Type: application/x-www-form-urlencoded"}).status == 415);
  BOOST_TEST(request("POST", path, false, "{\"heard\":true}",
                     {"Content-Type: application/json", "X-Requested-With: switchboard"}).status == 401);
  BOOST_TEST(request("POST", path, true, "{\"heard\":\"yes\"}",
                     {"Content-Type: application/json", "X-Requested-With: switchboard"}).status == 400);

  const HttpResult marked = request("POST", path, true, "{\"heard\":true}",
                                    {"Content-Type: application/json", "X-Requested-With: switchboard"});
  BOOST_TEST(marked.status == 200);
  rapidjson::Document json;
  json.Parse(marked.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  BOOST_TEST(json["voicemail"]["heard"].GetBool() == true);
  BOOST_TEST(call_row(sid).at("voicemail_heard_at") != "NULL");

  const HttpResult unmarked = request("POST", path, true, "{\"heard\":false}",
                                      {"Content-Type: application/json", "X-Requested-With: switchboard"});
  BOOST_TEST(unmarked.status == 200);
  BOOST_TEST(call_row(sid).at("voicemail_heard_at") == "NULL");
}

BOOST_AUTO_TEST_SUITE_END()
