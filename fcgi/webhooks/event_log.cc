// Store first, spool on failure, log always with the CallSid.
#include "webhooks/event_log.h"

#include <iostream>

namespace switchboard::webhooks {

void EventLog::record(const store::Event& event, const store::CallUpdate& update) noexcept {
  try {
    store_.record(event, update);
    return;
  } catch (const std::exception& error) {
    std::cerr << "switchboard: " << event.kind << " " << event.call_sid << ": not stored (" << error.what()
              << "), spooling\n";
  }
  try {
    if (!spool_) throw std::runtime_error("no spool configured");
    spool_(event);
  } catch (const std::exception& error) {
    std::cerr << "switchboard: " << event.kind << " " << event.call_sid << ": EVENT LOST, spool failed: "
              << error.what() << "\n";
  }
}

}  // namespace switchboard::webhooks
