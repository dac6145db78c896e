// The retention settings (SWITCHBOARD_RETAIN_*, SWITCHBOARD_DELETE_TWILIO_RECORDINGS, SWITCHBOARD_PURGE_BATCH): by
// default nothing is ever deleted and nothing is deleted at Twilio; each value is read, and a bad one stops start-up
// naming its variable and value.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "config/settings.h"

namespace {

using switchboard::config::ConfigError;
using switchboard::config::Settings;
using Env = std::map<std::string, std::string>;

Env minimal_env() {
  return {{"SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com"},
          {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789ABCDEF"},
          {"TWILIO_AUTH_TOKEN", "8f14e45fceea167a5a36dedd4bea2543"},
          {"SWITCHBOARD_FORWARD_TO", "+14155550100"},
          {"SWITCHBOARD_DB_SOCKET", "/run/mysqld/mysqld.sock"},
          {"SWITCHBOARD_DB_USER", "switchboard"},
          {"SWITCHBOARD_DB_NAME", "switchboard"}};
}

Settings load(const Env& env) {
  return Settings::from_environment([env](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  });
}

Env with(Env env, const std::string& name, const std::string& value) {
  env[name] = value;
  return env;
}

void check_rejected(const Env& env, const std::string& variable, const std::string& value) {
  try {
    load(env);
    BOOST_ERROR("accepted, expected a ConfigError for " << variable);
  } catch (const ConfigError& error) {
    BOOST_TEST(error.variable() == variable);
    BOOST_TEST(std::string(error.what()).find("'" + value + "'") != std::string::npos, "message: " << error.what());
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(RetentionSettings)

BOOST_AUTO_TEST_CASE(ByDefaultEverythingIsKeptForEver) {
  const Settings settings = load(minimal_env());
  BOOST_TEST(settings.retention.calls_days == 0);
  BOOST_TEST(settings.retention.audio_days == 0);
  BOOST_TEST(settings.retention.delete_at_twilio == false);
  BOOST_TEST(settings.retention.batch_size == 500);
  BOOST_TEST(settings.retention.enabled() == false);
}

BOOST_AUTO_TEST_CASE(EachLimitIsRead) {
  Env env = minimal_env();
  env = with(env, "SWITCHBOARD_RETAIN_CALLS_DAYS", "365");
  env = with(env, "SWITCHBOARD_RETAIN_AUDIO_DAYS", "30");
  env = with(env, "SWITCHBOARD_DELETE_TWILIO_RECORDINGS", "true");
  env = with(env, "SWITCHBOARD_PURGE_BATCH", "100");
  const Settings settings = load(env);
  BOOST_TEST(settings.retention.calls_days == 365);
  BOOST_TEST(settings.retention.audio_days == 30);
  BOOST_TEST(settings.retention.delete_at_twilio == true);
  BOOST_TEST(settings.retention.batch_size == 100);
  BOOST_TEST(settings.retention.enabled() == true);
}

BOOST_AUTO_TEST_CASE(ZeroDaysMeansForEver) {
  const Settings settings = load(with(minimal_env(), "SWITCHBOARD_RETAIN_CALLS_DAYS", "0"));
  BOOST_TEST(settings.retention.calls_days == 0);
  BOOST_TEST(settings.retention.enabled() == false);
}

BOOST_AUTO_TEST_CASE(BadValuesNameTheirVariable) {
  check_rejected(with(minimal_env(), "SWITCHBOARD_RETAIN_CALLS_DAYS", "-1"), "SWITCHBOARD_RETAIN_CALLS_DAYS", "-1");
  check_rejected(with(minimal_env(), "SWITCHBOARD_RETAIN_CALLS_DAYS", "30d"), "SWITCHBOARD_RETAIN_CALLS_DAYS", "30d");
  check_rejected(with(minimal_env(), "SWITCHBOARD_RETAIN_AUDIO_DAYS", "36501"), "SWITCHBOARD_RETAIN_AUDIO_DAYS",
                 "36501");
  check_rejected(with(minimal_env(), "SWITCHBOARD_DELETE_TWILIO_RECORDINGS", "please"),
                 "SWITCHBOARD_DELETE_TWILIO_RECORDINGS", "please");
  check_rejected(with(minimal_env(), "SWITCHBOARD_PURGE_BATCH", "0"), "SWITCHBOARD_PURGE_BATCH", "0");
  check_rejected(with(minimal_env(), "SWITCHBOARD_PURGE_BATCH", "10001"), "SWITCHBOARD_PURGE_BATCH", "10001");
}

BOOST_AUTO_TEST_SUITE_END()
