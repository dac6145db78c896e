// DATETIME(3) values are exchanged as UTC text ("2026-11-26 09:00:00.123"); the rest of the program uses Unix
// milliseconds.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::store {

// The times the store can write as DATETIME(3) and read back as Unix milliseconds. Reading converts with
// UNIX_TIMESTAMP(), which on MariaDB 10.11 (and MySQL before 8.0.28) answers NULL outside 1970-01-01 00:00:00 to
// 2038-01-19 03:14:07.999 UTC; to_sql_datetime() needs a non-negative time. A time outside says nothing.
inline constexpr std::int64_t kEarliestStorableMs = 0;
inline constexpr std::int64_t kLatestStorableMs = 2147483647999;
inline bool storable_time(std::int64_t unix_ms) {
  return unix_ms >= kEarliestStorableMs && unix_ms <= kLatestStorableMs;
}

std::string to_sql_datetime(std::int64_t unix_ms);
std::int64_t from_sql_datetime(const std::string& text);  // throws std::invalid_argument

}  // namespace switchboard::store
