// The routing in force on this host: the current version of the routing document, kept as a file in the state
// directory (<state>/routing.json) so that routing a call never waits on the database. The feed pool writes it when
// an admin saves a change (after the change is committed to MariaDB); a webhook worker that finds the database's
// version newer than the file's writes it too (server/app.cc), which is how a lost write or another host's change
// arrives. Every worker reads it through Snapshot, which notices a new file within kCheckInterval.
//
// Written whole or not at all (temporary file, fsync, rename, directory fsync): a reader sees the old version or the
// new one. A file that cannot be read or parsed leaves the last good version in force (and says so on stderr once).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/settings.h"
#include "routing/routing.h"

namespace switchboard::routing {

// One saved version of the document: number 0 is the initial value from the environment, never saved.
struct Version {
  std::int64_t number = 0;
  std::optional<std::int64_t> changed_at_ms;
  std::optional<std::string> changed_by;
  Routing routing;
};

std::string snapshot_path(const config::Settings& settings);

// {"version": N, "changed_at_ms": …, "changed_by": …, "routing": {…}}; nullopt (with `error` set) when `text` is
// not such a document or its routing is invalid.
std::optional<Version> parse_snapshot(const std::string& text, std::string* error = nullptr);
std::string snapshot_json(const Version& version);

// Writes `version` as the snapshot at `path`, atomically and durably. Throws std::runtime_error on failure.
void write_snapshot(const std::string& path, const Version& version);

class Snapshot {
 public:
  static constexpr std::chrono::milliseconds kCheckInterval{250};

  // `initial` is in force while no snapshot file exists (version 0). `check_interval` zero: look at every call.
  Snapshot(std::string path, Routing initial, std::chrono::milliseconds check_interval = kCheckInterval);

  // The version in force, re-read when the file changed (a stat per check interval, a read only on change).
  const Version& current();

  const std::string& path() const { return path_; }

 private:
  struct FileId {
    std::int64_t mtime_ns = -1, size = -1, inode = -1;
    bool operator==(const FileId& other) const {
      return mtime_ns == other.mtime_ns && size == other.size && inode == other.inode;
    }
  };
  void reload();

  std::string path_;
  std::chrono::milliseconds check_interval_;
  std::chrono::steady_clock::time_point next_check_{};
  FileId seen_;
  Version initial_;
  Version current_;
};

}  // namespace switchboard::routing
