// Changing the routing: the one path every change takes, from the API (feed/routing_api.h) and from the CLI
// (switchboard-routing). A change is validated as a whole, saved in MariaDB as the next version (with who, when
// and the version it replaces), and only then written to this host's snapshot file, which the workers route from.
// Changes::sync() is the way back: a webhook worker that finds a newer version in the database than in its
// snapshot (saved on another host, or a file write that failed) writes the file from it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/routing.h"
#include "routing/snapshot.h"
#include "store/routing_store.h"

namespace switchboard::routing {

class Changes {
 public:
  using NowMs = std::function<std::int64_t()>;

  // `initial` is version 0: what is in force before anything was saved.
  Changes(store::RoutingStore& store, std::string snapshot_path, Routing initial, NowMs now_ms);

  // The newest saved version, or version 0. Throws store::Unavailable.
  Version current();

  struct Outcome {
    enum class Kind { kSaved, kInvalid, kStale } kind = Kind::kSaved;
    Version version;                // kSaved: the new version; kStale: the one in force
    std::optional<Invalid> invalid;  // kInvalid
  };
  // Saves `json` as the next version, by `who`. With `expected`, only if that is still the newest version number
  // (an edit of an older version is kStale, nothing saved). Throws store::Unavailable; a snapshot file that cannot
  // be written is logged (sync() writes it later), never a refusal: the change is saved.
  Outcome save(std::string_view json, const std::string& who, std::optional<std::int64_t> expected);

  // Up to `limit` versions older than `before`, newest first, ending with version 0 (the configuration's routing)
  // once the oldest saved one is listed. Throws store::Unavailable.
  std::vector<Version> history(std::optional<std::int64_t> before, int limit);

  // Writes the snapshot from the database when the database's newest version is newer than `in_force`. True when it
  // wrote one. Throws store::Unavailable.
  bool sync(std::int64_t in_force);

 private:
  Version version_of(const store::RoutingVersionRow& row) const;
  Version initial_version() const;  // number 0: the configuration's routing

  store::RoutingStore& store_;
  std::string snapshot_path_;
  Routing initial_;
  NowMs now_ms_;
};

// Writes `version` as the snapshot unless the file already holds that version or a newer one (two workers saving
// one after the other may finish their writes in the other order). Serialised on the host by a lock file beside it.
// True when written.
bool write_snapshot_if_newer(const std::string& path, const Version& version);

}  // namespace switchboard::routing
