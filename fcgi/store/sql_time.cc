// UTC conversions between Unix milliseconds and MariaDB DATETIME text.
#include "store/sql_time.h"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace switchboard::store {

// Digits written by hand: a feed page formats a few hundred times, and snprintf's format parsing was a visible share
// of a feed worker's CPU. Years 0–9999 (storable_time() keeps callers within 1970–2038).
std::string to_sql_datetime(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[] = "0000-00-00 00:00:00.000";
  const auto put = [&text](int position, int value, int digits) {
    for (int k = digits - 1; k >= 0; --k, value /= 10) text[position + k] = static_cast<char>('0' + value % 10);
  };
  put(0, utc.tm_year + 1900, 4);
  put(5, utc.tm_mon + 1, 2);
  put(8, utc.tm_mday, 2);
  put(11, utc.tm_hour, 2);
  put(14, utc.tm_min, 2);
  put(17, utc.tm_sec, 2);
  put(20, static_cast<int>(unix_ms % 1000), 3);
  return std::string(text, sizeof text - 1);
}

std::int64_t from_sql_datetime(const std::string& text) {
  std::tm utc{};
  char fraction[8] = "";
  const int fields = std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d.%7[0-9]", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
                                 &utc.tm_hour, &utc.tm_min, &utc.tm_sec, fraction);
  if (fields < 6) throw std::invalid_argument("not a DATETIME: " + text);
  // The connector may return more fractional digits than DATETIME(3) holds ("…27.238000"): keep milliseconds.
  int millis = 0;
  for (int i = 0; i < 3; ++i) millis = millis * 10 + (fraction[i] >= '0' && fraction[i] <= '9' ? fraction[i] - '0' : 0);
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&utc)) * 1000 + millis;
}

}  // namespace switchboard::store
