// After the beep: the transcription reaches the feed, and the owner gets exactly one SMS and one signed webhook per
// voicemail — with Twilio's callbacks delivered twice and the first SMS attempt failing, and with two notifiers
// working off a backlog of slow deliveries that outlasts their claims' lease. Each voicemail also has its audio
// fetched once, on the queue's third channel (audio_prefetch_test.cpp tests that one on its own).
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/stack.h"

using namespace integration;

namespace {

template <typename Condition>
bool eventually(Condition condition, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return condition();
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// "?, ?, …" for `n` bound values.
std::string placeholders(size_t n) {
  std::string list;
  for (size_t i = 0; i < n; ++i) list += i == 0 ? "?" : ", ?";
  return list;
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
  // The three channels done (SMS, webhook, audio), and their four attempts (one failed SMS, then SMS, webhook and
  // the audio fetch) in the timeline.
  while (std::chrono::steady_clock::now() < deadline &&
         (count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND status = 'sent'", {sid}) < 3 ||
          count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'notification'", {sid}) < 4)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ?", {sid}) == 3);
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND status = 'sent'", {sid}) == 3);
  BOOST_TEST(count("SELECT attempts FROM notifications WHERE call_sid = ? AND channel = 'audio'", {sid}) == 1);
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
  int failed = 0, sent = 0, audio_fetched = 0;
  for (const auto& event : json["events"].GetArray()) {
    if (std::string(event["kind"].GetString()) != "notification") continue;
    const std::string result = event["params"]["Result"].GetString();
    if (std::string(event["params"]["Channel"].GetString()) == "audio") {
      audio_fetched += result == "fetched";
      continue;
    }
    (result == "sent" ? sent : failed)++;
  }
  BOOST_TEST(sent == 2);
  BOOST_TEST(failed == 1);
  BOOST_TEST(audio_fetched == 1);
}

BOOST_AUTO_TEST_CASE(TwoNotifiersOnOneBacklogOfSlowDeliveriesSendEachVoicemailOnce) {
  // The stack's notifier is stopped while eight voicemails arrive, so sixteen notifications (SMS and webhook) wait in
  // the queue, beside the eight audio fetches (not slowed down: they are not what this test is about). It is started
  // again, and once it has begun, a second notifier joins on the same queue. The fake Twilio and the webhook receiver
  // take 2 s for each of these deliveries (under the stack's 3 s delivery timeout), so the backlog takes about 32 s of
  // sending, while claims are leased for 17 s (tests/integration/stack.sh). A notifier that claimed the backlog as one
  // batch would still hold unsent rows when its lease ran out, and the other one would claim and send them again.
  const std::string marker = "Backlog Caller";
  struct Restore {
    ~Restore() {
      stack_command("sb_stop_pid \"$SB_DIR/run/notify-2.pid\"; sb_start_notifier");
      control_fake_twilio("delay", "match=Backlog Caller&seconds=0");
    }
  } restore;
  BOOST_REQUIRE(control_fake_twilio("delay", "match=" + marker + "&seconds=2"));
  BOOST_REQUIRE(stack_command("sb_stop_pid \"$SB_DIR/run/notify.pid\"") == 0);

  std::vector<std::string> sids;
  for (int i = 1; i <= 8; ++i) {
    callsim::Scenario scenario;
    scenario.presses = {"2"};
    scenario.caller_name = marker + " " + std::to_string(i);
    scenario.from = "+1415555070" + std::to_string(i);
    const auto report = callsim::run_call(simulator_options(), scenario);
    for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
    BOOST_REQUIRE(report.ok());
    sids.push_back(report.call_sid);
  }
  const std::string ours = " WHERE call_sid IN (" + placeholders(sids.size()) + ")";
  const std::string messages = ours + " AND channel IN ('sms', 'webhook')";
  BOOST_REQUIRE(eventually(
      [&] {
        return count("SELECT COUNT(*) FROM notifications" + messages +
                         " AND status = 'pending' AND attempts = 0 AND next_attempt_at <= UTC_TIMESTAMP(3)",
                     sids) == 16;
      },
      std::chrono::seconds(30)));

  BOOST_REQUIRE(stack_command("sb_start_notifier") == 0);
  BOOST_REQUIRE(
      eventually([&] { return count("SELECT COUNT(*) FROM notifications" + messages + " AND attempts > 0", sids) > 0; },
                 std::chrono::seconds(10)));
  BOOST_REQUIRE(stack_command("sb_start_notifier notify-2") == 0);

  BOOST_TEST(eventually(
      [&] { return count("SELECT COUNT(*) FROM notifications" + ours + " AND status = 'sent'", sids) == 24; },
      std::chrono::seconds(90)));
  // Anything still in flight (a second send of a row already marked sent) lands within one delivery: wait until
  // the fake has heard nothing new for longer than that.
  size_t heard = fake_twilio_requests().size();
  for (int quiet = 0; quiet < 4;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const size_t now = fake_twilio_requests().size();
    quiet = now == heard ? quiet + 1 : 0;
    heard = now;
  }

  std::map<std::string, int> sms, webhooks;
  for (const auto& entry : fake_twilio_requests()) {
    const std::string path = entry["path"].GetString();
    const std::string body = entry["body"].GetString();
    for (const std::string& sid : sids) {
      if (body.find(sid) == std::string::npos) continue;
      if (path.find("/Messages.json") != std::string::npos) {
        BOOST_TEST(entry["answered"].GetInt() == 201);
        sms[sid]++;
      } else if (path == "/hooks/voicemail") {
        BOOST_TEST(entry["verified"].GetBool());
        webhooks[sid]++;
      }
    }
  }
  for (const std::string& sid : sids) {
    BOOST_TEST_CONTEXT("call " << sid) {
      BOOST_TEST(sms[sid] == 1);
      BOOST_TEST(webhooks[sid] == 1);
      // Each row (SMS, webhook, audio) sent, and claimed once: no lease ran out under a notifier.
      BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND status = 'sent' AND attempts = 1",
                       {sid}) == 3);
      BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'notification'", {sid}) == 3);
    }
  }
  // Both notifiers did part of the work.
  int first = 0, second = 0;
  const std::string first_log = read_file(stack().dir + "/log/notify.log");
  const std::string second_log = read_file(stack().dir + "/log/notify-2.log");
  for (const std::string& sid : sids) {
    for (const char* channel : {"sms", "webhook"}) {
      const std::string line = std::string(channel) + " for " + sid + " sent\n";
      first += first_log.find(line) != std::string::npos;
      second += second_log.find(line) != std::string::npos;
    }
  }
  BOOST_TEST_MESSAGE("sent by the stack's notifier: " << first << ", by the second: " << second);
  BOOST_TEST(first > 0);
  BOOST_TEST(second > 0);
  BOOST_TEST(first + second == 16);
}

BOOST_AUTO_TEST_SUITE_END()
