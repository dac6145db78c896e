// See changes.h.
#include "routing/changes.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace switchboard::routing {

namespace {

// The version number the snapshot file at `path` holds; -1 when there is none (or it is unreadable: then any
// version is newer).
std::int64_t file_version(const std::string& path) {
  std::ifstream file(path);
  if (!file) return -1;
  std::stringstream text;
  text << file.rdbuf();
  const std::optional<Version> version = parse_snapshot(text.str());
  return version ? version->number : -1;
}

// flock() on a lock file beside the snapshot, held for the compare-and-write. Released by close. Opened read-only:
// a lock file the CLI created as another user must not keep the workers from locking it.
class HostLock {
 public:
  explicit HostLock(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + path);
  }
  ~HostLock() { ::close(fd_); }
  HostLock(const HostLock&) = delete;
  HostLock& operator=(const HostLock&) = delete;

 private:
  int fd_;
};

}  // namespace

bool write_snapshot_if_newer(const std::string& path, const Version& version) {
  const HostLock lock(path + ".lock");
  if (file_version(path) >= version.number) return false;
  write_snapshot(path, version);
  return true;
}

Changes::Changes(store::RoutingStore& store, std::string snapshot_path, Routing initial, NowMs now_ms)
    : store_(store), snapshot_path_(std::move(snapshot_path)), initial_(std::move(initial)), now_ms_(std::move(now_ms)) {}

Version Changes::initial_version() const {
  Version initial;
  initial.routing = initial_;
  return initial;
}

Version Changes::version_of(const store::RoutingVersionRow& row) const {
  Parsed parsed = parse(row.document);
  // Only validated documents are saved; one that no longer parses (edited by hand in the table, or a rule made
  // stricter since) is shown as the initial routing rather than routing calls from half a document.
  if (!parsed.routing) {
    std::cerr << "switchboard: routing version " << row.version << " in the database is invalid ("
              << parsed.invalid->message() << ")\n";
  }
  Version version;
  version.number = row.version;
  version.changed_at_ms = row.changed_at_ms;
  version.changed_by = row.changed_by;
  version.routing = parsed.routing ? std::move(*parsed.routing) : initial_;
  return version;
}

Version Changes::current() {
  const std::optional<store::RoutingVersionRow> latest = store_.latest();
  return latest ? version_of(*latest) : initial_version();
}

Changes::Outcome Changes::save(std::string_view json, const std::string& who, std::optional<std::int64_t> expected) {
  Parsed parsed = parse(json);
  Outcome outcome;
  if (!parsed.routing) {
    outcome.kind = Outcome::Kind::kInvalid;
    outcome.invalid = parsed.invalid;
    return outcome;
  }
  const std::optional<store::RoutingVersionRow> latest = store_.latest();
  const std::int64_t newest = latest ? latest->version : 0;
  if (expected && *expected != newest) {
    outcome.kind = Outcome::Kind::kStale;
    outcome.version = latest ? version_of(*latest) : initial_version();
    return outcome;
  }
  store::RoutingVersionRow row;
  row.version = newest + 1;
  if (latest) row.previous_version = latest->version;
  row.document = to_json(*parsed.routing);  // normalised: the history compares like with like
  row.changed_by = who;
  row.changed_at_ms = now_ms_();
  if (!store_.save(row)) {
    // Another change took this number between our read and our insert.
    outcome.kind = Outcome::Kind::kStale;
    outcome.version = current();
    return outcome;
  }
  outcome.version.number = row.version;
  outcome.version.changed_at_ms = row.changed_at_ms;
  outcome.version.changed_by = row.changed_by;
  outcome.version.routing = std::move(*parsed.routing);
  try {
    write_snapshot_if_newer(snapshot_path_, outcome.version);
  } catch (const std::exception& error) {
    std::cerr << "switchboard: routing version " << row.version << " saved, but the snapshot " << snapshot_path_
              << " was not written (" << error.what() << "); the webhook workers write it from the database\n";
  }
  return outcome;
}

std::vector<Version> Changes::history(std::optional<std::int64_t> before, int limit) {
  std::vector<Version> versions;
  for (const store::RoutingVersionRow& row : store_.history(before, limit)) versions.push_back(version_of(row));
  // Past the first saved version comes version 0, the configuration's, so the first change can be shown as one.
  if (static_cast<int>(versions.size()) < limit && (!before || *before > 0)) versions.push_back(initial_version());
  return versions;
}

bool Changes::sync(std::int64_t in_force) {
  const std::optional<store::RoutingVersionRow> latest = store_.latest();
  if (!latest || latest->version <= in_force) return false;
  return write_snapshot_if_newer(snapshot_path_, version_of(*latest));
}

}  // namespace switchboard::routing
