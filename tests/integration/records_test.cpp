// Records that stay true when Twilio's callbacks are lost, against the real stack and the fake Twilio's REST API:
// the reconciler (reconcile/reconciler.h, run by the stack's switchboard-notify 4 s after a call's last event)
// completes a call whose final status callback never came, and a voicemail whose recording status never came; an
// answer older than what the call has changes nothing; and SMS delivery receipts (the message-status webhook) move
// the notification forward in any order, with the undelivered SMS retried once through the signed webhook.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>

#include "store/mysql_connection.h"
#include "store/reconcile_store.h"
#include "support/stack.h"

using namespace integration;
namespace store = switchboard::store;

namespace {

std::string recording_sid_for(const std::string& call_sid) { return "RE" + call_sid.substr(2); }

// The incoming-call webhook of a call Twilio says is `status`; nothing after it ever comes.
void call_comes_in(const std::string& sid, const std::string& status) {
  const HttpResult voice = post_webhook("/twilio/voice", {{"CallSid", sid}, {"AccountSid", stack().account_sid},
                                                          {"From", "+14155550142"}, {"To", stack().twilio_number},
                                                          {"CallStatus", status}, {"Direction", "inbound"}});
  BOOST_REQUIRE(voice.status == 200);
}

rapidjson::Document call_json(const std::string& sid) {
  rapidjson::Document json;
  json.Parse(request("GET", "/api/calls/" + sid, true).body.c_str());
  return json;
}

int events_of_kind(const rapidjson::Document& call, const std::string& kind) {
  int n = 0;
  for (const auto& event : call["events"].GetArray()) n += kind == event["kind"].GetString();
  return n;
}

// The SMS the notifier sent about `sid` (the fake Twilio's log): its MessageSid and its StatusCallback path.
struct SentSms {
  std::string message_sid, status_callback_path;
};
std::optional<SentSms> sms_about(const std::string& sid) {
  for (const auto& entry : fake_twilio_requests()) {
    if (std::string(entry["path"].GetString()).find("/Messages.json") == std::string::npos) continue;
    const std::string body = entry["body"].GetString();
    if (body.find(sid) == std::string::npos || !entry.HasMember("sid")) continue;
    const size_t start = body.find("StatusCallback=");
    if (start == std::string::npos) return std::nullopt;
    std::string encoded = body.substr(start + 15, body.find('&', start) - start - 15);
    std::string url;
    for (size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i] == '%' && i + 2 < encoded.size()) {
        url += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        url += encoded[i];
      }
    }
    return SentSms{entry["sid"].GetString(), url.substr(url.find('/', url.find("://") + 3))};  // with its query
  }
  return std::nullopt;
}

// Twilio's MessageStatus callback for `sms`.
HttpResult report_delivery(const SentSms& sms, const std::string& status, const std::string& error_code = "") {
  Params params{{"MessageSid", sms.message_sid}, {"SmsSid", sms.message_sid}, {"AccountSid", stack().account_sid},
                {"MessageStatus", status}, {"SmsStatus", status}, {"From", stack().twilio_number},
                {"To", "+15005550009"}};
  if (!error_code.empty()) params.emplace_back("ErrorCode", error_code);
  return post_webhook(sms.status_callback_path, params);
}

// A voicemail through the simulator, and its SMS once the notifier sent it.
SentSms voicemail_with_sms() {
  callsim::Scenario scenario;
  scenario.call_sid = new_call_sid();
  scenario.presses = {"2"};
  BOOST_REQUIRE(callsim::run_call(simulator_options(), scenario).ok());
  std::optional<SentSms> sms;
  BOOST_REQUIRE(eventually([&] { return (sms = sms_about(scenario.call_sid)).has_value(); }, std::chrono::seconds(30)));
  return *sms;
}

std::string sms_row(const std::string& message_sid, const std::string& column) {
  const auto rows = query("SELECT " + column + " AS value FROM notifications WHERE message_sid = ?", {message_sid});
  return rows.empty() ? "(no row)" : rows[0].at("value");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(records)

BOOST_AUTO_TEST_CASE(ACallWhoseFinalCallbackWasLostIsCompletedByTheReconcilerWithTwiliosDuration) {
  const std::string sid = new_call_sid();
  call_comes_in(sid, "in-progress");
  BOOST_REQUIRE(control_fake_twilio("calls", "sid=" + sid + "&status=completed&duration=42"
                                    "&start_time=Tue, 01 Dec 2026 09:00:05 %2B0000&end_time=Tue, 01 Dec 2026 09:00:47 %2B0000"));
  BOOST_TEST(call_row(sid).at("status") == "in-progress");
  BOOST_REQUIRE(eventually([&] { return call_row(sid).at("status") == "completed"; }, std::chrono::seconds(30)));
  const auto row = call_row(sid);
  BOOST_TEST(row.at("duration_s") == "42");
  BOOST_TEST(row.at("ended_at").rfind("2026-12-01 09:00:47", 0) == 0u);
  const rapidjson::Document call = call_json(sid);
  BOOST_TEST(std::string(call["outcome"].GetString()) == "abandoned");
  BOOST_TEST(events_of_kind(call, "reconciled") == 1);
  for (const auto& event : call["events"].GetArray()) {
    if (std::string(event["kind"].GetString()) != "reconciled") continue;
    BOOST_TEST(std::string(event["label"].GetString()) == "Checked with Twilio");
    BOOST_TEST(std::string(event["params"]["Source"].GetString()) == "calls-api");
  }
  BOOST_REQUIRE(call["reconciliation"].IsObject());
  BOOST_TEST(call["reconciliation"]["checks"].GetInt() == 1);
  BOOST_TEST(std::string(call["reconciliation"]["result"].GetString()) == "call completed, 42 s");
  BOOST_TEST(call["reconciliation"]["next_check_at"].IsNull());
  // The lookup went to Twilio's Calls API with the account's credentials.
  int lookups = 0;
  for (const auto& entry : fake_twilio_requests()) {
    lookups += std::string(entry["path"].GetString()).find("/Calls/" + sid + ".json") != std::string::npos &&
               std::string(entry["authorization"].GetString()).rfind("Basic ", 0) == 0;
  }
  BOOST_TEST(lookups == 1);
}

BOOST_AUTO_TEST_CASE(ATwilioAnswerOlderThanWhatTheCallHasChangesNothing) {
  const std::string sid = new_call_sid();
  call_comes_in(sid, "in-progress");
  BOOST_REQUIRE(control_fake_twilio("calls", "sid=" + sid + "&status=ringing"));
  BOOST_REQUIRE(eventually([&] { return count("SELECT COUNT(*) FROM reconciliations WHERE call_sid = ?", {sid}) == 1; },
                           std::chrono::seconds(30)));
  const auto row = call_row(sid);
  BOOST_TEST(row.at("status") == "in-progress");
  BOOST_TEST(row.at("ended_at") == "NULL");
  const rapidjson::Document call = call_json(sid);
  BOOST_REQUIRE(call["reconciliation"].IsObject());
  BOOST_TEST(std::string(call["reconciliation"]["result"].GetString()) == "call ringing");
  BOOST_TEST(call["reconciliation"]["next_check_at"].IsString());  // still open: asked again later
}

BOOST_AUTO_TEST_CASE(ACallTwilioDoesNotKnowStaysAsItIsWithoutATimelineEntry) {
  const std::string sid = new_call_sid();
  call_comes_in(sid, "ringing");
  BOOST_REQUIRE(eventually([&] { return count("SELECT COUNT(*) FROM reconciliations WHERE call_sid = ?", {sid}) == 1; },
                           std::chrono::seconds(30)));
  BOOST_TEST(call_row(sid).at("status") == "ringing");
  const rapidjson::Document call = call_json(sid);
  BOOST_TEST(events_of_kind(call, "reconciled") == 0);
  BOOST_TEST(std::string(call["reconciliation"]["result"].GetString()) == "Twilio does not know this call");
}

BOOST_AUTO_TEST_CASE(AVoicemailWhoseRecordingStatusWasLostIsCompletedAndItsNotificationsQueued) {
  const std::string sid = new_call_sid();
  const std::string recording = recording_sid_for(sid);
  call_comes_in(sid, "in-progress");
  const std::string recording_url = "https://api.twilio.com/2010-04-01/Accounts/" + stack().account_sid +
                                    "/Recordings/" + recording;
  BOOST_REQUIRE(post_webhook("/twilio/voice/voicemail-done",
                             {{"CallSid", sid}, {"AccountSid", stack().account_sid}, {"From", "+14155550142"},
                              {"To", stack().twilio_number}, {"CallStatus", "completed"},
                              {"RecordingUrl", recording_url}, {"RecordingSid", recording},
                              {"RecordingDuration", "9"}, {"Digits", "hangup"}})
                    .status == 200);
  BOOST_REQUIRE(post_webhook("/twilio/call-status", {{"CallSid", sid}, {"AccountSid", stack().account_sid},
                                                     {"From", "+14155550142"}, {"To", stack().twilio_number},
                                                     {"CallStatus", "completed"}, {"CallDuration", "30"}})
                    .status == 204);
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ?", {sid}) == 0);
  BOOST_REQUIRE(control_fake_twilio("recordings", "sid=" + recording + "&call_sid=" + sid +
                                    "&status=completed&duration=8"));
  BOOST_REQUIRE(eventually([&] { return call_row(sid).at("recording_status") == "completed"; },
                           std::chrono::seconds(30)));
  BOOST_TEST(call_row(sid).at("recording_duration_s") == "8");
  BOOST_TEST(call_row(sid).at("duration_s") == "30");  // the callback's figure stays
  // The voicemail is complete now: its audio fetch and the configured SMS and webhook are queued like any other's.
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel IN ('audio', 'sms', 'webhook')",
                   {sid}) == 3);
  BOOST_TEST(std::string(call_json(sid)["reconciliation"]["result"].GetString()) == "recording completed");
}

BOOST_AUTO_TEST_CASE(OneReconcilerPerDeploymentHoldsTheLease) {
  store::ConnectionOptions options;
  options.socket = stack().db_socket;
  options.user = "root";
  options.schema = "switchboard";
  store::MysqlReconcileStore host_a(options), host_b(options);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string lease = "test-lease-" + new_call_sid();  // not the stack's own reconciler's lease
  BOOST_TEST(host_a.hold_lease(lease, "host-a:1", now, 60));
  BOOST_TEST(!host_b.hold_lease(lease, "host-b:2", now + 1000, 60));
  BOOST_TEST(host_a.hold_lease(lease, "host-a:1", now + 30000, 60));  // renewed: now until now + 90 s
  BOOST_TEST(!host_b.hold_lease(lease, "host-b:2", now + 80000, 60));
  BOOST_TEST(host_b.hold_lease(lease, "host-b:2", now + 91000, 60));  // host a stopped renewing: taken over
  BOOST_TEST(!host_a.hold_lease(lease, "host-a:1", now + 92000, 60));
  execute("DELETE FROM leases WHERE name = ?", {lease});
}

BOOST_AUTO_TEST_CASE(DeliveryReceiptsInAnyOrderEndDeliveredAndRepeatsChangeNothing) {
  const SentSms sms = voicemail_with_sms();
  BOOST_TEST(sms.status_callback_path.rfind("/twilio/message-status?call=CA", 0) == 0u);
  BOOST_TEST(sms_row(sms.message_sid, "delivery_status") == "queued");  // what Twilio answered at the send
  for (const std::string status : {"delivered", "sent", "sending", "delivered", "queued"}) {
    BOOST_TEST(report_delivery(sms, status).status == 204);
  }
  BOOST_TEST(sms_row(sms.message_sid, "delivery_status") == "delivered");
  BOOST_TEST(sms_row(sms.message_sid, "delivery_error_code") == "NULL");
  const std::string call_sid = sms.status_callback_path.substr(sms.status_callback_path.find("call=") + 5, 34);
  const rapidjson::Document call = call_json(call_sid);
  BOOST_TEST(events_of_kind(call, "message-status") == 4);  // the repeated "delivered" is one event
  bool shown = false;
  for (const auto& notification : call["notifications"].GetArray()) {
    if (std::string(notification["channel"].GetString()) != "sms") continue;
    shown = std::string(notification["delivery_status"].GetString()) == "delivered" &&
            std::string(notification["message_sid"].GetString()) == sms.message_sid;
  }
  BOOST_TEST(shown);
}

BOOST_AUTO_TEST_CASE(AnUndeliveredSmsIsRetriedOnceThroughTheSignedWebhook) {
  const SentSms sms = voicemail_with_sms();
  const std::string call_sid = sms.status_callback_path.substr(sms.status_callback_path.find("call=") + 5, 34);
  BOOST_TEST(report_delivery(sms, "sent").status == 204);
  BOOST_TEST(report_delivery(sms, "undelivered", "30003").status == 204);
  BOOST_TEST(report_delivery(sms, "delivered").status == 204);  // a final status stays the first one
  BOOST_TEST(sms_row(sms.message_sid, "delivery_status") == "undelivered");
  BOOST_TEST(sms_row(sms.message_sid, "delivery_error_code") == "30003");
  BOOST_REQUIRE(eventually([&] {
    return count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'sms-fallback' AND "
                 "status = 'sent'", {call_sid}) == 1;
  }, std::chrono::seconds(20)));
  int verified = 0;
  for (const auto& entry : fake_twilio_requests()) {
    const std::string body = entry["body"].GetString();
    if (std::string(entry["path"].GetString()) == "/hooks/voicemail" && body.find(call_sid) != std::string::npos &&
        body.find("\"event\":\"voicemail.sms_undelivered\"") != std::string::npos) {
      verified += entry["verified"].GetBool();
    }
  }
  BOOST_TEST(verified == 1);
  // Another undelivered report queues nothing more.
  BOOST_TEST(report_delivery(sms, "failed", "30005").status == 204);
  BOOST_TEST(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'sms-fallback'", {call_sid}) == 1);
}

BOOST_AUTO_TEST_CASE(AForgedOrIncompleteReceiptIsRefusedAndStoresNothing) {
  const SentSms sms = voicemail_with_sms();
  const std::string call_sid = sms.status_callback_path.substr(sms.status_callback_path.find("call=") + 5, 34);
  const std::string receipts = "SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'message-status'";
  const std::string forged = "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==";
  BOOST_TEST(post_webhook(sms.status_callback_path, {{"MessageSid", sms.message_sid}, {"MessageStatus", "delivered"}},
                          &forged).status == 403);
  BOOST_TEST(post_webhook("/twilio/message-status?call=" + call_sid,
                          {{"MessageSid", sms.message_sid}, {"MessageStatus", "delivered"}}).status == 400);
  BOOST_TEST(post_webhook(sms.status_callback_path, {{"MessageSid", sms.message_sid}}).status == 400);
  BOOST_TEST(count(receipts, {call_sid}) == 0);
  BOOST_TEST(sms_row(sms.message_sid, "delivery_status") == "queued");
}

BOOST_AUTO_TEST_SUITE_END()
