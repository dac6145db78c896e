// The routing document's history in MariaDB (schema/006_routing.sql): every saved version, newest first. The feed
// pool saves a change here before it writes the host's snapshot file; webhook workers only compare the newest
// version number with their snapshot's (to pick up a change saved on another host, or one whose file write was
// lost). Nothing routes a call from here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/autocommit_connection.h"

namespace switchboard::store {

struct RoutingVersionRow {
  std::int64_t version = 0;
  std::optional<std::int64_t> previous_version;
  std::string document;  // the routing document as JSON (routing::to_json)
  std::string changed_by;
  std::int64_t changed_at_ms = 0;
};

class RoutingStore {
 public:
  virtual ~RoutingStore() = default;
  // The newest version, or nullopt before the first change was saved. Throws Unavailable.
  virtual std::optional<RoutingVersionRow> latest() = 0;
  // Saves `row` as its version number; false, and nothing saved, when that number exists already (another change
  // was saved first: the caller's edit is stale). Throws Unavailable.
  virtual bool save(const RoutingVersionRow& row) = 0;
  // At most `limit` versions older than `before` (all when nullopt), newest first. Throws Unavailable.
  virtual std::vector<RoutingVersionRow> history(std::optional<std::int64_t> before, int limit) = 0;
};

class MysqlRoutingStore : public RoutingStore {
 public:
  explicit MysqlRoutingStore(ConnectionOptions options);

  std::optional<RoutingVersionRow> latest() override;
  bool save(const RoutingVersionRow& row) override;
  std::vector<RoutingVersionRow> history(std::optional<std::int64_t> before, int limit) override;

 private:
  AutocommitConnection connection_;
};

}  // namespace switchboard::store
