// Prometheus metrics shared by all the workers of a host: counters live in a small file mapped into every worker
// (MAP_SHARED, atomic adds), so whichever worker answers GET /metrics reports the whole pool. Requests by route and
// status class (the Twilio routes are the step table's, ivr/routes.h), a latency histogram per route, and the
// failure paths: events spooled or dead-lettered, kept requests replayed or dead-lettered, and the backlogs.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::server {

// The backlogs at the time of a scrape, measured on disk by the caller.
struct Backlog {
  std::uint64_t spool_bytes = 0;
  std::uint64_t dead_letter_events = 0;
  std::uint64_t kept_requests = 0;
  std::uint64_t kept_bytes = 0;
  std::uint64_t kept_dead_letters = 0;
  bool keeping_paused = false;
  bool spool_reserve = true;  // the spool's disk reserve is in place
};

class Metrics {
 public:
  // Maps (creating if needed) the counters file; without one (empty path or failure) metrics stay per process.
  explicit Metrics(const std::string& path);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void observe(const std::string& path, int status, double seconds);
  void event_spooled();
  void event_dead_lettered();
  void kept_request_replayed();
  void kept_request_dead_lettered();
  void request_kept_by_worker();

  // Prometheus text exposition.
  std::string render(const Backlog& backlog) const;

  // The route label for a request path: known paths as they are, /api/calls/{sid}… grouped, anything else "other".
  static int route_index(const std::string& path);

 private:
  struct Shared;
  Shared* shared_;
  bool mapped_;
};

}  // namespace switchboard::server
