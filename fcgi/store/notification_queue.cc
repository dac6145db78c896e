// SQL of the notification queue.
#include "store/notification_queue.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include "store/call_store.h"
#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::store {

namespace {

constexpr char kSelectDue[] =
    "SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? "
    "AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?";
constexpr char kClaim[] =
    "UPDATE notifications SET lease_until = ?, attempts = attempts + 1 "
    "WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)";
constexpr char kSelectClaimed[] = "SELECT call_sid, channel, attempts FROM notifications WHERE id = ?";
constexpr char kMarkSent[] =
    "UPDATE notifications SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?";
constexpr char kRetry[] =
    "UPDATE notifications SET next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?";
constexpr char kGiveUp[] =
    "UPDATE notifications SET status = 'failed', lease_until = NULL, last_error = ? WHERE id = ?";

}  // namespace

MysqlNotificationQueue::MysqlNotificationQueue(ConnectionOptions options) : options_(std::move(options)) {}
MysqlNotificationQueue::~MysqlNotificationQueue() = default;

// One connection, autocommit on: every statement stands alone. A lost connection is dropped and the error becomes
// Unavailable; the notifier's loop tries again on its next round.
template <typename Work>
auto MysqlNotificationQueue::run(Work&& work) {
  try {
    if (!connection_) connection_ = open_connection(options_);
    return work(*connection_);
  } catch (const sql::SQLException& error) {
    if (is_connection_error(error)) {
      connection_.reset();
      throw Unavailable(std::string("notification queue: ") + error.what());
    }
    throw;
  }
}

std::vector<Notification> MysqlNotificationQueue::claim_due(std::int64_t now_ms, int limit, int lease_s) {
  return run([&](sql::Connection& connection) {
    std::vector<std::int64_t> due;
    {
      std::unique_ptr<sql::PreparedStatement> select(connection.prepareStatement(kSelectDue));
      select->setString(1, to_sql_datetime(now_ms));
      select->setString(2, to_sql_datetime(now_ms));
      select->setInt(3, limit);
      std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
      while (rows->next()) due.push_back(rows->getInt64(1));
    }
    std::vector<Notification> claimed;
    std::unique_ptr<sql::PreparedStatement> claim(connection.prepareStatement(kClaim));
    std::unique_ptr<sql::PreparedStatement> read(connection.prepareStatement(kSelectClaimed));
    for (const std::int64_t id : due) {
      claim->setString(1, to_sql_datetime(now_ms + lease_s * 1000LL));
      claim->setInt64(2, id);
      claim->setString(3, to_sql_datetime(now_ms));
      if (claim->executeUpdate() != 1) continue;  // another notifier took it
      read->setInt64(1, id);
      std::unique_ptr<sql::ResultSet> rows(read->executeQuery());
      if (rows->next()) claimed.push_back(Notification{id, rows->getString(1), rows->getString(2), rows->getInt(3)});
    }
    return claimed;
  });
}

void MysqlNotificationQueue::mark_sent(std::int64_t id, std::int64_t now_ms) {
  run([&](sql::Connection& connection) {
    std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kMarkSent));
    update->setString(1, to_sql_datetime(now_ms));
    update->setInt64(2, id);
    return update->executeUpdate();
  });
}

void MysqlNotificationQueue::mark_failed(std::int64_t id, const std::string& error,
                                    std::optional<std::int64_t> retry_at_ms) {
  run([&](sql::Connection& connection) {
    const std::string message = text::truncate_utf8(text::valid_utf8(error), 500);
    if (retry_at_ms) {
      std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kRetry));
      update->setString(1, to_sql_datetime(*retry_at_ms));
      update->setString(2, message);
      update->setInt64(3, id);
      return update->executeUpdate();
    }
    std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kGiveUp));
    update->setString(1, message);
    update->setInt64(2, id);
    return update->executeUpdate();
  });
}

}  // namespace switchboard::store
