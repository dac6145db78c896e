// Settings::from_environment with an injected environment: the minimal valid set works, every required variable
// and every bad value stops start-up with a ConfigError naming the variable, secrets come from *_FILE, and the
// office hours grammar.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "../support/temp_dir.h"
#include "config/settings.h"

namespace {

using switchboard::config::ConfigError;
using switchboard::config::EnvLookup;
using switchboard::config::MenuDefault;
using switchboard::config::Settings;
using switchboard::config::WeeklyHours;
using Env = std::map<std::string, std::string>;

Env minimal_env() {
  return {{"SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com"},
          {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789ABCDEF"},
          {"TWILIO_AUTH_TOKEN", "secret-token"},
          {"SWITCHBOARD_FORWARD_TO", "+14155550100"},
          {"SWITCHBOARD_DB_SOCKET", "/run/mysqld/mysqld.sock"},
          {"SWITCHBOARD_DB_USER", "switchboard"},
          {"SWITCHBOARD_DB_NAME", "switchboard"}};
}

EnvLookup lookup(const Env& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
}

Settings load(const Env& env) { return Settings::from_environment(lookup(env)); }

Env with(Env env, const std::string& name, const std::string& value) {
  env[name] = value;
  return env;
}

Env without(Env env, const std::string& name) {
  env.erase(name);
  return env;
}

// Loading `env` must throw a ConfigError for `variable` whose message shows `value` (when given).
void check_rejected(const Env& env, const std::string& variable, const std::string& value = "") {
  try {
    load(env);
    BOOST_ERROR("accepted, expected a ConfigError for " << variable);
  } catch (const ConfigError& error) {
    BOOST_TEST(error.variable() == variable);
    const std::string message = error.what();
    BOOST_TEST(message.rfind(variable + ": ", 0) == 0, "message: " << message);
    if (!value.empty()) BOOST_TEST(message.find(value) != std::string::npos, "message: " << message);
  }
}

void check_bad_value(const std::string& variable, const std::string& value) {
  BOOST_TEST_CONTEXT(variable << "=" << value) {
    check_rejected(with(minimal_env(), variable, value), variable, value);
  }
}

using Interval = WeeklyHours::Interval;

// "540-1080 780-900" for a day's intervals.
std::string intervals(const WeeklyHours& hours, int day) {
  std::string text;
  for (const Interval& interval : hours.days[static_cast<size_t>(day)]) {
    if (!text.empty()) text += ' ';
    text += std::to_string(interval.open_minute) + "-" + std::to_string(interval.close_minute);
  }
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_settings)

BOOST_AUTO_TEST_CASE(MinimalEnvironmentLoadsWithDefaults) {
  const Settings settings = load(minimal_env());
  BOOST_TEST(settings.public_base_url == "https://voice.example.com");
  BOOST_TEST(settings.account_sid == "AC0123456789abcdef0123456789ABCDEF");
  BOOST_TEST(settings.auth_token == "secret-token");
  BOOST_TEST(settings.forward_to == "+14155550100");
  BOOST_TEST(settings.twilio_api_base == "https://api.twilio.com");
  BOOST_TEST(settings.state_dir == "/var/lib/switchboard");
  BOOST_TEST(settings.database.socket == "/run/mysqld/mysqld.sock");
  BOOST_TEST(settings.database.port == 3306);
  BOOST_TEST(settings.database.user == "switchboard");
  BOOST_TEST(settings.database.password == "");
  BOOST_TEST(settings.database.name == "switchboard");
  BOOST_TEST(settings.ivr.menu_prompt ==
             "Thank you for calling our office. To be connected, press 1. To leave a message, press 2.");
  BOOST_TEST(settings.ivr.closed_prompt == "Thank you for calling our office. We are closed right now.");
  BOOST_TEST(settings.ivr.menu_attempts == 3);
  BOOST_TEST(settings.ivr.dial_timeout_s == 20);
  BOOST_TEST((settings.ivr.menu_default == MenuDefault::kVoicemail));
  BOOST_TEST(settings.ivr.screening);
  BOOST_TEST(!settings.ivr.transcribe);
  BOOST_TEST(settings.ivr.office_hours.always_open);
  BOOST_TEST(settings.ivr.time_zone == "UTC");
}

BOOST_AUTO_TEST_CASE(OptionalValuesAreRead) {
  Env env = minimal_env();
  env["SWITCHBOARD_PUBLIC_BASE_URL"] = "https://voice.example.com:8443/";
  env["SWITCHBOARD_COMPANY_NAME"] = "Acme Plumbing";
  env["SWITCHBOARD_DIAL_TIMEOUT"] = "30";
  env["SWITCHBOARD_SCREENING"] = "off";
  env["SWITCHBOARD_TRANSCRIBE"] = "yes";
  env["SWITCHBOARD_MENU_DEFAULT"] = "forward";
  env["SWITCHBOARD_OFFICE_HOURS"] = "Mon-Fri 09:00-18:00";
  env["SWITCHBOARD_TIMEZONE"] = "Europe/Paris";
  env["SWITCHBOARD_TWILIO_API_BASE"] = "http://127.0.0.1:9000/";
  const Settings settings = load(env);
  BOOST_TEST(settings.public_base_url == "https://voice.example.com:8443");  // trailing slash dropped
  BOOST_TEST(settings.ivr.menu_prompt ==
             "Thank you for calling Acme Plumbing. To be connected, press 1. To leave a message, press 2.");
  BOOST_TEST(settings.ivr.dial_timeout_s == 30);
  BOOST_TEST(!settings.ivr.screening);
  BOOST_TEST(settings.ivr.transcribe);
  BOOST_TEST((settings.ivr.menu_default == MenuDefault::kForward));
  BOOST_TEST(!settings.ivr.office_hours.always_open);
  BOOST_TEST(settings.ivr.time_zone == "Europe/Paris");
  BOOST_TEST(settings.twilio_api_base == "http://127.0.0.1:9000");
}

BOOST_AUTO_TEST_CASE(DatabaseHostInsteadOfSocket) {
  Env env = without(minimal_env(), "SWITCHBOARD_DB_SOCKET");
  env["SWITCHBOARD_DB_HOST"] = "db.internal";
  env["SWITCHBOARD_DB_PORT"] = "3307";
  const Settings settings = load(env);
  BOOST_TEST(settings.database.host == "db.internal");
  BOOST_TEST(settings.database.port == 3307);
}

BOOST_AUTO_TEST_CASE(EachMissingRequiredVariableIsNamed) {
  for (const char* variable : {"SWITCHBOARD_PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                               "SWITCHBOARD_FORWARD_TO", "SWITCHBOARD_DB_SOCKET", "SWITCHBOARD_DB_USER",
                               "SWITCHBOARD_DB_NAME"}) {
    BOOST_TEST_CONTEXT("without " << variable) { check_rejected(without(minimal_env(), variable), variable); }
  }
}

BOOST_AUTO_TEST_CASE(BlankRequiredVariableCountsAsMissing) {
  check_rejected(with(minimal_env(), "SWITCHBOARD_FORWARD_TO", "   "), "SWITCHBOARD_FORWARD_TO");
  check_rejected(with(minimal_env(), "TWILIO_AUTH_TOKEN", ""), "TWILIO_AUTH_TOKEN");
}

BOOST_AUTO_TEST_CASE(BadBaseUrlIsRejected) {
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "http://voice.example.com");
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com/ivr");
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com?x=1");
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "https://user:pass@voice.example.com");
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "voice.example.com");
}

// A port outside 1–65535 would start up and then fail every signature check: refuse it at start.
BOOST_AUTO_TEST_CASE(BaseUrlPortOutOfRangeIsRejected) {
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com:99999");
  check_bad_value("SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com:0");
}

BOOST_AUTO_TEST_CASE(BadAccountSidIsRejected) {
  check_bad_value("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcde");    // 31 hex digits
  check_bad_value("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef0");  // 33
  check_bad_value("TWILIO_ACCOUNT_SID", "SK0123456789abcdef0123456789abcdef");
  check_bad_value("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdeg");
}

BOOST_AUTO_TEST_CASE(ForwardNumberMustBeE164) {
  check_bad_value("SWITCHBOARD_FORWARD_TO", "4155550100");
  check_bad_value("SWITCHBOARD_FORWARD_TO", "+1 415 555 0100");
  check_bad_value("SWITCHBOARD_FORWARD_TO", "+04155550100");
  check_bad_value("SWITCHBOARD_FORWARD_TO", "+1415555010012345");  // 16 digits
}

BOOST_AUTO_TEST_CASE(NumbersOutOfRangeAreRejected) {
  check_bad_value("SWITCHBOARD_DB_PORT", "70000");
  check_bad_value("SWITCHBOARD_DB_PORT", "0");
  check_bad_value("SWITCHBOARD_DB_PORT", "33o6");
  check_bad_value("SWITCHBOARD_DIAL_TIMEOUT", "-5");
  check_bad_value("SWITCHBOARD_DIAL_TIMEOUT", "4");
  check_bad_value("SWITCHBOARD_MENU_ATTEMPTS", "11");
  check_bad_value("SWITCHBOARD_VOICEMAIL_MAX_LENGTH", "1e3");
}

BOOST_AUTO_TEST_CASE(BadChoicesAreRejected) {
  check_bad_value("SWITCHBOARD_SCREENING", "maybe");
  check_bad_value("SWITCHBOARD_TRANSCRIBE", "TRUE!");
  check_bad_value("SWITCHBOARD_MENU_DEFAULT", "hangup");
  check_bad_value("SWITCHBOARD_DB_NAME", "switch-board");
}

BOOST_AUTO_TEST_CASE(BadOfficeHoursAreRejected) {
  check_bad_value("SWITCHBOARD_OFFICE_HOURS", "Mon-Fri 9-17");
  check_bad_value("SWITCHBOARD_OFFICE_HOURS", "Weekdays 09:00-17:00");
  check_bad_value("SWITCHBOARD_OFFICE_HOURS", "Mon 18:00-09:00");
}

BOOST_AUTO_TEST_CASE(UnknownTimeZoneIsRejected) {
  check_bad_value("SWITCHBOARD_TIMEZONE", "Mars/Olympus_Mons");
  check_bad_value("SWITCHBOARD_TIMEZONE", "../../etc/passwd");
  check_bad_value("SWITCHBOARD_TIMEZONE", "Europe/Paris;rm");
}

BOOST_AUTO_TEST_CASE(SecretIsReadFromFileWithoutTrailingNewline) {
  const switchboard::test::TempDir dir;
  Env env = without(minimal_env(), "TWILIO_AUTH_TOKEN");
  env["TWILIO_AUTH_TOKEN_FILE"] = dir.write("token", "from-file-token\n");
  env["SWITCHBOARD_DB_PASSWORD_FILE"] = dir.write("db", "pass word\r\n");
  const Settings settings = load(env);
  BOOST_TEST(settings.auth_token == "from-file-token");
  BOOST_TEST(settings.database.password == "pass word");
}

BOOST_AUTO_TEST_CASE(SecretInEnvironmentWinsOverFile) {
  const switchboard::test::TempDir dir;
  const Env env = with(minimal_env(), "TWILIO_AUTH_TOKEN_FILE", dir.write("token", "from-file\n"));
  BOOST_TEST(load(env).auth_token == "secret-token");
}

BOOST_AUTO_TEST_CASE(SecretFromSystemdCredentialsDirectory) {
  const switchboard::test::TempDir dir;
  dir.write("twilio-auth-token", "credential-token\n");
  dir.write("db-password", "credential-password");
  Env env = without(minimal_env(), "TWILIO_AUTH_TOKEN");
  env["CREDENTIALS_DIRECTORY"] = dir.path();
  const Settings settings = load(env);
  BOOST_TEST(settings.auth_token == "credential-token");
  BOOST_TEST(settings.database.password == "credential-password");
}

BOOST_AUTO_TEST_CASE(UnreadableSecretFileIsNamed) {
  const switchboard::test::TempDir dir;
  const std::string missing = dir.path() + "/nope";
  const Env env = with(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "TWILIO_AUTH_TOKEN_FILE", missing);
  check_rejected(env, "TWILIO_AUTH_TOKEN_FILE", missing);
}

BOOST_AUTO_TEST_CASE(E164) {
  BOOST_TEST(switchboard::config::is_e164("+14155550100"));
  BOOST_TEST(switchboard::config::is_e164("+447911123456"));
  BOOST_TEST(!switchboard::config::is_e164("anonymous"));
  BOOST_TEST(!switchboard::config::is_e164("+"));
  BOOST_TEST(!switchboard::config::is_e164(""));
  BOOST_TEST(!switchboard::config::is_e164("client:alice"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_weekly_hours)

BOOST_AUTO_TEST_CASE(WeekdaysAndSaturdayMorning) {
  const WeeklyHours hours = WeeklyHours::parse("Mon-Fri 09:00-18:00; Sat 10:00-12:30");
  BOOST_TEST(!hours.always_open);
  for (int day = 0; day < 5; ++day) BOOST_TEST(intervals(hours, day) == "540-1080");
  BOOST_TEST(intervals(hours, 5) == "600-750");
  BOOST_TEST(intervals(hours, 6) == "");
}

BOOST_AUTO_TEST_CASE(DayRangeWrapsAroundTheWeekend) {
  const WeeklyHours hours = WeeklyHours::parse("Sat-Mon 10:00-14:00");
  BOOST_TEST(intervals(hours, 5) == "600-840");
  BOOST_TEST(intervals(hours, 6) == "600-840");
  BOOST_TEST(intervals(hours, 0) == "600-840");
  for (int day = 1; day < 5; ++day) BOOST_TEST(intervals(hours, day) == "");
}

BOOST_AUTO_TEST_CASE(SeveralIntervalsAndMidnightClose) {
  const WeeklyHours hours = WeeklyHours::parse("Tue 08:00-12:00, 13:00-24:00;Sun 00:00-01:00");
  BOOST_TEST(intervals(hours, 1) == "480-720 780-1440");
  BOOST_TEST(intervals(hours, 6) == "0-60");
  BOOST_TEST(intervals(hours, 0) == "");
}

BOOST_AUTO_TEST_CASE(EmptyTextMeansAlwaysOpen) {
  BOOST_TEST(WeeklyHours::parse("").always_open);
  BOOST_TEST(WeeklyHours::parse("  ").always_open);
}

BOOST_AUTO_TEST_CASE(MalformedHoursThrow) {
  for (const char* text : {"Mon-Fri", "Mon-Fri 09:00", "Funday 09:00-17:00", "mon 09:00-17:00", "Mon 9:00-17:00",
                           "Mon 09:00-17:60", "Mon 24:30-25:00", "Mon 17:00-09:00", "Mon 09:00-09:00",
                           "Mon-Fri-Sat 09:00-17:00", "Mon 09:00-17:00 and more"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_CHECK_THROW(WeeklyHours::parse(text), std::invalid_argument); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
