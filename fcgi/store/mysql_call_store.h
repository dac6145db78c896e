// The call log in MariaDB/MySQL through Connector/C++ prepared statements. One instance per worker process, one
// connection (mysql_session.h), opened lazily after fork and kept. On a lost connection it drops the connection and
// every prepared statement, reconnects, prepares again and retries once; if the database still does not answer it
// throws Unavailable (and refuses to try again for a second, so a dead database costs callers nothing). An SQL
// error that is the server refusing the work itself (a value it cannot hold, a constraint, a trigger) throws
// Rejected. Writes are in mysql_call_store.cc, reads in mysql_call_reads.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/call_store.h"
#include "store/mysql_connection.h"
#include "store/mysql_session.h"

namespace switchboard::store {

// Which notifications a completed voicemail creates (channels "sms", "webhook"), and how long they wait for a
// transcription before going out without one. The audio fetch (kChannelAudio) is queued for every voicemail.
struct NotificationPolicy {
  std::vector<std::string> channels;
  int transcription_wait_s = 0;
};

class MysqlCallStore : public CallStore {
 public:
  explicit MysqlCallStore(ConnectionOptions options, NotificationPolicy notifications = {});
  ~MysqlCallStore() override;

  RecordOutcome record(const Event& event, const CallUpdate& update) override;
  CallDetail detail_of(const std::string& sid) override;
  std::vector<CallRow> list_calls(const CallQuery& query) override;
  std::vector<HourTally> tally_by_hour(std::int64_t since_ms, std::optional<std::int64_t> until_ms) override;
  std::optional<CallRow> find_call(const std::string& sid) override;
  std::vector<StoredEvent> events_of(const std::string& sid) override;
  bool set_voicemail_heard(const std::string& sid, std::optional<std::int64_t> heard_at_ms) override;

  // The statement list_calls() prepares for `query`, its values as placeholders bound in the order of CallQuery's
  // fields (status, menu_choice, has_voicemail, outcome, from, since, until, the cursor's time twice and id, limit).
  // Public so that tests can ask MariaDB how it runs it.
  static std::string list_calls_sql(const CallQuery& query);

  // Whether the database answers a trivial query now (for the health check).
  bool reachable();

 private:
  struct EventValues;
  // The incoming call's usual case: the event and the new row in one CALL. Nothing when the call has a row already
  // (the procedure rolled back): the caller locks and folds it instead.
  std::optional<RecordOutcome> record_new_call(const Event& event, const EventValues& values,
                                               const CallUpdate& update);
  // Locks the call's row, folds the event into it and writes both in one CALL (a new row if there is none).
  RecordOutcome record_known_call(const Event& event, const EventValues& values, const CallUpdate& update);
  // The CALL of both: the event and `row`, as a new row (no id) or as the update of the locked row `call_id`.
  // kDuplicate (rolled back) for the same webhook again; nothing when a new row's call has a row already.
  std::optional<RecordOutcome> write_webhook(const EventValues& values, const CallRow& row,
                                             std::optional<std::int64_t> call_id);

  void enqueue_notifications(const CallRow& before, const CallRow& after, const CallUpdate& update,
                             std::int64_t now_ms);
  // Moves the notification's delivery status forward (store/delivery_status.h); a voicemail SMS that did not arrive
  // queues its one retry through the webhook, when one is configured.
  void apply_receipt(const std::string& call_sid, const MessageReceipt& receipt, std::int64_t now_ms);

  MysqlSession session_;
  NotificationPolicy notifications_;
};

}  // namespace switchboard::store
