// SQL of the retention purge. Every statement is a named constant (or assembled from the fixed fragments below) and
// prepared; values are always bound. The walks are keyset walks on existing indexes (schema/009_retention.sql says
// why no new one): FORCE INDEX keeps MariaDB on them rather than leave the choice to the optimizer's guess.
#include "store/retention_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>

#include <algorithm>

#include "store/sql_time.h"
#include "store/sql_values.h"

namespace switchboard::store {

namespace {

constexpr char kRetainedColumns[] =
    "id, sid, " SWITCHBOARD_UNIX_MS("started_at") ", recording_sid, recording_status, "
    SWITCHBOARD_UNIX_MS("recording_deleted_at") ", " SWITCHBOARD_UNIX_MS("recording_deleted_at_twilio");
// The SQL twin of retention::is_protected(): an unheard voicemail (a recording not reported absent, never marked
// heard) is never purged. The status is compared as bytes without padding, as C++ compares it (schema/005).
#define SWITCHBOARD_NOT_UNHEARD                                                                                 \
  "NOT (recording_sid IS NOT NULL AND NOT (recording_status COLLATE utf8mb4_nopad_bin <=> 'absent') AND " \
  "voicemail_heard_at IS NULL)"
constexpr char kKeepUnheard[] = " AND " SWITCHBOARD_NOT_UNHEARD;
constexpr char kAfterCursor[] = " AND (started_at > ? OR (started_at = ? AND id > ?))";
constexpr char kOldestFirst[] = " ORDER BY started_at, id LIMIT ?";

constexpr char kUnheardVoicemails[] =
    "SELECT COUNT(*) FROM calls FORCE INDEX (calls_voicemail_newest) WHERE has_voicemail = 1 AND started_at < ? "
    "AND NOT (" SWITCHBOARD_NOT_UNHEARD ")";
constexpr char kCountEvents[] = "SELECT COUNT(*) FROM call_events WHERE call_sid = ?";
constexpr char kCountNotifications[] = "SELECT COUNT(*) FROM notifications WHERE call_sid = ?";

// The row again, locked, if it may still go: what was read outside the transaction may have changed since.
constexpr char kLockDeletable[] = "SELECT id FROM calls WHERE id = ? AND " SWITCHBOARD_NOT_UNHEARD " FOR UPDATE";
constexpr char kDeleteCall[] = "DELETE FROM calls WHERE id = ?";
constexpr char kDeleteEvents[] = "DELETE FROM call_events WHERE call_sid = ?";
constexpr char kDeleteNotifications[] = "DELETE FROM notifications WHERE call_sid = ?";
// The reconciler's lookups of the call (schema/008): nothing to look up once the call is gone.
constexpr char kDeleteLookups[] = "DELETE FROM reconciliations WHERE call_sid = ?";
constexpr char kLockAudio[] =
    "SELECT id FROM calls WHERE id = ? AND recording_deleted_at IS NULL AND " SWITCHBOARD_NOT_UNHEARD " FOR UPDATE";
constexpr char kMarkAudioDeleted[] = "UPDATE calls SET recording_deleted_at = ? WHERE id = ?";
constexpr char kMarkDeletedAtTwilio[] =
    "UPDATE calls SET recording_deleted_at_twilio = ? WHERE id = ? AND recording_deleted_at_twilio IS NULL";

std::vector<RetainedCall> read_calls(sql::ResultSet& rows) {
  std::vector<RetainedCall> calls;
  while (rows.next()) {
    RetainedCall call;
    call.id = rows.getInt64(1);
    call.sid = rows.getString(2);
    call.started_at_ms = rows.isNull(3) ? 0 : rows.getInt64(3);
    call.recording_sid = get_text(rows, 4);
    call.recording_status = get_text(rows, 5);
    call.recording_deleted_at_ms = get_time(rows, 6);
    call.recording_deleted_at_twilio_ms = get_time(rows, 7);
    calls.push_back(std::move(call));
  }
  return calls;
}

// A cut-off the store can hold (a limit of a hundred years from 2026 reaches before 1970).
std::string storable(std::int64_t unix_ms) {
  return to_sql_datetime(std::clamp(unix_ms, kEarliestStorableMs, kLatestStorableMs));
}

void bind_walk(sql::PreparedStatement& select, std::int64_t before_ms, const std::optional<Cursor>& after,
               int limit) {
  int index = 1;
  select.setString(index++, storable(before_ms));
  if (after) {
    select.setString(index++, to_sql_datetime(after->started_at_ms));
    select.setString(index++, to_sql_datetime(after->started_at_ms));
    select.setInt64(index++, after->id);
  }
  select.setInt(index, limit);
}

std::int64_t count_of(sql::PreparedStatement& select) {
  std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
  return rows->next() ? rows->getInt64(1) : 0;
}

}  // namespace

MysqlRetentionStore::MysqlRetentionStore(ConnectionOptions options) : options_(std::move(options)) {}

MysqlRetentionStore::~MysqlRetentionStore() { drop_connection(); }

void MysqlRetentionStore::drop_connection() {
  statements_.clear();  // statements belong to the connection: release them first
  connection_.reset();
}

sql::PreparedStatement& MysqlRetentionStore::statement(const std::string& text) {
  auto found = statements_.find(text);
  if (found == statements_.end()) {
    found = statements_.emplace(text, std::unique_ptr<sql::PreparedStatement>(connection_->prepareStatement(text)))
                .first;
  }
  return *found->second;
}

template <typename Work>
auto MysqlRetentionStore::transaction(const char* operation, Work&& work) {
  try {
    if (!connection_) {
      connection_ = open_connection(options_);
      connection_->setAutoCommit(false);
    }
  } catch (const sql::SQLException& error) {
    drop_connection();
    throw Unavailable(std::string("retention: ") + operation + ": cannot connect: " + error.what());
  }
  try {
    auto result = work();
    connection_->commit();
    return result;
  } catch (const sql::SQLException& error) {
    const bool lost = is_connection_error(error);
    try {
      if (!lost) connection_->rollback();
    } catch (...) {
      drop_connection();  // a transaction we cannot roll back must not stay open on a connection we keep
    }
    if (lost) {
      drop_connection();
      throw Unavailable(std::string("retention: ") + operation + ": " + error.what());
    }
    throw;
  } catch (...) {
    try {
      connection_->rollback();
    } catch (...) {
      drop_connection();
    }
    throw;
  }
}

std::string MysqlRetentionStore::old_calls_sql(bool with_cursor) {
  return std::string("SELECT ") + kRetainedColumns + " FROM calls FORCE INDEX (calls_newest) WHERE started_at < ?" +
         (with_cursor ? kAfterCursor : "") + kKeepUnheard + kOldestFirst;
}

std::string MysqlRetentionStore::old_voicemails_sql(bool twilio_pending, bool with_cursor) {
  return std::string("SELECT ") + kRetainedColumns +
         " FROM calls FORCE INDEX (calls_voicemail_newest) WHERE has_voicemail = 1 AND started_at < ?" +
         (with_cursor ? kAfterCursor : "") + " AND recording_deleted_at IS NULL" +
         (twilio_pending ? " AND recording_deleted_at_twilio IS NULL AND recording_status = 'completed'" : "") +
         kKeepUnheard + kOldestFirst;
}

std::vector<RetainedCall> MysqlRetentionStore::old_calls(std::int64_t before_ms, const std::optional<Cursor>& after,
                                                         int limit) {
  return transaction("old calls", [&] {
    sql::PreparedStatement& select = statement(old_calls_sql(after.has_value()));
    bind_walk(select, before_ms, after, limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    return read_calls(*rows);
  });
}

std::vector<RetainedCall> MysqlRetentionStore::old_voicemails(std::int64_t before_ms, bool twilio_pending,
                                                              const std::optional<Cursor>& after, int limit) {
  return transaction("old voicemails", [&] {
    sql::PreparedStatement& select = statement(old_voicemails_sql(twilio_pending, after.has_value()));
    bind_walk(select, before_ms, after, limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    return read_calls(*rows);
  });
}

std::int64_t MysqlRetentionStore::unheard_voicemails(std::int64_t before_ms) {
  return transaction("unheard voicemails", [&] {
    sql::PreparedStatement& select = statement(kUnheardVoicemails);
    select.setString(1, storable(before_ms));
    return count_of(select);
  });
}

CallContents MysqlRetentionStore::contents_of(const std::string& sid) {
  return transaction("count a call's rows", [&] {
    CallContents contents;
    sql::PreparedStatement& events = statement(kCountEvents);
    events.setString(1, sid);
    contents.events = count_of(events);
    sql::PreparedStatement& notifications = statement(kCountNotifications);
    notifications.setString(1, sid);
    contents.notifications = count_of(notifications);
    return contents;
  });
}

std::vector<RetainedCall> MysqlRetentionStore::delete_calls(const std::vector<RetainedCall>& batch,
                                                            const std::function<bool(const RetainedCall&)>& release,
                                                            CallContents& removed) {
  CallContents counted;
  std::vector<RetainedCall> deleted = transaction("delete calls", [&] {
    counted = CallContents{};
    std::vector<RetainedCall> gone;
    for (const RetainedCall& call : batch) {
      sql::PreparedStatement& lock = statement(kLockDeletable);
      lock.setInt64(1, call.id);
      std::unique_ptr<sql::ResultSet> rows(lock.executeQuery());
      if (!rows->next() || !release(call)) continue;
      sql::PreparedStatement& events = statement(kDeleteEvents);
      events.setString(1, call.sid);
      counted.events += events.executeUpdate();
      sql::PreparedStatement& notifications = statement(kDeleteNotifications);
      notifications.setString(1, call.sid);
      counted.notifications += notifications.executeUpdate();
      sql::PreparedStatement& lookups = statement(kDeleteLookups);
      lookups.setString(1, call.sid);
      lookups.executeUpdate();
      sql::PreparedStatement& row = statement(kDeleteCall);
      row.setInt64(1, call.id);
      row.executeUpdate();
      gone.push_back(call);
    }
    return gone;
  });
  removed.events += counted.events;
  removed.notifications += counted.notifications;
  return deleted;
}

std::vector<RetainedCall> MysqlRetentionStore::mark_audio_deleted(
    const std::vector<RetainedCall>& batch, std::int64_t at_ms,
    const std::function<bool(const RetainedCall&)>& release) {
  return transaction("mark audio deleted", [&] {
    std::vector<RetainedCall> marked;
    for (const RetainedCall& call : batch) {
      sql::PreparedStatement& lock = statement(kLockAudio);
      lock.setInt64(1, call.id);
      std::unique_ptr<sql::ResultSet> rows(lock.executeQuery());
      if (!rows->next() || !release(call)) continue;
      sql::PreparedStatement& mark = statement(kMarkAudioDeleted);
      mark.setString(1, to_sql_datetime(at_ms));
      mark.setInt64(2, call.id);
      mark.executeUpdate();
      marked.push_back(call);
    }
    return marked;
  });
}

void MysqlRetentionStore::mark_deleted_at_twilio(std::int64_t id, std::int64_t at_ms) {
  transaction("mark deleted at Twilio", [&] {
    sql::PreparedStatement& mark = statement(kMarkDeletedAtTwilio);
    mark.setString(1, to_sql_datetime(at_ms));
    mark.setInt64(2, id);
    return mark.executeUpdate();
  });
}

}  // namespace switchboard::store
