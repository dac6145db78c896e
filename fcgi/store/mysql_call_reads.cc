// The call log's reads: the feed's listing (keyset paging, filters on their indexes), the summary's counts, one
// call with its events and detail, the heard mark, the health check. Statements are named constants or built from
// fixed fragments and the column table (call_columns.h), never from input; values are always bound.
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "store/call_columns.h"
#include "store/mysql_call_store.h"
#include "store/sql_values.h"

namespace switchboard::store {

namespace {

constexpr char kSelectEvents[] =
    "SELECT id, kind, url_query, params, received_at, routing_rule, routing_detail FROM call_events "
    "WHERE call_sid = ? ORDER BY id";

constexpr char kSetVoicemailHeard[] =
    "UPDATE calls SET voicemail_heard_at = ? WHERE sid = ? AND recording_sid IS NOT NULL";
// UPDATE reports changed rows, not matched ones: re-marking an already-heard voicemail changes nothing.
constexpr char kHasVoicemail[] = "SELECT 1 FROM calls WHERE sid = ? AND recording_sid IS NOT NULL";

constexpr char kNotificationsOf[] =
    "SELECT id, channel, status, attempts, " SWITCHBOARD_UNIX_MS("sent_at") ", last_error, message_sid, "
    "delivery_status, delivery_error_code, " SWITCHBOARD_UNIX_MS("delivery_updated_at")
    " FROM notifications WHERE call_sid = ? ORDER BY id";
constexpr char kReconciliationOf[] =
    "SELECT checks, " SWITCHBOARD_UNIX_MS("last_checked_at") ", " SWITCHBOARD_UNIX_MS("next_check_at")
    ", last_result FROM reconciliations WHERE call_sid = ?";

constexpr char kPing[] = "SELECT 1";

const std::string& select_call_sql() {
  static const std::string sql = "SELECT " + call_select_list() + " FROM calls WHERE sid = ?";
  return sql;
}

}  // namespace

CallDetail MysqlCallStore::detail_of(const std::string& sid) {
  return session_.transaction("call detail", [&] {
    CallDetail detail;
    sql::PreparedStatement& notifications = session_.statement(kNotificationsOf);
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
    sql::PreparedStatement& reconciliation = session_.statement(kReconciliationOf);
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
  std::string sql = "SELECT " + call_select_list() + " FROM calls";
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
  return session_.transaction("list calls", [&] {
    sql::PreparedStatement& select = session_.statement(sql);
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
  return session_.transaction("count calls", [&] {
    sql::PreparedStatement& select = session_.statement(kTallyByHour);
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
  return session_.transaction("find call", [&]() -> std::optional<CallRow> {
    sql::PreparedStatement& select = session_.statement(select_call_sql());
    select.setString(1, sid);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return std::nullopt;
    return read_call(*rows);
  });
}

std::vector<StoredEvent> MysqlCallStore::events_of(const std::string& sid) {
  return session_.transaction("read events", [&] {
    sql::PreparedStatement& select = session_.statement(kSelectEvents);
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
    return session_.transaction("health check", [&] {
      std::unique_ptr<sql::ResultSet> rows(session_.statement(kPing).executeQuery());
      return static_cast<bool>(rows->next());
    });
  } catch (const std::exception&) {
    return false;
  }
}

bool MysqlCallStore::set_voicemail_heard(const std::string& sid, std::optional<std::int64_t> heard_at_ms) {
  return session_.transaction("mark voicemail", [&] {
    sql::PreparedStatement& update = session_.statement(kSetVoicemailHeard);
    bind_time(update, 1, heard_at_ms);
    update.setString(2, sid);
    if (update.executeUpdate() > 0) return true;
    sql::PreparedStatement& exists = session_.statement(kHasVoicemail);
    exists.setString(1, sid);
    std::unique_ptr<sql::ResultSet> rows(exists.executeQuery());
    return static_cast<bool>(rows->next());
  });
}

}  // namespace switchboard::store
