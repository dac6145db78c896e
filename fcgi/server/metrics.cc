// Counters in a shared mapping, and their Prometheus rendering.
#include "server/metrics.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "ivr/routes.h"

namespace switchboard::server {

namespace {

// The route labels: every Twilio step of the table, then the other endpoints, then "other".
const char* const kOtherRoutes[] = {"/api/calls", "/api/calls/{sid}", "/api/summary", "/healthz", "/readyz",
                                    "/metrics",   "other"};
constexpr int kOtherRouteCount = sizeof(kOtherRoutes) / sizeof(kOtherRoutes[0]);
constexpr int kRouteCount = ivr::route::kStepCount + kOtherRouteCount;
constexpr int kCallRouteIndex = ivr::route::kStepCount + 1;  // "/api/calls/{sid}"

const char* route_label(int index) {
  return index < ivr::route::kStepCount ? ivr::route::kSteps[index]->path
                                        : kOtherRoutes[index - ivr::route::kStepCount];
}
constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr int kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);
constexpr std::uint64_t kMagic = 0x5357424d45545232ULL;  // layout version: bump when Shared changes

void add(std::uint64_t& counter, std::uint64_t amount = 1) { __atomic_fetch_add(&counter, amount, __ATOMIC_RELAXED); }
std::uint64_t load(const std::uint64_t& counter) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }

}  // namespace

struct Metrics::Shared {
  std::uint64_t magic;
  std::uint64_t requests[kRouteCount][6];  // status class 1xx…5xx, [0] = other
  std::uint64_t latency_buckets[kRouteCount][kBucketCount];
  std::uint64_t latency_count[kRouteCount];
  std::uint64_t latency_sum_us[kRouteCount];
  std::uint64_t events_spooled;
  std::uint64_t kept_replayed;
  std::uint64_t kept_dead_lettered;
  std::uint64_t kept_by_worker;
  std::uint64_t events_dead_lettered;
};

Metrics::Metrics(const std::string& path) : shared_(nullptr), mapped_(false) {
  if (!path.empty()) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 && ::ftruncate(fd, sizeof(Shared)) == 0) {
      void* memory = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (memory != MAP_FAILED) {
        shared_ = static_cast<Shared*>(memory);
        mapped_ = true;
      }
    }
    if (fd >= 0) ::close(fd);
  }
  if (!shared_) shared_ = new Shared{};
  // A new file is all zeros; a file from another layout is reset (counters restart, as after a reboot).
  std::uint64_t expected = 0;
  if (!__atomic_compare_exchange_n(&shared_->magic, &expected, kMagic, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
      expected != kMagic) {
    std::memset(static_cast<void*>(shared_), 0, sizeof(Shared));
    shared_->magic = kMagic;
  }
}

Metrics::~Metrics() {
  if (mapped_) ::munmap(shared_, sizeof(Shared));
  else delete shared_;
}

int Metrics::route_index(const std::string& path) {
  for (int i = 0; i < kRouteCount - 1; ++i) {
    if (path == route_label(i)) return i;
  }
  if (path.rfind("/api/calls/", 0) == 0) return kCallRouteIndex;
  return kRouteCount - 1;
}

void Metrics::observe(const std::string& path, int status, double seconds) {
  const int route = route_index(path);
  add(shared_->requests[route][status >= 100 && status < 600 ? status / 100 : 0]);
  for (int bucket = 0; bucket < kBucketCount; ++bucket) {
    if (seconds <= kBuckets[bucket]) add(shared_->latency_buckets[route][bucket]);
  }
  add(shared_->latency_count[route]);
  add(shared_->latency_sum_us[route], static_cast<std::uint64_t>(seconds * 1e6));
}

void Metrics::event_spooled() { add(shared_->events_spooled); }
void Metrics::kept_request_replayed() { add(shared_->kept_replayed); }
void Metrics::kept_request_dead_lettered() { add(shared_->kept_dead_lettered); }
void Metrics::request_kept_by_worker() { add(shared_->kept_by_worker); }
void Metrics::event_dead_lettered() { add(shared_->events_dead_lettered); }

namespace {

void metric(std::string& out, const char* name, const char* type, const char* help, std::uint64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         std::to_string(value) + "\n";
}

}  // namespace

std::string Metrics::render(const Backlog& backlog) const {
  std::string out;
  out += "# HELP switchboard_requests_total Requests answered, by route and status class.\n";
  out += "# TYPE switchboard_requests_total counter\n";
  static const char* const kClasses[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (int route = 0; route < kRouteCount; ++route) {
    for (int status = 0; status < 6; ++status) {
      const std::uint64_t value = load(shared_->requests[route][status]);
      if (value == 0) continue;
      out += std::string("switchboard_requests_total{route=\"") + route_label(route) + "\",status=\"" + kClasses[status] +
             "\"} " + std::to_string(value) + "\n";
    }
  }
  out += "# HELP switchboard_request_duration_seconds Time from reading a request to writing its answer.\n";
  out += "# TYPE switchboard_request_duration_seconds histogram\n";
  for (int route = 0; route < kRouteCount; ++route) {
    const std::uint64_t count = load(shared_->latency_count[route]);
    if (count == 0) continue;
    const std::string label = std::string("route=\"") + route_label(route) + "\"";
    for (int bucket = 0; bucket < kBucketCount; ++bucket) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[bucket]);
      out += "switchboard_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
             std::to_string(load(shared_->latency_buckets[route][bucket])) + "\n";
    }
    out += "switchboard_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
    char sum[48];
    std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(load(shared_->latency_sum_us[route])) / 1e6);
    out += "switchboard_request_duration_seconds_sum{" + label + "} " + sum + "\n";
    out += "switchboard_request_duration_seconds_count{" + label + "} " + std::to_string(count) + "\n";
  }
  metric(out, "switchboard_events_spooled_total", "counter",
         "Webhook events written to the local spool (database unavailable).", load(shared_->events_spooled));
  metric(out, "switchboard_events_dead_lettered_total", "counter",
         "Events the database refused for a reason other than being unreachable, set aside with the error.",
         load(shared_->events_dead_lettered));
  metric(out, "switchboard_kept_requests_replayed_total", "counter",
         "Requests kept while no worker answered, replayed into the call log.", load(shared_->kept_replayed));
  metric(out, "switchboard_kept_requests_dead_lettered_total", "counter",
         "Kept requests that were refused on replay, moved to the dead-letter folder with the reason.",
         load(shared_->kept_dead_lettered));
  metric(out, "switchboard_requests_kept_by_worker_total", "counter",
         "Webhooks a worker failed to handle, answered with the step's fallback and kept for replay.",
         load(shared_->kept_by_worker));
  metric(out, "switchboard_spool_bytes", "gauge", "Events waiting in the spool for the database, in bytes.",
         backlog.spool_bytes);
  metric(out, "switchboard_dead_letter_events", "gauge", "Events in the spool's dead-letter, waiting for a person.",
         backlog.dead_letter_events);
  metric(out, "switchboard_kept_requests", "gauge", "Requests nginx kept that wait to be replayed.",
         backlog.kept_requests);
  metric(out, "switchboard_kept_requests_bytes", "gauge", "Bytes of kept requests, waiting and dead-lettered.",
         backlog.kept_bytes);
  metric(out, "switchboard_kept_requests_dead_letter", "gauge",
         "Kept requests in the dead-letter folder, waiting for a person.", backlog.kept_dead_letters);
  metric(out, "switchboard_keeping_paused", "gauge",
         "1 when kept requests reached their size cap and nginx stopped keeping new ones.",
         backlog.keeping_paused ? 1 : 0);
  metric(out, "switchboard_spool_reserve", "gauge",
         "1 while the disk reserve for the event spool is in place; 0 after the disk was full and it was used.",
         backlog.spool_reserve ? 1 : 0);
  return out;
}

}  // namespace switchboard::server
