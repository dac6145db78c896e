// SQL for the call log. Every statement is a named constant next to the method that runs it and uses placeholders;
// the listing query is assembled only from the fixed fragments below, never from input.
#include "store/mysql_call_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "store/delivery_status.h"
#include "store/text_back.h"
#include "store/notification_queue.h"
#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::store {

namespace {

// Times come back as Unix milliseconds (the session's time zone is UTC, see mysql_connection.cc): formatting a
// DATETIME to text in the connector and parsing it back cost more than the rest of a feed page together.
#define SWITCHBOARD_UNIX_MS(column) "CAST(UNIX_TIMESTAMP(" column ") * 1000 AS SIGNED)"
constexpr char kCallColumns[] =
    "id, sid, from_number, to_number, caller_name, from_city, from_state, from_country, status, status_sequence, "
    "menu_choice, forwarded_to, forward_accepted, dial_status, dial_bridged, talk_s, duration_s, "
    SWITCHBOARD_UNIX_MS("started_at") ", " SWITCHBOARD_UNIX_MS("answered_at") ", " SWITCHBOARD_UNIX_MS("ended_at") ", "
    "recording_sid, recording_url, recording_status, recording_duration_s, transcription_text, transcription_status, "
    SWITCHBOARD_UNIX_MS("voicemail_heard_at") ", routing_rule, text_back, " SWITCHBOARD_UNIX_MS("recording_deleted_at")
    ", " SWITCHBOARD_UNIX_MS("recording_deleted_at_twilio");

constexpr char kInsertEvent[] =
    "INSERT INTO call_events (call_sid, kind, url_query, dedup_key, params, received_at, routing_rule, routing_detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
// The columns fold() writes, in the order bind_folded_columns() binds them.
#define SWITCHBOARD_FOLDED_COLUMNS                                                                                 \
  "from_number, to_number, caller_name, from_city, from_state, from_country, status, status_sequence, menu_choice, " \
  "forwarded_to, forward_accepted, dial_status, dial_bridged, talk_s, duration_s, started_at, answered_at, "       \
  "ended_at, recording_sid, recording_url, recording_status, recording_duration_s, transcription_text, "           \
  "transcription_status, routing_rule, text_back"
constexpr int kFoldedColumnCount = 26;
// A call seen for the first time, written whole in one statement (the common case: the incoming-call webhook).
// IGNORE only turns "the call exists already" into 0 rows: values are cleaned and cut to size before binding.
constexpr char kInsertNewCall[] =
    "INSERT IGNORE INTO calls (sid, " SWITCHBOARD_FOLDED_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateCall[] =
    "UPDATE calls SET from_number = ?, to_number = ?, caller_name = ?, from_city = ?, from_state = ?, "
    "from_country = ?, status = ?, status_sequence = ?, menu_choice = ?, forwarded_to = ?, forward_accepted = ?, "
    "dial_status = ?, dial_bridged = ?, talk_s = ?, duration_s = ?, started_at = ?, answered_at = ?, ended_at = ?, "
    "recording_sid = ?, recording_url = ?, recording_status = ?, recording_duration_s = ?, transcription_text = ?, "
    "transcription_status = ?, routing_rule = ?, text_back = ? WHERE id = ?";
constexpr char kSelectEvents[] =
    "SELECT id, kind, url_query, params, received_at, routing_rule, routing_detail FROM call_events "
    "WHERE call_sid = ? ORDER BY id";

constexpr char kSetVoicemailHeard[] =
    "UPDATE calls SET voicemail_heard_at = ? WHERE sid = ? AND recording_sid IS NOT NULL";
// UPDATE reports changed rows, not matched ones: re-marking an already-heard voicemail changes nothing.
constexpr char kHasVoicemail[] = "SELECT 1 FROM calls WHERE sid = ? AND recording_sid IS NOT NULL";

// A voicemail's notifications (and its audio fetch), once per channel: the unique key absorbs repeated callbacks.
constexpr char kEnqueueNotification[] =
    "INSERT INTO notifications (call_sid, channel, next_attempt_at, created_at) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";
// The transcription arrived: an SMS waiting for it can go now. Not a text back: it waits for late callbacks, not for
// the transcription.
constexpr char kReleaseNotifications[] =
    "UPDATE notifications SET next_attempt_at = ? WHERE call_sid = ? AND status = 'pending' AND attempts = 0 "
    "AND next_attempt_at > ? AND channel <> ?";
// A call's text back, at most once per call (call_sid, channel) and once per caller and day (channel, once_key):
// either unique key absorbs it, so a repeated callback, a second missed call the same day or the same call seen on
// two Galera nodes queues nothing more. ON DUPLICATE KEY rather than IGNORE: any other error still fails the event.
constexpr char kEnqueueTextBack[] =
    "INSERT INTO notifications (call_sid, channel, once_key, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";
// A later callback showed the call answered after all (or its recording empty): a text back nobody has tried to
// send yet is as if never queued, which also frees the caller's day for a call that is really missed. One that was
// tried is left to the notifier, which checks the call before every attempt (store/text_back.h).
constexpr char kWithdrawTextBack[] =
    "DELETE FROM notifications WHERE call_sid = ? AND channel = ? AND status = 'pending' AND attempts = 0";

// A MessageStatus callback's notification row, locked so that two callbacks folded at once keep the higher status.
// The callback's URL names the row; the call SID must match too, so a URL edited by hand changes nothing.
constexpr char kSelectDelivery[] =
    "SELECT channel, delivery_status FROM notifications WHERE id = ? AND call_sid = ? FOR UPDATE";
// The callback may come before the notifier wrote what Twilio answered at the send: either fills message_sid.
constexpr char kUpdateDelivery[] =
    "UPDATE notifications SET message_sid = COALESCE(message_sid, ?), delivery_status = ?, delivery_error_code = ?, "
    "delivery_updated_at = ? WHERE id = ?";

constexpr char kNotificationsOf[] =
    "SELECT id, channel, status, attempts, " SWITCHBOARD_UNIX_MS("sent_at") ", last_error, message_sid, "
    "delivery_status, delivery_error_code, " SWITCHBOARD_UNIX_MS("delivery_updated_at")
    " FROM notifications WHERE call_sid = ? ORDER BY id";
constexpr char kReconciliationOf[] =
    "SELECT checks, " SWITCHBOARD_UNIX_MS("last_checked_at") ", " SWITCHBOARD_UNIX_MS("next_check_at")
    ", last_result FROM reconciliations WHERE call_sid = ?";

constexpr char kPing[] = "SELECT 1";

constexpr int kDuplicateEntry = 1062;
constexpr std::chrono::seconds kReconnectBackoff{1};

std::string select_call_sql(const char* suffix) {
  return std::string("SELECT ") + kCallColumns + " FROM calls WHERE sid = ?" + suffix;
}

// Column sizes from schema/001: longer caller data is cut (on a character boundary), invalid UTF-8 repaired, so a
// hostile value can never make the insert fail and the event be lost.
std::string clean(const std::optional<std::string>& value, size_t max_chars) {
  return text::truncate_utf8(text::valid_utf8(value.value_or("")), max_chars);
}

void bind_text(sql::PreparedStatement& statement, int index, const std::optional<std::string>& value,
               size_t max_chars) {
  if (value) statement.setString(index, clean(value, max_chars));
  else statement.setNull(index, sql::DataType::VARCHAR);
}

template <typename Integer>
void bind_int(sql::PreparedStatement& statement, int index, const std::optional<Integer>& value) {
  if (value) statement.setInt64(index, static_cast<int64_t>(*value));
  else statement.setNull(index, sql::DataType::BIGINT);
}

void bind_bool(sql::PreparedStatement& statement, int index, const std::optional<bool>& value) {
  if (value) statement.setBoolean(index, *value);
  else statement.setNull(index, sql::DataType::TINYINT);
}

void bind_time(sql::PreparedStatement& statement, int index, const std::optional<std::int64_t>& unix_ms) {
  if (unix_ms) statement.setString(index, to_sql_datetime(*unix_ms));
  else statement.setNull(index, sql::DataType::VARCHAR);
}

std::optional<std::string> get_text(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return std::string(rows.getString(column));
}

std::optional<int> get_int(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getInt(column);
}

std::optional<bool> get_bool(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getBoolean(column);
}

std::optional<std::int64_t> get_time(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getInt64(column);
}

// Binds fold()'s columns of `row` from parameter `first` on, in SWITCHBOARD_FOLDED_COLUMNS order.
void bind_folded_columns(sql::PreparedStatement& write, int first, const CallRow& row) {
  int i = first;
  write.setString(i++, clean(row.from, 64));
  write.setString(i++, clean(row.to, 64));
  bind_text(write, i++, row.caller_name, 255);
  bind_text(write, i++, row.from_city, 128);
  bind_text(write, i++, row.from_state, 128);
  bind_text(write, i++, row.from_country, 64);
  write.setString(i++, clean(row.status, 16));
  bind_int(write, i++, row.status_sequence);
  bind_text(write, i++, row.menu_choice, 16);
  bind_text(write, i++, row.forwarded_to, 64);
  bind_bool(write, i++, row.forward_accepted);
  bind_text(write, i++, row.dial_status, 16);
  bind_bool(write, i++, row.dial_bridged);
  bind_int(write, i++, row.talk_s);
  bind_int(write, i++, row.duration_s);
  write.setString(i++, to_sql_datetime(row.started_at_ms));
  bind_time(write, i++, row.answered_at_ms);
  bind_time(write, i++, row.ended_at_ms);
  bind_text(write, i++, row.recording_sid, 64);
  bind_text(write, i++, row.recording_url, 512);
  bind_text(write, i++, row.recording_status, 16);
  bind_int(write, i++, row.recording_duration_s);
  bind_text(write, i++, row.transcription_text, 20000);
  bind_text(write, i++, row.transcription_status, 16);
  bind_text(write, i++, row.routing_rule, 32);
  bind_bool(write, i++, row.text_back);
}

CallRow read_call(sql::ResultSet& rows) {
  CallRow row;
  row.id = rows.getInt64(1);
  row.sid = rows.getString(2);
  row.from = rows.getString(3);
  row.to = rows.getString(4);
  row.caller_name = get_text(rows, 5);
  row.from_city = get_text(rows, 6);
  row.from_state = get_text(rows, 7);
  row.from_country = get_text(rows, 8);
  row.status = rows.getString(9);
  if (!rows.isNull(10)) row.status_sequence = rows.getInt64(10);
  row.menu_choice = get_text(rows, 11);
  row.forwarded_to = get_text(rows, 12);
  row.forward_accepted = get_bool(rows, 13);
  row.dial_status = get_text(rows, 14);
  row.dial_bridged = get_bool(rows, 15);
  row.talk_s = get_int(rows, 16);
  row.duration_s = get_int(rows, 17);
  row.started_at_ms = *get_time(rows, 18);
  row.answered_at_ms = get_time(rows, 19);
  row.ended_at_ms = get_time(rows, 20);
  row.recording_sid = get_text(rows, 21);
  row.recording_url = get_text(rows, 22);
  row.recording_status = get_text(rows, 23);
  row.recording_duration_s = get_int(rows, 24);
  row.transcription_text = get_text(rows, 25);
  row.transcription_status = get_text(rows, 26);
  row.voicemail_heard_at_ms = get_time(rows, 27);
  row.routing_rule = get_text(rows, 28);
  row.text_back = get_bool(rows, 29);
  row.recording_deleted_at_ms = get_time(rows, 30);
  row.recording_deleted_at_twilio_ms = get_time(rows, 31);
  return row;
}

std::string params_json(const Params& params) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [name, value] : params) {
    const std::string clean_name = text::valid_utf8(name);
    const std::string clean_value = text::valid_utf8(value);
    writer.Key(clean_name.data(), static_cast<rapidjson::SizeType>(clean_name.size()));
    writer.String(clean_value.data(), static_cast<rapidjson::SizeType>(clean_value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

MysqlCallStore::MysqlCallStore(ConnectionOptions options, NotificationPolicy notifications)
    : options_(std::move(options)), notifications_(std::move(notifications)) {}

void MysqlCallStore::enqueue_notifications(const CallRow& before, const CallRow& after, const CallUpdate& update,
                                           std::int64_t now_ms) {
  const bool completed_now = after.recording_status == std::optional<std::string>("completed") &&
                             before.recording_status != after.recording_status;
  if (completed_now) {
    sql::PreparedStatement& insert = statement(kEnqueueNotification);
    const auto enqueue = [&](const std::string& channel, std::int64_t due_ms) {
      insert.setString(1, clean(after.sid, 64));
      insert.setString(2, channel);
      insert.setString(3, to_sql_datetime(due_ms));
      insert.setString(4, to_sql_datetime(now_ms));
      insert.executeUpdate();
    };
    // The audio is fetched at once, for every voicemail (configured notifications or not): it needs no
    // transcription, and the sooner it is cached, the likelier the first play is a cache hit.
    enqueue(kChannelAudio, now_ms);
    const std::int64_t due = after.transcription_text ? now_ms : now_ms + notifications_.transcription_wait_s * 1000LL;
    for (const std::string& channel : notifications_.channels) enqueue(channel, due);
  } else if (update.transcription_text && !notifications_.channels.empty()) {
    sql::PreparedStatement& release = statement(kReleaseNotifications);
    release.setString(1, to_sql_datetime(now_ms));
    release.setString(2, clean(after.sid, 64));
    release.setString(3, to_sql_datetime(now_ms));
    release.setString(4, kChannelTextBack);
    release.executeUpdate();
  }

  // The text back follows the call's qualification (wants_text_back) from one fold to the next: queued when
  // it turns true, withdrawn when it turns false, nothing while it stays. The flag first: only calls whose routing
  // asked for a text back pay for the number check.
  if (before.text_back != true && after.text_back != true) return;
  const bool wanted_before = wants_text_back(before);
  const bool wanted_after = wants_text_back(after);
  if (wanted_after && !wanted_before) {
    sql::PreparedStatement& insert = statement(kEnqueueTextBack);
    insert.setString(1, clean(after.sid, 64));
    insert.setString(2, kChannelTextBack);
    insert.setString(3, text_back_once_key(after));  // E.164 and a date: ASCII, 27 characters at most
    insert.setString(4, to_sql_datetime(now_ms + kTextBackSettleS * 1000LL));
    insert.setString(5, to_sql_datetime(now_ms));
    insert.executeUpdate();
  } else if (wanted_before && !wanted_after) {
    sql::PreparedStatement& withdraw = statement(kWithdrawTextBack);
    withdraw.setString(1, clean(after.sid, 64));
    withdraw.setString(2, kChannelTextBack);
    withdraw.executeUpdate();
  }
}

void MysqlCallStore::apply_receipt(const std::string& call_sid, const MessageReceipt& receipt, std::int64_t now_ms) {
  sql::PreparedStatement& select = statement(kSelectDelivery);
  select.setInt64(1, receipt.notification_id);
  select.setString(2, clean(call_sid, 64));
  std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
  if (!rows->next()) return;  // not ours (or purged): the event stays in the timeline, nothing else to change
  const std::string channel = rows->getString(1);
  const std::optional<std::string> current = get_text(*rows, 2);
  rows.reset();
  if (!delivery_advances(current, receipt.status)) return;
  sql::PreparedStatement& update = statement(kUpdateDelivery);
  update.setString(1, clean(receipt.message_sid, 64));
  update.setString(2, clean(receipt.status, 16));
  bind_text(update, 3, receipt.error_code, 16);
  update.setString(4, to_sql_datetime(now_ms));
  update.setInt64(5, receipt.notification_id);
  update.executeUpdate();

  const bool webhook_configured = std::find(notifications_.channels.begin(), notifications_.channels.end(),
                                            kChannelWebhook) != notifications_.channels.end();
  if (channel == kChannelSms && delivery_failed(receipt.status) && webhook_configured) {
    sql::PreparedStatement& insert = statement(kEnqueueNotification);
    insert.setString(1, clean(call_sid, 64));
    insert.setString(2, kChannelSmsFallback);
    insert.setString(3, to_sql_datetime(now_ms));
    insert.setString(4, to_sql_datetime(now_ms));
    insert.executeUpdate();
  }
}

MysqlCallStore::~MysqlCallStore() { drop_connection(); }

void MysqlCallStore::drop_connection() {
  statements_.clear();  // statements belong to the connection: release them first
  connection_.reset();
}

sql::PreparedStatement& MysqlCallStore::statement(const std::string& text) {
  auto found = statements_.find(text);
  if (found == statements_.end()) {
    found = statements_.emplace(text, std::unique_ptr<sql::PreparedStatement>(connection_->prepareStatement(text))).first;
  }
  return *found->second;
}

void MysqlCallStore::connect(const char* operation) {
  if (connection_) return;
  if (std::chrono::steady_clock::now() < next_connect_attempt_) {
    throw Unavailable(std::string(operation) + ": database unreachable, waiting before reconnecting");
  }
  try {
    connection_ = open_connection(options_);
    connection_->setAutoCommit(false);
  } catch (const sql::SQLException& error) {
    // Whatever the server said while we were connecting (gone, access denied, too many connections), it said it
    // about every event, not this one.
    drop_connection();
    next_connect_attempt_ = std::chrono::steady_clock::now() + kReconnectBackoff;
    throw Unavailable(std::string(operation) + ": cannot connect: " + error.what() + " (MySQL error " +
                      std::to_string(error.getErrorCode()) + ")");
  } catch (...) {
    drop_connection();  // a connection left in autocommit must not be used
    throw;
  }
}

void MysqlCallStore::abandon_transaction(bool connection_lost) {
  if (connection_lost || !connection_) {
    drop_connection();
    return;
  }
  try {
    connection_->rollback();
  } catch (...) {
    // A transaction we cannot roll back must not stay open on a connection we keep: the next commit would commit
    // half of it. Dropping the connection makes the server roll it back.
    drop_connection();
  }
}

// Runs `work` in a transaction on a live connection, and leaves no transaction open whatever happens: every
// exception rolls back (or drops the connection) before it goes on. A stale connection, deadlock or lock timeout
// gets one more try; an error that says the server takes nothing now becomes Unavailable; any other SQL error is
// the server refusing this work and becomes Rejected.
template <typename Work>
auto MysqlCallStore::with_retry(const char* operation, Work&& work) {
  for (int attempt = 1;; ++attempt) {
    connect(operation);
    try {
      auto result = work();
      connection_->commit();
      return result;
    } catch (const sql::SQLException& error) {
      abandon_transaction(is_connection_error(error));
      const std::string detail = std::string(operation) + ": " + error.what() + " (MySQL error " +
                                 std::to_string(error.getErrorCode()) + ")";
      switch (classify(error, attempt < 2)) {
        case Failure::kRetry:
          continue;
        case Failure::kUnavailable:
          if (!connection_) next_connect_attempt_ = std::chrono::steady_clock::now() + kReconnectBackoff;
          throw Unavailable(detail);
        case Failure::kRejected:
          throw Rejected(Rejection{error.getErrorCode(), std::string(error.getSQLState()), error.what()});
      }
    } catch (...) {
      abandon_transaction(false);
      throw;
    }
  }
}

RecordOutcome MysqlCallStore::record(const Event& event, const CallUpdate& update) {
  const std::string dedup_key = event.dedup_key();
  const std::string json = params_json(event.params);
  const bool marker = is_rejection_marker(event);
  return with_retry("record event", [&] {
    sql::PreparedStatement& insert_event = statement(kInsertEvent);
    insert_event.setString(1, clean(event.call_sid, 64));
    insert_event.setString(2, clean(event.kind, 32));
    insert_event.setString(3, clean(event.url_query, 255));
    insert_event.setString(4, dedup_key);
    insert_event.setString(5, json);
    insert_event.setString(6, to_sql_datetime(event.received_at_ms));
    bind_text(insert_event, 7, event.routing_rule, 32);
    bind_text(insert_event, 8, event.routing_detail, 128);
    try {
      insert_event.executeUpdate();
    } catch (const sql::SQLException& error) {
      if (error.getErrorCode() == kDuplicateEntry) return RecordOutcome::kDuplicate;
      throw;
    }
    // A rejection marker is the timeline's note that an event was refused: folding it could only be refused again.
    if (marker) return RecordOutcome::kStored;
    // A delivery receipt is about an SMS: the call itself does not change.
    if (update.message_receipt) {
      apply_receipt(event.call_sid, *update.message_receipt, event.received_at_ms);
      return RecordOutcome::kStored;
    }

    // First sight of the call: one INSERT with the folded row. Otherwise lock, fold and write back.
    const CallRow fresh = new_call(event.call_sid, event.received_at_ms);
    CallRow before = fresh;
    CallRow row = fold(fresh, update, event.received_at_ms);
    sql::PreparedStatement& insert = statement(kInsertNewCall);
    insert.setString(1, clean(event.call_sid, 64));
    bind_folded_columns(insert, 2, row);
    if (insert.executeUpdate() == 0) {
      sql::PreparedStatement& select = statement(select_call_sql(" FOR UPDATE"));
      select.setString(1, clean(event.call_sid, 64));
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      if (!rows->next()) throw std::logic_error("call row vanished inside its own transaction");
      before = read_call(*rows);
      row = fold(before, update, event.received_at_ms);
      sql::PreparedStatement& write = statement(kUpdateCall);
      bind_folded_columns(write, 1, row);
      write.setInt64(kFoldedColumnCount + 1, row.id);
      write.executeUpdate();
    }
    enqueue_notifications(before, row, update, event.received_at_ms);
    return RecordOutcome::kStored;
  });
}

CallDetail MysqlCallStore::detail_of(const std::string& sid) {
  return with_retry("call detail", [&] {
    CallDetail detail;
    sql::PreparedStatement& notifications = statement(kNotificationsOf);
    notifications.setString(1, clean(sid, 64));
    std::unique_ptr<sql::ResultSet> rows(notifications.executeQuery());
    while (rows->next()) {
      NotificationSummary summary;
      summary.id = rows->getInt64(1);
      summary.channel = rows->getString(2);
      summary.status = rows->getString(3);
      summary.attempts = rows->getInt(4);
      summary.sent_at_ms = get_time(*rows, 5);
      summary.last_error = get_text(*rows, 6);
      summary.message_sid = get_text(*rows, 7);
      summary.delivery_status = get_text(*rows, 8);
      summary.delivery_error_code = get_text(*rows, 9);
      summary.delivery_updated_at_ms = get_time(*rows, 10);
      detail.notifications.push_back(std::move(summary));
    }
    sql::PreparedStatement& reconciliation = statement(kReconciliationOf);
    reconciliation.setString(1, clean(sid, 64));
    rows.reset(reconciliation.executeQuery());
    if (rows->next()) {
      ReconcileState state;
      state.checks = rows->getInt(1);
      state.last_checked_at_ms = rows->getInt64(2);
      state.next_check_at_ms = get_time(*rows, 3);
      state.last_result = rows->getString(4);
      detail.reconciliation = std::move(state);
    }
    return detail;
  });
}

namespace {

// The index (schema/001, 004) that serves a listing filtered on exactly one column, or none. Left to itself, MariaDB
// may walk such an index by `ref` on the column alone, newest first, and read every newer row to reach a deep
// cursor: measured on 250,000 calls, 82,000 rows read for a page of 51 where a range on (column, started_at, id)
// reads 51. With two filters the optimizer's choice between their indexes stands.
const char* index_for(const CallQuery& query) {
  int filters = 0;
  const char* index = nullptr;
  const auto use = [&](bool present, const char* name) {
    if (!present) return;
    ++filters;
    index = name;
  };
  use(query.status.has_value(), "calls_status_newest");
  use(query.menu_choice.has_value(), "calls_choice_newest");
  use(query.has_voicemail.has_value(), "calls_voicemail_newest");
  use(query.outcome.has_value(), "calls_outcome_newest");
  use(query.from.has_value(), "calls_from_newest");
  return filters == 1 ? index : nullptr;
}

}  // namespace

std::string MysqlCallStore::list_calls_sql(const CallQuery& query) {
  // Fixed fragments chosen by which filters are present; values are always bound.
  std::string sql = std::string("SELECT ") + kCallColumns + " FROM calls";
  if (const char* index = index_for(query)) sql += std::string(" FORCE INDEX (") + index + ")";
  sql += " WHERE 1 = 1";
  if (query.status) sql += " AND status = ?";
  if (query.menu_choice) sql += *query.menu_choice == "none" ? " AND menu_choice IS NULL" : " AND menu_choice = ?";
  if (query.has_voicemail) sql += " AND has_voicemail = ?";
  // The stored column of schema/005, on its own index (outcome, started_at, id): the same keyset walk as the others.
  if (query.outcome) sql += " AND outcome = ?";
  if (query.from) sql += " AND from_number = ?";
  if (query.since_ms) sql += " AND started_at >= ?";
  if (query.until_ms) sql += " AND started_at < ?";
  if (query.after) sql += " AND (started_at < ? OR (started_at = ? AND id < ?))";
  sql += " ORDER BY started_at DESC, id DESC LIMIT ?";
  return sql;
}

std::vector<CallRow> MysqlCallStore::list_calls(const CallQuery& query) {
  const std::string sql = list_calls_sql(query);
  return with_retry("list calls", [&] {
    sql::PreparedStatement& select = statement(sql);
    int index = 1;
    if (query.status) select.setString(index++, *query.status);
    if (query.menu_choice && *query.menu_choice != "none") select.setString(index++, *query.menu_choice);
    if (query.has_voicemail) select.setBoolean(index++, *query.has_voicemail);
    if (query.outcome) select.setString(index++, *query.outcome);
    if (query.from) select.setString(index++, *query.from);
    if (query.since_ms) select.setString(index++, to_sql_datetime(*query.since_ms));
    if (query.until_ms) select.setString(index++, to_sql_datetime(*query.until_ms));
    if (query.after) {
      select.setString(index++, to_sql_datetime(query.after->started_at_ms));
      select.setString(index++, to_sql_datetime(query.after->started_at_ms));
      select.setInt64(index++, query.after->id);
    }
    select.setInt(index, query.limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    std::vector<CallRow> calls;
    while (rows->next()) calls.push_back(read_call(*rows));
    return calls;
  });
}

// One row per (UTC hour, outcome) of the period: a range scan of calls_newest and a small temporary table, however
// many calls. ORDER BY NULL spares the sort GROUP BY would otherwise do (the caller orders the hours itself).
// The session's time zone is UTC (mysql_connection.cc), so UNIX_TIMESTAMP() reads started_at as UTC.
constexpr char kTallyByHour[] =
    "SELECT CAST(FLOOR(UNIX_TIMESTAMP(started_at) / 3600) AS SIGNED) AS hour, outcome, COUNT(*), "
    "CAST(SUM(voicemail_heard_at IS NULL) AS SIGNED), CAST(COALESCE(SUM(talk_s), 0) AS SIGNED), COUNT(talk_s) "
    "FROM calls WHERE started_at >= ? AND started_at < ? GROUP BY hour, outcome ORDER BY NULL";

std::vector<HourTally> MysqlCallStore::tally_by_hour(std::int64_t since_ms, std::optional<std::int64_t> until_ms) {
  return with_retry("count calls", [&] {
    sql::PreparedStatement& select = statement(kTallyByHour);
    // No stored time lies outside what the store can hold: clamping keeps the bounds valid DATETIMEs.
    const auto storable = [](std::int64_t ms) { return std::clamp(ms, kEarliestStorableMs, kLatestStorableMs + 1); };
    select.setString(1, to_sql_datetime(storable(since_ms)));
    select.setString(2, to_sql_datetime(storable(until_ms.value_or(kLatestStorableMs + 1))));
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    std::vector<HourTally> tallies;
    while (rows->next()) {
      HourTally tally;
      tally.hour_start_ms = rows->getInt64(1) * 3600 * 1000;
      tally.outcome = rows->getString(2);
      tally.calls = rows->getInt64(3);
      tally.unheard = rows->getInt64(4);
      tally.talk_s_total = rows->getInt64(5);
      tally.talk_s_count = rows->getInt64(6);
      tallies.push_back(std::move(tally));
    }
    return tallies;
  });
}

std::optional<CallRow> MysqlCallStore::find_call(const std::string& sid) {
  return with_retry("find call", [&]() -> std::optional<CallRow> {
    sql::PreparedStatement& select = statement(select_call_sql(""));
    select.setString(1, sid);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return std::nullopt;
    return read_call(*rows);
  });
}

std::vector<StoredEvent> MysqlCallStore::events_of(const std::string& sid) {
  return with_retry("read events", [&] {
    sql::PreparedStatement& select = statement(kSelectEvents);
    select.setString(1, sid);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    std::vector<StoredEvent> events;
    while (rows->next()) {
      events.push_back(StoredEvent{rows->getInt64(1), rows->getString(2), rows->getString(3), rows->getString(4),
                                   from_sql_datetime(rows->getString(5)), get_text(*rows, 6), get_text(*rows, 7)});
    }
    return events;
  });
}

bool MysqlCallStore::reachable() {
  try {
    return with_retry("health check", [&] {
      std::unique_ptr<sql::ResultSet> rows(statement(kPing).executeQuery());
      return static_cast<bool>(rows->next());
    });
  } catch (const std::exception&) {
    return false;
  }
}

bool MysqlCallStore::set_voicemail_heard(const std::string& sid, std::optional<std::int64_t> heard_at_ms) {
  return with_retry("mark voicemail", [&] {
    sql::PreparedStatement& update = statement(kSetVoicemailHeard);
    bind_time(update, 1, heard_at_ms);
    update.setString(2, sid);
    if (update.executeUpdate() > 0) return true;
    sql::PreparedStatement& exists = statement(kHasVoicemail);
    exists.setString(1, sid);
    std::unique_ptr<sql::ResultSet> rows(exists.executeQuery());
    return static_cast<bool>(rows->next());
  });
}

}  // namespace switchboard::store
