// The notifier: its retry schedule and lease, one delivery round against an in-memory queue (claim → renew → send →
// mark sent or schedule a retry → timeline entry), what happens when the queue cannot be reached, and two notifiers
// on one queue: a backlog that outlasts the lease is still sent once per notification, and a notifier whose claim
// was taken over (its lease ran out while it was stopped) neither sends nor writes anything. The audio channel: the
// recording fetched into the cache (or found there after a play), retried with backoff, given up at once for a call
// without a usable recording SID, and fetched with no notification configured at all. The text-back channel: the
// routing's message to the caller from the number they called, as the routing snapshot says at the send; nothing
// sent and no retry when text-back was switched off since, or the call turned out answered after all.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "fake_notification_queue.h"
#include "notify/notifier.h"
#include "notify/voicemail_notice.h"
#include "routing/routing.h"
#include "routing/snapshot.h"
#include "store/notification_queue.h"

namespace {

namespace notify = switchboard::notify;
namespace store = switchboard::store;
using switchboard::test::FakeCallStore;
using switchboard::test::FakeNotificationQueue;
using switchboard::test::TempDir;

// Records what would have been sent; answers with `error` (nullopt = delivered). `during_send`, when set, runs
// while the request is in flight: the time it takes, and what other notifiers do meanwhile. The audio cache is a
// set of recording SIDs: a fetch that succeeds adds its SID.
class RecordingDelivery : public notify::Delivery {
 public:
  std::optional<std::string> error;
  std::vector<std::string> sent;  // "sms <to> <from>: <body>" / "webhook <url> <signature>: <body>" / "fetch <RE…>"
  std::function<void()> during_send;
  std::set<std::string> cache;

  std::vector<std::string> status_callbacks;  // the StatusCallback of each SMS, in order

  notify::SmsResult send_sms(const notify::Sms& sms) override {
    sent.push_back("sms " + sms.to + " " + sms.from + ": " + sms.body);
    status_callbacks.push_back(sms.status_callback);
    if (during_send) during_send();
    if (error) return {error, std::nullopt};
    return {std::nullopt, store::SentMessage{"SM" + std::string(32, 'a'), "queued"}};
  }
  std::optional<std::string> post_webhook(const std::string& url, const std::string& body,
                                          const std::string& signature) override {
    sent.push_back("webhook " + url + " " + signature + ": " + body);
    if (during_send) during_send();
    return error;
  }
  bool recording_cached(const std::string& recording_sid) override { return cache.count(recording_sid) > 0; }
  std::optional<std::string> fetch_recording(const std::string& recording_sid) override {
    sent.push_back("fetch " + recording_sid);
    if (during_send) during_send();
    if (!error) cache.insert(recording_sid);
    return error;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_backoff)

BOOST_AUTO_TEST_CASE(RetriesTripleFromFiveSecondsUpToAnHour) {
  const std::vector<std::int64_t> expected = {5, 15, 45, 135, 405, 1215, 3600, 3600, 3600, 3600};
  std::vector<std::int64_t> schedule;
  for (int attempts = 1; attempts <= notify::kMaxAttempts; ++attempts) {
    schedule.push_back(notify::backoff_seconds(attempts));
  }
  BOOST_TEST(schedule == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(NoAttemptYetWaitsTheFirstInterval) {
  BOOST_TEST(notify::backoff_seconds(0) == 5);
  BOOST_TEST(notify::backoff_seconds(-3) == 5);
}

BOOST_AUTO_TEST_CASE(HugeAttemptCountStaysAtTheCap) {
  // The loop stops growing at the cap, so no overflow however many attempts a row claims to have had.
  BOOST_TEST(notify::backoff_seconds(1000) == 3600);
  BOOST_TEST(notify::backoff_seconds(2147483647) == 3600);
}

BOOST_AUTO_TEST_CASE(TenAttemptsSpanAboutThreeAndAHalfHours) {
  // Between the first attempt and the tenth (the last: kMaxAttempts), the waits after attempts 1–9.
  std::int64_t total = 0;
  for (int attempts = 1; attempts < notify::kMaxAttempts; ++attempts) total += notify::backoff_seconds(attempts);
  BOOST_TEST(notify::kMaxAttempts == 10);
  BOOST_TEST(total == 5 + 15 + 45 + 135 + 405 + 1215 + 3600 + 3600 + 3600);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notify_notifier)

BOOST_AUTO_TEST_CASE(UnreachableQueueThrowsUnavailableAndSendsNothing) {
  // A socket path that does not exist fails at once (no server, no timeout): the loop in switchboard-notify logs
  // the error and tries again on its next round.
  TempDir dir;
  store::ConnectionOptions options;
  options.socket = dir.path() + "/no-such-mysqld.sock";
  options.user = "switchboard";
  options.schema = "switchboard";
  store::MysqlNotificationQueue queue(options);

  switchboard::config::Settings settings = switchboard::test::test_settings();
  settings.notifications.sms_to = "+14155550111";
  settings.notifications.sms_from = "+14155550199";
  FakeCallStore calls;
  RecordingDelivery delivery;
  notify::Notifier notifier(settings, calls, queue, delivery, [] { return std::int64_t{1764147600000}; });

  const auto started = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(notifier.run_once(), store::Unavailable);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(elapsed_ms < 2000);
  BOOST_TEST(delivery.sent.empty());
  BOOST_TEST(calls.list_calls(store::CallQuery{}).empty());  // no timeline entry, no phantom call
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

constexpr std::int64_t kNow = 1764147600000;

struct Round {
  switchboard::config::Settings settings = switchboard::test::test_settings();
  FakeCallStore calls;
  FakeNotificationQueue queue;
  RecordingDelivery delivery;
  std::int64_t now_ms = kNow;

  Round() {
    settings.notifications.sms_to = "+14155550111";
    settings.notifications.sms_from = "+14155550199";
    settings.notifications.webhook_url = "https://hooks.example.com/voicemail";
    settings.notifications.webhook_secret = "0123456789abcdef0123";
    store::CallRow call = store::new_call("CA1", kNow - 60000);
    call.from = "+14155550100";
    call.recording_sid = "RE1";
    call.recording_duration_s = 21;
    calls.put(call);
  }

  notify::Clock clock() {
    return [this] { return now_ms; };
  }

  bool run() {
    notify::Notifier notifier(settings, calls, queue, delivery, clock());
    return notifier.run_once();
  }

  std::vector<store::StoredEvent> timeline() { return calls.events_of("CA1"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_delivery_round)

BOOST_AUTO_TEST_CASE(SmsGoesToTheConfiguredNumberAndIsMarkedSent) {
  Round round;
  round.queue.add(7, "CA1", store::kChannelSms, kNow);
  BOOST_TEST(round.run());
  BOOST_REQUIRE(round.delivery.sent.size() == 1u);
  BOOST_TEST(round.delivery.sent[0].rfind("sms +14155550111 +14155550199: Voicemail from +14155550100, 0:21", 0) == 0);
  const auto& row = round.queue.row(7);
  BOOST_TEST(row.status == "sent");
  BOOST_TEST(*row.sent_at_ms == kNow);
  BOOST_TEST(row.attempts == 1);
  BOOST_TEST(!row.lease_until_ms.has_value());
  BOOST_TEST(!row.claim_token.has_value());
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].kind == "notification");
  BOOST_TEST(timeline[0].params_json.find("\"Result\":\"sent\"") != std::string::npos);
  BOOST_TEST(timeline[0].params_json.find("\"Attempt\":\"1\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(NothingDueMeansNoRound) {
  Round round;
  round.queue.add(7, "CA1", store::kChannelSms, kNow + 1);  // still waiting for its transcription
  BOOST_TEST(!round.run());
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(round.queue.row(7).attempts == 0);
}

BOOST_AUTO_TEST_CASE(OneNotificationPerRoundOldestFirst) {
  // Claimed one at a time, just before it is sent: nothing waits in a claimed batch while its lease runs out.
  Round round;
  round.queue.add(21, "CA1", store::kChannelWebhook, kNow - 1000);
  round.queue.add(20, "CA1", store::kChannelSms, kNow - 2000);
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(20).status == "sent");
  BOOST_TEST(round.queue.row(21).status == "pending");
  BOOST_TEST(round.queue.row(21).attempts == 0);
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(21).status == "sent");
  BOOST_TEST(!round.run());
  BOOST_TEST(round.delivery.sent.size() == 2u);
}

BOOST_AUTO_TEST_CASE(WebhookIsSignedWithTheTimeOfItsSend) {
  Round round;
  round.queue.add(8, "CA1", store::kChannelWebhook, kNow);
  round.run();
  BOOST_REQUIRE(round.delivery.sent.size() == 1u);
  const std::string& line = round.delivery.sent[0];
  const std::string body = line.substr(line.find(": ") + 2);
  const std::string expected = notify::webhook_signature("0123456789abcdef0123", kNow / 1000, body);
  BOOST_TEST(line.find("webhook https://hooks.example.com/voicemail " + expected) == 0u);
}

BOOST_AUTO_TEST_CASE(AnSmsAsksTwilioForDeliveryReportsAndKeepsItsMessageSid) {
  Round round;
  round.queue.add(7, "CA1", store::kChannelSms, kNow);
  round.run();
  BOOST_REQUIRE(round.delivery.status_callbacks.size() == 1u);
  BOOST_TEST(round.delivery.status_callbacks[0] ==
             round.settings.public_base_url + "/twilio/message-status?call=CA1&notification=7");
  BOOST_REQUIRE(round.queue.row(7).message.has_value());
  BOOST_TEST(round.queue.row(7).message->status == "queued");
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].params_json.find("\"MessageStatus\":\"queued\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(TheRetryOfAnUndeliveredSmsGoesThroughTheSignedWebhookAndSaysSo) {
  Round round;
  round.queue.add(9, "CA1", store::kChannelSmsFallback, kNow);
  round.run();
  BOOST_REQUIRE(round.delivery.sent.size() == 1u);
  const std::string& line = round.delivery.sent[0];
  BOOST_TEST(line.rfind("webhook https://hooks.example.com/voicemail t=", 0) == 0u);
  BOOST_TEST(line.find("\"event\":\"voicemail.sms_undelivered\"") != std::string::npos);
  const std::string body = line.substr(line.find(": ") + 2);
  BOOST_TEST(line.find(notify::webhook_signature("0123456789abcdef0123", kNow / 1000, body)) != std::string::npos);
  BOOST_TEST(round.queue.row(9).status == "sent");
  BOOST_TEST(!round.queue.row(9).message.has_value());
}

BOOST_AUTO_TEST_CASE(AFailedSendIsRetriedAfterBackoffAndLogged) {
  Round round;
  round.delivery.error = "HTTP 500";
  round.queue.add(9, "CA1", store::kChannelSms, kNow, 1);
  round.delivery.during_send = [&] { round.now_ms += 3000; };  // the retry is counted from the failure
  round.run();
  const auto& row = round.queue.row(9);
  BOOST_TEST(row.status == "pending");
  BOOST_TEST(row.attempts == 2);
  BOOST_TEST(row.next_attempt_at_ms == kNow + 3000 + notify::backoff_seconds(2) * 1000);
  BOOST_TEST(*row.last_error == "HTTP 500");
  BOOST_TEST(!row.lease_until_ms.has_value());
  BOOST_TEST(!row.sent_at_ms.has_value());
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].params_json.find("\"Error\":\"HTTP 500\"") != std::string::npos);
  BOOST_TEST(timeline[0].params_json.find("\"Attempt\":\"2\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(TheRetryIsClaimedOnceItsBackoffIsOver) {
  Round round;
  round.delivery.error = "HTTP 500";
  round.queue.add(9, "CA1", store::kChannelSms, kNow);
  round.run();
  round.delivery.error.reset();
  round.now_ms = kNow + notify::backoff_seconds(1) * 1000 - 1;
  BOOST_TEST(!round.run());
  round.now_ms += 1;
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(9).status == "sent");
  BOOST_TEST(round.queue.row(9).attempts == 2);
  BOOST_TEST(round.delivery.sent.size() == 2u);
}

BOOST_AUTO_TEST_CASE(TheLastAttemptGivesUp) {
  Round round;
  round.delivery.error = "HTTP 500";
  round.queue.add(10, "CA1", store::kChannelSms, kNow, notify::kMaxAttempts - 1);
  round.run();
  BOOST_TEST(round.queue.row(10).status == "failed");
  BOOST_TEST(round.queue.row(10).attempts == notify::kMaxAttempts);
  BOOST_TEST(!round.run());
}

BOOST_AUTO_TEST_CASE(AChannelNoLongerConfiguredFailsWithoutSending) {
  Round round;
  round.settings.notifications.sms_to.clear();
  round.queue.add(11, "CA1", store::kChannelSms, kNow);
  round.run();
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(*round.queue.row(11).last_error == "SMS notifications are no longer configured");
}

BOOST_AUTO_TEST_CASE(AMissingCallFailsWithoutCreatingOne) {
  Round round;
  round.queue.add(12, "CAgone", store::kChannelSms, kNow);
  round.run();
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(*round.queue.row(12).last_error == "call not found");
  BOOST_TEST(!round.calls.find_call("CAgone").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

const std::string kRecordingSid = "RE0123456789abcdef0123456789abcdef";

// A Round with a second voicemail, CA2, whose recording SID has Twilio's shape, and its audio fetch (notification
// `id`, `attempts` made already) due now.
struct AudioRound : Round {
  explicit AudioRound(std::int64_t id = 30, std::optional<std::string> recording_sid = kRecordingSid,
                      int attempts = 0) {
    store::CallRow call = store::new_call("CA2", kNow - 60000);
    call.recording_sid = std::move(recording_sid);
    call.recording_status = "completed";
    calls.put(call);
    queue.add(id, "CA2", store::kChannelAudio, kNow, attempts);
  }
  std::vector<store::StoredEvent> timeline() { return calls.events_of("CA2"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_audio)

BOOST_AUTO_TEST_CASE(TheRecordingIsFetchedIntoTheCacheAndLoggedAsFetched) {
  AudioRound round;
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent == std::vector<std::string>{"fetch " + kRecordingSid},
             boost::test_tools::per_element());
  BOOST_TEST(round.delivery.cache.count(kRecordingSid) == 1u);
  const auto& row = round.queue.row(30);
  BOOST_TEST(row.status == "sent");
  BOOST_TEST(*row.sent_at_ms == kNow);
  BOOST_TEST(row.attempts == 1);
  BOOST_TEST(!row.claim_token.has_value());
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].kind == "notification");
  BOOST_TEST(timeline[0].params_json == R"({"Channel":"audio","Attempt":"1","Result":"fetched"})");
}

BOOST_AUTO_TEST_CASE(ARecordingAPlayCachedFirstIsNotFetchedAgain) {
  AudioRound round;
  round.delivery.cache.insert(kRecordingSid);
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(round.queue.row(30).status == "sent");
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].params_json == R"({"Channel":"audio","Attempt":"1","Result":"cached"})");
}

BOOST_AUTO_TEST_CASE(AFailedFetchIsRetriedAfterBackoffAndThenSucceeds) {
  AudioRound round;
  round.delivery.error = "Twilio answered HTTP 503";
  BOOST_TEST(round.run());
  const auto& row = round.queue.row(30);
  BOOST_TEST(row.status == "pending");
  BOOST_TEST(row.attempts == 1);
  BOOST_TEST(row.next_attempt_at_ms == kNow + notify::backoff_seconds(1) * 1000);
  BOOST_TEST(*row.last_error == "Twilio answered HTTP 503");
  BOOST_TEST(round.delivery.cache.empty());

  round.delivery.error.reset();
  round.now_ms = row.next_attempt_at_ms - 1;
  BOOST_TEST(!round.run());
  round.now_ms += 1;
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(30).status == "sent");
  BOOST_TEST(round.queue.row(30).attempts == 2);
  BOOST_TEST(round.delivery.sent.size() == 2u);
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 2u);
  BOOST_TEST(timeline[0].params_json ==
             R"({"Channel":"audio","Attempt":"1","Result":"failed","Error":"Twilio answered HTTP 503"})");
  BOOST_TEST(timeline[1].params_json == R"({"Channel":"audio","Attempt":"2","Result":"fetched"})");
}

BOOST_AUTO_TEST_CASE(TheLastFailedFetchGivesUp) {
  AudioRound round(31, kRecordingSid, notify::kMaxAttempts - 1);
  round.delivery.error = "download failed: Timeout was reached";
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(31).status == "failed");
  BOOST_TEST(round.queue.row(31).attempts == notify::kMaxAttempts);
  round.now_ms += 24 * 3600 * 1000LL;
  BOOST_TEST(!round.run());
}

BOOST_AUTO_TEST_CASE(ACallWithoutAUsableRecordingSidGivesUpAtOnce) {
  // No retry could give the call another SID; a SID of another shape must never become a path or a URL.
  for (const std::optional<std::string>& sid :
       {std::optional<std::string>(), std::optional<std::string>("RE../../etc/passwd")}) {
    AudioRound round(40, sid);
    BOOST_TEST(round.run());
    BOOST_TEST(round.delivery.sent.empty());
    BOOST_TEST(round.queue.row(40).status == "failed");
    BOOST_TEST(round.queue.row(40).attempts == 1);
    BOOST_TEST(*round.queue.row(40).last_error == "the call has no recording SID to fetch");
    BOOST_TEST(!round.run());
  }
}

BOOST_AUTO_TEST_CASE(AudioIsFetchedWithNeitherSmsNorWebhookConfigured) {
  AudioRound round;
  round.settings.notifications.sms_to.clear();
  round.settings.notifications.webhook_url.clear();
  BOOST_TEST(!round.settings.notifications.enabled());
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.cache.count(kRecordingSid) == 1u);
  BOOST_TEST(round.queue.row(30).status == "sent");
}

BOOST_AUTO_TEST_CASE(AudioAndNotificationsOfOneVoicemailGoOnceEachOldestFirst) {
  // What MysqlCallStore queues for a completed voicemail with transcription on: the audio at once, the SMS and the
  // webhook once the transcription is in or its wait is over.
  AudioRound round(50);
  round.queue.add(51, "CA2", store::kChannelSms, kNow + 2000);
  round.queue.add(52, "CA2", store::kChannelWebhook, kNow + 2000);
  BOOST_TEST(round.run());
  BOOST_TEST(!round.run());  // the messages still wait
  round.now_ms = kNow + 2000;
  BOOST_TEST(round.run());
  BOOST_TEST(round.run());
  BOOST_TEST(!round.run());
  BOOST_REQUIRE(round.delivery.sent.size() == 3u);
  BOOST_TEST(round.delivery.sent[0] == "fetch " + kRecordingSid);
  BOOST_TEST(round.delivery.sent[1].rfind("sms ", 0) == 0u);
  BOOST_TEST(round.delivery.sent[2].rfind("webhook ", 0) == 0u);
  for (const std::int64_t id : {50, 51, 52}) BOOST_TEST(round.queue.row(id).status == "sent");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notify_lease)

BOOST_AUTO_TEST_CASE(ThreeDeliveryTimeoutsAndADatabaseRoundTrip) {
  switchboard::config::Settings settings = switchboard::test::test_settings();
  BOOST_TEST(notify::lease_seconds(settings) == 3 * 20 + 4 + 4);
  settings.notifications.delivery_timeout_s = 3;
  settings.database.read_timeout_s = 2;
  settings.database.write_timeout_s = 1;
  BOOST_TEST(notify::lease_seconds(settings) == 3 * 3 + 2 + 1);
}

BOOST_AUTO_TEST_CASE(OutlastsADeliveryAndItsSettlingWriteWithRoomForTheClocks) {
  // From the renewal to the settling write: one delivery and two database round trips, each cut off by a timeout;
  // what is left is for the hosts' clocks.
  switchboard::config::Settings settings = switchboard::test::test_settings();
  for (int timeout = 2; timeout <= 120; ++timeout) {
    for (int database = 1; database <= 10; ++database) {
      settings.notifications.delivery_timeout_s = timeout;
      settings.database.read_timeout_s = settings.database.write_timeout_s = database;
      BOOST_TEST_CONTEXT("delivery " << timeout << " s, database " << database << " s") {
        BOOST_TEST(notify::lease_seconds(settings) >= timeout + 2 * database + 4);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Two notifiers (two hosts, or a restarted one beside the old one) on one queue, one call store and one clock.
struct TwoNotifiers {
  switchboard::config::Settings settings = switchboard::test::test_settings();
  FakeCallStore calls;
  FakeNotificationQueue queue;
  RecordingDelivery first_delivery, second_delivery;
  std::int64_t now_ms = kNow;
  notify::Notifier first, second;

  TwoNotifiers()
      : first(settings, calls, queue, first_delivery, [this] { return now_ms; }),
        second(settings, calls, queue, second_delivery, [this] { return now_ms; }) {
    settings.notifications.sms_to = "+14155550111";
    settings.notifications.sms_from = "+14155550199";
  }

  int lease_ms() const { return notify::lease_seconds(settings) * 1000; }

  // A voicemail of call `sid` whose SMS (notification `id`) is due now.
  void voicemail(std::int64_t id, const std::string& sid) {
    store::CallRow call = store::new_call(sid, kNow - 60000);
    call.from = "+14155550100";
    call.recording_sid = "RE" + sid;
    call.recording_duration_s = 10;
    calls.put(call);
    queue.add(id, sid, store::kChannelSms, kNow);
  }

  // How many SMS each call got, from both notifiers.
  std::map<std::string, int> sms_per_call() const {
    std::map<std::string, int> counts;
    for (const auto* delivery : {&first_delivery, &second_delivery}) {
      for (const std::string& line : delivery->sent) counts[line.substr(line.find("#call=") + 6)]++;
    }
    return counts;
  }

  std::vector<std::string> timeline_results(const std::string& sid) {
    std::vector<std::string> results;
    for (const store::StoredEvent& event : calls.events_of(sid)) {
      if (event.kind == "notification") results.push_back(event.params_json);
    }
    return results;
  }
};

// Calls the store's find_call hook first: what else happens while this notifier reads the call.
class SlowCallStore : public FakeCallStore {
 public:
  std::function<void()> during_find_call;
  std::optional<store::CallRow> find_call(const std::string& sid) override {
    if (during_find_call) std::exchange(during_find_call, nullptr)();
    return FakeCallStore::find_call(sid);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_two_notifiers)

BOOST_AUTO_TEST_CASE(ABacklogThatOutlastsTheLeaseIsSentOnceEachWhileASecondNotifierHelps) {
  // Eight SMS due at once, every send as slow as the delivery timeout allows. The first notifier's backlog takes
  // several leases to work through; the second one runs while each of the first one's sends is in flight. With a
  // batch claimed up front (the old notifier: 20 rows, one lease), the second would have re-claimed and sent again
  // every row still waiting in the first one's batch once the lease had run out.
  TwoNotifiers notifiers;
  for (int i = 1; i <= 8; ++i) notifiers.voicemail(i, "CA" + std::to_string(i));
  const int slowest_ms = notifiers.settings.notifications.delivery_timeout_s * 1000 - 1;
  notifiers.second_delivery.during_send = [&] { notifiers.now_ms += slowest_ms; };
  notifiers.first_delivery.during_send = [&] {
    notifiers.now_ms += slowest_ms / 2;
    notifiers.second.run_once();
    notifiers.now_ms += slowest_ms / 2;
  };
  int rounds = 0;
  while (notifiers.first.run_once()) ++rounds;

  BOOST_TEST(notifiers.now_ms - kNow > 2 * notifiers.lease_ms());  // the backlog outlasted the lease, twice over
  const std::map<std::string, int> once = {{"CA1", 1}, {"CA2", 1}, {"CA3", 1}, {"CA4", 1},
                                           {"CA5", 1}, {"CA6", 1}, {"CA7", 1}, {"CA8", 1}};
  BOOST_TEST(notifiers.sms_per_call() == once);
  BOOST_TEST(notifiers.first_delivery.sent.size() == 4u);
  BOOST_TEST(notifiers.second_delivery.sent.size() == 4u);
  for (int i = 1; i <= 8; ++i) {
    BOOST_TEST_CONTEXT("notification " << i) {
      BOOST_TEST(notifiers.queue.row(i).status == "sent");
      BOOST_TEST(notifiers.queue.row(i).attempts == 1);  // claimed once: no lease ever ran out
      BOOST_TEST(notifiers.timeline_results("CA" + std::to_string(i)).size() == 1u);
    }
  }
  BOOST_TEST(notifiers.queue.refused.empty());
}

BOOST_AUTO_TEST_CASE(AStaleClaimersMarkSentIsRefusedAndChangesNothing) {
  // The first notifier is stopped mid-send for longer than the lease (a frozen VM: no timeout covers that). The
  // second claims the notification again, sends it and marks it sent. When the first resumes, its "sent" names a
  // token that is no longer the row's: refused, and no timeline entry either — the row is the second one's record.
  TwoNotifiers notifiers;
  notifiers.voicemail(1, "CA1");
  notifiers.first_delivery.during_send = [&] {
    notifiers.now_ms += notifiers.lease_ms() + 1000;
    BOOST_TEST(notifiers.second.run_once());
  };
  notifiers.second_delivery.during_send = [&] { notifiers.now_ms += 2000; };
  const std::int64_t second_sent_at = kNow + notifiers.lease_ms() + 1000 + 2000;

  BOOST_TEST(notifiers.first.run_once());
  BOOST_TEST(notifiers.queue.refused == std::vector<std::string>{"sent 1"}, boost::test_tools::per_element());
  const auto& row = notifiers.queue.row(1);
  BOOST_TEST(row.status == "sent");
  BOOST_TEST(row.attempts == 2);
  BOOST_TEST(*row.sent_at_ms == second_sent_at);
  const auto timeline = notifiers.timeline_results("CA1");
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].find("\"Attempt\":\"2\"") != std::string::npos);
  BOOST_TEST(!notifiers.first.run_once());
  BOOST_TEST(!notifiers.second.run_once());
}

BOOST_AUTO_TEST_CASE(AStaleClaimersRetryIsRefusedAndDoesNotReopenASentRow) {
  TwoNotifiers notifiers;
  notifiers.voicemail(1, "CA1");
  notifiers.first_delivery.error = "Twilio Messages API unreachable: Timeout was reached";
  notifiers.first_delivery.during_send = [&] {
    notifiers.now_ms += notifiers.lease_ms() + 1000;
    notifiers.second.run_once();
  };

  BOOST_TEST(notifiers.first.run_once());
  BOOST_TEST(notifiers.queue.refused == std::vector<std::string>{"failed 1"}, boost::test_tools::per_element());
  const auto& row = notifiers.queue.row(1);
  BOOST_TEST(row.status == "sent");
  BOOST_TEST(!row.last_error.has_value());
  BOOST_TEST(notifiers.timeline_results("CA1").size() == 1u);
  notifiers.now_ms += 3600 * 1000;
  BOOST_TEST(!notifiers.first.run_once());  // no retry was scheduled
}

BOOST_AUTO_TEST_CASE(AClaimLostBeforeTheSendIsNotSent) {
  // Reading the call takes longer than the lease (the database hung, or the process was stopped); meanwhile the
  // second notifier claims the row and sends. The first one's renewal right before its send is refused: no SMS.
  switchboard::config::Settings settings = switchboard::test::test_settings();
  settings.notifications.sms_to = "+14155550111";
  settings.notifications.sms_from = "+14155550199";
  SlowCallStore slow_calls;
  FakeNotificationQueue queue;
  RecordingDelivery first_delivery, second_delivery;
  std::int64_t now_ms = kNow;
  notify::Notifier first(settings, slow_calls, queue, first_delivery, [&] { return now_ms; });
  notify::Notifier second(settings, slow_calls, queue, second_delivery, [&] { return now_ms; });
  store::CallRow call = store::new_call("CA1", kNow - 60000);
  call.recording_sid = "RE1";
  slow_calls.put(call);
  queue.add(1, "CA1", store::kChannelSms, kNow);
  slow_calls.during_find_call = [&] {
    now_ms += notify::lease_seconds(settings) * 1000 + 1000;
    BOOST_TEST(second.run_once());
  };

  BOOST_TEST(first.run_once());
  BOOST_TEST(first_delivery.sent.empty());
  BOOST_TEST(second_delivery.sent.size() == 1u);
  BOOST_TEST(queue.refused == std::vector<std::string>{"renew 1"}, boost::test_tools::per_element());
  BOOST_TEST(queue.row(1).status == "sent");
  BOOST_TEST(queue.row(1).attempts == 2);
  BOOST_TEST(slow_calls.events_of("CA1").size() == 1u);
}

BOOST_AUTO_TEST_CASE(AnExpiredClaimNobodyTookIsStillTheClaimersToSettle) {
  // The lease only lets another notifier in; as long as none came, the token still proves the row is ours, and
  // marking it sent is the truth (a refusal would have it sent again).
  TwoNotifiers notifiers;
  notifiers.voicemail(1, "CA1");
  notifiers.first_delivery.during_send = [&] { notifiers.now_ms += notifiers.lease_ms() + 1000; };
  BOOST_TEST(notifiers.first.run_once());
  BOOST_TEST(notifiers.queue.refused.empty());
  BOOST_TEST(notifiers.queue.row(1).status == "sent");
  BOOST_TEST(notifiers.queue.row(1).attempts == 1);
  BOOST_TEST(!notifiers.second.run_once());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A Round whose host has a routing snapshot (in a directory of its own) with text-back on or off, and a missed call
// CA3 of a mobile caller (as `shape` leaves it), whose text back (notification 60) is due now.
struct TextBackRound : Round {
  TempDir state;

  explicit TextBackRound(bool enabled, const std::function<void(store::CallRow&)>& shape = {},
                         const std::string& message = "Sorry we missed you. We call back soon.") {
    settings.state_dir = state.path();
    save_routing(1, enabled, message);
    store::CallRow call = store::new_call("CA3", kNow - 60000);
    call.from = "+447400123456";
    call.to = "+15005550006";
    call.menu_choice = "forward";
    call.forwarded_to = "+14155550111";
    call.dial_status = "no-answer";
    call.status = "completed";
    call.ended_at_ms = kNow - 20000;
    call.text_back = true;
    if (shape) shape(call);
    calls.put(call);
    queue.add(60, "CA3", store::kChannelTextBack, kNow);
  }

  void save_routing(std::int64_t version, bool enabled, const std::string& message) {
    switchboard::routing::Version saved;
    saved.number = version;
    saved.routing = switchboard::routing::initial_routing(settings);
    saved.routing.text_back.enabled = enabled;
    saved.routing.text_back.message = message;
    switchboard::routing::write_snapshot(switchboard::routing::snapshot_path(settings), saved);
  }

  std::vector<store::StoredEvent> timeline() { return calls.events_of("CA3"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_text_back)

BOOST_AUTO_TEST_CASE(TheCallerGetsTheMessageFromTheNumberTheyCalled) {
  TextBackRound round(true);
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent ==
                 std::vector<std::string>{"sms +447400123456 +15005550006: Sorry we missed you. We call back soon."},
             boost::test_tools::per_element());
  const auto& row = round.queue.row(60);
  BOOST_TEST(row.status == "sent");
  BOOST_TEST(*row.sent_at_ms == kNow);
  BOOST_TEST(row.attempts == 1);
  BOOST_TEST(!row.claim_token.has_value());
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].kind == "notification");
  BOOST_TEST(timeline[0].params_json ==
             R"({"Channel":"text-back","Attempt":"1","Result":"sent","MessageSid":"SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",)"
             R"("MessageStatus":"queued"})");
  // Twilio's delivery reports come back to the message-status webhook, naming the call and the row.
  BOOST_REQUIRE(round.delivery.status_callbacks.size() == 1u);
  BOOST_TEST(round.delivery.status_callbacks[0].find("/twilio/message-status?call=CA3&notification=60") !=
             std::string::npos);
  BOOST_REQUIRE(row.message.has_value());
  BOOST_TEST(row.message->sid == "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  BOOST_TEST(row.message->status == "queued");
}

BOOST_AUTO_TEST_CASE(AVoicemailCallerGetsOneToo) {
  TextBackRound round(true, [](store::CallRow& call) {
    call.dial_status.reset();
    call.forwarded_to.reset();
    call.menu_choice = "voicemail";
    call.recording_sid = "RE3";
    call.recording_status = "completed";
  });
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent.size() == 1u);
  BOOST_TEST(round.queue.row(60).status == "sent");
}

BOOST_AUTO_TEST_CASE(TheMessageIsTheOneInForceAtTheSend) {
  // Queued under version 1; the office manager rewrote it before the notifier got to it.
  TextBackRound round(true, {}, "Version one.");
  round.save_routing(2, true, "Version two.");
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent == std::vector<std::string>{"sms +447400123456 +15005550006: Version two."},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(TextBackSwitchedOffSinceFailsWithoutSendingOrRetrying) {
  TextBackRound round(false);
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent.empty());
  const auto& row = round.queue.row(60);
  BOOST_TEST(row.status == "failed");
  BOOST_TEST(row.attempts == 1);
  BOOST_TEST(*row.last_error == "text-back is off");
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].params_json ==
             R"({"Channel":"text-back","Attempt":"1","Result":"failed","Error":"text-back is off"})");
  round.now_ms += 24 * 3600 * 1000LL;
  BOOST_TEST(!round.run());
}

BOOST_AUTO_TEST_CASE(NoSnapshotYetMeansTheInitialRoutingWhereTextBackIsOff) {
  TextBackRound round(true);
  std::filesystem::remove(switchboard::routing::snapshot_path(round.settings));
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(*round.queue.row(60).last_error == "text-back is off");
}

BOOST_AUTO_TEST_CASE(ACallAnsweredAfterAllGetsNoText) {
  // The <Dial> action (bridged) came after the completed status, and later than the text back's wait.
  TextBackRound round(true, [](store::CallRow& call) {
    call.dial_status = "completed";
    call.dial_bridged = true;
  });
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(round.queue.row(60).status == "failed");
  BOOST_TEST(*round.queue.row(60).last_error == "the call is no longer missed or a voicemail (answered)");
}

BOOST_AUTO_TEST_CASE(ACallWithoutTheNumberItCameInOnGetsNoText) {
  TextBackRound round(true, [](store::CallRow& call) { call.to = ""; });
  BOOST_TEST(round.run());
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(round.queue.row(60).status == "failed");
  BOOST_TEST(*round.queue.row(60).last_error == "the call has no Twilio number to text from");
}

BOOST_AUTO_TEST_CASE(AFailedSendIsRetriedAfterBackoffLikeEveryChannel) {
  TextBackRound round(true);
  round.delivery.error = "Twilio answered HTTP 500";
  BOOST_TEST(round.run());
  const auto& row = round.queue.row(60);
  BOOST_TEST(row.status == "pending");
  BOOST_TEST(row.next_attempt_at_ms == kNow + notify::backoff_seconds(1) * 1000);
  BOOST_TEST(*row.last_error == "Twilio answered HTTP 500");
  round.delivery.error.reset();
  round.now_ms = row.next_attempt_at_ms;
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(60).status == "sent");
  BOOST_TEST(round.queue.row(60).attempts == 2);
  BOOST_TEST(round.delivery.sent.size() == 2u);
}

BOOST_AUTO_TEST_CASE(TextBackNeedsNeitherSmsNorWebhookConfigured) {
  TextBackRound round(true);
  round.settings.notifications.sms_to.clear();
  round.settings.notifications.webhook_url.clear();
  BOOST_TEST(round.run());
  BOOST_TEST(round.queue.row(60).status == "sent");
}

BOOST_AUTO_TEST_SUITE_END()
