// The routing document over HTTP: GET /api/routing (any signed-in user), PUT /api/routing (admins, the whole
// document, with the CSRF guard and optionally If-Match: "<version>"), GET /api/routing/history. The rules of a
// change live in routing/changes.h; this is only their HTTP shape:
//   200 {"version": N, "changed_at": …, "changed_by": …, "routing": {…}}   (GET, and PUT's new version)
//   400 {"error": "forward.targets[1]: not E.164", "field": "forward.targets[1]"}   nothing changed
//   409 {"error": …, "version": N}   the edit was made from an older version than N
//   503 with the database down: GET answers from this host's snapshot (the routing in force), PUT cannot save.
// The history ends with version 0, the configuration's routing, so the page can show what the first change changed.
#pragma once

#include <functional>
#include <string>

#include "http/request.h"
#include "http/response.h"
#include "routing/changes.h"
#include "routing/snapshot.h"

namespace switchboard::feed {

// {"version": N, "changed_at": …, "changed_by": …, "routing": {…}}: a version as the API (and switchboard-routing)
// shows it.
std::string version_json(const routing::Version& version);

class RoutingApi {
 public:
  // `audit` records a saved change (action "routing_changed", target the new version number).
  using Audit = std::function<void(const http::Request&, const std::string& action, const std::string& target)>;

  RoutingApi(routing::Changes& changes, routing::Snapshot& snapshot, Audit audit)
      : changes_(changes), snapshot_(snapshot), audit_(std::move(audit)) {}

  http::Response get(const http::Request& request);
  http::Response put(const http::Request& request);
  http::Response history(const http::Request& request);

 private:
  routing::Changes& changes_;
  routing::Snapshot& snapshot_;
  Audit audit_;
};

}  // namespace switchboard::feed
