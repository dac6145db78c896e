// What the reconciler (reconcile/reconciler.h) reads and writes besides the call log: which calls are due a lookup
// in Twilio's REST API, what each lookup found (schema/008: reconciliations; the feed reads it through
// CallStore::detail_of), and the deployment-wide lease that
// makes one reconciler run however many hosts run switchboard-notify (schema/008: leases).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/autocommit_connection.h"
#include "store/call_store.h"

namespace switchboard::store {

// A call due a lookup: it has no final status (call_open), or its voicemail no final recording status
// (recording_sid set), and its last event from Twilio is older than the quiet time.
struct ReconcileCandidate {
  std::string call_sid;
  bool call_open = false;
  std::optional<std::string> recording_sid;
  int checks = 0;  // lookups of this call so far
};

class ReconcileStore {
 public:
  virtual ~ReconcileStore() = default;
  // Takes or extends the lease `name` for `holder` until now + lease_s; false when another holder's lease has not
  // expired. Throws Unavailable (or the driver's error when a Galera conflict refused the write: not held then).
  virtual bool hold_lease(const std::string& name, const std::string& holder, std::int64_t now_ms, int lease_s) = 0;
  // At most `limit` calls started in [started_after, quiet_before) whose last Twilio event is older than
  // quiet_before and whose next lookup is due at now (or that were never looked up): those never looked up first,
  // then newest first.
  virtual std::vector<ReconcileCandidate> due(std::int64_t now_ms, std::int64_t quiet_before_ms,
                                              std::int64_t started_after_ms, int limit) = 0;
  // Counts a lookup of the call: what it found, and when to look again (nullopt: never).
  virtual void note_check(const std::string& call_sid, std::int64_t now_ms, std::optional<std::int64_t> next_check_ms,
                          const std::string& result) = 0;
};

class MysqlReconcileStore : public ReconcileStore {
 public:
  explicit MysqlReconcileStore(ConnectionOptions options);

  bool hold_lease(const std::string& name, const std::string& holder, std::int64_t now_ms, int lease_s) override;
  std::vector<ReconcileCandidate> due(std::int64_t now_ms, std::int64_t quiet_before_ms, std::int64_t started_after_ms,
                                      int limit) override;
  void note_check(const std::string& call_sid, std::int64_t now_ms, std::optional<std::int64_t> next_check_ms,
                  const std::string& result) override;

 private:
  AutocommitConnection connection_;
};

}  // namespace switchboard::store
