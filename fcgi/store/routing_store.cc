// SQL of the routing history.
#include "store/routing_store.h"

#include <cppconn/resultset.h>

#include <memory>

namespace switchboard::store {

namespace {

constexpr int kDuplicateEntry = 1062;

constexpr char kLatest[] =
    "SELECT version, previous_version, document, changed_by, changed_at_ms FROM routing_versions "
    "ORDER BY version DESC LIMIT 1";
constexpr char kSave[] =
    "INSERT INTO routing_versions (version, previous_version, document, changed_by, changed_at_ms) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr char kNewest[] =
    "SELECT version, previous_version, document, changed_by, changed_at_ms FROM routing_versions "
    "ORDER BY version DESC LIMIT ?";
constexpr char kBefore[] =
    "SELECT version, previous_version, document, changed_by, changed_at_ms FROM routing_versions "
    "WHERE version < ? ORDER BY version DESC LIMIT ?";

RoutingVersionRow row_of(sql::ResultSet& rows) {
  RoutingVersionRow row;
  row.version = rows.getInt64(1);
  if (!rows.isNull(2)) row.previous_version = rows.getInt64(2);
  row.document = rows.getString(3);
  row.changed_by = rows.getString(4);
  row.changed_at_ms = rows.getInt64(5);
  return row;
}

}  // namespace

MysqlRoutingStore::MysqlRoutingStore(ConnectionOptions options) : connection_(std::move(options), "routing") {}

std::optional<RoutingVersionRow> MysqlRoutingStore::latest() {
  return connection_.run("latest version", [&]() -> std::optional<RoutingVersionRow> {
    std::unique_ptr<sql::ResultSet> rows(connection_.statement(kLatest).executeQuery());
    if (!rows->next()) return std::nullopt;
    return row_of(*rows);
  });
}

bool MysqlRoutingStore::save(const RoutingVersionRow& row) {
  return connection_.run("save version", [&] {
    sql::PreparedStatement& insert = connection_.statement(kSave);
    insert.setInt64(1, row.version);
    if (row.previous_version) insert.setInt64(2, *row.previous_version);
    else insert.setNull(2, sql::DataType::BIGINT);
    insert.setString(3, row.document);
    insert.setString(4, row.changed_by);
    insert.setInt64(5, row.changed_at_ms);
    try {
      insert.executeUpdate();
    } catch (const sql::SQLException& error) {
      // Repeated after a lost connection, the insert may meet its own first attempt: the same row, saved.
      if (error.getErrorCode() == kDuplicateEntry) {
        const std::optional<RoutingVersionRow> saved = latest();
        return saved && saved->version == row.version && saved->document == row.document &&
               saved->changed_by == row.changed_by && saved->changed_at_ms == row.changed_at_ms;
      }
      throw;
    }
    return true;
  });
}

std::vector<RoutingVersionRow> MysqlRoutingStore::history(std::optional<std::int64_t> before, int limit) {
  return connection_.run("history", [&] {
    sql::PreparedStatement& select = connection_.statement(before ? kBefore : kNewest);
    int index = 1;
    if (before) select.setInt64(index++, *before);
    select.setInt(index, limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    std::vector<RoutingVersionRow> versions;
    while (rows->next()) versions.push_back(row_of(*rows));
    return versions;
  });
}

}  // namespace switchboard::store
