// Store first; spool what the database could not take, dead-letter what it refused; log always with the CallSid.
#include "webhooks/event_log.h"

#include <chrono>
#include <iostream>

namespace switchboard::webhooks {

namespace {

void log(const store::Event& event, const std::string& what) {
  std::cerr << "switchboard: " << event.kind << " " << event.call_sid << ": " << what << "\n";
}

}  // namespace

void EventLog::record(const store::Event& event, const store::CallUpdate& update) noexcept {
  try {
    store_.record(event, update);
    return;
  } catch (const store::Rejected& refused) {
    // Spooling it would only have the replay meet the same refusal: it goes aside at once when it can.
    log(event, std::string("not stored, ") + refused.what());
    if (dead_letter_ && keep_refused(event, refused.rejection())) return;
  } catch (const std::exception& error) {
    log(event, std::string("not stored (") + error.what() + "), spooling");
  } catch (...) {
    log(event, "not stored (unknown exception), spooling");
  }
  spool(event);
}

bool EventLog::keep_refused(const store::Event& event, const store::Rejection& why) noexcept {
  try {
    dead_letter_(event, why);
  } catch (const std::exception& error) {
    log(event, std::string("dead-letter failed (") + error.what() + "), spooling");
    return false;
  }
  log(event, "kept in the dead-letter");
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const store::Event marker = store::rejection_marker(event, why, now_ms);
  try {
    store_.record(marker, store::CallUpdate{});
  } catch (const store::Rejected& refused) {
    log(marker, std::string("not stored, ") + refused.what());
    try {
      dead_letter_(marker, refused.rejection());
    } catch (const std::exception& error) {
      log(marker, std::string("dead-letter failed (") + error.what() + "), spooling");
      spool(marker);
    }
  } catch (...) {
    // The database went away between the two: the marker waits in the spool like any event.
    spool(marker);
  }
  return true;
}

void EventLog::spool(const store::Event& event) noexcept {
  try {
    if (!spool_) throw std::runtime_error("no spool configured");
    spool_(event);
  } catch (const std::exception& error) {
    log(event, std::string("EVENT LOST, spool failed: ") + error.what());
  } catch (...) {
    log(event, "EVENT LOST, spool failed: unknown exception");
  }
}

}  // namespace switchboard::webhooks
