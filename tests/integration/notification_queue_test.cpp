// The notification queue's SQL against the stack's MariaDB, in a database of its own (created from schema/ by the
// migrator, dropped afterwards) so the stack's notifiers never see these rows: a claim is decided by its UPDATE, a
// claimer whose lease ran out and whose row was claimed again changes nothing with any of its writes, a retry is
// claimed again only once due, and two queues racing for the same rows claim each exactly once. What a completed
// voicemail queues (MysqlCallStore): its audio fetch at once, configured notifications or not, the messages after
// the transcription wait.
#include <boost/test/unit_test.hpp>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/migrator.h"
#include "store/mysql_call_store.h"
#include "store/mysql_connection.h"
#include "store/notification_queue.h"
#include "store/sql_time.h"
#include "support/stack.h"

using namespace integration;
namespace store = switchboard::store;

namespace {

constexpr char kDatabase[] = "switchboard_queue_test";
constexpr std::int64_t kNow = 1764147600000;  // 2025-11-26 09:00:00 UTC
constexpr int kLeaseSeconds = 10;

store::ConnectionOptions options_for(const std::string& schema) {
  store::ConnectionOptions options;
  options.socket = stack().db_socket;
  options.user = "root";
  options.schema = schema;
  return options;
}

// A fresh, migrated database for one test, dropped when it ends (also when an assertion fails half-way).
struct PrivateQueue {
  store::ConnectionOptions options = options_for(kDatabase);
  std::unique_ptr<sql::Connection> connection;

  PrivateQueue() {
    auto admin = store::open_connection(options_for("switchboard"));
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute(std::string("DROP DATABASE IF EXISTS ") + kDatabase);
    statement->execute(std::string("CREATE DATABASE ") + kDatabase +
                       " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    store::apply_migrations(options, store::load_migrations(std::string(SWITCHBOARD_SOURCE_DIR) + "/schema"));
    connection = store::open_connection(options);
  }
  ~PrivateQueue() {
    connection.reset();
    try {
      auto admin = store::open_connection(options_for("switchboard"));
      std::unique_ptr<sql::Statement>(admin->createStatement())
          ->execute(std::string("DROP DATABASE IF EXISTS ") + kDatabase);
    } catch (const std::exception& error) {
      BOOST_TEST_MESSAGE("could not drop " << kDatabase << ": " << error.what());  // the next test recreates it
    }
  }

  // A pending SMS notification of `call_sid`, due at `due_ms`; returns its id.
  std::int64_t add(const std::string& call_sid, std::int64_t due_ms) {
    std::unique_ptr<sql::PreparedStatement> insert(connection->prepareStatement(
        "INSERT INTO notifications (call_sid, channel, next_attempt_at, created_at) VALUES (?, 'sms', ?, ?)"));
    insert->setString(1, call_sid);
    insert->setString(2, store::to_sql_datetime(due_ms));
    insert->setString(3, store::to_sql_datetime(due_ms));
    insert->executeUpdate();
    std::unique_ptr<sql::Statement> statement(connection->createStatement());
    std::unique_ptr<sql::ResultSet> id(statement->executeQuery("SELECT LAST_INSERT_ID()"));
    id->next();
    return id->getInt64(1);
  }

  // The row as strings ("NULL" for NULL), times as Unix milliseconds (the connector's DATETIME text varies in its
  // fraction digits).
  std::map<std::string, std::string> row(std::int64_t id) {
    std::unique_ptr<sql::PreparedStatement> select(connection->prepareStatement(
        "SELECT status, attempts, lease_until, claim_token, last_error, sent_at, next_attempt_at "
        "FROM notifications WHERE id = ?"));
    select->setInt64(1, id);
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    std::map<std::string, std::string> values;
    if (!rows->next()) return values;
    for (const char* column : {"status", "attempts", "claim_token", "last_error"}) {
      values[column] = rows->isNull(column) ? "NULL" : std::string(rows->getString(column));
    }
    for (const char* column : {"lease_until", "sent_at", "next_attempt_at"}) {
      values[column] =
          rows->isNull(column) ? "NULL" : std::to_string(store::from_sql_datetime(rows->getString(column)));
    }
    return values;
  }
};

std::string at(std::int64_t unix_ms) { return std::to_string(unix_ms); }

// "<channel> <status> <attempts> <due, Unix ms>" of every notification of `call_sid`, by channel.
std::vector<std::string> queued_for(PrivateQueue& db, const std::string& call_sid) {
  std::unique_ptr<sql::PreparedStatement> select(db.connection->prepareStatement(
      "SELECT channel, status, attempts, next_attempt_at FROM notifications WHERE call_sid = ? ORDER BY channel"));
  select->setString(1, call_sid);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  std::vector<std::string> queued;
  while (rows->next()) {
    queued.push_back(std::string(rows->getString(1)) + " " + std::string(rows->getString(2)) + " " +
                     std::to_string(rows->getInt(3)) + " " +
                     at(store::from_sql_datetime(rows->getString(4))));
  }
  return queued;
}

// Twilio's recording-status callback saying the recording of `call_sid` is complete, as the webhook records it.
void recording_completed(store::MysqlCallStore& calls, const std::string& call_sid, std::int64_t at_ms) {
  store::Event event;
  event.call_sid = call_sid;
  event.kind = "recording-status";
  event.params = {{"CallSid", call_sid}, {"RecordingSid", "RE0123456789abcdef0123456789abcdef"},
                  {"RecordingStatus", "completed"}};
  event.received_at_ms = at_ms;
  store::CallUpdate update;
  update.recording_sid = "RE0123456789abcdef0123456789abcdef";
  update.recording_status = "completed";
  calls.record(event, update);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notification_queue)

BOOST_AUTO_TEST_CASE(AStaleClaimersWritesChangeNothingOnceTheRowIsClaimedAgain) {
  PrivateQueue db;
  const std::int64_t id = db.add("CAqueue1", kNow);
  store::MysqlNotificationQueue first(db.options), second(db.options);

  std::optional<store::Notification> mine = first.claim_next(kNow, kLeaseSeconds);
  BOOST_REQUIRE(mine.has_value());
  BOOST_TEST(mine->id == id);
  BOOST_TEST(mine->call_sid == "CAqueue1");
  BOOST_TEST(mine->channel == "sms");
  BOOST_TEST(mine->attempts == 1);
  BOOST_TEST(mine->claim_token.size() == 32u);
  BOOST_TEST(db.row(id).at("lease_until") == at(kNow + kLeaseSeconds * 1000));
  BOOST_TEST(db.row(id).at("claim_token") == mine->claim_token);

  BOOST_TEST(!second.claim_next(kNow + 5000, kLeaseSeconds).has_value());  // the lease holds
  std::optional<store::Notification> theirs = second.claim_next(kNow + 11000, kLeaseSeconds);  // it ran out
  BOOST_REQUIRE(theirs.has_value());
  BOOST_TEST(theirs->attempts == 2);
  BOOST_TEST(theirs->claim_token != mine->claim_token);

  // Every write of the first claimer is refused and leaves the row as the second claim wrote it.
  const auto claimed_again = db.row(id);
  store::Notification stale = *mine;
  BOOST_TEST(!first.renew(stale, kNow + 11500, kLeaseSeconds));
  BOOST_TEST(stale.claim_token == mine->claim_token);
  BOOST_TEST(!first.mark_sent(*mine, kNow + 11500, std::nullopt));
  BOOST_TEST(!first.mark_failed(*mine, "Timeout was reached", kNow + 20000));
  BOOST_TEST(!first.mark_failed(*mine, "Timeout was reached", std::nullopt));
  BOOST_TEST((db.row(id) == claimed_again));
  BOOST_TEST(claimed_again.at("status") == "pending");
  BOOST_TEST(claimed_again.at("attempts") == "2");
  BOOST_TEST(claimed_again.at("claim_token") == theirs->claim_token);
  BOOST_TEST(claimed_again.at("lease_until") == at(kNow + 11000 + kLeaseSeconds * 1000));

  // The holder renews (a fresh token, even within the same millisecond) and settles.
  const std::string before = theirs->claim_token;
  BOOST_TEST(second.renew(*theirs, kNow + 11000, kLeaseSeconds));
  BOOST_TEST(theirs->claim_token != before);
  BOOST_TEST(!second.mark_sent(store::Notification{theirs->id, "", "", 0, before}, kNow + 12000, std::nullopt));
  BOOST_TEST(second.mark_sent(*theirs, kNow + 12000, std::nullopt));
  const auto sent = db.row(id);
  BOOST_TEST(sent.at("status") == "sent");
  BOOST_TEST(sent.at("sent_at") == at(kNow + 12000));
  BOOST_TEST(sent.at("lease_until") == "NULL");
  BOOST_TEST(sent.at("claim_token") == "NULL");
  BOOST_TEST(sent.at("attempts") == "2");

  // Settled for good: nobody claims it, not even its last holder can write again.
  BOOST_TEST(!first.claim_next(kNow + 3600 * 1000, kLeaseSeconds).has_value());
  BOOST_TEST(!second.mark_failed(*theirs, "late", std::nullopt));
  BOOST_TEST((db.row(id) == sent));
}

BOOST_AUTO_TEST_CASE(ARetryIsClaimedAgainOnceDueAndTheLastAttemptGivesUp) {
  PrivateQueue db;
  const std::int64_t later = db.add("CAqueue3", kNow + 1000);
  const std::int64_t id = db.add("CAqueue2", kNow);
  store::MysqlNotificationQueue queue(db.options);

  std::optional<store::Notification> claim = queue.claim_next(kNow, kLeaseSeconds);
  BOOST_REQUIRE(claim.has_value());
  BOOST_TEST(claim->id == id);  // the one due, not the one due later
  BOOST_TEST(queue.mark_failed(*claim, "HTTP 500", kNow + 5000));
  auto row = db.row(id);
  BOOST_TEST(row.at("status") == "pending");
  BOOST_TEST(row.at("next_attempt_at") == at(kNow + 5000));
  BOOST_TEST(row.at("last_error") == "HTTP 500");
  BOOST_TEST(row.at("lease_until") == "NULL");
  BOOST_TEST(row.at("claim_token") == "NULL");

  claim = queue.claim_next(kNow + 4999, kLeaseSeconds);
  BOOST_REQUIRE(claim.has_value());
  BOOST_TEST(claim->id == later);
  BOOST_TEST(queue.mark_sent(*claim, kNow + 4999, std::nullopt));
  BOOST_TEST(!queue.claim_next(kNow + 4999, kLeaseSeconds).has_value());

  claim = queue.claim_next(kNow + 5000, kLeaseSeconds);
  BOOST_REQUIRE(claim.has_value());
  BOOST_TEST(claim->id == id);
  BOOST_TEST(claim->attempts == 2);
  BOOST_TEST(queue.mark_failed(*claim, std::string("gave up: ") + std::string(600, 'x'), std::nullopt));
  row = db.row(id);
  BOOST_TEST(row.at("status") == "failed");
  BOOST_TEST(row.at("last_error").size() == 500u);  // truncated to its column
  BOOST_TEST(!queue.claim_next(kNow + 3600 * 1000, kLeaseSeconds).has_value());
}

BOOST_AUTO_TEST_CASE(TwoQueuesRacingForTheSameRowsClaimEachExactlyOnce) {
  // Two notifiers' connections claim from the same 60 due rows as fast as they can; the UPDATE's affected-row
  // count decides each race, so every row is claimed by exactly one of them.
  PrivateQueue db;
  std::set<std::int64_t> all;
  for (int i = 0; i < 60; ++i) all.insert(db.add("CArace" + std::to_string(i), kNow));
  std::vector<std::int64_t> claimed[2];
  std::string errors[2];
  std::thread racers[2];
  for (int r = 0; r < 2; ++r) {
    racers[r] = std::thread([&db, &claimed, &errors, r] {
      sql::mysql::get_mysql_driver_instance()->threadInit();
      try {
        store::MysqlNotificationQueue queue(db.options);
        while (auto claim = queue.claim_next(kNow, 60)) {
          claimed[r].push_back(claim->id);
          if (!queue.mark_sent(*claim, kNow, std::nullopt)) errors[r] += "refused to settle its own claim; ";
        }
      } catch (const std::exception& error) {
        errors[r] += error.what();
      }
      sql::mysql::get_mysql_driver_instance()->threadEnd();
    });
  }
  for (std::thread& racer : racers) racer.join();
  BOOST_TEST(errors[0] == "");
  BOOST_TEST(errors[1] == "");

  BOOST_TEST_MESSAGE("claimed " << claimed[0].size() << " and " << claimed[1].size());
  std::multiset<std::int64_t> both(claimed[0].begin(), claimed[0].end());
  both.insert(claimed[1].begin(), claimed[1].end());
  BOOST_TEST(both.size() == all.size());
  BOOST_TEST(std::set<std::int64_t>(both.begin(), both.end()) == all);
  for (const std::int64_t id : all) {
    BOOST_TEST_CONTEXT("notification " << id) {
      BOOST_TEST(db.row(id).at("status") == "sent");
      BOOST_TEST(db.row(id).at("attempts") == "1");
    }
  }
}

BOOST_AUTO_TEST_CASE(ACompletedRecordingQueuesItsAudioAtOnceEvenWithNoNotificationConfigured) {
  PrivateQueue db;
  store::MysqlCallStore calls(db.options, store::NotificationPolicy{});
  recording_completed(calls, "CAaudio1", kNow);
  BOOST_TEST(queued_for(db, "CAaudio1") == std::vector<std::string>{"audio pending 0 " + at(kNow)},
             boost::test_tools::per_element());
  // Twilio repeats the callback (a duplicate), or says "completed" again: still one fetch.
  recording_completed(calls, "CAaudio1", kNow);
  recording_completed(calls, "CAaudio1", kNow + 1000);
  BOOST_TEST(queued_for(db, "CAaudio1").size() == 1u);
}

BOOST_AUTO_TEST_CASE(TheAudioDoesNotWaitForTheTranscriptionTheMessagesDo) {
  PrivateQueue db;
  store::NotificationPolicy policy;
  policy.channels = {store::kChannelSms, store::kChannelWebhook};
  policy.transcription_wait_s = 90;
  store::MysqlCallStore calls(db.options, policy);
  recording_completed(calls, "CAaudio2", kNow);
  BOOST_TEST(queued_for(db, "CAaudio2") ==
                 (std::vector<std::string>{"audio pending 0 " + at(kNow), "sms pending 0 " + at(kNow + 90000),
                                           "webhook pending 0 " + at(kNow + 90000)}),
             boost::test_tools::per_element());

  // The transcription arrives: the messages go now; the audio row is left as it was.
  store::Event event;
  event.call_sid = "CAaudio2";
  event.kind = "transcription";
  event.params = {{"CallSid", "CAaudio2"}, {"TranscriptionText", "call me back"}};
  event.received_at_ms = kNow + 5000;
  store::CallUpdate update;
  update.transcription_text = "call me back";
  calls.record(event, update);
  BOOST_TEST(queued_for(db, "CAaudio2") ==
                 (std::vector<std::string>{"audio pending 0 " + at(kNow), "sms pending 0 " + at(kNow + 5000),
                                           "webhook pending 0 " + at(kNow + 5000)}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
