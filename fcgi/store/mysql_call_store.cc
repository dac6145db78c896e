// Recording webhooks in the call log: the event and its call's folded row in one transaction, one round trip in the
// common cases (the stored procedure of schema/010), and what a change of the row queues (notifications, the
// text back) or a delivery receipt changes. Every statement is a named constant or built from the column table
// (call_columns.h) and uses placeholders. The feed's reads are in mysql_call_reads.cc.
#include "store/mysql_call_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "store/call_columns.h"
#include "store/delivery_status.h"
#include "store/notification_queue.h"
#include "store/sql_values.h"
#include "store/text_back.h"

namespace switchboard::store {

namespace {

// The event's columns, in the order EventValues::bind() binds them: the INSERT below and the procedure take them
// first.
constexpr int kEventColumnCount = 8;
constexpr char kInsertEvent[] =
    "INSERT INTO call_events (call_sid, kind, url_query, dedup_key, params, received_at, routing_rule, routing_detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

// A webhook: the event, then the call's folded row and its id (NULL: a new row), committed by the procedure
// (schema/010).
const std::string& record_webhook_sql() {
  static const std::string sql =
      "CALL record_webhook(" + placeholders(kEventColumnCount + folded_columns().size() + 1) + ")";
  return sql;
}
const std::string& lock_call_sql() {
  static const std::string sql = "SELECT " + call_select_list() + " FROM calls WHERE sid = ? FOR UPDATE";
  return sql;
}

constexpr int kDuplicateEntry = 1062;
// record_webhook's "the call has a row already" for a new call (schema/010): it rolled back; the row is to be
// locked and folded.
constexpr int kCallHasRow = 31001;

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

// Twilio's parameters as a JSON object, invalid UTF-8 repaired (the text is kept, not refused).
std::string params_json(const Params& params) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto write = [&](const std::string& text, bool key) {
    // Repairing copies; what Twilio sends is valid, so the common case writes the text as it is.
    const std::string repaired = text::is_valid_utf8(text) ? std::string() : text::valid_utf8(text);
    const std::string& valid = repaired.empty() ? text : repaired;
    const auto size = static_cast<rapidjson::SizeType>(valid.size());
    if (key) writer.Key(valid.data(), size);
    else writer.String(valid.data(), size);
  };
  writer.StartObject();
  for (const auto& [name, value] : params) {
    write(name, true);
    write(value, false);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

// An event's column values, cleaned and computed once, outside the transaction's retries.
struct MysqlCallStore::EventValues {
  std::string call_sid, kind, url_query, dedup_key, params_json, received_at;
  std::optional<std::string> routing_rule, routing_detail;

  explicit EventValues(const Event& event)
      : call_sid(clean(event.call_sid, 64)),
        kind(clean(event.kind, 32)),
        url_query(clean(event.url_query, 255)),
        dedup_key(event.dedup_key()),
        params_json(store::params_json(event.params)),
        received_at(to_sql_datetime(event.received_at_ms)),
        routing_rule(event.routing_rule),
        routing_detail(event.routing_detail) {}

  // Binds the event's columns from placeholder 1 on (kInsertEvent's order, and the procedure's).
  void bind(sql::PreparedStatement& statement) const {
    statement.setString(1, call_sid);
    statement.setString(2, kind);
    statement.setString(3, url_query);
    statement.setString(4, dedup_key);
    statement.setString(5, params_json);
    statement.setString(6, received_at);
    bind_text(statement, 7, routing_rule, 32);
    bind_text(statement, 8, routing_detail, 128);
  }
};

MysqlCallStore::MysqlCallStore(ConnectionOptions options, NotificationPolicy notifications)
    : session_(std::move(options)), notifications_(std::move(notifications)) {}

MysqlCallStore::~MysqlCallStore() = default;

RecordOutcome MysqlCallStore::record(const Event& event, const CallUpdate& update) {
  const EventValues values(event);
  const bool marker = is_rejection_marker(event);
  return session_.transaction("record event", [&] {
    // A rejection marker is the timeline's note that an event was refused: folding it could only be refused again.
    // A delivery receipt is about an SMS: the call itself does not change.
    if (marker || update.message_receipt) {
      sql::PreparedStatement& insert = session_.statement(kInsertEvent);
      values.bind(insert);
      try {
        insert.executeUpdate();
      } catch (const sql::SQLException& error) {
        if (error.getErrorCode() == kDuplicateEntry) return RecordOutcome::kDuplicate;
        throw;
      }
      if (update.message_receipt) apply_receipt(event.call_sid, *update.message_receipt, event.received_at_ms);
      return RecordOutcome::kStored;
    }
    // Only a call's first decision names its routing rule (the incoming call): that webhook finds no row, as a
    // rule, and is written in one round trip. Any other finds its call's row, as a rule.
    if (update.routing_rule) {
      if (const std::optional<RecordOutcome> outcome = record_new_call(event, values, update)) return *outcome;
    }
    return record_known_call(event, values, update);
  });
}

std::optional<RecordOutcome> MysqlCallStore::record_new_call(const Event& event, const EventValues& values,
                                                             const CallUpdate& update) {
  const CallRow fresh = new_call(event.call_sid, event.received_at_ms);
  const CallRow row = fold(fresh, update, event.received_at_ms);
  // In the same transaction as the procedure's writes: its commit (or rollback) takes them too.
  enqueue_notifications(fresh, row, update, event.received_at_ms);
  return write_webhook(values, row, std::nullopt);
}

RecordOutcome MysqlCallStore::record_known_call(const Event& event, const EventValues& values,
                                                const CallUpdate& update) {
  for (int look = 1;; ++look) {
    sql::PreparedStatement& lock = session_.statement(lock_call_sql());
    lock.setString(1, values.call_sid);
    std::unique_ptr<sql::ResultSet> rows(lock.executeQuery());
    if (rows->next()) {
      const CallRow before = read_call(*rows);
      rows.reset();
      const CallRow row = fold(before, update, event.received_at_ms);
      enqueue_notifications(before, row, update, event.received_at_ms);
      // The row is locked: the procedure updates it, it cannot find it gone.
      return *write_webhook(values, row, row.id);
    }
    rows.reset();
    // A later webhook of a call whose first one never came (or comes later): its first sight. Between the look
    // and the insert another worker may have written the row: the procedure then rolls back and says so, and the
    // second look finds the row.
    if (const std::optional<RecordOutcome> outcome = record_new_call(event, values, update)) return *outcome;
    if (look == 2) throw std::logic_error("call row neither found nor insertable");
  }
}

std::optional<RecordOutcome> MysqlCallStore::write_webhook(const EventValues& values, const CallRow& row,
                                                           std::optional<std::int64_t> call_id) {
  sql::PreparedStatement& call = session_.statement(record_webhook_sql());
  values.bind(call);
  const int id_index = bind_folded(call, kEventColumnCount + 1, row);
  if (call_id) call.setInt64(id_index, *call_id);
  else call.setNull(id_index, sql::DataType::BIGINT);
  try {
    call.executeUpdate();
    session_.transaction_ended();
    return RecordOutcome::kStored;
  } catch (const sql::SQLException& error) {
    if (error.getErrorCode() == kCallHasRow) return std::nullopt;  // rolled back by the procedure
    if (error.getErrorCode() != kDuplicateEntry) throw;
  }
  // The same webhook again: nothing of it may stay (the notifications queued before the CALL).
  session_.roll_back();
  return RecordOutcome::kDuplicate;
}

void MysqlCallStore::enqueue_notifications(const CallRow& before, const CallRow& after, const CallUpdate& update,
                                           std::int64_t now_ms) {
  const bool completed_now = after.recording_status == std::optional<std::string>("completed") &&
                             before.recording_status != after.recording_status;
  if (completed_now) {
    sql::PreparedStatement& insert = session_.statement(kEnqueueNotification);
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
    sql::PreparedStatement& release = session_.statement(kReleaseNotifications);
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
    sql::PreparedStatement& insert = session_.statement(kEnqueueTextBack);
    insert.setString(1, clean(after.sid, 64));
    insert.setString(2, kChannelTextBack);
    insert.setString(3, text_back_once_key(after));  // E.164 and a date: ASCII, 27 characters at most
    insert.setString(4, to_sql_datetime(now_ms + kTextBackSettleS * 1000LL));
    insert.setString(5, to_sql_datetime(now_ms));
    insert.executeUpdate();
  } else if (wanted_before && !wanted_after) {
    sql::PreparedStatement& withdraw = session_.statement(kWithdrawTextBack);
    withdraw.setString(1, clean(after.sid, 64));
    withdraw.setString(2, kChannelTextBack);
    withdraw.executeUpdate();
  }
}

void MysqlCallStore::apply_receipt(const std::string& call_sid, const MessageReceipt& receipt, std::int64_t now_ms) {
  sql::PreparedStatement& select = session_.statement(kSelectDelivery);
  select.setInt64(1, receipt.notification_id);
  select.setString(2, clean(call_sid, 64));
  std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
  if (!rows->next()) return;  // not ours (or purged): the event stays in the timeline, nothing else to change
  const std::string channel = rows->getString(1);
  const std::optional<std::string> current = get_text(*rows, 2);
  rows.reset();
  if (!delivery_advances(current, receipt.status)) return;
  sql::PreparedStatement& update = session_.statement(kUpdateDelivery);
  update.setString(1, clean(receipt.message_sid, 64));
  update.setString(2, clean(receipt.status, 16));
  bind_text(update, 3, receipt.error_code, 16);
  update.setString(4, to_sql_datetime(now_ms));
  update.setInt64(5, receipt.notification_id);
  update.executeUpdate();

  const bool webhook_configured = std::find(notifications_.channels.begin(), notifications_.channels.end(),
                                            kChannelWebhook) != notifications_.channels.end();
  if (channel == kChannelSms && delivery_failed(receipt.status) && webhook_configured) {
    sql::PreparedStatement& insert = session_.statement(kEnqueueNotification);
    insert.setString(1, clean(call_sid, 64));
    insert.setString(2, kChannelSmsFallback);
    insert.setString(3, to_sql_datetime(now_ms));
    insert.setString(4, to_sql_datetime(now_ms));
    insert.executeUpdate();
  }
}

}  // namespace switchboard::store
