// The notifier: its retry schedule, one delivery round against an in-memory queue (claim → send → mark sent or
// schedule a retry → timeline entry), and what happens when the queue cannot be reached.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "notify/notifier.h"
#include "notify/voicemail_notice.h"
#include "store/notification_queue.h"

namespace {

namespace notify = switchboard::notify;
namespace store = switchboard::store;
using switchboard::test::FakeCallStore;
using switchboard::test::TempDir;

// Records what would have been sent; answers with `error` (nullopt = delivered).
class RecordingDelivery : public notify::Delivery {
 public:
  std::optional<std::string> error;
  std::vector<std::string> sent;  // "sms <to> <from>: <body>" / "webhook <url> <signature>: <body>"

  std::optional<std::string> send_sms(const std::string& to, const std::string& from,
                                      const std::string& body) override {
    sent.push_back("sms " + to + " " + from + ": " + body);
    return error;
  }
  std::optional<std::string> post_webhook(const std::string& url, const std::string& body,
                                          const std::string& signature) override {
    sent.push_back("webhook " + url + " " + signature + ": " + body);
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
  notify::Notifier notifier(settings, calls, queue, delivery);

  const auto started = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(notifier.run_once(1764147600000), store::Unavailable);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(elapsed_ms < 2000);
  BOOST_TEST(delivery.sent.empty());
  BOOST_TEST(calls.list_calls(store::CallQuery{}).empty());  // no timeline entry, no phantom call
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// An in-memory queue: what the notifier claimed and how it settled each notification.
class FakeQueue : public store::NotificationQueue {
 public:
  std::vector<store::Notification> due;
  std::vector<std::int64_t> sent;
  std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> failed;  // id, retry at

  std::vector<store::Notification> claim_due(std::int64_t, int, int) override {
    auto claimed = due;
    due.clear();
    return claimed;
  }
  void mark_sent(std::int64_t id, std::int64_t) override { sent.push_back(id); }
  void mark_failed(std::int64_t id, const std::string&, std::optional<std::int64_t> retry_at_ms) override {
    failed.emplace_back(id, retry_at_ms);
  }
};

constexpr std::int64_t kNow = 1764147600000;

struct Round {
  switchboard::config::Settings settings = switchboard::test::test_settings();
  FakeCallStore calls;
  FakeQueue queue;
  RecordingDelivery delivery;

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

  int run() {
    notify::Notifier notifier(settings, calls, queue, delivery);
    return notifier.run_once(kNow);
  }

  std::vector<store::StoredEvent> timeline() { return calls.events_of("CA1"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_delivery_round)

BOOST_AUTO_TEST_CASE(SmsGoesToTheConfiguredNumberAndIsMarkedSent) {
  Round round;
  round.queue.due = {{7, "CA1", store::kChannelSms, 1}};
  BOOST_TEST(round.run() == 1);
  BOOST_REQUIRE(round.delivery.sent.size() == 1u);
  BOOST_TEST(round.delivery.sent[0].rfind("sms +14155550111 +14155550199: Voicemail from +14155550100, 0:21", 0) == 0);
  BOOST_TEST(round.queue.sent == std::vector<std::int64_t>{7});
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].kind == "notification");
  BOOST_TEST(timeline[0].params_json.find("\"Result\":\"sent\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(WebhookIsSignedWithTheRoundsTimestamp) {
  Round round;
  round.queue.due = {{8, "CA1", store::kChannelWebhook, 1}};
  round.run();
  BOOST_REQUIRE(round.delivery.sent.size() == 1u);
  const std::string& line = round.delivery.sent[0];
  const std::string body = line.substr(line.find(": ") + 2);
  const std::string expected = notify::webhook_signature("0123456789abcdef0123", kNow / 1000, body);
  BOOST_TEST(line.find("webhook https://hooks.example.com/voicemail " + expected) == 0u);
}

BOOST_AUTO_TEST_CASE(AFailedSendIsRetriedAfterBackoffAndLogged) {
  Round round;
  round.delivery.error = "HTTP 500";
  round.queue.due = {{9, "CA1", store::kChannelSms, 2}};
  round.run();
  BOOST_REQUIRE(round.queue.failed.size() == 1u);
  BOOST_TEST(round.queue.failed[0].first == 9);
  BOOST_TEST(*round.queue.failed[0].second == kNow + notify::backoff_seconds(2) * 1000);
  BOOST_TEST(round.queue.sent.empty());
  const auto timeline = round.timeline();
  BOOST_REQUIRE(timeline.size() == 1u);
  BOOST_TEST(timeline[0].params_json.find("\"Error\":\"HTTP 500\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(TheLastAttemptGivesUp) {
  Round round;
  round.delivery.error = "HTTP 500";
  round.queue.due = {{10, "CA1", store::kChannelSms, notify::kMaxAttempts}};
  round.run();
  BOOST_REQUIRE(round.queue.failed.size() == 1u);
  BOOST_TEST(!round.queue.failed[0].second.has_value());
}

BOOST_AUTO_TEST_CASE(AChannelNoLongerConfiguredFailsWithoutSending) {
  Round round;
  round.settings.notifications.sms_to.clear();
  round.queue.due = {{11, "CA1", store::kChannelSms, 1}};
  round.run();
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(round.queue.failed.size() == 1u);
}

BOOST_AUTO_TEST_CASE(AMissingCallFailsWithoutCreatingOne) {
  Round round;
  round.queue.due = {{12, "CAgone", store::kChannelSms, 1}};
  round.run();
  BOOST_TEST(round.delivery.sent.empty());
  BOOST_TEST(round.queue.failed.size() == 1u);
  BOOST_TEST(!round.calls.find_call("CAgone").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
