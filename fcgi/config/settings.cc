// Reading and validating the environment into Settings. Every rejection names the variable and shows the value
// (secrets excepted), so a wrong unit file is fixed from the first log line.
#include "config/settings.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "config/secret.h"

namespace switchboard::config {

namespace {

std::string trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

bool regular_file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

class Reader {
 public:
  explicit Reader(const EnvLookup& env) : env_(env) {}

  std::optional<std::string> optional(const std::string& name) const {
    auto value = env_(name);
    if (!value || trim(*value).empty()) return std::nullopt;
    return trim(*value);
  }

  std::string required(const std::string& name) const {
    auto value = optional(name);
    if (!value) throw ConfigError(name, "is required but not set");
    return *value;
  }

  std::string text(const std::string& name, const std::string& fallback) const {
    return optional(name).value_or(fallback);
  }

  // Secrets go through the one reader every program shares (config/secret.h), never through optional():
  // a secret must not be trimmed, and an empty secret file must not pass for an unset one.
  std::optional<Secret> secret(const std::string& name, const std::string& credential) const {
    return read_secret(env_, name, credential);
  }

  int integer(const std::string& name, int fallback, int min, int max) const {
    auto value = optional(name);
    if (!value) return fallback;
    static const std::regex digits("[0-9]{1,9}");
    if (!std::regex_match(*value, digits)) throw ConfigError(name, "'" + *value + "' is not a whole number");
    const int number = std::stoi(*value);
    if (number < min || number > max) {
      throw ConfigError(name, "'" + *value + "' is outside " + std::to_string(min) + "–" + std::to_string(max));
    }
    return number;
  }

  bool boolean(const std::string& name, bool fallback) const {
    auto value = optional(name);
    if (!value) return fallback;
    if (*value == "true" || *value == "1" || *value == "yes" || *value == "on") return true;
    if (*value == "false" || *value == "0" || *value == "no" || *value == "off") return false;
    throw ConfigError(name, "'" + *value + "' is not a boolean (true/false)");
  }

 private:
  const EnvLookup& env_;
};

std::string validated_base_url(const std::string& name, std::string url) {
  static const std::regex https_url("https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?");
  if (!std::regex_match(url, https_url)) {
    throw ConfigError(name, "'" + url + "' must be an https:// origin such as https://voice.example.com (Twilio signs the "
                            "public URL it calls)");
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  const size_t port = url.find(':', std::string("https://").size());
  if (port != std::string::npos) {
    const int number = std::stoi(url.substr(port + 1));
    if (number < 1 || number > 65535) throw ConfigError(name, "'" + url + "' has a port outside 1–65535");
  }
  return url;
}

int parse_clock(const std::string& text) {
  static const std::regex clock("([01][0-9]|2[0-4]):([0-5][0-9])");
  std::smatch match;
  if (!std::regex_match(text, match, clock)) throw std::invalid_argument("bad time '" + text + "'");
  const int minutes = std::stoi(match[1]) * 60 + std::stoi(match[2]);
  if (minutes > 24 * 60) throw std::invalid_argument("bad time '" + text + "'");
  return minutes;
}

int parse_weekday(const std::string& text) {
  static const char* const kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (int day = 0; day < 7; ++day) {
    if (text == kNames[day]) return day;
  }
  throw std::invalid_argument("bad weekday '" + text + "' (use Mon, Tue, …, Sun)");
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    if (!trim(part).empty()) parts.push_back(trim(part));
  }
  return parts;
}

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

bool is_e164(const std::string& number) {
  static const std::regex e164("\\+[1-9][0-9]{1,14}");
  return std::regex_match(number, e164);
}

bool is_known_time_zone(const std::string& name) {
  static const std::regex zone_name("[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*");
  if (name.size() > 64 || !std::regex_match(name, zone_name)) return false;
  return name == "UTC" || regular_file_exists("/usr/share/zoneinfo/" + name);
}

WeeklyHours WeeklyHours::parse(const std::string& text) {
  WeeklyHours hours;
  if (trim(text).empty()) return hours;
  hours.always_open = false;
  for (const std::string& group : split(text, ';')) {
    const size_t space = group.find(' ');
    if (space == std::string::npos) throw std::invalid_argument("expected 'Days HH:MM-HH:MM' in '" + group + "'");
    const std::string days = group.substr(0, space);
    const size_t dash = days.find('-');
    const int first = parse_weekday(days.substr(0, dash));
    const int last = dash == std::string::npos ? first : parse_weekday(days.substr(dash + 1));
    for (const std::string& range : split(group.substr(space + 1), ',')) {
      const size_t range_dash = range.find('-');
      if (range_dash == std::string::npos) throw std::invalid_argument("expected HH:MM-HH:MM in '" + range + "'");
      const Interval interval{parse_clock(range.substr(0, range_dash)), parse_clock(range.substr(range_dash + 1))};
      if (interval.open_minute >= interval.close_minute) {
        throw std::invalid_argument("closing time must follow opening time in '" + range + "'");
      }
      for (int day = first;; day = (day + 1) % 7) {
        hours.days[static_cast<size_t>(day)].push_back(interval);
        if (day == last) break;
      }
    }
  }
  return hours;
}

namespace {

// "db1:3306,db2,[fd00::3]:3307": host[:port] or [IPv6 address][:port], comma separated, the port defaulting to
// `default_port`; in the order given, which is the order connections try them.
std::vector<DatabaseEndpoint> parse_endpoints(const std::string& name, const std::string& text, int default_port) {
  static const std::regex endpoint(R"(\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:([0-9]{1,5}))?\s*)");
  std::vector<DatabaseEndpoint> endpoints;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::smatch match;
    if (!std::regex_match(item, match, endpoint)) {
      throw ConfigError(name, "'" + trim(item) + "' is not host[:port] (an IPv6 address in brackets)");
    }
    DatabaseEndpoint parsed;
    parsed.host = match[1].str();
    if (parsed.host.front() == '[') parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
    parsed.port = match[3].matched ? std::stoi(match[3].str()) : default_port;
    if (parsed.port < 1 || parsed.port > 65535) throw ConfigError(name, "'" + trim(item) + "': port out of range");
    if (std::find(endpoints.begin(), endpoints.end(), parsed) != endpoints.end()) {
      throw ConfigError(name, "'" + trim(item) + "' is listed twice");
    }
    endpoints.push_back(parsed);
  }
  if (endpoints.empty() || text.back() == ',') throw ConfigError(name, "'" + text + "' lists no server");
  return endpoints;
}

}  // namespace

// Twilio's connection overrides as its documentation lists them (twilio-contract.md §7): a typo would be ignored by
// Twilio without a word, so each key and range is checked here.
std::string validated_connection_overrides(const std::string& name, std::string text) {
  if (!text.empty() && text.front() == '#') text.erase(0, 1);
  struct Range {
    const char* key;
    int min, max;
  };
  static const Range kNumbers[] = {{"ct", 100, 10000}, {"rt", 100, 15000}, {"tt", 100, 15000}, {"rc", 0, 5}};
  static const std::regex pair("([a-z]+)=([A-Za-z0-9,_-]+)");
  static const std::regex number("[0-9]{1,5}");
  static const std::regex policies("(4xx|5xx|ct|rt|all)(,(4xx|5xx|ct|rt|all))*");
  static const std::regex edges("[a-z-]+(,[a-z-]+)*");
  std::stringstream items(text);
  std::string item;
  std::vector<std::string> seen;
  while (std::getline(items, item, '&')) {
    std::smatch match;
    if (!std::regex_match(item, match, pair)) throw ConfigError(name, "'" + item + "' is not key=value");
    const std::string key = match[1], value = match[2];
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) throw ConfigError(name, "'" + text + "' sets " + key + " twice");
    seen.push_back(key);
    const Range* range = nullptr;
    for (const Range& candidate : kNumbers) {
      if (key == candidate.key) range = &candidate;
    }
    bool valid;
    if (range != nullptr) {
      valid = std::regex_match(value, number) && std::stoi(value) >= range->min && std::stoi(value) <= range->max;
    } else if (key == "rp") {
      valid = std::regex_match(value, policies);
    } else if (key == "sni") {
      valid = value == "y" || value == "n";
    } else if (key == "e") {
      valid = std::regex_match(value, edges);
    } else {
      throw ConfigError(name, "'" + item + "': " + key + " is none of Twilio's connection overrides (ct, rt, tt, rc, rp, sni, "
                              "e)");
    }
    if (!valid) throw ConfigError(name, "'" + item + "': value out of Twilio's range");
  }
  if (seen.empty() || text.back() == '&') throw ConfigError(name, "'" + text + "' is not key=value&key=value");
  return text;
}

Database database_from_environment(const EnvLookup& env) {
  const Reader read(env);
  Database db;
  db.socket = read.text("SWITCHBOARD_DB_SOCKET", "");
  const int default_port = read.integer("SWITCHBOARD_DB_PORT", 3306, 1, 65535);
  if (auto hosts = read.optional("SWITCHBOARD_DB_HOSTS")) {
    // The list wins over the one-server form, which a host's older configuration may still carry.
    if (!db.socket.empty()) {
      throw ConfigError("SWITCHBOARD_DB_HOSTS", "set either it or SWITCHBOARD_DB_SOCKET, not both");
    }
    db.endpoints = parse_endpoints("SWITCHBOARD_DB_HOSTS", *hosts, default_port);
  } else if (auto host = read.optional("SWITCHBOARD_DB_HOST")) {
    db.endpoints = parse_endpoints("SWITCHBOARD_DB_HOST", *host, default_port);
    if (db.endpoints.size() != 1) {
      throw ConfigError("SWITCHBOARD_DB_HOST", "names one server; list a cluster's in SWITCHBOARD_DB_HOSTS");
    }
  }
  if (db.socket.empty() && db.endpoints.empty()) {
    throw ConfigError("SWITCHBOARD_DB_SOCKET",
                      "set SWITCHBOARD_DB_SOCKET (unix socket), SWITCHBOARD_DB_HOST or SWITCHBOARD_DB_HOSTS");
  }
  db.user = read.required("SWITCHBOARD_DB_USER");
  // Unset is fine (unix socket authentication); a named file that is empty is refused by the reader.
  if (auto password = read.secret("SWITCHBOARD_DB_PASSWORD", "db-password")) db.password = password->value;
  db.name = read.required("SWITCHBOARD_DB_NAME");
  static const std::regex identifier("[A-Za-z0-9_]{1,64}");
  if (!std::regex_match(db.name, identifier)) {
    throw ConfigError("SWITCHBOARD_DB_NAME", "'" + db.name + "' must be letters, digits and underscores");
  }
  db.connect_timeout_s = read.integer("SWITCHBOARD_DB_CONNECT_TIMEOUT", db.connect_timeout_s, 1, 10);
  db.read_timeout_s = read.integer("SWITCHBOARD_DB_READ_TIMEOUT", db.read_timeout_s, 1, 10);
  db.write_timeout_s = read.integer("SWITCHBOARD_DB_WRITE_TIMEOUT", db.write_timeout_s, 1, 10);
  return db;
}

Settings Settings::from_environment(const EnvLookup& env) {
  const Reader read(env);
  Settings settings;

  settings.public_base_url = validated_base_url("SWITCHBOARD_PUBLIC_BASE_URL", read.required("SWITCHBOARD_PUBLIC_BASE_URL"));
  if (auto fallback = read.optional("SWITCHBOARD_FALLBACK_BASE_URL")) {
    settings.fallback_base_url = validated_base_url("SWITCHBOARD_FALLBACK_BASE_URL", *fallback);
  }
  if (auto overrides = read.optional("SWITCHBOARD_TWILIO_URL_OVERRIDES")) {
    settings.twilio_url_overrides = validated_connection_overrides("SWITCHBOARD_TWILIO_URL_OVERRIDES", *overrides);
  }

  settings.account_sid = read.required("TWILIO_ACCOUNT_SID");
  static const std::regex account_sid("AC[0-9a-fA-F]{32}");
  if (!std::regex_match(settings.account_sid, account_sid)) {
    throw ConfigError("TWILIO_ACCOUNT_SID", "'" + settings.account_sid + "' is not AC followed by 32 hex digits");
  }
  settings.auth_token = twilio_auth_token(env);

  settings.forward_to = read.required("SWITCHBOARD_FORWARD_TO");
  if (!is_e164(settings.forward_to)) {
    throw ConfigError("SWITCHBOARD_FORWARD_TO", "'" + settings.forward_to + "' is not an E.164 number like +14155550123");
  }
  settings.twilio_api_base = read.text("SWITCHBOARD_TWILIO_API_BASE", settings.twilio_api_base);
  while (!settings.twilio_api_base.empty() && settings.twilio_api_base.back() == '/') settings.twilio_api_base.pop_back();
  settings.state_dir = read.text("SWITCHBOARD_STATE_DIR", settings.state_dir);
  settings.kept_requests_max_bytes =
      static_cast<std::uint64_t>(read.integer("SWITCHBOARD_KEPT_REQUESTS_MAX_MB", 256, 1, 1000000)) << 20;
  settings.sessions.idle_minutes =
      read.integer("SWITCHBOARD_SESSION_IDLE_MINUTES", settings.sessions.idle_minutes, 1, 24 * 60);
  settings.sessions.max_hours = read.integer("SWITCHBOARD_SESSION_MAX_HOURS", settings.sessions.max_hours, 1, 24 * 31);

  settings.database = database_from_environment(env);

  Ivr& ivr = settings.ivr;
  ivr.company_name = read.text("SWITCHBOARD_COMPANY_NAME", ivr.company_name);
  ivr.voice = read.text("SWITCHBOARD_VOICE", ivr.voice);
  ivr.language = read.text("SWITCHBOARD_LANGUAGE", ivr.language);
  ivr.menu_prompt = read.text("SWITCHBOARD_MENU_PROMPT", "Thank you for calling " + ivr.company_name +
                                                            ". To be connected, press 1. To leave a message, press 2.");
  ivr.closed_prompt = read.text("SWITCHBOARD_CLOSED_PROMPT", "Thank you for calling " + ivr.company_name +
                                                                ". We are closed right now.");
  ivr.voicemail_prompt = read.text("SWITCHBOARD_VOICEMAIL_PROMPT",
                                   "Please leave a message after the beep. When you are done, hang up or press any key.");
  ivr.invalid_choice_prompt = read.text("SWITCHBOARD_INVALID_CHOICE_PROMPT", ivr.invalid_choice_prompt);
  ivr.thanks_prompt = read.text("SWITCHBOARD_THANKS_PROMPT", ivr.thanks_prompt);
  ivr.menu_attempts = read.integer("SWITCHBOARD_MENU_ATTEMPTS", ivr.menu_attempts, 1, 10);
  ivr.menu_timeout_s = read.integer("SWITCHBOARD_MENU_TIMEOUT", ivr.menu_timeout_s, 1, 60);
  const std::string menu_default = read.text("SWITCHBOARD_MENU_DEFAULT", "voicemail");
  if (menu_default == "voicemail") ivr.menu_default = MenuDefault::kVoicemail;
  else if (menu_default == "forward") ivr.menu_default = MenuDefault::kForward;
  else throw ConfigError("SWITCHBOARD_MENU_DEFAULT", "'" + menu_default + "' is neither voicemail nor forward");
  ivr.dial_timeout_s = read.integer("SWITCHBOARD_DIAL_TIMEOUT", ivr.dial_timeout_s, 5, 600);
  ivr.screening = read.boolean("SWITCHBOARD_SCREENING", ivr.screening);
  ivr.voicemail_max_length_s = read.integer("SWITCHBOARD_VOICEMAIL_MAX_LENGTH", ivr.voicemail_max_length_s, 5, 3600);
  ivr.transcribe = read.boolean("SWITCHBOARD_TRANSCRIBE", ivr.transcribe);
  const std::string hours = read.text("SWITCHBOARD_OFFICE_HOURS", "");
  ivr.office_hours_text = hours;
  try {
    ivr.office_hours = WeeklyHours::parse(hours);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("SWITCHBOARD_OFFICE_HOURS", "'" + hours + "': " + error.what());
  }
  ivr.time_zone = read.text("SWITCHBOARD_TIMEZONE", ivr.time_zone);
  if (!is_known_time_zone(ivr.time_zone)) {
    throw ConfigError("SWITCHBOARD_TIMEZONE", "'" + ivr.time_zone + "' is not a known time zone (e.g. Europe/Paris)");
  }
  Notifications& notify = settings.notifications;
  notify.sms_to = read.text("SWITCHBOARD_NOTIFY_SMS_TO", "");
  if (!notify.sms_to.empty()) {
    if (!is_e164(notify.sms_to)) {
      throw ConfigError("SWITCHBOARD_NOTIFY_SMS_TO", "'" + notify.sms_to + "' is not an E.164 number");
    }
    notify.sms_from = read.required("SWITCHBOARD_TWILIO_NUMBER");
    if (!is_e164(notify.sms_from)) {
      throw ConfigError("SWITCHBOARD_TWILIO_NUMBER", "'" + notify.sms_from + "' is not an E.164 number");
    }
  }
  notify.webhook_url = read.text("SWITCHBOARD_NOTIFY_WEBHOOK_URL", "");
  if (!notify.webhook_url.empty()) {
    static const std::regex web_url("https?://[^\\s]+");
    if (!std::regex_match(notify.webhook_url, web_url)) {
      throw ConfigError("SWITCHBOARD_NOTIFY_WEBHOOK_URL", "'" + notify.webhook_url + "' is not an http(s) URL");
    }
    auto secret = read.secret("SWITCHBOARD_NOTIFY_WEBHOOK_SECRET", "notify-webhook-secret");
    if (!secret) {
      throw ConfigError("SWITCHBOARD_NOTIFY_WEBHOOK_SECRET", "is required with a webhook, at least 16 characters");
    }
    // Named after where it came from, like the auth token, so a short file is found without guessing.
    if (secret->value.size() < 16) {
      const std::string problem = secret->path.empty() ? "is shorter" : "'" + secret->path + "' holds fewer";
      throw ConfigError(secret->source, problem + " than 16 characters (the webhook's HMAC key)");
    }
    notify.webhook_secret = secret->value;
  }
  notify.transcription_wait_s =
      read.integer("SWITCHBOARD_NOTIFY_TRANSCRIPTION_WAIT", notify.transcription_wait_s, 0, 600);
  // A notifier's claim on a notification is leased for a few times this (notify::lease_seconds), so a slow
  // receiver given more time is still never sent the same notification twice.
  notify.delivery_timeout_s = read.integer("SWITCHBOARD_NOTIFY_TIMEOUT", notify.delivery_timeout_s, 2, 120);

  Reconcile& reconcile = settings.reconcile;
  // 0 switches it off. Seconds are allowed for the tests; in production under a few minutes would ask Twilio about
  // calls whose callbacks are merely late (Twilio retries a failed callback, and nginx keeps what no worker took).
  reconcile.after_s = read.integer("SWITCHBOARD_RECONCILE_AFTER", reconcile.after_s, 0, 7 * 24 * 3600);
  reconcile.per_minute = read.integer("SWITCHBOARD_RECONCILE_PER_MINUTE", reconcile.per_minute, 1, 6000);
  reconcile.horizon_days = read.integer("SWITCHBOARD_RECONCILE_HORIZON_DAYS", reconcile.horizon_days, 1, 400);

  // Up to a hundred years; 0 (or unset) keeps everything.
  Retention& retention = settings.retention;
  retention.calls_days = read.integer("SWITCHBOARD_RETAIN_CALLS_DAYS", retention.calls_days, 0, 36500);
  retention.audio_days = read.integer("SWITCHBOARD_RETAIN_AUDIO_DAYS", retention.audio_days, 0, 36500);
  retention.delete_at_twilio = read.boolean("SWITCHBOARD_DELETE_TWILIO_RECORDINGS", retention.delete_at_twilio);
  retention.batch_size = read.integer("SWITCHBOARD_PURGE_BATCH", retention.batch_size, 1, 10000);
  return settings;
}

}  // namespace switchboard::config
