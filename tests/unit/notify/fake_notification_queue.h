// An in-memory NotificationQueue with the rules of MysqlNotificationQueue's SQL, so that several notifiers can share
// it in a test: a claim takes the earliest due pending row whose lease has lapsed, counts an attempt and hands out a
// fresh token; a renewal and the settling writes take effect only with the row's current token, and clear it when
// they settle the row. Writes refused for a lost claim are listed, so tests can assert that a stale claimer changed
// nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "store/notification_queue.h"

namespace switchboard::test {

class FakeNotificationQueue : public store::NotificationQueue {
 public:
  struct Row {
    std::int64_t id = 0;
    std::string call_sid;
    std::string channel;
    std::string status = "pending";
    int attempts = 0;
    std::int64_t next_attempt_at_ms = 0;
    std::optional<std::int64_t> lease_until_ms;
    std::optional<std::string> claim_token;
    std::optional<std::string> last_error;
    std::optional<std::int64_t> sent_at_ms;
    std::optional<store::SentMessage> message;  // what Twilio answered at an SMS send
  };

  // "renew <id>", "sent <id>", "failed <id>": writes that named a token no longer the row's.
  std::vector<std::string> refused;

  // A pending row due at `due_at_ms` that has had `attempts` attempts already.
  void add(std::int64_t id, const std::string& call_sid, const std::string& channel, std::int64_t due_at_ms,
           int attempts = 0) {
    Row row;
    row.id = id;
    row.call_sid = call_sid;
    row.channel = channel;
    row.attempts = attempts;
    row.next_attempt_at_ms = due_at_ms;
    rows_.push_back(row);
  }

  const Row& row(std::int64_t id) const {
    for (const Row& row : rows_) {
      if (row.id == id) return row;
    }
    throw std::logic_error("no notification " + std::to_string(id) + " in the fake queue");
  }

  std::optional<store::Notification> claim_next(std::int64_t now_ms, int lease_s) override {
    Row* next = nullptr;
    for (Row& row : rows_) {
      const bool due = row.status == "pending" && row.next_attempt_at_ms <= now_ms &&
                       (!row.lease_until_ms || *row.lease_until_ms < now_ms);
      if (due && (!next || std::make_pair(row.next_attempt_at_ms, row.id) <
                               std::make_pair(next->next_attempt_at_ms, next->id))) {
        next = &row;
      }
    }
    if (!next) return std::nullopt;
    next->attempts += 1;
    next->lease_until_ms = now_ms + lease_s * 1000LL;
    next->claim_token = new_token();
    return store::Notification{next->id, next->call_sid, next->channel, next->attempts, *next->claim_token};
  }

  bool renew(store::Notification& claim, std::int64_t now_ms, int lease_s) override {
    Row* row = held(claim, "renew");
    if (!row) return false;
    row->lease_until_ms = now_ms + lease_s * 1000LL;
    row->claim_token = new_token();
    claim.claim_token = *row->claim_token;
    return true;
  }

  bool mark_sent(const store::Notification& claim, std::int64_t now_ms,
                 const std::optional<store::SentMessage>& message) override {
    Row* row = held(claim, "sent");
    if (!row) return false;
    row->status = "sent";
    row->sent_at_ms = now_ms;
    row->message = message;
    row->last_error.reset();
    release(*row);
    return true;
  }

  bool mark_failed(const store::Notification& claim, const std::string& error,
                   std::optional<std::int64_t> retry_at_ms) override {
    Row* row = held(claim, "failed");
    if (!row) return false;
    if (retry_at_ms) {
      row->next_attempt_at_ms = *retry_at_ms;
    } else {
      row->status = "failed";
    }
    row->last_error = error;
    release(*row);
    return true;
  }

 private:
  // The row, when `claim` still holds it (its token is the row's, the row is pending); else the write is refused.
  Row* held(const store::Notification& claim, const std::string& write) {
    for (Row& row : rows_) {
      if (row.id == claim.id && row.status == "pending" && row.claim_token == claim.claim_token) return &row;
    }
    refused.push_back(write + " " + std::to_string(claim.id));
    return nullptr;
  }

  static void release(Row& row) {
    row.lease_until_ms.reset();
    row.claim_token.reset();
  }

  std::string new_token() { return "token-" + std::to_string(++tokens_); }

  std::vector<Row> rows_;
  int tokens_ = 0;
};

}  // namespace switchboard::test
