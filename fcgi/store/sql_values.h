// Binding program values to Connector/C++ placeholders and reading them back: optional values as SQL NULL, caller
// text cleaned (valid UTF-8, cut to its column's size) so a hostile value can never make a write fail and an event
// be lost, times as DATETIME(3) text in and Unix milliseconds out (sql_time.h). Only store/ includes it.
#pragma once

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstdint>
#include <optional>
#include <string>

#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::store {

// Caller data cut to `max_chars` characters (on a character boundary), invalid UTF-8 repaired.
inline std::string clean(const std::string& value, size_t max_chars) {
  // The common case, short ASCII, without the copies repairing and cutting would make.
  if (value.size() <= max_chars && text::is_valid_utf8(value)) return value;
  return text::truncate_utf8(text::valid_utf8(value), max_chars);
}

inline void bind_text(sql::PreparedStatement& statement, int index, const std::optional<std::string>& value,
                      size_t max_chars) {
  if (value) statement.setString(index, clean(*value, max_chars));
  else statement.setNull(index, sql::DataType::VARCHAR);
}

template <typename Integer>
void bind_int(sql::PreparedStatement& statement, int index, const std::optional<Integer>& value) {
  if (value) statement.setInt64(index, static_cast<int64_t>(*value));
  else statement.setNull(index, sql::DataType::BIGINT);
}

inline void bind_bool(sql::PreparedStatement& statement, int index, const std::optional<bool>& value) {
  if (value) statement.setBoolean(index, *value);
  else statement.setNull(index, sql::DataType::TINYINT);
}

inline void bind_time(sql::PreparedStatement& statement, int index, const std::optional<std::int64_t>& unix_ms) {
  if (unix_ms) statement.setString(index, to_sql_datetime(*unix_ms));
  else statement.setNull(index, sql::DataType::VARCHAR);
}

inline std::optional<std::string> get_text(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return std::string(rows.getString(column));
}

inline std::optional<int> get_int(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getInt(column);
}

inline std::optional<std::int64_t> get_int64(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getInt64(column);
}

inline std::optional<bool> get_bool(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows.getBoolean(column);
}

// A time selected as Unix milliseconds (SWITCHBOARD_UNIX_MS below).
inline std::optional<std::int64_t> get_time(sql::ResultSet& rows, int column) { return get_int64(rows, column); }

}  // namespace switchboard::store

// A DATETIME column selected as Unix milliseconds (the session's time zone is UTC, see mysql_connection.cc):
// formatting a DATETIME to text in the connector and parsing it back cost more than the rest of a feed page together.
#define SWITCHBOARD_UNIX_MS(column) "CAST(UNIX_TIMESTAMP(" column ") * 1000 AS SIGNED)"
