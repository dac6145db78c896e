// Where a webhook's event goes: the call store, or — when the database is unreachable — the local spool, to be
// replayed later. record() never throws: the caller's TwiML must not depend on whether logging worked.
#pragma once

#include <functional>
#include <string>

#include "store/call_store.h"

namespace switchboard::webhooks {

// Appends an event that could not be stored; throws std::runtime_error when even that fails.
using SpoolWriter = std::function<void(const store::Event&)>;

class EventLog {
 public:
  EventLog(store::CallStore& store, SpoolWriter spool) : store_(store), spool_(std::move(spool)) {}

  void record(const store::Event& event, const store::CallUpdate& update) noexcept;

 private:
  store::CallStore& store_;
  SpoolWriter spool_;
};

}  // namespace switchboard::webhooks
