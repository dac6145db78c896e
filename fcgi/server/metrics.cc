// Counters in a shared mapping, and their Prometheus rendering.
#include "server/metrics.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "ivr/routes.h"

namespace switchboard::server {

namespace {

const char* const kRoutes[] = {ivr::route::kVoice,          ivr::route::kMenu,           ivr::route::kScreen,
                               ivr::route::kScreenResult,   ivr::route::kDialResult,     ivr::route::kVoicemailDone,
                               ivr::route::kRecordingStatus, ivr::route::kTranscription, ivr::route::kCallStatus,
                               "/api/calls",                "/api/calls/{sid}",          "/api/summary",
                               "/healthz",                  "/metrics",                  "other"};
constexpr int kRouteCount = sizeof(kRoutes) / sizeof(kRoutes[0]);
constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr int kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);
constexpr std::uint64_t kMagic = 0x5357424d45545231ULL;  // layout version: bump when Shared changes

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
    if (path == kRoutes[i]) return i;
  }
  if (path.rfind("/api/calls/", 0) == 0) return 10;
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

std::string Metrics::render(std::uint64_t spool_bytes) const {
  std::string out;
  out += "# HELP switchboard_requests_total Requests answered, by route and status class.\n";
  out += "# TYPE switchboard_requests_total counter\n";
  static const char* const kClasses[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (int route = 0; route < kRouteCount; ++route) {
    for (int status = 0; status < 6; ++status) {
      const std::uint64_t value = load(shared_->requests[route][status]);
      if (value == 0) continue;
      out += std::string("switchboard_requests_total{route=\"") + kRoutes[route] + "\",status=\"" + kClasses[status] +
             "\"} " + std::to_string(value) + "\n";
    }
  }
  out += "# HELP switchboard_request_duration_seconds Time from reading a request to writing its answer.\n";
  out += "# TYPE switchboard_request_duration_seconds histogram\n";
  for (int route = 0; route < kRouteCount; ++route) {
    const std::uint64_t count = load(shared_->latency_count[route]);
    if (count == 0) continue;
    const std::string label = std::string("route=\"") + kRoutes[route] + "\"";
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
  out += "# HELP switchboard_events_spooled_total Webhook events written to the local spool (database unavailable).\n";
  out += "# TYPE switchboard_events_spooled_total counter\n";
  out += "switchboard_events_spooled_total " + std::to_string(load(shared_->events_spooled)) + "\n";
  out += "# HELP switchboard_spool_bytes Events waiting in the spool for the database, in bytes.\n";
  out += "# TYPE switchboard_spool_bytes gauge\n";
  out += "switchboard_spool_bytes " + std::to_string(spool_bytes) + "\n";
  return out;
}

}  // namespace switchboard::server
