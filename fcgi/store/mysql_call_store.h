// The call log in MariaDB/MySQL through Connector/C++ prepared statements. One instance per worker process, one
// connection, opened lazily after fork and kept. On a lost connection it drops the connection and every prepared
// statement, reconnects, prepares again and retries once; if the database still does not answer it throws
// Unavailable (and refuses to try again for a second, so a dead database costs callers nothing). An SQL error that
// is the server refusing the work itself (a value it cannot hold, a constraint, a trigger) throws Rejected.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/call_store.h"
#include "store/mysql_connection.h"

namespace sql {
class Connection;
class PreparedStatement;
}

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
  template <typename Work>
  auto with_retry(const char* operation, Work&& work);
  sql::PreparedStatement& statement(const std::string& text);
  // Opens the connection when there is none; throws Unavailable when that fails.
  void connect(const char* operation);
  // Rolls back the open transaction, or drops the connection when it is lost or the rollback fails.
  void abandon_transaction(bool connection_lost);
  void drop_connection();

  void enqueue_notifications(const CallRow& before, const CallRow& after, const CallUpdate& update,
                             std::int64_t now_ms);
  // Moves the notification's delivery status forward (store/delivery_status.h); a voicemail SMS that did not arrive
  // queues its one retry through the webhook, when one is configured.
  void apply_receipt(const std::string& call_sid, const MessageReceipt& receipt, std::int64_t now_ms);

  ConnectionOptions options_;
  NotificationPolicy notifications_;
  std::unique_ptr<sql::Connection> connection_;
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  std::chrono::steady_clock::time_point next_connect_attempt_{};
};

}  // namespace switchboard::store
