// The call log as the handlers see it: record an event (appended and folded into its call in one transaction),
// list calls newest first with keyset paging and filters, count calls by hour and outcome, read one call, its events
// and its detail (notifications with their SMS delivery status, the reconciler's lookups). A MessageStatus receipt
// (CallUpdate::message_receipt) changes its notification row, never the call. MysqlCallStore is the real
// implementation; tests of the handlers use an in-memory one. Only server/ wires the MySQL type in.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/call_record.h"
#include "store/rejection.h"

namespace switchboard::store {

// The database could not be reached, did not answer in time, or cannot take any write now (read-only, full, schema
// or privileges missing). The caller keeps the event (spool) and retries later. Its counterpart for one event the
// database refused is Rejected (rejection.h).
class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class RecordOutcome { kStored, kDuplicate };

// Position in the newest-first listing: the last row of the previous page.
struct Cursor {
  std::int64_t started_at_ms;
  std::int64_t id;
};

struct CallQuery {
  int limit = 50;
  std::optional<Cursor> after;
  std::optional<std::string> status;
  std::optional<std::string> menu_choice;  // "forward", "voicemail", or "none" (the caller chose nothing)
  std::optional<bool> has_voicemail;
  std::optional<std::string> outcome;  // one of kOutcomes (call_record.h), as outcome_of() names it
  std::optional<std::string> from;
  std::optional<std::int64_t> since_ms, until_ms;  // started_at in [since, until)
};

struct StoredEvent {
  std::int64_t id;
  std::string kind;
  std::string url_query;
  std::string params_json;  // {"CallSid": "…", …} as stored
  std::int64_t received_at_ms;
  std::optional<std::string> routing_rule, routing_detail;  // which routing rule decided the answer, if one did
};

// The calls of one hour (UTC) with one outcome, for the summary: how many, how many have not been heard, and the
// sum and count of their known talk times.
struct HourTally {
  std::int64_t hour_start_ms;  // Unix ms of the UTC hour's start
  std::string outcome;         // one of kOutcomes
  std::int64_t calls = 0;
  std::int64_t unheard = 0;    // voicemail_heard_at not set (meaningful for voicemails)
  std::int64_t talk_s_total = 0, talk_s_count = 0;
};

// A notification of the call, for its detail view: the queue's state and, for an SMS, what Twilio reported of its
// delivery (store/delivery_status.h).
struct NotificationSummary {
  std::int64_t id = 0;
  std::string channel;  // store/notification_queue.h's kChannel*
  std::string status;   // pending, sent, failed
  int attempts = 0;
  std::optional<std::int64_t> sent_at_ms;
  std::optional<std::string> last_error;
  std::optional<std::string> message_sid, delivery_status, delivery_error_code;
  std::optional<std::int64_t> delivery_updated_at_ms;
};

// The reconciler's lookups of the call in Twilio's REST API (reconcile/reconciler.h).
struct ReconcileState {
  int checks = 0;
  std::int64_t last_checked_at_ms = 0;
  std::optional<std::int64_t> next_check_at_ms;  // nullopt: settled, or given up
  std::string last_result;
};

// What the call's detail view shows beside the call and its events.
struct CallDetail {
  std::vector<NotificationSummary> notifications;  // oldest first
  std::optional<ReconcileState> reconciliation;
};

class CallStore {
 public:
  virtual ~CallStore() = default;

  // Appends the event and folds `update` into its call (creating the call when unknown), atomically.
  // A redelivered event (same dedup key) changes nothing and returns kDuplicate. A rejection marker (rejection.h) is
  // only appended to the event log: it never creates or changes a call. Throws Unavailable when nothing can be
  // stored now, Rejected when the database refused this event (nothing of it is stored then).
  virtual RecordOutcome record(const Event& event, const CallUpdate& update) = 0;

  virtual std::vector<CallRow> list_calls(const CallQuery& query) = 0;
  // Calls started in [since, until) grouped by UTC hour and outcome, in no particular order; counted where they
  // are stored, so a busy period costs no memory.
  virtual std::vector<HourTally> tally_by_hour(std::int64_t since_ms, std::optional<std::int64_t> until_ms) = 0;
  virtual std::optional<CallRow> find_call(const std::string& sid) = 0;
  virtual std::vector<StoredEvent> events_of(const std::string& sid) = 0;
  // The call's notifications and its last lookup in Twilio's API (empty and nullopt for a call without them).
  virtual CallDetail detail_of(const std::string& sid) = 0;

  // Marks the call's voicemail heard at `heard_at_ms`, or unheard with nullopt. False when the call does not exist
  // or has no voicemail.
  virtual bool set_voicemail_heard(const std::string& sid, std::optional<std::int64_t> heard_at_ms) = 0;
};

}  // namespace switchboard::store
