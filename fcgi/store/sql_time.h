// DATETIME(3) values are exchanged as UTC text ("2026-11-26 09:00:00.123"); the rest of the program uses Unix
// milliseconds.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::store {

std::string to_sql_datetime(std::int64_t unix_ms);
std::int64_t from_sql_datetime(const std::string& text);  // throws std::invalid_argument

}  // namespace switchboard::store
