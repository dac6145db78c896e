// Delivers queued voicemail notifications, one at a time: claims the next due row, builds the SMS or webhook from
// the call as it stands now (so a transcription that arrived meanwhile is included), renews the claim, sends, and
// records the outcome — sent, or failed with the next attempt scheduled by exponential backoff — in the queue and in
// the call's event timeline. Runs in switchboard-notify, apart from the workers, so sending never slows a Twilio
// callback; several notifiers may share the queue (store/notification_queue.h says how claims are decided).
//
// The "audio" channel is the same round with another delivery: the recording is downloaded into the cache the feed
// plays from (twilio::RecordingFetcher, which a play that comes first uses too), so that a play is a cache hit. It
// is queued for every voicemail, so a notifier with neither SMS nor webhook configured still has this to do.
//
// The "text-back" channel is an SMS to the caller (store/text_back.h says which calls get one), from the Twilio
// number they called, saying the routing's text_back.message as it stands at the send: the notifier reads the
// routing snapshot of its host (routing/snapshot.h) as the workers do. Text-back switched off since the call, or
// the call turned out answered after all, fails the row without sending or retrying.
//
// SMS go out with a StatusCallback naming the call and the row, so Twilio's delivery reports (queued → sent →
// delivered | undelivered | failed) reach the row and the call's timeline (webhooks: message-status). A voicemail
// SMS reported undelivered queues its one retry, "sms-fallback", through the signed webhook when one is configured.
//
// To add a channel: a constant in store/notification_queue.h, where MysqlCallStore queues it, and a branch in
// deliver().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "config/settings.h"
#include "routing/snapshot.h"
#include "store/call_store.h"
#include "store/notification_queue.h"
#include "twilio/recording_fetcher.h"

namespace switchboard::notify {

// An SMS to send through Twilio's Messages API. Twilio reports its delivery to `status_callback`
// (webhooks: message-status), which names the call and the notification row.
struct Sms {
  std::string to, from, body, status_callback;
};

// What sending an SMS achieved: the error, or what Twilio answered (its SID and first status).
struct SmsResult {
  std::optional<std::string> error;
  std::optional<store::SentMessage> message;
};

// The outside world, behind an interface so the notifier is tested without a network.
class Delivery {
 public:
  virtual ~Delivery() = default;
  virtual SmsResult send_sms(const Sms& sms) = 0;
  // nullopt on success, else the error.
  virtual std::optional<std::string> post_webhook(const std::string& url, const std::string& body,
                                                  const std::string& signature) = 0;
  // Whether the recording's audio is in the cache already (a play fetched it first).
  virtual bool recording_cached(const std::string& recording_sid) = 0;
  // Downloads the recording's audio into the cache.
  virtual std::optional<std::string> fetch_recording(const std::string& recording_sid) = 0;
};

// libcurl: SMS through Twilio's Messages API, the webhook as a JSON POST, the recording from Twilio's REST API into
// settings.recordings_dir(); each ends after settings.notifications.delivery_timeout_s, whatever happens.
class CurlDelivery : public Delivery {
 public:
  explicit CurlDelivery(const config::Settings& settings);
  // With SmartEncoded=true: Twilio replaces typographic characters, so the text stays GSM-7 (160 characters a segment
  // instead of 70).
  SmsResult send_sms(const Sms& sms) override;
  std::optional<std::string> post_webhook(const std::string& url, const std::string& body,
                                          const std::string& signature) override;
  bool recording_cached(const std::string& recording_sid) override;
  std::optional<std::string> fetch_recording(const std::string& recording_sid) override;

 private:
  const config::Settings& settings_;
  twilio::RecordingFetcher recordings_;
};

inline constexpr int kMaxAttempts = 10;
// Seconds before attempt `attempts + 1`: 5 s, 15 s, 45 s, … capped at one hour.
std::int64_t backoff_seconds(int attempts);

// Seconds a claim holds a notification: longer than one delivery can take (notifier.cc says by how much and why).
int lease_seconds(const config::Settings& settings);

// Milliseconds since the Unix epoch. Read at every step: one delivery can take seconds.
using Clock = std::function<std::int64_t()>;

class Notifier {
 public:
  Notifier(const config::Settings& settings, store::CallStore& calls, store::NotificationQueue& queue,
           Delivery& delivery, Clock clock)
      : settings_(settings),
        calls_(calls),
        queue_(queue),
        delivery_(delivery),
        clock_(std::move(clock)),
        lease_s_(lease_seconds(settings)),
        routing_(routing::snapshot_path(settings), routing::initial_routing(settings)) {}

  // Claims the next due notification, delivers it and records the outcome; false when nothing was due. Throws
  // store::Unavailable (the claim then lapses with its lease and any notifier retries it).
  bool run_once();

 private:
  // What one delivery achieved: the timeline's word for a success ("sent"; "fetched" or "cached" for audio), or
  // the error, and whether another attempt could do better.
  struct Outcome {
    Outcome(std::optional<std::string> failure = std::nullopt, const char* word = "sent", bool again = true)
        : error(std::move(failure)), result(word), retry(again) {}
    std::optional<std::string> error;
    const char* result;
    bool retry;
    std::optional<store::SentMessage> message;  // an SMS: what Twilio answered
  };
  static Outcome from_sms(const SmsResult& sent);
  Sms sms(const store::Notification& notification, std::string to, std::string from, std::string body) const;
  Outcome deliver(const store::Notification& notification, const store::CallRow& call, std::int64_t now_ms);
  Outcome fetch_audio(const store::CallRow& call);
  Outcome text_back(const store::Notification& notification, const store::CallRow& call);
  void log_to_timeline(const store::Notification& notification, const Outcome& outcome, std::int64_t now_ms);

  const config::Settings& settings_;
  store::CallStore& calls_;
  store::NotificationQueue& queue_;
  Delivery& delivery_;
  Clock clock_;
  int lease_s_;
  routing::Snapshot routing_;  // the text back's message, and whether it is still on
};

}  // namespace switchboard::notify
