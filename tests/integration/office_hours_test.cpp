// Outside office hours the caller hears the closed message and goes straight to voicemail. The workers are
// restarted with opening hours twelve hours away from now, then restored.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "support/stack.h"

using namespace integration;

BOOST_AUTO_TEST_SUITE(office_hours)

BOOST_AUTO_TEST_CASE(OutsideOfficeHoursTheCallerGoesStraightToVoicemail) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char hours[64];
  std::snprintf(hours, sizeof hours, "Mon-Sun %02d:00-%02d:30", (utc.tm_hour + 12) % 24, (utc.tm_hour + 12) % 24);
  const std::string env = "$SB_DIR/workers.env";
  struct Restore {
    std::string env;
    ~Restore() {
      stack_command("sed -i '/^SWITCHBOARD_OFFICE_HOURS=/d;/^SWITCHBOARD_TIMEZONE=/d' " + env +
                    " && sb_stop_workers && sb_start_workers");
    }
  } restore{env};
  BOOST_REQUIRE(stack_command("printf 'SWITCHBOARD_OFFICE_HOURS=%q\\nSWITCHBOARD_TIMEZONE=UTC\\n' '" +
                              std::string(hours) + "' >> " + env + " && sb_stop_workers && sb_start_workers") == 0);

  callsim::Scenario scenario;
  scenario.presses = {"1"};  // never asked: there is no menu when closed
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_REQUIRE(!report.heard.empty());
  BOOST_TEST(report.heard.front().find("We are closed right now") != std::string::npos);
  BOOST_TEST(std::none_of(report.heard.begin(), report.heard.end(),
                          [](const std::string& text) { return text.find("press 1") != std::string::npos; }));
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("menu_choice") == "NULL");
  BOOST_TEST(row.at("recording_sid").rfind("RE", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
