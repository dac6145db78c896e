// Validating, writing and defaulting the routing document. The reader walks the document once, member by member,
// naming each value by its path, and stops at the first fault: the page shows that one next to its field.
#include "routing/routing.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <set>
#include <stdexcept>


namespace switchboard::routing {

namespace {

using Value = rapidjson::Value;

// Thrown inside the reader only; parse() turns it into Invalid.
struct Fault {
  std::string field, why;
};

std::string member_path(const std::string& parent, const char* name) {
  return parent.empty() ? name : parent + "." + name;
}

std::string index_path(const std::string& parent, size_t index) { return parent + "[" + std::to_string(index) + "]"; }

size_t code_points(const std::string& text) {
  size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// An object with exactly the members `names`, read in that order by `read`.
void object(const Value& value, const std::string& path, std::initializer_list<const char*> names,
            const std::function<void(const Value&, const std::string&, const char*)>& read) {
  if (!value.IsObject()) throw Fault{path, "must be an object"};
  std::set<std::string> seen;
  for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
    const std::string name(member->name.GetString(), member->name.GetStringLength());
    if (std::none_of(names.begin(), names.end(), [&](const char* known) { return name == known; })) {
      throw Fault{member_path(path, name.c_str()), "unknown field"};
    }
    // JSON allows a repeated name; which value wins differs between readers (a browser keeps the last one).
    if (!seen.insert(name).second) throw Fault{member_path(path, name.c_str()), "given twice"};
  }
  for (const char* name : names) {
    const auto member = value.FindMember(name);
    if (member == value.MemberEnd()) throw Fault{member_path(path, name), "required"};
    read(member->value, member_path(path, name), name);
  }
}

bool boolean(const Value& value, const std::string& path) {
  if (!value.IsBool()) throw Fault{path, "must be true or false"};
  return value.GetBool();
}

int integer(const Value& value, const std::string& path, int min, int max) {
  if (!value.IsInt() || value.GetInt() < min || value.GetInt() > max) {
    throw Fault{path, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max)};
  }
  return value.GetInt();
}

std::string string(const Value& value, const std::string& path) {
  if (!value.IsString()) throw Fault{path, "must be a string"};
  // parse() has already refused invalid UTF-8 anywhere in the document.
  return std::string(value.GetString(), value.GetStringLength());
}

// What a caller hears (or an SMS says): text, not empty, no control characters, of bounded length.
std::string message(const Value& value, const std::string& path, size_t max_chars = kMaxMessageChars) {
  std::string text = string(value, path);
  if (text.find_first_not_of(" \t") == std::string::npos) throw Fault{path, "must not be empty"};
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    throw Fault{path, "must not contain control characters or line breaks"};
  }
  if (code_points(text) > max_chars) throw Fault{path, "longer than " + std::to_string(max_chars) + " characters"};
  return text;
}

template <typename Item>
std::vector<Item> array(const Value& value, const std::string& path, size_t min, size_t max,
                        const std::function<Item(const Value&, const std::string&)>& read) {
  if (!value.IsArray()) throw Fault{path, "must be an array"};
  if (value.Size() < min) throw Fault{path, min == 1 ? "must not be empty" : "needs at least " + std::to_string(min)};
  if (value.Size() > max) throw Fault{path, "at most " + std::to_string(max) + " entries"};
  std::vector<Item> items;
  for (rapidjson::SizeType i = 0; i < value.Size(); ++i) items.push_back(read(value[i], index_path(path, i)));
  return items;
}

std::string phone_number(const Value& value, const std::string& path, bool anonymous_allowed) {
  const std::string number = string(value, path);
  if (anonymous_allowed && number == kAnonymous) return number;
  if (!config::is_e164(number)) {
    throw Fault{path, anonymous_allowed ? "not E.164 (like +14155550123) or \"anonymous\"" : "not E.164 (like +14155550123)"};
  }
  return number;
}

// The first repeat in `items`, reported at its own index.
void no_repeats(const std::vector<std::string>& items, const std::string& path, const char* what) {
  std::set<std::string> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!seen.insert(items[i]).second) throw Fault{index_path(path, i), std::string("repeats ") + what};
  }
}

bool leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::string calendar_date(const Value& value, const std::string& path) {
  const std::string date = string(value, path);
  int year = 0, month = 0, day = 0;
  char end = 0;
  const bool shaped = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
                      std::all_of(date.begin(), date.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '-'; }) &&
                      std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &end) == 3;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!shaped || year < 2000 || year > 2199 || month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && leap_year(year) ? 1 : 0)) {
    throw Fault{path, "not a date like 2026-12-25"};
  }
  return date;
}

Routing read_document(const Value& root) {
  Routing routing;
  object(root, "", {"forward", "away", "office_hours", "holidays", "menu", "voicemail", "blocklist", "text_back"},
         [&](const Value& value, const std::string& path, const std::string& name) {
    if (name == "forward") {
      auto& forward = routing.forward;
      object(value, path, {"targets", "strategy", "ring_seconds", "screening"},
             [&](const Value& field, const std::string& at, const std::string& member) {
        if (member == "targets") {
          forward.targets = array<std::string>(field, at, 1, kMaxTargets, [](const Value& item, const std::string& p) {
            return phone_number(item, p, false);
          });
          no_repeats(forward.targets, at, "another target");
        } else if (member == "strategy") {
          const std::string strategy = string(field, at);
          if (strategy == "simultaneous") forward.strategy = Strategy::kSimultaneous;
          else if (strategy == "sequential") forward.strategy = Strategy::kSequential;
          else throw Fault{at, "must be \"simultaneous\" or \"sequential\""};
        } else if (member == "ring_seconds") {
          forward.ring_seconds = integer(field, at, 5, 600);
        } else {
          forward.screening = boolean(field, at);
        }
      });
    } else if (name == "away") {
      object(value, path, {"enabled", "message"}, [&](const Value& field, const std::string& at, const std::string& member) {
        if (member == "enabled") routing.away.enabled = boolean(field, at);
        else routing.away.message = message(field, at);
      });
    } else if (name == "office_hours") {
      auto& hours = routing.office_hours;
      object(value, path, {"schedule", "time_zone", "closed_message"},
             [&](const Value& field, const std::string& at, const std::string& member) {
        if (member == "schedule") {
          hours.schedule = string(field, at);
          try {
            hours.hours = config::WeeklyHours::parse(hours.schedule);
          } catch (const std::invalid_argument& error) {
            throw Fault{at, error.what()};
          }
        } else if (member == "time_zone") {
          hours.time_zone = string(field, at);
          if (!config::is_known_time_zone(hours.time_zone)) throw Fault{at, "not a known time zone (like Europe/Paris)"};
        } else {
          hours.closed_message = message(field, at);
        }
      });
    } else if (name == "holidays") {
      routing.holidays = array<Holiday>(value, path, 0, kMaxHolidays, [](const Value& item, const std::string& at) {
        Holiday holiday;
        object(item, at, {"date", "message"}, [&](const Value& field, const std::string& p, const std::string& member) {
          if (member == "date") holiday.date = calendar_date(field, p);
          else holiday.message = message(field, p);
        });
        return holiday;
      });
      std::set<std::string> dates;
      for (size_t i = 0; i < routing.holidays.size(); ++i) {
        if (!dates.insert(routing.holidays[i].date).second) {
          throw Fault{member_path(index_path(path, i), "date"), "repeats another holiday"};
        }
      }
    } else if (name == "menu") {
      object(value, path, {"prompt", "attempts", "default"}, [&](const Value& field, const std::string& at, const std::string& member) {
        if (member == "prompt") {
          routing.menu.prompt = message(field, at);
        } else if (member == "attempts") {
          routing.menu.attempts = integer(field, at, 1, 10);
        } else {
          const std::string step = string(field, at);
          if (step == "voicemail") routing.menu.default_step = config::MenuDefault::kVoicemail;
          else if (step == "forward") routing.menu.default_step = config::MenuDefault::kForward;
          else throw Fault{at, "must be \"voicemail\" or \"forward\""};
        }
      });
    } else if (name == "voicemail") {
      object(value, path, {"prompt", "max_seconds", "transcribe"},
             [&](const Value& field, const std::string& at, const std::string& member) {
        if (member == "prompt") routing.voicemail.prompt = message(field, at);
        else if (member == "max_seconds") routing.voicemail.max_seconds = integer(field, at, 5, 3600);
        else routing.voicemail.transcribe = boolean(field, at);
      });
    } else if (name == "blocklist") {
      routing.blocklist = array<std::string>(value, path, 0, kMaxBlocklist, [](const Value& item, const std::string& at) {
        return phone_number(item, at, true);
      });
      no_repeats(routing.blocklist, path, "another entry");
    } else {
      object(value, path, {"enabled", "message"}, [&](const Value& field, const std::string& at, const std::string& member) {
        if (member == "enabled") routing.text_back.enabled = boolean(field, at);
        else routing.text_back.message = message(field, at, kMaxTextBackChars);
      });
    }
  });
  return routing;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& writer, const std::string& text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_strings(Writer& writer, const std::vector<std::string>& items) {
  writer.StartArray();
  for (const std::string& item : items) write_string(writer, item);
  writer.EndArray();
}

}  // namespace

const char* strategy_name(Strategy strategy) {
  return strategy == Strategy::kSequential ? "sequential" : "simultaneous";
}

Parsed parse(std::string_view json) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (document.HasParseError()) {
    return {std::nullopt, Invalid{"", std::string("not JSON: ") + rapidjson::GetParseError_En(document.GetParseError()) +
                                           " at offset " + std::to_string(document.GetErrorOffset())}};
  }
  try {
    return {read_document(document), std::nullopt};
  } catch (const Fault& fault) {
    return {std::nullopt, Invalid{fault.field, fault.why}};
  }
}

std::string to_json(const Routing& routing) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("forward");
  writer.StartObject();
  writer.Key("targets");
  write_strings(writer, routing.forward.targets);
  writer.Key("strategy");
  writer.String(strategy_name(routing.forward.strategy));
  writer.Key("ring_seconds");
  writer.Int(routing.forward.ring_seconds);
  writer.Key("screening");
  writer.Bool(routing.forward.screening);
  writer.EndObject();
  writer.Key("away");
  writer.StartObject();
  writer.Key("enabled");
  writer.Bool(routing.away.enabled);
  writer.Key("message");
  write_string(writer, routing.away.message);
  writer.EndObject();
  writer.Key("office_hours");
  writer.StartObject();
  writer.Key("schedule");
  write_string(writer, routing.office_hours.schedule);
  writer.Key("time_zone");
  write_string(writer, routing.office_hours.time_zone);
  writer.Key("closed_message");
  write_string(writer, routing.office_hours.closed_message);
  writer.EndObject();
  writer.Key("holidays");
  writer.StartArray();
  for (const Holiday& holiday : routing.holidays) {
    writer.StartObject();
    writer.Key("date");
    write_string(writer, holiday.date);
    writer.Key("message");
    write_string(writer, holiday.message);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("menu");
  writer.StartObject();
  writer.Key("prompt");
  write_string(writer, routing.menu.prompt);
  writer.Key("attempts");
  writer.Int(routing.menu.attempts);
  writer.Key("default");
  writer.String(routing.menu.default_step == config::MenuDefault::kForward ? "forward" : "voicemail");
  writer.EndObject();
  writer.Key("voicemail");
  writer.StartObject();
  writer.Key("prompt");
  write_string(writer, routing.voicemail.prompt);
  writer.Key("max_seconds");
  writer.Int(routing.voicemail.max_seconds);
  writer.Key("transcribe");
  writer.Bool(routing.voicemail.transcribe);
  writer.EndObject();
  writer.Key("blocklist");
  write_strings(writer, routing.blocklist);
  writer.Key("text_back");
  writer.StartObject();
  writer.Key("enabled");
  writer.Bool(routing.text_back.enabled);
  writer.Key("message");
  write_string(writer, routing.text_back.message);
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Routing initial_routing(const config::Settings& settings) {
  const config::Ivr& ivr = settings.ivr;
  Routing routing;
  routing.forward.targets = {settings.forward_to};
  routing.forward.ring_seconds = ivr.dial_timeout_s;
  routing.forward.screening = ivr.screening;
  routing.away.message = "Thank you for calling " + ivr.company_name +
                         ". We are away right now. Please leave a message after the beep.";
  routing.office_hours.schedule = ivr.office_hours_text;
  routing.office_hours.hours = ivr.office_hours;
  routing.office_hours.time_zone = ivr.time_zone;
  routing.office_hours.closed_message = ivr.closed_prompt;
  routing.menu.prompt = ivr.menu_prompt;
  routing.menu.attempts = ivr.menu_attempts;
  routing.menu.default_step = ivr.menu_default;
  routing.voicemail.prompt = ivr.voicemail_prompt;
  routing.voicemail.max_seconds = ivr.voicemail_max_length_s;
  routing.voicemail.transcribe = ivr.transcribe;
  routing.text_back.message = "Sorry we missed your call to " + ivr.company_name + ". We will call you back soon.";
  return routing;
}

bool withheld(const std::string& caller) {
  std::string lower;
  for (const char c : caller) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.empty() || lower == "anonymous" || lower == "unknown" || lower == "restricted" || lower == "private" ||
         lower == "blocked" || lower == "unavailable";
}

bool blocked(const Routing& routing, const std::string& caller) {
  const bool hidden = withheld(caller);
  return std::any_of(routing.blocklist.begin(), routing.blocklist.end(), [&](const std::string& entry) {
    return hidden ? entry == kAnonymous : entry == caller;
  });
}

const Holiday* holiday_on(const Routing& routing, const std::string& date) {
  for (const Holiday& holiday : routing.holidays) {
    if (holiday.date == date) return &holiday;
  }
  return nullptr;
}

}  // namespace switchboard::routing
