// Settings::from_environment with an injected environment: the minimal valid set works, every required variable
// and every bad value stops start-up with a ConfigError naming the variable, secrets come from the variable, *_FILE
// or a systemd credential and are refused when empty (the Twilio auth token also when it is not 32 hex digits)
// without showing them, switchboard-migrate's database-only loading, and the office hours grammar.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "../support/temp_dir.h"
#include "config/secret.h"
#include "config/settings.h"

namespace {

using switchboard::config::ConfigError;
using switchboard::config::Database;
using switchboard::config::DatabaseEndpoint;
using switchboard::config::EnvLookup;
using switchboard::config::MenuDefault;
using switchboard::config::Settings;
using switchboard::config::WeeklyHours;
using switchboard::test::TempDir;
using Env = std::map<std::string, std::string>;

// Auth tokens in Twilio's format (32 hex digits), a different one per source so a test sees which one won.
constexpr char kAuthToken[] = "8f14e45fceea167a5a36dedd4bea2543";
constexpr char kFileAuthToken[] = "c9f0f895fb98ab9159f51fd0297e236d";
constexpr char kCredentialAuthToken[] = "45C48CCE2E2D7FBDEA1AFC51C7C6AD26";  // upper case is hex too

Env minimal_env() {
  return {{"SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com"},
          {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789ABCDEF"},
          {"TWILIO_AUTH_TOKEN", kAuthToken},
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

// Loading `env` must throw a ConfigError for `variable` whose message shows `value` (when given). Returns the
// message.
std::string check_rejected(const Env& env, const std::string& variable, const std::string& value = "") {
  try {
    load(env);
    BOOST_ERROR("accepted, expected a ConfigError for " << variable);
  } catch (const ConfigError& error) {
    BOOST_TEST(error.variable() == variable);
    const std::string message = error.what();
    BOOST_TEST(message.rfind(variable + ": ", 0) == 0, "message: " << message);
    if (!value.empty()) BOOST_TEST(message.find(value) != std::string::npos, "message: " << message);
    return message;
  }
  return "";
}

// No eight consecutive characters of `secret` appear in `message`: not the value, not a telling fragment of it.
void check_secret_not_shown(const std::string& message, const std::string& secret) {
  for (size_t start = 0; start + 8 <= secret.size(); ++start) {
    BOOST_TEST(message.find(secret.substr(start, 8)) == std::string::npos,
               "message shows part of the secret: " << message);
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
  BOOST_TEST(settings.auth_token == kAuthToken);
  BOOST_TEST(settings.forward_to == "+14155550100");
  BOOST_TEST(settings.twilio_api_base == "https://api.twilio.com");
  BOOST_TEST(settings.state_dir == "/var/lib/switchboard");
  BOOST_TEST(settings.database.socket == "/run/mysqld/mysqld.sock");
  BOOST_TEST(settings.database.endpoints.empty());  // the socket
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
  BOOST_REQUIRE(settings.database.endpoints.size() == 1u);
  BOOST_TEST(settings.database.endpoints[0].host == "db.internal");
  BOOST_TEST(settings.database.endpoints[0].port == 3307);
}

// A cluster's nodes in the order connections try them; a node without a port gets SWITCHBOARD_DB_PORT's. The list
// wins over the one-server form a host's older configuration may still carry.
BOOST_AUTO_TEST_CASE(DatabaseHostsListACluster) {
  Env env = without(minimal_env(), "SWITCHBOARD_DB_SOCKET");
  env["SWITCHBOARD_DB_HOSTS"] = " db1.internal:3307, 10.0.0.2 ,[fd00::3]:3308";
  env["SWITCHBOARD_DB_HOST"] = "old.internal";
  env["SWITCHBOARD_DB_PORT"] = "3306";
  const Settings settings = load(env);
  const std::vector<DatabaseEndpoint> expected = {{"db1.internal", 3307}, {"10.0.0.2", 3306}, {"fd00::3", 3308}};
  BOOST_TEST((settings.database.endpoints == expected));
}

BOOST_AUTO_TEST_CASE(ABadDatabaseHostsListIsRefused) {
  for (const char* hosts : {"db1,,db2", "db1,", "db1:70000", "db1:33o6", "db 1", "db1,db1", "[fd00::3"}) {
    BOOST_TEST_CONTEXT(hosts) {
      Env env = without(minimal_env(), "SWITCHBOARD_DB_SOCKET");
      env["SWITCHBOARD_DB_HOSTS"] = hosts;
      check_rejected(env, "SWITCHBOARD_DB_HOSTS");
    }
  }
  // A socket and a list: which one is meant cannot be guessed.
  check_rejected(with(minimal_env(), "SWITCHBOARD_DB_HOSTS", "db1,db2"), "SWITCHBOARD_DB_HOSTS");
  // A list in the one-server variable.
  Env env = without(minimal_env(), "SWITCHBOARD_DB_SOCKET");
  env["SWITCHBOARD_DB_HOST"] = "db1,db2";
  check_rejected(env, "SWITCHBOARD_DB_HOST");
}

// The second host Twilio's VoiceFallbackUrl names: an https origin like the public one.
BOOST_AUTO_TEST_CASE(FallbackBaseUrlIsAnHttpsOrigin) {
  BOOST_TEST(load(minimal_env()).fallback_base_url.empty());
  BOOST_TEST(load(with(minimal_env(), "SWITCHBOARD_FALLBACK_BASE_URL", "https://voice-b.example.com/")).fallback_base_url ==
             "https://voice-b.example.com");
  check_bad_value("SWITCHBOARD_FALLBACK_BASE_URL", "http://voice-b.example.com");
  check_bad_value("SWITCHBOARD_FALLBACK_BASE_URL", "https://voice-b.example.com/twilio/voice");
}

// Twilio ignores an override it does not know without a word: each key and range is checked at start.
BOOST_AUTO_TEST_CASE(TwilioUrlOverridesAreTwiliosKeysInTheirRanges) {
  BOOST_TEST(load(minimal_env()).twilio_url_overrides.empty());
  BOOST_TEST(load(with(minimal_env(), "SWITCHBOARD_TWILIO_URL_OVERRIDES", "#ct=1000&rc=2&rp=ct,rt")).twilio_url_overrides ==
             "ct=1000&rc=2&rp=ct,rt");
  BOOST_TEST(load(with(minimal_env(), "SWITCHBOARD_TWILIO_URL_OVERRIDES", "e=ashburn,umatilla&sni=n&tt=15000"))
                 .twilio_url_overrides == "e=ashburn,umatilla&sni=n&tt=15000");
  for (const char* bad : {"ct=50", "rc=6", "rt=20000", "rp=ct,timeout", "retries=2", "ct=1000&ct=2000", "ct=1000&",
                          "ct", "sni=yes"}) {
    check_bad_value("SWITCHBOARD_TWILIO_URL_OVERRIDES", bad);
  }
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
  const TempDir dir;
  Env env = without(minimal_env(), "TWILIO_AUTH_TOKEN");
  env["TWILIO_AUTH_TOKEN_FILE"] = dir.write("token", std::string(kFileAuthToken) + "\n");
  env["SWITCHBOARD_DB_PASSWORD_FILE"] = dir.write("db", "pass word\r\n");
  const Settings settings = load(env);
  BOOST_TEST(settings.auth_token == kFileAuthToken);
  BOOST_TEST(settings.database.password == "pass word");
}

BOOST_AUTO_TEST_CASE(SecretInEnvironmentWinsOverFile) {
  const TempDir dir;
  const Env env = with(minimal_env(), "TWILIO_AUTH_TOKEN_FILE", dir.write("token", std::string(kFileAuthToken) + "\n"));
  BOOST_TEST(load(env).auth_token == kAuthToken);
}

BOOST_AUTO_TEST_CASE(SecretFromSystemdCredentialsDirectory) {
  const TempDir dir;
  dir.write("twilio-auth-token", std::string(kCredentialAuthToken) + "\n");
  dir.write("db-password", "credential-password");
  Env env = without(minimal_env(), "TWILIO_AUTH_TOKEN");
  env["CREDENTIALS_DIRECTORY"] = dir.path();
  const Settings settings = load(env);
  BOOST_TEST(settings.auth_token == kCredentialAuthToken);
  BOOST_TEST(settings.database.password == "credential-password");
}

BOOST_AUTO_TEST_CASE(UnreadableSecretFileIsNamed) {
  const TempDir dir;
  const std::string missing = dir.path() + "/nope";
  const Env env = with(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "TWILIO_AUTH_TOKEN_FILE", missing);
  const std::string message = check_rejected(env, "TWILIO_AUTH_TOKEN_FILE", missing);
  BOOST_TEST(message.find("No such file or directory") != std::string::npos, "message: " << message);
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

// The Twilio auth token keys the HMAC every webhook is checked with: an empty or malformed one must stop start-up,
// whichever source it comes from, with the source named and the value kept out of the message (it is logged).
BOOST_AUTO_TEST_SUITE(config_secrets)

// minimal_env() with the token in TWILIO_AUTH_TOKEN_FILE = <dir>/token holding `content`.
Env with_token_file(const TempDir& dir, const std::string& content) {
  return with(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "TWILIO_AUTH_TOKEN_FILE", dir.write("token", content));
}

// minimal_env() with the token only in the systemd credential <dir>/twilio-auth-token holding `content`.
Env with_token_credential(const TempDir& dir, const std::string& content) {
  dir.write("twilio-auth-token", content);
  return with(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "CREDENTIALS_DIRECTORY", dir.path());
}

BOOST_AUTO_TEST_CASE(EmptyTokenFileIsRefused) {
  const TempDir dir;
  for (const std::string content : {"", "\n", "\r\n\n"}) {
    BOOST_TEST_CONTEXT("file holding " << content.size() << " newline bytes") {
      const Env env = with_token_file(dir, content);
      const std::string message = check_rejected(env, "TWILIO_AUTH_TOKEN_FILE", env.at("TWILIO_AUTH_TOKEN_FILE"));
      BOOST_TEST(message.find("is empty") != std::string::npos, "message: " << message);
    }
  }
}

BOOST_AUTO_TEST_CASE(WhitespaceOnlyTokenFileIsRefused) {
  const TempDir dir;
  for (const std::string content : {" ", "\t\n", "  \n  \n", "\v\f\r"}) {
    BOOST_TEST_CONTEXT("file holding " << content.size() << " whitespace bytes") {
      const Env env = with_token_file(dir, content);
      const std::string message = check_rejected(env, "TWILIO_AUTH_TOKEN_FILE", env.at("TWILIO_AUTH_TOKEN_FILE"));
      BOOST_TEST(message.find("holds only whitespace") != std::string::npos, "message: " << message);
    }
  }
}

BOOST_AUTO_TEST_CASE(ValidTokenFileWithTrailingNewlineIsAccepted) {
  const TempDir dir;
  for (const std::string ending : {"", "\n", "\r\n", "\n\n"}) {
    BOOST_TEST(load(with_token_file(dir, kFileAuthToken + ending)).auth_token == kFileAuthToken);
  }
}

BOOST_AUTO_TEST_CASE(TokenOfWrongLengthIsRefused) {
  const TempDir dir;
  const std::string too_short = std::string(kFileAuthToken).substr(0, 31);
  const std::string too_long = std::string(kFileAuthToken) + "a";
  const std::string sha1_sized = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  for (const std::string& token : {too_short, too_long, sha1_sized}) {
    BOOST_TEST_CONTEXT(token.size() << " hex digits") {
      std::string message = check_rejected(with(minimal_env(), "TWILIO_AUTH_TOKEN", token), "TWILIO_AUTH_TOKEN");
      BOOST_TEST(message == "TWILIO_AUTH_TOKEN: is not a Twilio auth token (32 hex digits): it is " +
                                std::to_string(token.size()) + " bytes long");
      message = check_rejected(with_token_file(dir, token + "\n"), "TWILIO_AUTH_TOKEN_FILE", dir.path() + "/token");
      BOOST_TEST(message.find("does not hold a Twilio auth token (32 hex digits)") != std::string::npos,
                 "message: " << message);
      check_secret_not_shown(message, token);
    }
  }
}

BOOST_AUTO_TEST_CASE(NonHexTokenIsRefused) {
  const TempDir dir;
  for (const std::string token : {"8f14e45fceea167a5a36dedd4bea254g", "8f14e45f-eea1-67a5-a36d-edd4bea2",
                                  "secret-token-secret-token-secret", "8f14e45fceea167a 5a36dedd4bea254"}) {
    BOOST_TEST_CONTEXT(token) {
      const std::string message = check_rejected(with_token_file(dir, token), "TWILIO_AUTH_TOKEN_FILE");
      BOOST_TEST(message == "TWILIO_AUTH_TOKEN_FILE: '" + dir.path() +
                                "/token' does not hold a Twilio auth token (32 hex digits): it has a character that "
                                "is not a hex digit");
    }
  }
}

// A space before or after the token (a paste into an editor) is named as such rather than as a length.
BOOST_AUTO_TEST_CASE(TokenWithSurroundingWhitespaceIsRefused) {
  const TempDir dir;
  for (const std::string& token : {std::string(" ") + kFileAuthToken, std::string(kFileAuthToken) + " \n",
                                  std::string("\t") + kFileAuthToken}) {
    const std::string message = check_rejected(with_token_file(dir, token), "TWILIO_AUTH_TOKEN_FILE");
    BOOST_TEST(message.find("it begins or ends with whitespace") != std::string::npos, "message: " << message);
    check_secret_not_shown(message, kFileAuthToken);
  }
}

BOOST_AUTO_TEST_CASE(TheTokenNeverAppearsInAnyRefusal) {
  const std::string almost = std::string(kFileAuthToken) + "0";
  const auto check_refusal_hides_the_token = [&](const Env& env) {
    try {
      load(env);
      BOOST_ERROR("a 33-digit token was accepted");
    } catch (const ConfigError& error) {
      check_secret_not_shown(error.what(), almost);
    }
  };
  const TempDir dir;  // each case rewrites its file, so each runs before the next is built
  check_refusal_hides_the_token(with(minimal_env(), "TWILIO_AUTH_TOKEN", almost));
  check_refusal_hides_the_token(with_token_file(dir, almost + "\n"));
  check_refusal_hides_the_token(with_token_file(dir, " " + almost));
  check_refusal_hides_the_token(with_token_credential(dir, almost));
}

BOOST_AUTO_TEST_CASE(EmptyCredentialIsRefused) {
  const TempDir dir;
  const std::string path = dir.path() + "/twilio-auth-token";
  std::string message = check_rejected(with_token_credential(dir, ""), "CREDENTIALS_DIRECTORY/twilio-auth-token", path);
  BOOST_TEST(message.find("is empty") != std::string::npos, "message: " << message);
  message = check_rejected(with_token_credential(dir, " \n"), "CREDENTIALS_DIRECTORY/twilio-auth-token", path);
  BOOST_TEST(message.find("holds only whitespace") != std::string::npos, "message: " << message);
}

BOOST_AUTO_TEST_CASE(MalformedCredentialIsRefused) {
  const TempDir dir;
  const std::string message =
      check_rejected(with_token_credential(dir, "credential-token\n"), "CREDENTIALS_DIRECTORY/twilio-auth-token");
  BOOST_TEST(message.find("does not hold a Twilio auth token") != std::string::npos, "message: " << message);
  check_secret_not_shown(message, "credential-token");
}

// The file wins over the credential, so an empty file is an error even with a good credential beside it: the
// operator named that file, and silently using another secret would hide the mistake.
BOOST_AUTO_TEST_CASE(EmptyFileIsNotReplacedByTheCredential) {
  const TempDir dir;
  Env env = with_token_credential(dir, kCredentialAuthToken);
  env["TWILIO_AUTH_TOKEN_FILE"] = dir.write("token", "");
  check_rejected(env, "TWILIO_AUTH_TOKEN_FILE");
}

BOOST_AUTO_TEST_CASE(MissingTokenSaysWhereItLooked) {
  const TempDir dir;
  const Env env = with(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "CREDENTIALS_DIRECTORY", dir.path());
  const std::string message = check_rejected(env, "TWILIO_AUTH_TOKEN", dir.path() + "/twilio-auth-token");
  BOOST_TEST(message.find("TWILIO_AUTH_TOKEN_FILE") != std::string::npos, "message: " << message);
  const std::string without_directory =
      check_rejected(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "TWILIO_AUTH_TOKEN");
  BOOST_TEST(without_directory.find("CREDENTIALS_DIRECTORY is not set") != std::string::npos,
             "message: " << without_directory);
}

BOOST_AUTO_TEST_CASE(TokenFileThatIsADirectoryIsRefused) {
  const TempDir dir;
  const Env env = with(without(minimal_env(), "TWILIO_AUTH_TOKEN"), "TWILIO_AUTH_TOKEN_FILE", dir.path());
  const std::string message = check_rejected(env, "TWILIO_AUTH_TOKEN_FILE", dir.path());
  BOOST_TEST(message.find("Is a directory") != std::string::npos, "message: " << message);
}

// /dev/zero or a log file named by mistake stops start-up instead of hanging it.
BOOST_AUTO_TEST_CASE(HugeSecretFileIsRefused) {
  const TempDir dir;
  const std::string message =
      check_rejected(with_token_file(dir, std::string(70 * 1024, 'a')), "TWILIO_AUTH_TOKEN_FILE");
  BOOST_TEST(message.find("larger than 64 KiB") != std::string::npos, "message: " << message);
}

BOOST_AUTO_TEST_CASE(EmptyDatabasePasswordFileIsRefused) {
  const TempDir dir;
  const std::string path = dir.write("db-password", "\n");
  const std::string message =
      check_rejected(with(minimal_env(), "SWITCHBOARD_DB_PASSWORD_FILE", path), "SWITCHBOARD_DB_PASSWORD_FILE", path);
  BOOST_TEST(message.find("is empty") != std::string::npos, "message: " << message);
  dir.write("db-password", "   ");
  check_rejected(with(minimal_env(), "CREDENTIALS_DIRECTORY", dir.path()), "CREDENTIALS_DIRECTORY/db-password");
}

// Unix socket authentication needs no password: unset (or an empty SWITCHBOARD_DB_PASSWORD) is not an error.
BOOST_AUTO_TEST_CASE(UnsetDatabasePasswordIsAllowed) {
  BOOST_TEST(load(minimal_env()).database.password == "");
  BOOST_TEST(load(with(minimal_env(), "SWITCHBOARD_DB_PASSWORD", "")).database.password == "");
  const TempDir empty_credentials;  // a credentials directory without db-password
  BOOST_TEST(load(with(minimal_env(), "CREDENTIALS_DIRECTORY", empty_credentials.path())).database.password == "");
}

BOOST_AUTO_TEST_CASE(TwilioAuthTokenFormatOnItsOwn) {
  using switchboard::config::check_twilio_auth_token;
  using switchboard::config::Secret;
  BOOST_CHECK_NO_THROW(check_twilio_auth_token(Secret{kAuthToken, "TWILIO_AUTH_TOKEN", ""}));
  BOOST_CHECK_NO_THROW(check_twilio_auth_token(Secret{kCredentialAuthToken, "TWILIO_AUTH_TOKEN", ""}));
  for (const std::string token : {"", "12345", "secret-token", "0x8f14e45fceea167a5a36dedd4bea25"}) {
    BOOST_TEST_CONTEXT("'" << token << "'") {
      BOOST_CHECK_THROW(check_twilio_auth_token(Secret{token, "TWILIO_AUTH_TOKEN", ""}), ConfigError);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

// switchboard-migrate loads the database settings alone: it must start on a host (or in a unit) that has no Twilio
// settings or credentials, and read the database exactly as the workers do.
BOOST_AUTO_TEST_SUITE(config_database)

Env database_only_env() {
  return {{"SWITCHBOARD_DB_SOCKET", "/run/mysqld/mysqld.sock"},
          {"SWITCHBOARD_DB_USER", "switchboard_migrate"},
          {"SWITCHBOARD_DB_NAME", "switchboard"}};
}

Database load_database(const Env& env) { return switchboard::config::database_from_environment(lookup(env)); }

BOOST_AUTO_TEST_CASE(DatabaseAloneLoadsWithoutTwilioSettings) {
  const TempDir dir;
  Env env = database_only_env();
  env["SWITCHBOARD_DB_PASSWORD_FILE"] = dir.write("db-migrate-password", "migrate secret\n");
  env["SWITCHBOARD_DB_READ_TIMEOUT"] = "9";
  const Database database = load_database(env);
  BOOST_TEST(database.socket == "/run/mysqld/mysqld.sock");
  BOOST_TEST(database.user == "switchboard_migrate");
  BOOST_TEST(database.name == "switchboard");
  BOOST_TEST(database.password == "migrate secret");
  BOOST_TEST(database.endpoints.empty());
  BOOST_TEST(database.connect_timeout_s == 2);
  BOOST_TEST(database.read_timeout_s == 9);
  BOOST_TEST(database.write_timeout_s == 4);
}

// The token is none of migrate's business: even a broken one beside the database settings does not stop it.
BOOST_AUTO_TEST_CASE(TwilioSecretsAreNotRead) {
  const TempDir dir;
  Env env = database_only_env();
  env["TWILIO_AUTH_TOKEN_FILE"] = dir.write("token", "");
  env["TWILIO_AUTH_TOKEN"] = "not-a-token";
  env["CREDENTIALS_DIRECTORY"] = dir.path();
  dir.write("twilio-auth-token", "");
  BOOST_TEST(load_database(env).user == "switchboard_migrate");
}

BOOST_AUTO_TEST_CASE(DatabaseRefusalsNameTheVariable) {
  const TempDir dir;
  for (const char* variable : {"SWITCHBOARD_DB_SOCKET", "SWITCHBOARD_DB_USER", "SWITCHBOARD_DB_NAME"}) {
    BOOST_TEST_CONTEXT("without " << variable) {
      Env env = database_only_env();
      env.erase(variable);
      BOOST_CHECK_EXCEPTION(load_database(env), ConfigError,
                            [&](const ConfigError& error) { return error.variable() == variable; });
    }
  }
  Env env = database_only_env();
  env["SWITCHBOARD_DB_PASSWORD_FILE"] = dir.write("empty", "");
  BOOST_CHECK_EXCEPTION(load_database(env), ConfigError, [](const ConfigError& error) {
    return error.variable() == "SWITCHBOARD_DB_PASSWORD_FILE";
  });
}

// One implementation: the workers' Settings hold what database_from_environment reads from the same environment.
BOOST_AUTO_TEST_CASE(WorkersReadTheSameDatabaseSettings) {
  const TempDir dir;
  Env env = minimal_env();
  env["SWITCHBOARD_DB_SOCKET"] = "";
  env["SWITCHBOARD_DB_HOST"] = "db.internal";
  env["SWITCHBOARD_DB_PORT"] = "3307";
  env["SWITCHBOARD_DB_PASSWORD_FILE"] = dir.write("db-password", "pw\n");
  env["SWITCHBOARD_DB_CONNECT_TIMEOUT"] = "3";
  const Database workers = load(env).database;
  const Database migrate = load_database(env);
  BOOST_TEST(workers.socket == migrate.socket);
  BOOST_TEST((workers.endpoints == migrate.endpoints));
  BOOST_TEST(workers.user == migrate.user);
  BOOST_TEST(workers.password == migrate.password);
  BOOST_TEST(workers.name == migrate.name);
  BOOST_TEST(workers.connect_timeout_s == migrate.connect_timeout_s);
  BOOST_TEST(workers.read_timeout_s == migrate.read_timeout_s);
  BOOST_TEST(workers.write_timeout_s == migrate.write_timeout_s);
  BOOST_TEST(migrate.endpoints.at(0).host == "db.internal");
  BOOST_TEST(migrate.password == "pw");
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
