// The office's clock. C++17's <chrono> has no time-zone database (libstdc++ 12), hence localtime_r under TZ, asked
// once a minute.
#include "ivr/office_hours.h"

#include <cstdlib>
#include <optional>

namespace switchboard::ivr {

namespace {

std::tm local_time_by_tz(const std::string& time_zone, std::time_t now) {
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

// Switching TZ twice per call made every webhook stat the zone file twice (tzset) and walk the environment: the
// zone's offset is asked once a minute instead and applied to UTC. Offsets change only at a transition, and every
// transition of the time zone database since 1970 falls on a whole minute, so the minute's offset is exact.
std::tm local_time(const std::string& time_zone, std::time_t now) {
  struct Offset {
    std::string zone;
    std::time_t minute = 0;
    long seconds_east = 0;
    int is_dst = 0;
    bool known = false;
  };
  thread_local Offset cached;
  const std::time_t minute = now >= 0 ? now / 60 : -((-now + 59) / 60);
  if (!cached.known || cached.minute != minute || cached.zone != time_zone) {
    const std::tm local = local_time_by_tz(time_zone, now);
    cached = Offset{time_zone, minute, local.tm_gmtoff, local.tm_isdst, true};
  }
  const std::time_t shifted = now + cached.seconds_east;
  std::tm local{};
  gmtime_r(&shifted, &local);
  local.tm_isdst = cached.is_dst;
  local.tm_gmtoff = cached.seconds_east;
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
