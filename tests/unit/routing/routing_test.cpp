// The routing document: every validation rule refuses its document with the path of the field at fault and why
// (the page shows it beside that field), the first fault wins, to_json() and parse() round-trip, and the initial
// routing is what the environment said. A rule added to routing.cc gets its refusal case here, on kDocument edited
// at one path.
#include "routing/routing.h"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../support/print.h"
#include "../support/settings.h"
#include "config/settings.h"

namespace {

namespace routing = switchboard::routing;
using switchboard::config::MenuDefault;
using switchboard::config::Settings;
using switchboard::test::routing_of;
using switchboard::test::test_settings;

// A valid document with every member away from its default, so a round trip that dropped one would show.
constexpr char kDocument[] = R"({
  "forward": {"targets": ["+14155550100", "+14155550101"], "strategy": "sequential", "ring_seconds": 15,
              "screening": false},
  "away": {"enabled": true, "message": "We are away this week."},
  "office_hours": {"schedule": "Mon-Fri 09:00-18:00; Sat 10:00-12:30", "time_zone": "Europe/Paris",
                   "closed_message": "We are closed."},
  "holidays": [{"date": "2026-12-25", "message": "Merry Christmas, we are closed."},
               {"date": "2027-01-01", "message": "Happy new year, we are closed."}],
  "menu": {"prompt": "For a plumber, press 1. For voicemail, press 2.", "attempts": 2, "default": "forward"},
  "voicemail": {"prompt": "Leave a message.", "max_seconds": 300, "transcribe": true},
  "blocklist": ["+14155550199", "anonymous"],
  "text_back": {"enabled": true, "message": "Sorry we missed you."}
})";

std::string text_of(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

rapidjson::Document document_of(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  BOOST_REQUIRE_MESSAGE(!document.HasParseError(), "test JSON does not parse: " << json);
  return document;
}

// kDocument with the value at JSON pointer `pointer` ("/forward/targets/1") set to `value` (JSON text).
std::string edited(const char* pointer, const std::string& value) {
  rapidjson::Document document = document_of(kDocument);
  rapidjson::Document replacement = document_of(value);
  rapidjson::Value copy(replacement, document.GetAllocator());
  rapidjson::Pointer(pointer).Set(document, copy);
  return text_of(document);
}

// kDocument without the member at `pointer`.
std::string without(const char* pointer) {
  rapidjson::Document document = document_of(kDocument);
  BOOST_REQUIRE(rapidjson::Pointer(pointer).Erase(document));
  return text_of(document);
}

// `count` distinct E.164 numbers, as a JSON array.
std::string numbers(size_t count) {
  std::string array = "[";
  for (size_t i = 0; i < count; ++i) array += (i ? ",\"+1415555" : "\"+1415555") + std::to_string(1000 + i) + "\"";
  return array + "]";
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

// kDocument with `raw` spliced in as the text of away.message, byte for byte (a value rapidjson would not write).
std::string with_raw_away_message(const std::string& raw) {
  const std::string json = edited("/away/message", "\"placeholder\"");
  const size_t at = json.find("placeholder");
  return json.substr(0, at) + raw + json.substr(at + std::string("placeholder").size());
}

routing::Routing accepted(const std::string& json) {
  routing::Parsed parsed = routing::parse(json);
  BOOST_REQUIRE_MESSAGE(parsed.routing.has_value(), "refused: " << (parsed.invalid ? parsed.invalid->message() : "?")
                                                                << "\n"
                                                                << json);
  BOOST_TEST(!parsed.invalid.has_value());
  return *parsed.routing;
}

routing::Invalid refused(const std::string& json) {
  routing::Parsed parsed = routing::parse(json);
  BOOST_REQUIRE_MESSAGE(!parsed.routing.has_value(), "accepted: " << json);
  BOOST_REQUIRE(parsed.invalid.has_value());
  return *parsed.invalid;
}

void check_refused(const std::string& json, const std::string& field, const std::string& why) {
  const routing::Invalid invalid = refused(json);
  BOOST_TEST(invalid.field == field);
  BOOST_TEST(invalid.why == why);
}

bool same_hours(const switchboard::config::WeeklyHours& a, const switchboard::config::WeeklyHours& b) {
  if (a.always_open != b.always_open) return false;
  for (size_t day = 0; day < 7; ++day) {
    if (a.days[day].size() != b.days[day].size()) return false;
    for (size_t i = 0; i < a.days[day].size(); ++i) {
      if (a.days[day][i].open_minute != b.days[day][i].open_minute ||
          a.days[day][i].close_minute != b.days[day][i].close_minute) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(routing_document)

BOOST_AUTO_TEST_CASE(TheExampleDocumentIsReadMemberByMember) {
  const routing::Routing r = accepted(kDocument);
  BOOST_TEST(r.forward.targets == (std::vector<std::string>{"+14155550100", "+14155550101"}));
  BOOST_TEST((r.forward.strategy == routing::Strategy::kSequential));
  BOOST_TEST(r.forward.ring_seconds == 15);
  BOOST_TEST(!r.forward.screening);
  BOOST_TEST(r.away.enabled);
  BOOST_TEST(r.away.message == "We are away this week.");
  BOOST_TEST(r.office_hours.schedule == "Mon-Fri 09:00-18:00; Sat 10:00-12:30");
  BOOST_TEST(!r.office_hours.hours.always_open);
  BOOST_TEST(r.office_hours.hours.days[0].size() == 1u);
  BOOST_TEST(r.office_hours.hours.days[0][0].open_minute == 9 * 60);
  BOOST_TEST(r.office_hours.hours.days[0][0].close_minute == 18 * 60);
  BOOST_TEST(r.office_hours.hours.days[5][0].open_minute == 10 * 60);
  BOOST_TEST(r.office_hours.hours.days[5][0].close_minute == 12 * 60 + 30);
  BOOST_TEST(r.office_hours.hours.days[6].empty());
  BOOST_TEST(r.office_hours.time_zone == "Europe/Paris");
  BOOST_TEST(r.office_hours.closed_message == "We are closed.");
  BOOST_REQUIRE(r.holidays.size() == 2u);
  BOOST_TEST(r.holidays[0].date == "2026-12-25");
  BOOST_TEST(r.holidays[0].message == "Merry Christmas, we are closed.");
  BOOST_TEST(r.holidays[1].date == "2027-01-01");
  BOOST_TEST(r.menu.prompt == "For a plumber, press 1. For voicemail, press 2.");
  BOOST_TEST(r.menu.attempts == 2);
  BOOST_TEST((r.menu.default_step == MenuDefault::kForward));
  BOOST_TEST(r.voicemail.prompt == "Leave a message.");
  BOOST_TEST(r.voicemail.max_seconds == 300);
  BOOST_TEST(r.voicemail.transcribe);
  BOOST_TEST(r.blocklist == (std::vector<std::string>{"+14155550199", "anonymous"}));
  BOOST_TEST(r.text_back.enabled);
  BOOST_TEST(r.text_back.message == "Sorry we missed you.");
}

BOOST_AUTO_TEST_CASE(ToJsonAndParseRoundTrip) {
  const routing::Routing original = accepted(kDocument);
  const std::string json = routing::to_json(original);
  const routing::Routing again = accepted(json);
  BOOST_TEST(routing::to_json(again) == json);
  BOOST_TEST(again.forward.targets == original.forward.targets);
  BOOST_TEST((again.forward.strategy == original.forward.strategy));
  BOOST_TEST(again.forward.ring_seconds == original.forward.ring_seconds);
  BOOST_TEST(again.forward.screening == original.forward.screening);
  BOOST_TEST(again.away.enabled == original.away.enabled);
  BOOST_TEST(again.away.message == original.away.message);
  BOOST_TEST(again.office_hours.schedule == original.office_hours.schedule);
  BOOST_TEST(same_hours(again.office_hours.hours, original.office_hours.hours));
  BOOST_TEST(again.office_hours.time_zone == original.office_hours.time_zone);
  BOOST_TEST(again.office_hours.closed_message == original.office_hours.closed_message);
  BOOST_REQUIRE(again.holidays.size() == original.holidays.size());
  for (size_t i = 0; i < again.holidays.size(); ++i) {
    BOOST_TEST(again.holidays[i].date == original.holidays[i].date);
    BOOST_TEST(again.holidays[i].message == original.holidays[i].message);
  }
  BOOST_TEST(again.menu.prompt == original.menu.prompt);
  BOOST_TEST(again.menu.attempts == original.menu.attempts);
  BOOST_TEST((again.menu.default_step == original.menu.default_step));
  BOOST_TEST(again.voicemail.prompt == original.voicemail.prompt);
  BOOST_TEST(again.voicemail.max_seconds == original.voicemail.max_seconds);
  BOOST_TEST(again.voicemail.transcribe == original.voicemail.transcribe);
  BOOST_TEST(again.blocklist == original.blocklist);
  BOOST_TEST(again.text_back.enabled == original.text_back.enabled);
  BOOST_TEST(again.text_back.message == original.text_back.message);
}

BOOST_AUTO_TEST_CASE(ToJsonWritesTheMembersInTheDocumentsOrder) {
  const rapidjson::Document document = document_of(routing::to_json(accepted(kDocument)));
  std::vector<std::string> names;
  for (auto member = document.MemberBegin(); member != document.MemberEnd(); ++member) {
    names.emplace_back(member->name.GetString());
  }
  BOOST_TEST(names == (std::vector<std::string>{"forward", "away", "office_hours", "holidays", "menu", "voicemail",
                                                "blocklist", "text_back"}));
  BOOST_TEST(std::string(document["forward"]["strategy"].GetString()) == "sequential");
  BOOST_TEST(std::string(document["menu"]["default"].GetString()) == "forward");
  BOOST_TEST(document["voicemail"]["max_seconds"].GetInt() == 300);
}

BOOST_AUTO_TEST_CASE(TextIsKeptExactlyThroughTheRoundTrip) {
  // Quotes, backslashes, non-ASCII and a <Say>-hostile "<": the document carries text, TwiML escapes it later.
  const std::string message = "Caf\xC3\xA9 \"Chez Paul\" <closed> \\ back at 9 \xE2\x80\x94 merci";
  const routing::Routing r = accepted(edited("/away/message", quoted("Caf\\u00e9 \\\"Chez Paul\\\" <closed> \\\\ "
                                                                     "back at 9 \\u2014 merci")));
  BOOST_TEST(r.away.message == message);
  BOOST_TEST(accepted(routing::to_json(r)).away.message == message);
}

BOOST_AUTO_TEST_CASE(InitialRoutingIsWhatTheEnvironmentSaid) {
  Settings settings = test_settings();
  settings.ivr.office_hours_text = "Mon-Fri 08:00-17:00";
  settings.ivr.office_hours = switchboard::config::WeeklyHours::parse(settings.ivr.office_hours_text);
  settings.ivr.time_zone = "America/New_York";
  settings.ivr.menu_default = MenuDefault::kForward;
  settings.ivr.transcribe = true;
  const routing::Routing r = routing::initial_routing(settings);
  BOOST_TEST(r.forward.targets == (std::vector<std::string>{"+14155550100"}));
  BOOST_TEST((r.forward.strategy == routing::Strategy::kSimultaneous));
  BOOST_TEST(r.forward.ring_seconds == 25);
  BOOST_TEST(r.forward.screening);
  BOOST_TEST(!r.away.enabled);
  BOOST_TEST(r.away.message ==
             "Thank you for calling Acme Plumbing. We are away right now. Please leave a message after the beep.");
  BOOST_TEST(r.office_hours.schedule == "Mon-Fri 08:00-17:00");
  BOOST_TEST(same_hours(r.office_hours.hours, settings.ivr.office_hours));
  BOOST_TEST(r.office_hours.time_zone == "America/New_York");
  BOOST_TEST(r.office_hours.closed_message == "Acme Plumbing is closed.");
  BOOST_TEST(r.holidays.empty());
  BOOST_TEST(r.menu.prompt == settings.ivr.menu_prompt);
  BOOST_TEST(r.menu.attempts == 3);
  BOOST_TEST((r.menu.default_step == MenuDefault::kForward));
  BOOST_TEST(r.voicemail.prompt == "Leave a message after the beep.");
  BOOST_TEST(r.voicemail.max_seconds == 90);
  BOOST_TEST(r.voicemail.transcribe);
  BOOST_TEST(r.blocklist.empty());
  BOOST_TEST(!r.text_back.enabled);
  BOOST_TEST(r.text_back.message == "Sorry we missed your call to Acme Plumbing. We will call you back soon.");
}

BOOST_AUTO_TEST_CASE(InitialRoutingIsAValidDocument) {
  // GET /api/routing then PUT of the same document must be accepted: the environment's routing passes validation.
  const routing::Routing from_tests = accepted(routing::to_json(routing_of(test_settings())));
  BOOST_TEST(routing::to_json(from_tests) == routing::to_json(routing_of(test_settings())));
  const std::map<std::string, std::string> env = {{"SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com"},
                                                  {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789ABCDEF"},
                                                  {"TWILIO_AUTH_TOKEN", "8f14e45fceea167a5a36dedd4bea2543"},
                                                  {"SWITCHBOARD_FORWARD_TO", "+14155550100"},
                                                  {"SWITCHBOARD_DB_SOCKET", "/run/mysqld/mysqld.sock"},
                                                  {"SWITCHBOARD_DB_USER", "switchboard"},
                                                  {"SWITCHBOARD_DB_NAME", "switchboard"}};
  const Settings defaults = Settings::from_environment([&](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  });
  const routing::Routing initial = routing::initial_routing(defaults);
  BOOST_TEST(routing::to_json(accepted(routing::to_json(initial))) == routing::to_json(initial));
}

BOOST_AUTO_TEST_CASE(AnUnknownFieldIsRefusedWhereverItIs) {
  check_refused(edited("/colour", "\"blue\""), "colour", "unknown field");
  check_refused(edited("/forward/targtes", "[]"), "forward.targtes", "unknown field");
  check_refused(edited("/holidays/1/note", "\"x\""), "holidays[1].note", "unknown field");
  check_refused(edited("/text_back/enabeld", "true"), "text_back.enabeld", "unknown field");
}

BOOST_AUTO_TEST_CASE(ARepeatedMemberIsRefusedNotSilentlyIgnored) {
  // A hand-edited file (switchboard-routing) that names a member twice: one of the two values would be dropped
  // without a word (rapidjson finds the first, a browser's JSON.parse keeps the last), which is what "a misspelt
  // field must not silently keep its old value" rules out. Refused at the repeated member.
  std::string json = kDocument;
  json.insert(json.rfind('}'), R"(, "away": {"enabled": false, "message": "Back on Monday."})");
  const routing::Parsed top = routing::parse(json);
  BOOST_TEST(!top.routing.has_value(),
             "a repeated \"away\" was accepted, away.enabled = " << (top.routing ? top.routing->away.enabled : false));
  if (top.invalid) BOOST_TEST(top.invalid->field == "away");

  std::string inner = kDocument;
  inner.replace(inner.find("\"ring_seconds\": 15"), std::string("\"ring_seconds\": 15").size(),
                "\"ring_seconds\": 15, \"ring_seconds\": 60");
  const routing::Parsed nested = routing::parse(inner);
  BOOST_TEST(!nested.routing.has_value(), "a repeated \"ring_seconds\" was accepted, ring_seconds = "
                                              << (nested.routing ? nested.routing->forward.ring_seconds : 0));
  if (nested.invalid) BOOST_TEST(nested.invalid->field == "forward.ring_seconds");
}

BOOST_AUTO_TEST_CASE(EveryMemberIsRequired) {
  for (const char* pointer :
       {"/forward", "/away", "/office_hours", "/holidays", "/menu", "/voicemail", "/blocklist", "/text_back"}) {
    check_refused(without(pointer), std::string(pointer).substr(1), "required");
  }
  check_refused(without("/forward/targets"), "forward.targets", "required");
  check_refused(without("/forward/screening"), "forward.screening", "required");
  check_refused(without("/away/message"), "away.message", "required");
  check_refused(without("/office_hours/time_zone"), "office_hours.time_zone", "required");
  check_refused(without("/holidays/0/message"), "holidays[0].message", "required");
  check_refused(without("/menu/default"), "menu.default", "required");
  check_refused(without("/voicemail/transcribe"), "voicemail.transcribe", "required");
  check_refused(without("/text_back/message"), "text_back.message", "required");
}

BOOST_AUTO_TEST_CASE(AWrongTypeNamesTheTypeExpected) {
  check_refused("[]", "", "must be an object");
  check_refused(edited("/away", "[]"), "away", "must be an object");
  check_refused(edited("/holidays/0", "\"2026-12-25\""), "holidays[0]", "must be an object");
  check_refused(edited("/forward/targets", "\"+14155550100\""), "forward.targets", "must be an array");
  check_refused(edited("/holidays", "{}"), "holidays", "must be an array");
  check_refused(edited("/blocklist", "null"), "blocklist", "must be an array");
  check_refused(edited("/forward/targets/0", "14155550100"), "forward.targets[0]", "must be a string");
  check_refused(edited("/forward/screening", "1"), "forward.screening", "must be true or false");
  check_refused(edited("/away/enabled", "\"true\""), "away.enabled", "must be true or false");
  check_refused(edited("/forward/ring_seconds", "\"20\""), "forward.ring_seconds",
                "must be a whole number from 5 to 600");
  check_refused(edited("/forward/ring_seconds", "20.5"), "forward.ring_seconds",
                "must be a whole number from 5 to 600");
  check_refused(edited("/menu/prompt", "5"), "menu.prompt", "must be a string");
  check_refused(edited("/office_hours/schedule", "null"), "office_hours.schedule", "must be a string");
}

BOOST_AUTO_TEST_CASE(TargetsAreOneToTenDistinctE164Numbers) {
  check_refused(edited("/forward/targets", "[]"), "forward.targets", "must not be empty");
  check_refused(edited("/forward/targets", numbers(11)), "forward.targets", "at most 10 entries");
  BOOST_TEST(accepted(edited("/forward/targets", numbers(10))).forward.targets.size() == 10u);
  BOOST_TEST(accepted(edited("/forward/targets", numbers(1))).forward.targets.size() == 1u);
  for (const char* bad : {"4155550101", "+04155550101", "+1 415 555 0101", "+1415555010123456", "anonymous", ""}) {
    check_refused(edited("/forward/targets/1", quoted(bad)), "forward.targets[1]", "not E.164 (like +14155550123)");
  }
  check_refused(edited("/forward/targets", R"(["+14155550100", "+14155550101", "+14155550100"])"), "forward.targets[2]",
                "repeats another target");
}

BOOST_AUTO_TEST_CASE(StrategyIsSimultaneousOrSequential) {
  BOOST_TEST(
      (accepted(edited("/forward/strategy", "\"simultaneous\"")).forward.strategy == routing::Strategy::kSimultaneous));
  for (const char* bad : {"\"round-robin\"", "\"Sequential\"", "\"\""}) {
    check_refused(edited("/forward/strategy", bad), "forward.strategy", "must be \"simultaneous\" or \"sequential\"");
  }
  BOOST_TEST(routing::strategy_name(routing::Strategy::kSequential) == std::string("sequential"));
  BOOST_TEST(routing::strategy_name(routing::Strategy::kSimultaneous) == std::string("simultaneous"));
}

BOOST_AUTO_TEST_CASE(RingSecondsAreFiveToSixHundred) {
  BOOST_TEST(accepted(edited("/forward/ring_seconds", "5")).forward.ring_seconds == 5);
  BOOST_TEST(accepted(edited("/forward/ring_seconds", "600")).forward.ring_seconds == 600);
  for (const char* bad : {"4", "601", "-20", "0", "4294967296"}) {
    check_refused(edited("/forward/ring_seconds", bad), "forward.ring_seconds", "must be a whole number from 5 to 600");
  }
}

BOOST_AUTO_TEST_CASE(MessagesAreNonEmptyTextWithoutControlCharacters) {
  for (const char* pointer : {"/away/message", "/office_hours/closed_message", "/holidays/1/message", "/menu/prompt",
                              "/voicemail/prompt", "/text_back/message"}) {
    std::string field = std::string(pointer).substr(1);
    for (char& c : field) c = c == '/' ? '.' : c;
    if (field == "holidays.1.message") field = "holidays[1].message";
    check_refused(edited(pointer, "\"\""), field, "must not be empty");
    check_refused(edited(pointer, "\"  \\t \""), field, "must not be empty");
    check_refused(edited(pointer, "\"Closed\\ntoday\""), field, "must not contain control characters or line breaks");
    check_refused(edited(pointer, "\"Closed\\rtoday\""), field, "must not contain control characters or line breaks");
    check_refused(edited(pointer, "\"Closed\\ttoday\""), field, "must not contain control characters or line breaks");
    check_refused(edited(pointer, "\"Closed\\u0000today\""), field,
                  "must not contain control characters or line breaks");
    check_refused(edited(pointer, "\"Closed\\u007ftoday\""), field,
                  "must not contain control characters or line breaks");
  }
}

BOOST_AUTO_TEST_CASE(MessagesAreAtMostAThousandCharacters) {
  BOOST_TEST(accepted(edited("/away/message", quoted(std::string(1000, 'a')))).away.message.size() == 1000u);
  check_refused(edited("/away/message", quoted(std::string(1001, 'a'))), "away.message", "longer than 1000 characters");
  // Characters, not bytes: 1000 two-byte letters fit.
  std::string accents;
  for (int i = 0; i < 1000; ++i) accents += "\xC3\xA9";
  BOOST_TEST(accepted(edited("/menu/prompt", quoted(accents))).menu.prompt == accents);
  check_refused(edited("/menu/prompt", quoted(accents + "\xC3\xA9")), "menu.prompt", "longer than 1000 characters");
}

BOOST_AUTO_TEST_CASE(TextBackMessageFitsTwoSmsSegments) {
  BOOST_TEST(accepted(edited("/text_back/message", quoted(std::string(320, 'x')))).text_back.message.size() == 320u);
  check_refused(edited("/text_back/message", quoted(std::string(321, 'x'))), "text_back.message",
                "longer than 320 characters");
}

BOOST_AUTO_TEST_CASE(TheScheduleMustParse) {
  check_refused(edited("/office_hours/schedule", "\"Mon-Fri 9-18\""), "office_hours.schedule", "bad time '9'");
  check_refused(edited("/office_hours/schedule", "\"Someday 09:00-18:00\""), "office_hours.schedule",
                "bad weekday 'Someday' (use Mon, Tue, \xE2\x80\xA6, Sun)");
  check_refused(edited("/office_hours/schedule", "\"Mon 18:00-09:00\""), "office_hours.schedule",
                "closing time must follow opening time in '18:00-09:00'");
  check_refused(edited("/office_hours/schedule", "\"always\""), "office_hours.schedule",
                "expected 'Days HH:MM-HH:MM' in 'always'");
  // Empty: always open.
  const routing::Routing open = accepted(edited("/office_hours/schedule", "\"\""));
  BOOST_TEST(open.office_hours.schedule == "");
  BOOST_TEST(open.office_hours.hours.always_open);
}

BOOST_AUTO_TEST_CASE(TheTimeZoneMustBeKnown) {
  BOOST_TEST(accepted(edited("/office_hours/time_zone", "\"UTC\"")).office_hours.time_zone == "UTC");
  BOOST_TEST(accepted(edited("/office_hours/time_zone", "\"America/New_York\"")).office_hours.time_zone ==
             "America/New_York");
  for (const char* bad : {"\"Mars/Olympus_Mons\"", "\"Europe\"", "\"../../etc/passwd\"", "\"\"", "\"europe/paris\""}) {
    check_refused(edited("/office_hours/time_zone", bad), "office_hours.time_zone",
                  "not a known time zone (like Europe/Paris)");
  }
}

BOOST_AUTO_TEST_CASE(HolidayDatesAreRealCalendarDays) {
  for (const char* bad : {"2026-12-5", "25/12/2026", "2026/12/25", "2026-13-01", "2026-00-10", "2026-12-32",
                          "2026-12-00", "2026-04-31", "1999-12-25", "2200-01-01", "2026-12-25T00:00", "20261225",
                          "2026-1--25", "2026--1-25", "", "2027-02-29", "2100-02-29"}) {
    check_refused(edited("/holidays/0/date", quoted(bad)), "holidays[0].date", "not a date like 2026-12-25");
  }
  // Leap days: on leap years only (2000 is one, 2100 is not).
  BOOST_TEST(accepted(edited("/holidays/0/date", "\"2028-02-29\"")).holidays[0].date == "2028-02-29");
  BOOST_TEST(accepted(edited("/holidays/0/date", "\"2000-02-29\"")).holidays[0].date == "2000-02-29");
  BOOST_TEST(accepted(edited("/holidays/0/date", "\"2026-12-31\"")).holidays[0].date == "2026-12-31");
}

BOOST_AUTO_TEST_CASE(AHolidayDateAppearsOnce) {
  check_refused(edited("/holidays/1/date", "\"2026-12-25\""), "holidays[1].date", "repeats another holiday");
  BOOST_TEST(accepted(edited("/holidays", "[]")).holidays.empty());
}

BOOST_AUTO_TEST_CASE(AtMost366Holidays) {
  std::string holidays = "[";
  for (int i = 0; i < 367; ++i) {
    char date[11];
    std::snprintf(date, sizeof date, "%04d-01-01", 2000 + i % 200);
    holidays += std::string(i ? "," : "") + R"({"date":")" + date + R"(","message":"Closed."})";
  }
  check_refused(edited("/holidays", holidays + "]"), "holidays", "at most 366 entries");
}

BOOST_AUTO_TEST_CASE(MenuAttemptsAndDefault) {
  BOOST_TEST(accepted(edited("/menu/attempts", "1")).menu.attempts == 1);
  BOOST_TEST(accepted(edited("/menu/attempts", "10")).menu.attempts == 10);
  for (const char* bad : {"0", "11", "2.5", "\"3\""}) {
    check_refused(edited("/menu/attempts", bad), "menu.attempts", "must be a whole number from 1 to 10");
  }
  BOOST_TEST((accepted(edited("/menu/default", "\"voicemail\"")).menu.default_step == MenuDefault::kVoicemail));
  for (const char* bad : {"\"hangup\"", "\"Forward\"", "\"\""}) {
    check_refused(edited("/menu/default", bad), "menu.default", "must be \"voicemail\" or \"forward\"");
  }
  check_refused(edited("/menu/default", "1"), "menu.default", "must be a string");
}

BOOST_AUTO_TEST_CASE(VoicemailMaxSecondsAreFiveToAnHour) {
  BOOST_TEST(accepted(edited("/voicemail/max_seconds", "5")).voicemail.max_seconds == 5);
  BOOST_TEST(accepted(edited("/voicemail/max_seconds", "3600")).voicemail.max_seconds == 3600);
  for (const char* bad : {"4", "3601", "-1"}) {
    check_refused(edited("/voicemail/max_seconds", bad), "voicemail.max_seconds",
                  "must be a whole number from 5 to 3600");
  }
}

BOOST_AUTO_TEST_CASE(BlocklistEntriesAreNumbersOrAnonymous) {
  BOOST_TEST(accepted(edited("/blocklist", "[]")).blocklist.empty());
  BOOST_TEST(accepted(edited("/blocklist", "[\"anonymous\"]")).blocklist == (std::vector<std::string>{"anonymous"}));
  for (const char* bad : {"0123", "Anonymous", "unknown", "", "+1 415 555 0199"}) {
    check_refused(edited("/blocklist/1", quoted(bad)), "blocklist[1]",
                  "not E.164 (like +14155550123) or \"anonymous\"");
  }
  check_refused(edited("/blocklist", R"(["anonymous", "+14155550199", "anonymous"])"), "blocklist[2]",
                "repeats another entry");
  check_refused(edited("/blocklist", R"(["+14155550199", "+14155550199"])"), "blocklist[1]", "repeats another entry");
  check_refused(edited("/blocklist", numbers(2001)), "blocklist", "at most 2000 entries");
  BOOST_TEST(accepted(edited("/blocklist", numbers(2000))).blocklist.size() == 2000u);
}

BOOST_AUTO_TEST_CASE(NotJsonIsRefusedForTheDocument) {
  check_refused("", "", "not JSON: The document is empty. at offset 0");
  check_refused("{", "", "not JSON: Missing a name for object member. at offset 1");
  check_refused(std::string(kDocument) + " {}", "",
                "not JSON: The document root must not be followed by other values. "
                "at offset " +
                    std::to_string(std::string(kDocument).size() + 1));
  const routing::Invalid invalid = refused("forward=+14155550100");
  BOOST_TEST(invalid.field == "");
  BOOST_TEST(invalid.why.rfind("not JSON: ", 0) == 0u);
  BOOST_TEST(invalid.message() == invalid.why);
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsRefused) {
  // Refused while reading the JSON, before any field is looked at: the document itself is at fault.
  for (const std::string& bad : {std::string("\xFF"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                                 std::string("caf\xC3"), std::string("\xF4\x90\x80\x80")}) {
    const routing::Invalid invalid = refused(with_raw_away_message(bad));
    BOOST_TEST(invalid.field == "");
    BOOST_TEST(invalid.why.rfind("not JSON: Invalid encoding in string. at offset ", 0) == 0u, invalid.why);
  }
  const routing::Invalid surrogate = refused(with_raw_away_message("\\ud800 alone"));
  BOOST_TEST(surrogate.field == "");
  BOOST_TEST(surrogate.why.rfind("not JSON: The surrogate pair in string is invalid.", 0) == 0u, surrogate.why);
}

BOOST_AUTO_TEST_CASE(TheFirstFaultInDocumentOrderIsReported) {
  // forward comes before away: its fault is the one shown, though both are wrong.
  std::string json = edited("/away/message", "\"\"");
  rapidjson::Document document = document_of(json);
  rapidjson::Pointer("/forward/ring_seconds").Set(document, 1);
  check_refused(text_of(document), "forward.ring_seconds", "must be a whole number from 5 to 600");
  // Within an object, an unknown member is reported before a missing one.
  rapidjson::Document misspelt = document_of(without("/menu/attempts"));
  rapidjson::Pointer("/menu/atempts").Set(misspelt, 3);
  check_refused(text_of(misspelt), "menu.atempts", "unknown field");
}

BOOST_AUTO_TEST_CASE(InvalidMessageNamesTheField) {
  const routing::Invalid invalid = refused(edited("/forward/targets/1", "\"4155550101\""));
  BOOST_TEST(invalid.message() == "forward.targets[1]: not E.164 (like +14155550123)");
  BOOST_TEST((routing::Invalid{"", "must be an object"}.message() == "must be an object"));
}

BOOST_AUTO_TEST_CASE(WithheldCallersInAnyLetterCase) {
  for (const char* hidden : {"", "anonymous", "Anonymous", "ANONYMOUS", "unknown", "Unknown", "restricted",
                             "Restricted", "private", "blocked", "unavailable"}) {
    BOOST_TEST(routing::withheld(hidden), hidden);
  }
  for (const char* shown : {"+14155550123", "client:alice", "anonymous2", " anonymous"}) {
    BOOST_TEST(!routing::withheld(shown), shown);
  }
}

BOOST_AUTO_TEST_CASE(BlockedMatchesExactNumbersAndAnonymousForWithheldCallers) {
  routing::Routing r = routing_of(test_settings());
  r.blocklist = {"+14155550199"};
  BOOST_TEST(routing::blocked(r, "+14155550199"));
  BOOST_TEST(!routing::blocked(r, "+14155550198"));
  BOOST_TEST(!routing::blocked(r, "+1415555019"));
  BOOST_TEST(!routing::blocked(r, "Anonymous"));  // no "anonymous" entry: withheld callers get through
  BOOST_TEST(!routing::blocked(r, ""));
  r.blocklist = {"anonymous"};
  for (const char* hidden : {"Anonymous", "anonymous", "unknown", "", "Restricted"}) {
    BOOST_TEST(routing::blocked(r, hidden), hidden);
  }
  BOOST_TEST(!routing::blocked(r, "+14155550123"));
  r.blocklist.clear();
  BOOST_TEST(!routing::blocked(r, "+14155550199"));
  BOOST_TEST(!routing::blocked(r, "anonymous"));
}

BOOST_AUTO_TEST_CASE(HolidayOnFindsTheDayExactly) {
  const routing::Routing r = accepted(kDocument);
  const routing::Holiday* christmas = routing::holiday_on(r, "2026-12-25");
  BOOST_REQUIRE(christmas != nullptr);
  BOOST_TEST(christmas->message == "Merry Christmas, we are closed.");
  BOOST_TEST(routing::holiday_on(r, "2027-01-01") == &r.holidays[1]);
  BOOST_TEST(routing::holiday_on(r, "2026-12-24") == nullptr);
  BOOST_TEST(routing::holiday_on(r, "2027-12-25") == nullptr);
  BOOST_TEST(routing::holiday_on(r, "") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
