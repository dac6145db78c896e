// The notification queue (schema/002, claims fenced by schema/003, once keys by schema/007): rows are created by
// MysqlCallStore::record when a voicemail completes (one per channel: SMS, webhook, and the audio fetch that every
// voicemail gets) and when a call qualifies for a text back (store/text_back.h); switchboard-notify claims one due
// row at a time with a lease, renews the claim right before sending, delivers, and marks the row sent or schedules a
// retry.
//
// Several notifiers (one per host, or a restarted one) share the queue. A claim is decided by its UPDATE's
// affected-row count, never by a lock: Galera's locks are node-local (SELECT … FOR UPDATE on two nodes can both
// take the same row), only the commit is cluster-wide. Each claim writes a fresh token, and every later write of the
// claimer names it, so a notifier whose lease ran out and whose row was claimed again changes nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "store/mysql_connection.h"

namespace sql {
class Connection;
}

namespace switchboard::store {

inline constexpr char kChannelSms[] = "sms";
inline constexpr char kChannelWebhook[] = "webhook";
// Not a message to anyone: the recording's audio fetched into the local cache, so that a play is a cache hit. Queued
// for every completed voicemail, whatever notifications are configured; the same claims, retries and backoff.
inline constexpr char kChannelAudio[] = "audio";
// The SMS to the caller of a missed call or a voicemail (store/text_back.h). Its row carries a once key (the caller
// and the day), unique per channel, so that a caller gets at most one a day however many calls and hosts.
inline constexpr char kChannelTextBack[] = "text-back";
// The one retry of a voicemail SMS that Twilio reported undelivered or failed: the same notice, through the signed
// webhook, saying the SMS did not arrive. Queued only when the webhook is configured, at most once per call.
inline constexpr char kChannelSmsFallback[] = "sms-fallback";

// What Twilio answered when an SMS was sent: the message's SID and its first status.
struct SentMessage {
  std::string sid;
  std::string status;
};

// A claimed notification.
struct Notification {
  std::int64_t id;
  std::string call_sid;
  std::string channel;
  int attempts;             // including the one just claimed
  std::string claim_token;  // the claim's fence: writes naming another token change nothing
};

class NotificationQueue {
 public:
  virtual ~NotificationQueue() = default;
  // Claims the next due notification (pending, next attempt due, no live lease) for `lease_s` seconds and counts an
  // attempt; nullopt when none is due or other notifiers won every candidate. Throws Unavailable when the database
  // is down.
  virtual std::optional<Notification> claim_next(std::int64_t now_ms, int lease_s) = 0;
  // Extends the claim to `now_ms + lease_s` and gives it a fresh token (stored in `claim`). False, and nothing
  // changed, when the claim was lost: another notifier claimed the row since, or it was settled.
  virtual bool renew(Notification& claim, std::int64_t now_ms, int lease_s) = 0;
  // The row is sent (an SMS with what Twilio answered); false, and nothing changed, when the claim was lost.
  virtual bool mark_sent(const Notification& claim, std::int64_t now_ms,
                         const std::optional<SentMessage>& message) = 0;
  // Schedules another attempt at `retry_at_ms`, or gives up (status 'failed') when it is nullopt; false, and
  // nothing changed, when the claim was lost.
  virtual bool mark_failed(const Notification& claim, const std::string& error,
                           std::optional<std::int64_t> retry_at_ms) = 0;
};

class MysqlNotificationQueue : public NotificationQueue {
 public:
  explicit MysqlNotificationQueue(ConnectionOptions options);
  ~MysqlNotificationQueue() override;

  std::optional<Notification> claim_next(std::int64_t now_ms, int lease_s) override;
  bool renew(Notification& claim, std::int64_t now_ms, int lease_s) override;
  bool mark_sent(const Notification& claim, std::int64_t now_ms,
                 const std::optional<SentMessage>& message) override;
  bool mark_failed(const Notification& claim, const std::string& error,
                   std::optional<std::int64_t> retry_at_ms) override;

 private:
  template <typename Work>
  auto run(Work&& work);

  ConnectionOptions options_;
  std::unique_ptr<sql::Connection> connection_;
};

}  // namespace switchboard::store
