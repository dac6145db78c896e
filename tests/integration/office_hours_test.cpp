// Outside office hours the caller hears the closed message and goes straight to voicemail. The routing is saved with
// opening hours twelve hours away from now (as an admin does from the page), then restored.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "support/routing.h"
#include "support/stack.h"

using namespace integration;

BOOST_AUTO_TEST_SUITE(office_hours)

BOOST_AUTO_TEST_CASE(OutsideOfficeHoursTheCallerGoesStraightToVoicemail) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char hours[64];
  std::snprintf(hours, sizeof hours, "Mon-Sun %02d:00-%02d:30", (utc.tm_hour + 12) % 24, (utc.tm_hour + 12) % 24);
  const RoutingChange change([&](rapidjson::Value& routing, rapidjson::Document::AllocatorType& allocator) {
    routing["office_hours"]["schedule"] = string_value(hours, allocator);
    routing["office_hours"]["time_zone"] = "UTC";
  });

  callsim::Scenario scenario;
  scenario.presses = {"1"};  // never asked: there is no menu when closed
  const auto report = callsim::run_call(simulator_options(), scenario);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_REQUIRE(!report.heard.empty());
  BOOST_TEST(report.heard.front().find("We are closed right now") != std::string::npos);
  BOOST_TEST(std::none_of(report.heard.begin(), report.heard.end(),
                          [](const std::string& text) { return text.find("press 1") != std::string::npos; }));
  BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(20)));
  const auto row = call_row(report.call_sid);
  BOOST_TEST(row.at("menu_choice") == "NULL");
  BOOST_TEST(row.at("recording_sid").rfind("RE", 0) == 0);
  BOOST_TEST(row.at("routing_rule") == "office-hours");
}

BOOST_AUTO_TEST_SUITE_END()
