// The routing document as the integration tests change it: through PUT /api/routing as the stack's admin, like the
// page. A RoutingChange saves an edited copy of the routing in force and saves the previous document back (as a new
// version) when it goes out of scope, so every test starts from the stack's own routing.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <string>

#include "support/stack.h"

namespace integration {

// GET /api/routing as the admin, parsed ({"version", "changed_at", "changed_by", "routing"}).
rapidjson::Document routing_in_force();
std::string routing_text(const rapidjson::Value& document);

// PUT /api/routing with `document` as the admin (If-Match when `version` is given).
HttpResult put_routing(const std::string& document, std::int64_t version = -1);

// How long after a saved change a webhook worker is sure to route from it (routing::Snapshot::kCheckInterval, and
// a margin).
void wait_for_workers_to_see_routing();

// The routing version nginx's pool-down answers were last rendered from (the stack's watcher writes
// <stack>/run/fallbacks.version after each reload), -1 when none; and waiting until it is `version`.
std::int64_t fallbacks_rendered_version();
bool wait_for_fallbacks(std::int64_t version);

using RoutingEdit = std::function<void(rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator)>;

class RoutingChange {
 public:
  explicit RoutingChange(const RoutingEdit& edit);
  ~RoutingChange();
  RoutingChange(const RoutingChange&) = delete;
  RoutingChange& operator=(const RoutingChange&) = delete;

  std::int64_t version() const { return version_; }

 private:
  std::string previous_;
  std::int64_t version_ = 0;
};

// A JSON array of strings, for edits.
rapidjson::Value string_array(const std::vector<std::string>& items, rapidjson::Document::AllocatorType& allocator);
rapidjson::Value string_value(const std::string& text, rapidjson::Document::AllocatorType& allocator);

// Today's date (YYYY-MM-DD) in UTC.
std::string utc_date_today();

}  // namespace integration
