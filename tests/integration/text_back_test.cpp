// The text back through the real stack: with text-back switched on by PUT /api/routing (the feed pool saves it and
// writes the host's routing snapshot, which the workers and switchboard-notify read), a caller whose call was missed
// or went to voicemail gets exactly one SMS, the routing's message, from the number they called — once per caller
// and day, however often Twilio repeats its callbacks. Nothing for a toll-free or withheld number, a blocked caller,
// or a call the completed status made look missed before its <Dial> action said it was answered.
//
// The text back waits 60 s for late callbacks (store::kTextBackSettleS) before its first attempt; each test checks
// that wait in the row, then ends it by moving next_attempt_at to now, as other tests move a session's last use.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/routing.h"
#include "support/stack.h"

using namespace integration;

namespace {

constexpr char kMessage[] = "Sorry we missed your call to Acme Plumbing. We will call you back today.";
constexpr char kBlocked[] = "+14155550173";

// "a%20b+c" → "a b c".
std::string form_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= body.size()) {
    const size_t end = std::min(body.find('&', start), body.size());
    const std::string pair = body.substr(start, end - start);
    const size_t equals = pair.find('=');
    if (equals != std::string::npos) fields[form_decode(pair.substr(0, equals))] = form_decode(pair.substr(equals + 1));
    start = end + 1;
  }
  return fields;
}

std::string fake_twilio_log() {
  return stack().dir + "/fake-twilio/requests.jsonl";
}

// Lines in the fake Twilio's log: the requests it received so far.
size_t fake_twilio_heard() {
  std::ifstream log(fake_twilio_log());
  return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>(), '\n'));
}

// The SMS to `number` the fake Twilio accepted (Messages API, answered 201) after its first `since` requests, as
// their form fields.
std::vector<std::map<std::string, std::string>> texts_to(const std::string& number, size_t since) {
  std::vector<std::map<std::string, std::string>> texts;
  std::ifstream log(fake_twilio_log());
  std::string line;
  for (size_t skipped = 0; skipped < since && std::getline(log, line); ++skipped) {
  }
  while (std::getline(log, line)) {
    rapidjson::Document entry;
    entry.Parse(line.c_str());
    if (!entry.IsObject() || !entry.HasMember("answered") || !entry["answered"].IsInt()) continue;
    if (std::string(entry["path"].GetString()).find("/Messages.json") == std::string::npos) continue;
    if (entry["answered"].GetInt() != 201) continue;
    std::map<std::string, std::string> fields = form_fields(entry["body"].GetString());
    if (fields["To"] == number) texts.push_back(std::move(fields));
  }
  return texts;
}

// Text-back on, with kMessage, and kBlocked on the blocklist, while it lives (a RoutingChange: the routing found is
// saved back after). Text backs of an earlier run on this stack are forgotten first: they took their callers' day.
class TextBackOn {
 public:
  TextBackOn()
      : change_((execute("DELETE FROM notifications WHERE channel = 'text-back'"),
                 [](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
                   routing["text_back"]["enabled"].SetBool(true);
                   routing["text_back"]["message"].SetString(kMessage, allocator);
                   routing["blocklist"].PushBack(rapidjson::Value(kBlocked, allocator), allocator);
                 })) {
    // switchboard-notify reads the snapshot too, as often as the workers.
    wait_for_workers_to_see_routing();
  }

 private:
  RoutingChange change_;
};

Params call_params(const std::string& sid, const std::string& from, const std::string& status) {
  return {{"AccountSid", stack().account_sid},
          {"CallSid", sid},
          {"CallStatus", status},
          {"From", from},
          {"To", "+15005550006"},
          {"Direction", "inbound"},
          {"ApiVersion", "2010-04-01"}};
}

void post(const std::string& path, Params params) {
  const HttpResult answer = post_webhook(path, params);
  BOOST_REQUIRE_MESSAGE(answer.status == 200 || answer.status == 204, path << " answered " << answer.status);
}

void incoming(const std::string& sid, const std::string& from) {
  post("/twilio/voice", call_params(sid, from, "ringing"));
}

void press_forward(const std::string& sid, const std::string& from) {
  Params params = call_params(sid, from, "in-progress");
  params.emplace_back("Digits", "1");
  post("/twilio/voice/menu?attempt=1", params);
}

void dial_ended(const std::string& sid, const std::string& from, const std::string& dial_status, bool bridged) {
  Params params = call_params(sid, from, "in-progress");
  params.emplace_back("DialCallStatus", dial_status);
  params.emplace_back("DialBridged", bridged ? "true" : "false");
  if (bridged) params.emplace_back("DialCallDuration", "42");
  post("/twilio/voice/dial-result", params);
}

void completed(const std::string& sid, const std::string& from, const std::string& sequence = "2") {
  Params params = call_params(sid, from, "completed");
  params.emplace_back("SequenceNumber", sequence);
  params.emplace_back("CallDuration", "35");
  post("/twilio/call-status", params);
}

// Forwarded from the menu, nobody answered, and the caller hung up during the "nobody is available" message:
// outcome "missed". Returns the CallSid.
std::string missed_call(const std::string& from) {
  const std::string sid = new_call_sid();
  incoming(sid, from);
  press_forward(sid, from);
  dial_ended(sid, from, "no-answer", false);
  completed(sid, from);
  BOOST_REQUIRE(call_row(sid).at("outcome") == "missed");
  return sid;
}

int text_back_rows(const std::string& sid) {
  return count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'text-back'", {sid});
}

// The row waits the 60 s from its creation, and then no longer.
void end_the_wait(const std::string& sid) {
  BOOST_TEST(count("SELECT TIMESTAMPDIFF(SECOND, created_at, next_attempt_at) FROM notifications "
                   "WHERE call_sid = ? AND channel = 'text-back'",
                   {sid}) == 60);
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'text-back' "
                   "AND next_attempt_at > UTC_TIMESTAMP(3) AND attempts = 0",
                   {sid}) == 1);
  BOOST_REQUIRE(execute("UPDATE notifications SET next_attempt_at = UTC_TIMESTAMP(3) WHERE call_sid = ? "
                        "AND channel = 'text-back' AND status = 'pending'",
                        {sid}) == 1);
}

bool text_back_sent(const std::string& sid) {
  return count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'text-back' AND status = 'sent'",
               {sid}) == 1;
}

// A send still in flight lands within a delivery (3 s in this stack): wait until the fake heard nothing new for
// longer than that.
void until_twilio_is_quiet() {
  size_t last = fake_twilio_heard();
  for (int quiet = 0; quiet < 4;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const size_t now = fake_twilio_heard();
    quiet = now == last ? quiet + 1 : 0;
    last = now;
  }
}

void expect_one_text(const std::string& to, const std::string& sid, size_t since) {
  const auto texts = texts_to(to, since);
  BOOST_REQUIRE(texts.size() == 1u);
  BOOST_TEST(texts[0].at("From") == "+15005550006");
  BOOST_TEST(texts[0].at("Body") == kMessage);
  // The attempt is in the call's timeline.
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'notification' "
                   "AND params LIKE '%\"Channel\":\"text-back\"%' AND params LIKE '%\"Result\":\"sent\"%'",
                   {sid}) == 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(text_back)

BOOST_AUTO_TEST_CASE(AMissedCallFromAMobileGetsOneTextAndASecondMissedCallThatDayNone) {
  TextBackOn on;
  const size_t heard = fake_twilio_heard();
  const std::string caller = "+14155550100";
  const std::string first = missed_call(caller);
  BOOST_TEST(call_row(first).at("text_back") == "1");
  BOOST_REQUIRE(text_back_rows(first) == 1);
  // Once per caller and UTC day: the date the call started, as the database holds it (UTC).
  const auto key = query(
      "SELECT once_key, DATE_FORMAT(c.started_at, '%Y-%m-%d') AS day FROM notifications n "
      "JOIN calls c ON c.sid = n.call_sid WHERE n.call_sid = ? AND n.channel = 'text-back'",
      {first});
  BOOST_REQUIRE(key.size() == 1u);
  BOOST_TEST(key[0].at("once_key") == caller + ":" + key[0].at("day"));

  // The same caller again, missed again: the day's key is taken, the database absorbs the second.
  const std::string second = missed_call(caller);
  BOOST_TEST(text_back_rows(second) == 0);

  end_the_wait(first);
  BOOST_TEST(eventually([&] { return text_back_sent(first); }, std::chrono::seconds(20)));
  until_twilio_is_quiet();
  expect_one_text(caller, first, heard);
}

BOOST_AUTO_TEST_CASE(AVoicemailWithEveryCallbackDeliveredTwiceGetsOneText) {
  TextBackOn on;
  const size_t heard = fake_twilio_heard();
  callsim::Scenario scenario;
  scenario.from = "+14155550172";
  scenario.presses = {"2"};
  scenario.duplicate_callbacks = true;
  const auto report = callsim::run_call(simulator_options(), scenario);
  for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
  BOOST_REQUIRE(report.ok());
  const std::string sid = report.call_sid;
  BOOST_REQUIRE(call_row(sid).at("outcome") == "voicemail");
  BOOST_TEST(text_back_rows(sid) == 1);
  // A status callback Twilio sent again with another sequence number folds again (not a duplicate event), and
  // still queues nothing more.
  completed(sid, scenario.from, "3");
  BOOST_TEST(text_back_rows(sid) == 1);
  // A transcription that comes after the call is over (Twilio's usually does) releases the owner's SMS that waits
  // for it, not the caller's text back, which still waits its 60 s (end_the_wait checks).
  Params transcription = call_params(sid, scenario.from, "completed");
  transcription.emplace_back("TranscriptionSid", "TR" + new_call_sid().substr(2));
  transcription.emplace_back("TranscriptionText", "Please call me back about the leak.");
  transcription.emplace_back("TranscriptionStatus", "completed");
  transcription.emplace_back("RecordingSid", call_row(sid).at("recording_sid"));
  post("/twilio/transcription", transcription);
  BOOST_TEST(call_row(sid).at("transcription_text") == "Please call me back about the leak.");

  end_the_wait(sid);
  BOOST_TEST(eventually([&] { return text_back_sent(sid); }, std::chrono::seconds(20)));
  until_twilio_is_quiet();
  expect_one_text(scenario.from, sid, heard);
}

BOOST_AUTO_TEST_CASE(NoTextToATollFreeNumberAWithheldCallerOrABlockedOne) {
  TextBackOn on;
  const size_t heard = fake_twilio_heard();
  const std::string toll_free = missed_call("+18005550100");
  BOOST_TEST(call_row(toll_free).at("text_back") == "1");  // E.164: the routing asked; the number type says no
  BOOST_TEST(text_back_rows(toll_free) == 0);

  const std::string withheld = missed_call("anonymous");
  BOOST_TEST(call_row(withheld).at("text_back") == "NULL");
  BOOST_TEST(text_back_rows(withheld) == 0);

  const std::string blocked = new_call_sid();
  incoming(blocked, kBlocked);
  post("/twilio/call-status", call_params(blocked, kBlocked, "busy"));
  BOOST_TEST(call_row(blocked).at("outcome") == "blocked");
  BOOST_TEST(text_back_rows(blocked) == 0);

  until_twilio_is_quiet();
  BOOST_TEST(texts_to("+18005550100", heard).empty());
  BOOST_TEST(texts_to("anonymous", heard).empty());
  BOOST_TEST(texts_to(kBlocked, heard).empty());
}

BOOST_AUTO_TEST_CASE(ACallTheCompletedStatusMadeLookMissedButThatWasAnsweredGetsNoText) {
  // Since 2024 the completed status can come before the call's last action webhook: for a moment the call looks
  // missed, and the text back is queued; the <Dial> action then says the caller was connected, and the queued
  // text back, never tried, is withdrawn — which leaves the caller's day free for a call that is really missed.
  TextBackOn on;
  const size_t heard = fake_twilio_heard();
  const std::string caller = "+14155550174";
  const std::string sid = new_call_sid();
  incoming(sid, caller);
  press_forward(sid, caller);
  completed(sid, caller);
  BOOST_REQUIRE(call_row(sid).at("outcome") == "missed");
  BOOST_TEST(text_back_rows(sid) == 1);
  dial_ended(sid, caller, "completed", true);
  BOOST_REQUIRE(call_row(sid).at("outcome") == "answered");
  BOOST_TEST(text_back_rows(sid) == 0);

  const std::string later = missed_call(caller);
  BOOST_TEST(text_back_rows(later) == 1);
  end_the_wait(later);
  BOOST_TEST(eventually([&] { return text_back_sent(later); }, std::chrono::seconds(20)));
  until_twilio_is_quiet();
  expect_one_text(caller, later, heard);
}

BOOST_AUTO_TEST_SUITE_END()
