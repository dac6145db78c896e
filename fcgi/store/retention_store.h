// What the retention purge (fcgi/retention/) reads and changes in the call log: old calls and old voicemails walked
// in (started_at, id) order by keyset, a batch at a time, and the writes that remove them — each batch in one
// transaction. An unheard voicemail (a recording not reported absent, never marked heard) is never returned or
// changed: every write checks it again, on the row it locked, so a voicemail marked unheard meanwhile stays whole.
//
// The SQL twin of retention::is_protected() (fcgi/retention/rules.h) is kKeepUnheard in retention_store.cc: change
// both together. MysqlRetentionStore is the implementation; the rules' tests use an in-memory one.
#pragma once

#include <cppconn/exception.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/call_store.h"
#include "store/mysql_connection.h"

namespace sql {
class Connection;
class PreparedStatement;
}  // namespace sql

namespace switchboard::store {

// One call as the purge sees it.
struct RetainedCall {
  std::int64_t id = 0;
  std::string sid;
  std::int64_t started_at_ms = 0;
  std::optional<std::string> recording_sid, recording_status;
  std::optional<std::int64_t> recording_deleted_at_ms, recording_deleted_at_twilio_ms;
};

// What a call takes with it.
struct CallContents {
  std::int64_t events = 0, notifications = 0;
};

class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // At most `limit` calls started before `before_ms` (after `after`, oldest first) that are not unheard voicemails.
  virtual std::vector<RetainedCall> old_calls(std::int64_t before_ms, const std::optional<Cursor>& after,
                                              int limit) = 0;
  // The same for calls with a voicemail whose local audio has not been deleted; with `twilio_pending`, only those
  // whose recording is completed and not yet deleted at Twilio.
  virtual std::vector<RetainedCall> old_voicemails(std::int64_t before_ms, bool twilio_pending,
                                                   const std::optional<Cursor>& after, int limit) = 0;
  // How many unheard voicemails started before `before_ms` (kept whatever their age).
  virtual std::int64_t unheard_voicemails(std::int64_t before_ms) = 0;
  // How many events and notifications `sid` has (a dry run's count).
  virtual CallContents contents_of(const std::string& sid) = 0;

  // In one transaction: each call of `batch` that is still there and still not an unheard voicemail is locked,
  // `release(call)` runs (the purge deletes its audio file there: false keeps the call), and the call is deleted with
  // its events and notifications. Returns the calls deleted and what they took with them. Throws Unavailable.
  virtual std::vector<RetainedCall> delete_calls(const std::vector<RetainedCall>& batch,
                                                 const std::function<bool(const RetainedCall&)>& release,
                                                 CallContents& removed) = 0;
  // In one transaction: each call of `batch` whose audio is still not marked deleted and that is still not an
  // unheard voicemail is locked, `release(call)` runs (the file goes: false leaves the call as it was), and
  // recording_deleted_at is set to `at_ms`. Returns the calls marked. Throws Unavailable.
  virtual std::vector<RetainedCall> mark_audio_deleted(const std::vector<RetainedCall>& batch, std::int64_t at_ms,
                                                       const std::function<bool(const RetainedCall&)>& release) = 0;
  // Sets recording_deleted_at_twilio of call `id` (unless set). Throws Unavailable.
  virtual void mark_deleted_at_twilio(std::int64_t id, std::int64_t at_ms) = 0;
};

class MysqlRetentionStore : public RetentionStore {
 public:
  explicit MysqlRetentionStore(ConnectionOptions options);
  ~MysqlRetentionStore() override;

  std::vector<RetainedCall> old_calls(std::int64_t before_ms, const std::optional<Cursor>& after, int limit) override;
  std::vector<RetainedCall> old_voicemails(std::int64_t before_ms, bool twilio_pending,
                                           const std::optional<Cursor>& after, int limit) override;
  std::int64_t unheard_voicemails(std::int64_t before_ms) override;
  CallContents contents_of(const std::string& sid) override;
  std::vector<RetainedCall> delete_calls(const std::vector<RetainedCall>& batch,
                                         const std::function<bool(const RetainedCall&)>& release,
                                         CallContents& removed) override;
  std::vector<RetainedCall> mark_audio_deleted(const std::vector<RetainedCall>& batch, std::int64_t at_ms,
                                               const std::function<bool(const RetainedCall&)>& release) override;
  void mark_deleted_at_twilio(std::int64_t id, std::int64_t at_ms) override;

  // The statements old_calls() and old_voicemails() prepare, for tests that ask MariaDB how it runs them (EXPLAIN).
  static std::string old_calls_sql(bool with_cursor);
  static std::string old_voicemails_sql(bool twilio_pending, bool with_cursor);

 private:
  // Runs `work` in a transaction and commits it; any failure rolls it back (or drops the connection) first. A lost
  // connection, or one that cannot be opened, becomes Unavailable; other SQL errors go on as they are.
  template <typename Work>
  auto transaction(const char* operation, Work&& work);
  sql::PreparedStatement& statement(const std::string& text);
  void drop_connection();

  ConnectionOptions options_;
  std::unique_ptr<sql::Connection> connection_;
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
};

}  // namespace switchboard::store
