// The voicemail notification queue (schema/002): rows are created by MysqlCallStore::record when a voicemail
// completes; switchboard-notify claims due rows with a lease (so two notifiers on two hosts never send the same
// one), delivers them, and marks them sent or schedules a retry.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/mysql_connection.h"

namespace sql {
class Connection;
}

namespace switchboard::store {

inline constexpr char kChannelSms[] = "sms";
inline constexpr char kChannelWebhook[] = "webhook";

struct Notification {
  std::int64_t id;
  std::string call_sid;
  std::string channel;
  int attempts;  // including the one just claimed
};

class NotificationQueue {
 public:
  virtual ~NotificationQueue() = default;
  // Claims up to `limit` due notifications for `lease_s` seconds. Throws Unavailable when the database is down.
  virtual std::vector<Notification> claim_due(std::int64_t now_ms, int limit, int lease_s) = 0;
  virtual void mark_sent(std::int64_t id, std::int64_t now_ms) = 0;
  // Schedules another attempt at `retry_at_ms`, or gives up (status 'failed') when it is nullopt.
  virtual void mark_failed(std::int64_t id, const std::string& error, std::optional<std::int64_t> retry_at_ms) = 0;
};

class MysqlNotificationQueue : public NotificationQueue {
 public:
  explicit MysqlNotificationQueue(ConnectionOptions options);
  ~MysqlNotificationQueue() override;

  std::vector<Notification> claim_due(std::int64_t now_ms, int limit, int lease_s) override;
  void mark_sent(std::int64_t id, std::int64_t now_ms) override;
  void mark_failed(std::int64_t id, const std::string& error, std::optional<std::int64_t> retry_at_ms) override;

 private:
  template <typename Work>
  auto run(Work&& work);

  ConnectionOptions options_;
  std::unique_ptr<sql::Connection> connection_;
};

}  // namespace switchboard::store
