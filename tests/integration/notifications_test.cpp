// After the beep: the transcription reaches the feed, and the owner gets exactly one SMS and one signed webhook per
// voicemail — with Twilio's callbacks delivered twice and the first SMS attempt failing.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/stack.h"

using namespace integration;

namespace {

// Requests the fake Twilio received, as parsed JSON lines.
std::vector<rapidjson::Document> fake_twilio_requests() {
  std::vector<rapidjson::Document> requests;
  std::ifstream log(stack().dir + "/fake-twilio/requests.jsonl");
  std::string line;
  while (std::getline(log, line)) {
    rapidjson::Document entry;
    entry.Parse(line.c_str());
    if (entry.IsObject()) requests.push_back(std::move(entry));
  }
  return requests;
}

int fake_twilio_port() {
  std::ifstream file(stack().dir + "/run/fake-twilio.port");
  int port = 0;
  file >> port;
  return port;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notifications)

BOOST_AUTO_TEST_CASE(OneSmsAndOneSignedWebhookPerVoicemailDespiteRepeatsAndAFailure) {
  callsim::Scenario scenario;
  scenario.call_sid = new_call_sid();
  scenario.presses = {"2"};
  scenario.caller_name = "Grace Hopper";
  scenario.duplicate_callbacks = true;
  // The fake Twilio fails the first SMS about this call.
  const std::string control = "curl -s -o /dev/null -X POST --data 'match=" + scenario.call_sid +
                              "&count=1' http://127.0.0.1:" + std::to_string(fake_twilio_port()) +
                              "/control/fail-messages";
  BOOST_REQUIRE(std::system(control.c_str()) == 0);

  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_REQUIRE(report.ok());
  const std::string sid = report.call_sid;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  // Both channels sent, and the three attempts (one failed SMS, then SMS and webhook) in the timeline.
  while (std::chrono::steady_clock::now() < deadline &&
         (count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND status = 'sent'", {sid}) < 2 ||
          count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'notification'", {sid}) < 3)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ?", {sid}) == 2);
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND status = 'sent'", {sid}) == 2);
  BOOST_TEST(count("SELECT attempts FROM notifications WHERE call_sid = ? AND channel = 'sms'", {sid}) == 2);

  int sms_accepted = 0, sms_refused = 0, webhooks_verified = 0, webhooks_other = 0;
  std::string sms_body;
  for (const auto& entry : fake_twilio_requests()) {
    const std::string path = entry["path"].GetString();
    const std::string body = entry["body"].GetString();
    if (body.find(sid) == std::string::npos) continue;
    if (path.find("/Messages.json") != std::string::npos) {
      if (entry["answered"].GetInt() == 201) {
        ++sms_accepted;
        sms_body = body;
      } else {
        ++sms_refused;
      }
    } else if (path == "/hooks/voicemail") {
      (entry["verified"].GetBool() ? webhooks_verified : webhooks_other)++;
    }
  }
  BOOST_TEST(sms_refused == 1);
  BOOST_TEST(sms_accepted == 1);
  BOOST_TEST(webhooks_verified == 1);
  BOOST_TEST(webhooks_other == 0);
  BOOST_TEST(sms_body.find("To=%2B15005550009") != std::string::npos);
  BOOST_TEST(sms_body.find("Grace") != std::string::npos);

  // The transcription is in the feed, and the notification attempts are in the call's timeline.
  HttpResult call = request("GET", "/api/calls/" + sid, true);
  rapidjson::Document json;
  json.Parse(call.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  BOOST_REQUIRE(json["voicemail"].IsObject());
  BOOST_REQUIRE(json["voicemail"]["transcription"].IsString());
  BOOST_TEST(std::string(json["voicemail"]["transcription"].GetString()).size() > 5u);
  int failed = 0, sent = 0;
  for (const auto& event : json["events"].GetArray()) {
    if (std::string(event["kind"].GetString()) != "notification") continue;
    (std::string(event["params"]["Result"].GetString()) == "sent" ? sent : failed)++;
  }
  BOOST_TEST(sent == 2);
  BOOST_TEST(failed == 1);
}

BOOST_AUTO_TEST_SUITE_END()
