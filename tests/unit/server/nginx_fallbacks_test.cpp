// nginx's configuration for steps no worker answers, generated from the step table: the map names a location for
// every step and every location it names exists, answers its step's fallback, and keeps only signed requests
// while keeping is not paused; caller-facing text cannot break out of nginx's quoting or expand a variable.
#include <boost/test/unit_test.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "../support/settings.h"
#include "ivr/call_flow.h"
#include "ivr/routes.h"
#include "server/nginx_fallbacks.h"

namespace {

namespace route = switchboard::ivr::route;
namespace server = switchboard::server;
using switchboard::test::test_settings;

// "path @location;" lines of the map.
std::map<std::string, std::string> map_entries(const std::string& text) {
  std::map<std::string, std::string> entries;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    BOOST_REQUIRE(space != std::string::npos);
    BOOST_REQUIRE(line.back() == ';');
    entries[line.substr(0, space)] = line.substr(space + 1, line.size() - space - 2);
  }
  return entries;
}

// The body of `location NAME { … }` (no nested braces other than the if block).
std::string location_body(const std::string& text, const std::string& name) {
  const size_t start = text.find("location " + name + " {\n");
  BOOST_REQUIRE_MESSAGE(start != std::string::npos, "no location " << name);
  const size_t end = text.find("\n}\n", start);
  return text.substr(start, end - start);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_nginx_fallbacks)

BOOST_AUTO_TEST_CASE(EveryStepHasAFallbackLocationThatAnswersItsStep) {
  auto settings = test_settings();
  settings.state_dir = "/var/lib/switchboard";
  const auto entries = map_entries(server::nginx_fallback_map());
  const std::string locations = server::nginx_fallback_locations(settings, switchboard::test::routing_of(settings));
  BOOST_TEST(entries.size() == static_cast<size_t>(route::kStepCount));
  for (const route::Step* step : route::kSteps) {
    BOOST_REQUIRE_MESSAGE(entries.count(step->path), step->path << " is not in the map");
    const std::string body = location_body(locations, entries.at(step->path));
    const auto twiml = switchboard::ivr::fallback_twiml(settings, switchboard::test::routing_of(settings), step->fallback);
    if (twiml) {
      BOOST_TEST(body.find("return 200 " + server::nginx_quoted(*twiml) + ";") != std::string::npos, step->path);
      BOOST_TEST(body.find("default_type text/xml;") != std::string::npos);
    } else {
      BOOST_TEST(body.find("return 204;") != std::string::npos, step->path);
    }
    // Kept into the spool's nginx folder, signed requests only, not while paused; marked as the fallback's answer.
    BOOST_TEST(body.find("access_log /var/lib/switchboard/spool/nginx/kept-$msec-$request_id.json switchboard_kept "
                         "if=$switchboard_keep;") != std::string::npos);
    BOOST_TEST(body.find("set $switchboard_keep $switchboard_signed;") != std::string::npos);
    BOOST_TEST(body.find("if (-f /var/lib/switchboard/spool/nginx/keeping-paused)") != std::string::npos);
    BOOST_TEST(body.find("add_header X-Switchboard-Answered-By fallback always;") != std::string::npos);
  }
  // Each kind of fallback once.
  std::set<std::string> names;
  for (const auto& [path, name] : entries) names.insert(name);
  size_t rendered = 0;
  for (size_t at = locations.find("\nlocation "); at != std::string::npos; at = locations.find("\nlocation ", at + 1)) {
    ++rendered;
  }
  BOOST_TEST(rendered == names.size());
}

BOOST_AUTO_TEST_CASE(CallerFacingTextCannotBreakOutOfTheQuotesOrExpandAVariable) {
  BOOST_TEST(server::nginx_quoted("plain") == "'plain'");
  BOOST_TEST(server::nginx_quoted("Mac's") == "'Mac\\'s'");
  BOOST_TEST(server::nginx_quoted("back\\slash") == "'back\\\\slash'");
  BOOST_TEST(server::nginx_quoted("$request_uri ${x}") == "'&#36;request_uri &#36;{x}'");
  auto settings = test_settings();
  settings.ivr.company_name = "Mac's $host \\ Sons";
  const std::string locations = server::nginx_fallback_locations(settings, switchboard::test::routing_of(settings));
  // Outside the quoted TwiML nothing of the company name appears.
  const std::regex quoted("'(\\\\.|[^'\\\\])*'");
  const std::string unquoted = std::regex_replace(locations, quoted, "Q");
  BOOST_TEST(unquoted.find("Mac") == std::string::npos);
  BOOST_TEST(locations.find("$host") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
