// The office's clock: its local date and whether its weekly hours say open at a given instant, in the office's own
// time zone (from the routing document).
#pragma once

#include <ctime>
#include <string>

#include "config/settings.h"
#include "ivr/call_flow.h"

namespace switchboard::ivr {

// Converts `now` to local time in `time_zone` (an IANA name such as "Europe/Paris"): the local date, for holidays,
// and the weekly hours' verdict. Uses the C library's TZ handling, which is process-wide: workers are
// single-threaded, and the previous TZ is restored before returning.
OfficeClock office_clock(const config::WeeklyHours& hours, const std::string& time_zone, std::time_t now);

// office_clock(…).open
bool office_open(const config::WeeklyHours& hours, const std::string& time_zone, std::time_t now);

}  // namespace switchboard::ivr
