// office_open() at fixed instants: the same moment is open in one time zone and closed in another, daylight saving
// time moves the opening hour in UTC, and no hours at all means always open.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "config/settings.h"
#include "ivr/office_hours.h"

namespace {

using switchboard::config::WeeklyHours;
using switchboard::ivr::office_open;

std::time_t utc(int year, int month, int day, int hour, int minute) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return timegm(&tm);
}

const WeeklyHours kWeekdays = WeeklyHours::parse("Mon-Fri 09:00-18:00");

// Sets TZ for the test and puts the previous value back afterwards.
class ScopedTz {
 public:
  explicit ScopedTz(const char* value) {
    if (const char* previous = std::getenv("TZ")) saved_ = previous;
    if (value) setenv("TZ", value, 1);
    else unsetenv("TZ");
  }
  ~ScopedTz() {
    if (saved_) setenv("TZ", saved_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }

 private:
  std::optional<std::string> saved_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ivr_office_hours)

BOOST_AUTO_TEST_CASE(SameInstantOpenInParisClosedInUtc) {
  const std::time_t monday_0830_utc = utc(2026, 1, 5, 8, 30);  // 09:30 in Paris (CET, UTC+1)
  BOOST_TEST(office_open(kWeekdays, "Europe/Paris", monday_0830_utc));
  BOOST_TEST(!office_open(kWeekdays, "UTC", monday_0830_utc));
}

BOOST_AUTO_TEST_CASE(ClosingMinuteIsExcluded) {
  BOOST_TEST(office_open(kWeekdays, "Europe/Paris", utc(2026, 1, 5, 16, 59)));   // 17:59 Paris
  BOOST_TEST(!office_open(kWeekdays, "Europe/Paris", utc(2026, 1, 5, 17, 0)));   // 18:00 Paris
  BOOST_TEST(office_open(kWeekdays, "UTC", utc(2026, 1, 5, 17, 0)));
}

BOOST_AUTO_TEST_CASE(DaylightSavingTimeMovesOpeningInUtc) {
  // 07:30 UTC is 08:30 in Paris in winter (closed) and 09:30 in summer (CEST, UTC+2, open).
  BOOST_TEST(!office_open(kWeekdays, "Europe/Paris", utc(2026, 1, 5, 7, 30)));
  BOOST_TEST(office_open(kWeekdays, "Europe/Paris", utc(2026, 7, 6, 7, 30)));
  // The morning after the spring change (Sunday 29 March 2026): Monday 07:00 UTC is 09:00 CEST.
  BOOST_TEST(office_open(kWeekdays, "Europe/Paris", utc(2026, 3, 30, 7, 0)));
  BOOST_TEST(!office_open(kWeekdays, "Europe/Paris", utc(2026, 3, 23, 7, 0)));  // a week earlier: 08:00 CET
}

BOOST_AUTO_TEST_CASE(WeekdayIsTheLocalOne) {
  // Friday 23:30 UTC is already Saturday 00:30 in Paris and still Friday 18:30 in New York.
  const WeeklyHours saturday_night = WeeklyHours::parse("Sat 00:00-01:00");
  const std::time_t friday_2330_utc = utc(2026, 1, 9, 23, 30);
  BOOST_TEST(office_open(saturday_night, "Europe/Paris", friday_2330_utc));
  BOOST_TEST(!office_open(saturday_night, "UTC", friday_2330_utc));
  BOOST_TEST(!office_open(saturday_night, "America/New_York", friday_2330_utc));
  BOOST_TEST(office_open(WeeklyHours::parse("Fri 18:00-19:00"), "America/New_York", friday_2330_utc));
}

BOOST_AUTO_TEST_CASE(ClosedAllWeekend) {
  BOOST_TEST(!office_open(kWeekdays, "UTC", utc(2026, 1, 10, 12, 0)));  // Saturday noon
  BOOST_TEST(!office_open(kWeekdays, "UTC", utc(2026, 1, 11, 12, 0)));  // Sunday noon
}

BOOST_AUTO_TEST_CASE(NoHoursMeansAlwaysOpen) {
  const WeeklyHours always = WeeklyHours::parse("");
  BOOST_TEST(office_open(always, "Europe/Paris", utc(2026, 1, 10, 3, 0)));
  BOOST_TEST(office_open(always, "UTC", utc(2026, 1, 11, 23, 59)));
}

BOOST_AUTO_TEST_CASE(ProcessTimeZoneIsRestored) {
  {
    const ScopedTz tokyo("Asia/Tokyo");
    office_open(kWeekdays, "Europe/Paris", utc(2026, 1, 5, 8, 30));
    BOOST_TEST(std::getenv("TZ") == std::string("Asia/Tokyo"));
  }
  {
    const ScopedTz unset(nullptr);
    office_open(kWeekdays, "Europe/Paris", utc(2026, 1, 5, 8, 30));
    BOOST_TEST(std::getenv("TZ") == nullptr);
  }
}

BOOST_AUTO_TEST_SUITE_END()
