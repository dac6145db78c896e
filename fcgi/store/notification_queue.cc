// SQL of the notification queue. Every decision is an UPDATE whose affected-row count says who won: Connector/C++
// reports changed rows, and each of these statements changes the row it matches (a new token, a new status), so
// "1" means this notifier's write took effect and "0" that another one got there first.
#include "store/notification_queue.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "store/call_store.h"
#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::store {

namespace {

// Candidates read per claim: when two notifiers read the same first row, the one that loses it tries the next
// instead of waiting a round.
constexpr int kCandidates = 5;

constexpr char kSelectDue[] =
    "SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? "
    "AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?";
// The claim repeats every condition of the SELECT: between the two, another notifier may have claimed or settled
// the row, and only this statement's outcome counts.
constexpr char kClaim[] =
    "UPDATE notifications SET lease_until = ?, claim_token = ?, attempts = attempts + 1 "
    "WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)";
constexpr char kSelectClaimed[] =
    "SELECT call_sid, channel, attempts FROM notifications WHERE id = ? AND claim_token = ?";
// The writes of a claimer, fenced by its token (NULL again once the row is settled).
constexpr char kRenew[] =
    "UPDATE notifications SET lease_until = ?, claim_token = ? "
    "WHERE id = ? AND claim_token = ? AND status = 'pending'";
// What Twilio answered at an SMS's send (its SID, "queued" or "accepted") fills only what a MessageStatus callback
// has not: that callback may have come first and said more (store/delivery_status.h).
constexpr char kMarkSent[] =
    "UPDATE notifications SET status = 'sent', sent_at = ?, lease_until = NULL, claim_token = NULL, "
    "last_error = NULL, message_sid = COALESCE(message_sid, ?), delivery_status = COALESCE(delivery_status, ?) "
    "WHERE id = ? AND claim_token = ? AND status = 'pending'";
constexpr char kRetry[] =
    "UPDATE notifications SET next_attempt_at = ?, lease_until = NULL, claim_token = NULL, last_error = ? "
    "WHERE id = ? AND claim_token = ? AND status = 'pending'";
constexpr char kGiveUp[] =
    "UPDATE notifications SET status = 'failed', lease_until = NULL, claim_token = NULL, last_error = ? "
    "WHERE id = ? AND claim_token = ? AND status = 'pending'";

// Galera reports a write that lost a certification conflict (another node changed the row first) as a deadlock at
// commit; InnoDB alone reports its deadlocks the same way. Either way the statement changed nothing.
constexpr int kConflict = 1213;
constexpr int kFencedTries = 3;

// 128 random bits as 32 hex digits (schema/003's CHAR(32)).
std::string new_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("notification queue: no random bytes");
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0x0f];
  }
  return token;
}

// Runs a write fenced by a claim token; true when it changed the row. After a conflict it runs again: the fence
// makes the second run change nothing if the conflict was another notifier taking the row over.
bool fenced_update(sql::PreparedStatement& update) {
  for (int attempt = 1;; ++attempt) {
    try {
      return update.executeUpdate() == 1;
    } catch (const sql::SQLException& error) {
      if (error.getErrorCode() != kConflict || attempt == kFencedTries) throw;
    }
  }
}

}  // namespace

MysqlNotificationQueue::MysqlNotificationQueue(ConnectionOptions options) : options_(std::move(options)) {}
MysqlNotificationQueue::~MysqlNotificationQueue() = default;

// One connection, autocommit on: every statement stands alone, and its commit decides. A lost connection is dropped
// and the error becomes Unavailable; the notifier's loop tries again on its next round.
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

std::optional<Notification> MysqlNotificationQueue::claim_next(std::int64_t now_ms, int lease_s) {
  return run([&](sql::Connection& connection) -> std::optional<Notification> {
    const std::string now = to_sql_datetime(now_ms);
    std::vector<std::int64_t> due;
    {
      std::unique_ptr<sql::PreparedStatement> select(connection.prepareStatement(kSelectDue));
      select->setString(1, now);
      select->setString(2, now);
      select->setInt(3, kCandidates);
      std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
      while (rows->next()) due.push_back(rows->getInt64(1));
    }
    std::unique_ptr<sql::PreparedStatement> claim(connection.prepareStatement(kClaim));
    for (const std::int64_t id : due) {
      const std::string token = new_token();
      claim->setString(1, to_sql_datetime(now_ms + lease_s * 1000LL));
      claim->setString(2, token);
      claim->setInt64(3, id);
      claim->setString(4, now);
      claim->setString(5, now);
      try {
        if (claim->executeUpdate() != 1) continue;  // another notifier took it, or settled it
      } catch (const sql::SQLException& error) {
        if (error.getErrorCode() == kConflict) continue;  // another node's claim committed first
        throw;
      }
      std::unique_ptr<sql::PreparedStatement> read(connection.prepareStatement(kSelectClaimed));
      read->setInt64(1, id);
      read->setString(2, token);
      std::unique_ptr<sql::ResultSet> rows(read->executeQuery());
      if (rows->next()) return Notification{id, rows->getString(1), rows->getString(2), rows->getInt(3), token};
    }
    return std::nullopt;
  });
}

bool MysqlNotificationQueue::renew(Notification& claim, std::int64_t now_ms, int lease_s) {
  return run([&](sql::Connection& connection) {
    // A fresh token makes the UPDATE change the row even when the new lease equals the old one (same millisecond),
    // so "changed nothing" can only mean "no longer ours".
    const std::string token = new_token();
    std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kRenew));
    update->setString(1, to_sql_datetime(now_ms + lease_s * 1000LL));
    update->setString(2, token);
    update->setInt64(3, claim.id);
    update->setString(4, claim.claim_token);
    if (!fenced_update(*update)) return false;
    claim.claim_token = token;
    return true;
  });
}

bool MysqlNotificationQueue::mark_sent(const Notification& claim, std::int64_t now_ms,
                                       const std::optional<SentMessage>& message) {
  return run([&](sql::Connection& connection) {
    std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kMarkSent));
    update->setString(1, to_sql_datetime(now_ms));
    if (message) {
      update->setString(2, text::truncate_utf8(text::valid_utf8(message->sid), 64));
      update->setString(3, text::truncate_utf8(text::valid_utf8(message->status), 16));
    } else {
      update->setNull(2, sql::DataType::VARCHAR);
      update->setNull(3, sql::DataType::VARCHAR);
    }
    update->setInt64(4, claim.id);
    update->setString(5, claim.claim_token);
    return fenced_update(*update);
  });
}

bool MysqlNotificationQueue::mark_failed(const Notification& claim, const std::string& error,
                                         std::optional<std::int64_t> retry_at_ms) {
  return run([&](sql::Connection& connection) {
    const std::string message = text::truncate_utf8(text::valid_utf8(error), 500);
    if (retry_at_ms) {
      std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kRetry));
      update->setString(1, to_sql_datetime(*retry_at_ms));
      update->setString(2, message);
      update->setInt64(3, claim.id);
      update->setString(4, claim.claim_token);
      return fenced_update(*update);
    }
    std::unique_ptr<sql::PreparedStatement> update(connection.prepareStatement(kGiveUp));
    update->setString(1, message);
    update->setInt64(2, claim.id);
    update->setString(3, claim.claim_token);
    return fenced_update(*update);
  });
}

}  // namespace switchboard::store
