// The office's clock. C++17's <chrono> has no time-zone database (libstdc++ 12), hence localtime_r under TZ.
#include "ivr/office_hours.h"

#include <cstdlib>
#include <optional>

namespace switchboard::ivr {

namespace {

std::tm local_time(const std::string& time_zone, std::time_t now) {
  const char* previous = std::getenv("TZ");
  const std::optional<std::string> saved = previous ? std::optional<std::string>(previous) : std::nullopt;
  setenv("TZ", time_zone.c_str(), 1);
  tzset();
  std::tm local{};
  localtime_r(&now, &local);
  if (saved) setenv("TZ", saved->c_str(), 1);
  else unsetenv("TZ");
  tzset();
  return local;
}

}  // namespace

OfficeClock office_clock(const config::WeeklyHours& hours, const std::string& time_zone, std::time_t now) {
  const std::tm local = local_time(time_zone, now);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &local);
  OfficeClock clock;
  clock.date = date;
  clock.open = hours.always_open;
  const int monday_based_day = (local.tm_wday + 6) % 7;
  const int minute = local.tm_hour * 60 + local.tm_min;
  for (const auto& interval : hours.days[static_cast<size_t>(monday_based_day)]) {
    if (minute >= interval.open_minute && minute < interval.close_minute) clock.open = true;
  }
  return clock;
}

bool office_open(const config::WeeklyHours& hours, const std::string& time_zone, std::time_t now) {
  return office_clock(hours, time_zone, now).open;
}

}  // namespace switchboard::ivr
