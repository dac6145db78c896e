// Whether the office is open at a given instant, in the office's own time zone.
#pragma once

#include <ctime>
#include <string>

#include "config/settings.h"

namespace switchboard::ivr {

// Converts `now` to local time in `time_zone` (an IANA name such as "Europe/Paris") and checks the weekly hours.
// Uses the C library's TZ handling, which is process-wide: workers are single-threaded, and the previous TZ is
// restored before returning.
bool office_open(const config::WeeklyHours& hours, const std::string& time_zone, std::time_t now);

}  // namespace switchboard::ivr
