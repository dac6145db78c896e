// The routing document: who gets the calls and when, as data the office manager changes from the page, the API or
// the CLI (GET/PUT /api/routing, switchboard-routing). It replaces the routing environment variables, which only give
// its initial value (initial_routing) until the first change is saved.
//
// parse() validates a whole document or refuses it with the first field at fault, named by its path
// ("forward.targets[1]: not E.164"), so a bad PUT changes nothing. to_json() writes the same shape back; the two
// round-trip. Nothing here does I/O: the snapshot on disk (routing/snapshot.h) and the history in MariaDB
// (store/routing_store.h) carry the document, and the ivr/ decisions take it as an input like the request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"

namespace switchboard::routing {

enum class Strategy { kSimultaneous, kSequential };

struct Holiday {
  std::string date;  // YYYY-MM-DD, a day in the office's time zone
  std::string message;
};

struct Routing {
  struct Forward {
    std::vector<std::string> targets;  // E.164, 1 to kMaxTargets, no repeats
    Strategy strategy = Strategy::kSimultaneous;
    int ring_seconds = 20;  // how long each phone rings (<Dial timeout>)
    bool screening = true;  // the answering phone must press 1, so a personal voicemail cannot take the call
  } forward;
  struct Away {
    bool enabled = false;
    std::string message;
  } away;
  struct OfficeHours {
    std::string schedule;      // "Mon-Fri 09:00-18:00; Sat 10:00-12:30"; empty = always open
    config::WeeklyHours hours;  // schedule, parsed
    std::string time_zone = "UTC";
    std::string closed_message;
  } office_hours;
  std::vector<Holiday> holidays;
  struct Menu {
    std::string prompt;
    int attempts = 3;
    config::MenuDefault default_step = config::MenuDefault::kVoicemail;
  } menu;
  struct Voicemail {
    std::string prompt;
    int max_seconds = 120;
    bool transcribe = false;
  } voicemail;
  std::vector<std::string> blocklist;  // E.164 numbers, or "anonymous" for every withheld number
  struct TextBack {
    bool enabled = false;
    std::string message;  // at most kMaxTextBackChars (GSM-7: three SMS segments at most, 153 characters each)
  } text_back;
};

inline constexpr size_t kMaxTargets = 10;  // Twilio rings at most 10 <Number> nouns in one <Dial>
inline constexpr size_t kMaxHolidays = 366;
inline constexpr size_t kMaxBlocklist = 2000;
inline constexpr size_t kMaxMessageChars = 1000;
inline constexpr size_t kMaxTextBackChars = 320;
inline constexpr char kAnonymous[] = "anonymous";

// Why a document was refused: the path of the first field at fault and what is wrong with it.
struct Invalid {
  std::string field;  // "forward.targets[1]", "" for the document itself
  std::string why;    // "not E.164"
  std::string message() const { return field.empty() ? why : field + ": " + why; }
};

// The document in `json`, or why not. Every member is required and unknown members are refused: a PUT replaces the
// whole document, and a misspelt field must not silently keep its old value.
struct Parsed {
  std::optional<Routing> routing;
  std::optional<Invalid> invalid;
};
Parsed parse(std::string_view json);

// The document as JSON, in the order of the example; parse(to_json(r)) == r.
std::string to_json(const Routing& routing);

// What the environment said before routing became data: SWITCHBOARD_FORWARD_TO, _DIAL_TIMEOUT, _SCREENING,
// _OFFICE_HOURS, _TIMEZONE, _CLOSED_PROMPT, _MENU_*, _VOICEMAIL_*, _TRANSCRIBE. Away, holidays, blocklist and
// text-back start off / empty.
Routing initial_routing(const config::Settings& settings);

// Whether `caller` (Twilio's From) is on the blocklist: an exact number, or "anonymous" for a withheld one.
bool blocked(const Routing& routing, const std::string& caller);

// A withheld or unknown caller: Twilio sends "anonymous", "unknown", "restricted" or nothing, in any letter case.
bool withheld(const std::string& caller);

// The holiday on `date` (YYYY-MM-DD, the office's local date: ivr::local_date), or nullptr.
const Holiday* holiday_on(const Routing& routing, const std::string& date);

const char* strategy_name(Strategy strategy);

}  // namespace switchboard::routing
