// SQL of the reconciler's lease, candidates and lookups.
#include "store/reconcile_store.h"

#include <cppconn/resultset.h>

#include <memory>

#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::store {

namespace {

// Taken when free or expired, extended when ours; nobody else's unexpired lease changes. The assignments run left
// to right, each seeing the ones before: expires_at moves only when holder (already updated) is ours. Decided by the
// commit, never by a lock: on Galera a concurrent claim on another node fails certification instead.
constexpr char kTakeLease[] =
    "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE "
    "holder = IF(expires_at < ? OR holder = VALUES(holder), VALUES(holder), holder), "
    "expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)";
constexpr char kLeaseHolder[] = "SELECT holder FROM leases WHERE name = ?";

// Calls in progress, and voicemails without a final recording status, walked by calls_outcome_newest (two short
// ranges of (outcome, started_at)); the last Twilio event of each is read by call_events_call. Our own
// notification entries are not Twilio's word on the call; a lookup's own entry is, and so delays the next one.
// Calls never looked up come first, newest first: after an outage the calls people look at now are set right
// first, and a backlog of calls Twilio keeps answering about (or does not know) cannot starve them.
constexpr char kDue[] =
    "SELECT c.sid, c.outcome = 'in-progress', "
    "CASE WHEN c.recording_sid IS NOT NULL AND (c.recording_status IS NULL OR c.recording_status NOT IN "
    "('completed', 'failed', 'absent')) THEN c.recording_sid END, COALESCE(r.checks, 0) "
    "FROM calls c LEFT JOIN reconciliations r ON r.call_sid = c.sid "
    "WHERE c.outcome IN ('in-progress', 'voicemail') AND c.started_at >= ? AND c.started_at < ? "
    "AND (c.outcome = 'in-progress' OR c.recording_status IS NULL OR c.recording_status NOT IN "
    "('completed', 'failed', 'absent')) "
    "AND (r.call_sid IS NULL OR r.next_check_at <= ?) "
    "AND COALESCE((SELECT MAX(e.received_at) FROM call_events e WHERE e.call_sid = c.sid "
    "AND e.kind <> 'notification'), c.started_at) < ? "
    "ORDER BY r.call_sid IS NULL DESC, c.started_at DESC LIMIT ?";

constexpr char kNoteCheck[] =
    "INSERT INTO reconciliations (call_sid, checks, last_checked_at, next_check_at, last_result) "
    "VALUES (?, 1, ?, ?, ?) ON DUPLICATE KEY UPDATE checks = checks + 1, last_checked_at = VALUES(last_checked_at), "
    "next_check_at = VALUES(next_check_at), last_result = VALUES(last_result)";
}  // namespace

MysqlReconcileStore::MysqlReconcileStore(ConnectionOptions options) : connection_(std::move(options), "reconcile") {}

bool MysqlReconcileStore::hold_lease(const std::string& name, const std::string& holder, std::int64_t now_ms,
                                     int lease_s) {
  return connection_.run("lease", [&] {
    sql::PreparedStatement& take = connection_.statement(kTakeLease);
    take.setString(1, name);
    take.setString(2, holder);
    take.setString(3, to_sql_datetime(now_ms + lease_s * 1000LL));
    take.setString(4, to_sql_datetime(now_ms));
    take.executeUpdate();
    sql::PreparedStatement& read = connection_.statement(kLeaseHolder);
    read.setString(1, name);
    std::unique_ptr<sql::ResultSet> rows(read.executeQuery());
    return rows->next() && rows->getString(1) == holder;
  });
}

std::vector<ReconcileCandidate> MysqlReconcileStore::due(std::int64_t now_ms, std::int64_t quiet_before_ms,
                                                         std::int64_t started_after_ms, int limit) {
  return connection_.run("due calls", [&] {
    sql::PreparedStatement& select = connection_.statement(kDue);
    select.setString(1, to_sql_datetime(started_after_ms));
    select.setString(2, to_sql_datetime(quiet_before_ms));
    select.setString(3, to_sql_datetime(now_ms));
    select.setString(4, to_sql_datetime(quiet_before_ms));
    select.setInt(5, limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    std::vector<ReconcileCandidate> candidates;
    while (rows->next()) {
      ReconcileCandidate candidate;
      candidate.call_sid = rows->getString(1);
      candidate.call_open = rows->getBoolean(2);
      if (!rows->isNull(3)) candidate.recording_sid = std::string(rows->getString(3));
      candidate.checks = rows->getInt(4);
      candidates.push_back(std::move(candidate));
    }
    return candidates;
  });
}

void MysqlReconcileStore::note_check(const std::string& call_sid, std::int64_t now_ms,
                                     std::optional<std::int64_t> next_check_ms, const std::string& result) {
  connection_.run("note lookup", [&] {
    sql::PreparedStatement& upsert = connection_.statement(kNoteCheck);
    upsert.setString(1, call_sid);
    upsert.setString(2, to_sql_datetime(now_ms));
    if (next_check_ms) upsert.setString(3, to_sql_datetime(*next_check_ms));
    else upsert.setNull(3, sql::DataType::VARCHAR);
    upsert.setString(4, text::truncate_utf8(text::valid_utf8(result), 255));
    upsert.executeUpdate();
    return 0;
  });
}

}  // namespace switchboard::store
