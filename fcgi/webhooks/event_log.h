// Where a webhook's event goes: the call store; when the database is unreachable, the local spool, to be replayed
// later; when the database refuses it (a value it cannot hold, a trigger, a constraint), the spool's dead-letter,
// with a marker in the call's timeline. record() never throws: the caller's TwiML must not depend on whether
// logging worked.
#pragma once

#include <functional>
#include <string>

#include "store/call_store.h"

namespace switchboard::webhooks {

// Appends an event that could not be stored; throws std::runtime_error when even that fails.
using SpoolWriter = std::function<void(const store::Event&)>;
// Keeps an event the database refused, with why (store::Spool::dead_letter); throws std::runtime_error on failure.
using DeadLetterWriter = std::function<void(const store::Event&, const store::Rejection&)>;

class EventLog {
 public:
  // Without a dead-letter writer a refused event is spooled like an unstored one, and the spool's replay moves it
  // to the dead-letter when the database refuses it again: kept either way, only later.
  EventLog(store::CallStore& store, SpoolWriter spool, DeadLetterWriter dead_letter = nullptr)
      : store_(store), spool_(std::move(spool)), dead_letter_(std::move(dead_letter)) {}

  void record(const store::Event& event, const store::CallUpdate& update) noexcept;

 private:
  // Dead-letters a refused event and stores its marker; false when the event could not be dead-lettered.
  bool keep_refused(const store::Event& event, const store::Rejection& why) noexcept;
  void spool(const store::Event& event) noexcept;

  store::CallStore& store_;
  SpoolWriter spool_;
  DeadLetterWriter dead_letter_;
};

}  // namespace switchboard::webhooks
