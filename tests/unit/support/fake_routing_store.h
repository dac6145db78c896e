// An in-memory RoutingStore for tests of routing::Changes and the routing API: the same contract as
// MysqlRoutingStore (a version number is saved once, the newest first, history keyset-paged by version), no
// database. A test can take the database down (unavailable) or slip another change in between a save's read and
// its insert (before_save), as a second admin or host would.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/call_store.h"
#include "store/routing_store.h"

namespace switchboard::test {

class FakeRoutingStore : public store::RoutingStore {
 public:
  // When set, every method throws store::Unavailable, as the real store does while the database is down.
  bool unavailable = false;
  // Called by save() before it looks at the number: a test saves a competing row from it to lose the race.
  std::function<void(const store::RoutingVersionRow&)> before_save;
  // How often each method ran.
  int latest_calls = 0, save_calls = 0, history_calls = 0;

  // Stores `row` directly, as another host (or a hand edit of the table) would have.
  void put(const store::RoutingVersionRow& row) { rows_[row.version] = row; }

  const std::map<std::int64_t, store::RoutingVersionRow>& rows() const { return rows_; }

  std::optional<store::RoutingVersionRow> latest() override {
    ++latest_calls;
    check();
    if (rows_.empty()) return std::nullopt;
    return rows_.rbegin()->second;
  }

  bool save(const store::RoutingVersionRow& row) override {
    ++save_calls;
    check();
    if (before_save) before_save(row);
    return rows_.emplace(row.version, row).second;
  }

  std::vector<store::RoutingVersionRow> history(std::optional<std::int64_t> before, int limit) override {
    ++history_calls;
    check();
    std::vector<store::RoutingVersionRow> versions;
    for (auto row = rows_.rbegin(); row != rows_.rend() && static_cast<int>(versions.size()) < limit; ++row) {
      if (before && row->first >= *before) continue;
      versions.push_back(row->second);
    }
    return versions;
  }

 private:
  void check() const {
    if (unavailable) throw store::Unavailable("routing: the database is down (test)");
  }

  std::map<std::int64_t, store::RoutingVersionRow> rows_;
};

}  // namespace switchboard::test
