// Prometheus metrics shared by all the workers of a host: counters live in a small file mapped into every worker
// (MAP_SHARED, atomic adds), so whichever worker answers GET /metrics reports the whole pool. Requests by route and
// status class, a latency histogram per route, events that had to be spooled.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::server {

class Metrics {
 public:
  // Maps (creating if needed) the counters file; without one (empty path or failure) metrics stay per process.
  explicit Metrics(const std::string& path);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void observe(const std::string& path, int status, double seconds);
  void event_spooled();

  // Prometheus text exposition; `spool_bytes` is the current spool size.
  std::string render(std::uint64_t spool_bytes) const;

  // The route label for a request path: known paths as they are, /api/calls/{sid}… grouped, anything else "other".
  static int route_index(const std::string& path);

 private:
  struct Shared;
  Shared* shared_;
  bool mapped_;
};

}  // namespace switchboard::server
