// The voicemail notification settings: SMS needs a recipient and the Twilio number it comes from, both E.164; a
// webhook needs an http(s) URL and a secret of at least 16 characters, from the environment, a *_FILE or a systemd
// credential (an empty file refused); the delivery timeout is bounded. Each rejection names the variable (and shows
// the value, unless it is the secret).
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>

#include "../support/temp_dir.h"
#include "config/settings.h"

namespace {

using switchboard::config::ConfigError;
using switchboard::config::EnvLookup;
using switchboard::config::Notifications;
using switchboard::config::Settings;
using switchboard::test::TempDir;
using Env = std::map<std::string, std::string>;

constexpr char kSmsTo[] = "SWITCHBOARD_NOTIFY_SMS_TO";
constexpr char kTwilioNumber[] = "SWITCHBOARD_TWILIO_NUMBER";
constexpr char kWebhookUrl[] = "SWITCHBOARD_NOTIFY_WEBHOOK_URL";
constexpr char kWebhookSecret[] = "SWITCHBOARD_NOTIFY_WEBHOOK_SECRET";
constexpr char kTranscriptionWait[] = "SWITCHBOARD_NOTIFY_TRANSCRIPTION_WAIT";
constexpr char kDeliveryTimeout[] = "SWITCHBOARD_NOTIFY_TIMEOUT";
const std::string kSecret = "0123456789abcdef-webhook";  // 24 characters

// The smallest environment that starts (the same as config/settings_test.cpp's), without notifications.
Env minimal_env() {
  return {{"SWITCHBOARD_PUBLIC_BASE_URL", "https://voice.example.com"},
          {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789ABCDEF"},
          {"TWILIO_AUTH_TOKEN", "8f14e45fceea167a5a36dedd4bea2543"},
          {"SWITCHBOARD_FORWARD_TO", "+14155550100"},
          {"SWITCHBOARD_DB_SOCKET", "/run/mysqld/mysqld.sock"},
          {"SWITCHBOARD_DB_USER", "switchboard"},
          {"SWITCHBOARD_DB_NAME", "switchboard"}};
}

Env with(Env env, const std::string& name, const std::string& value) {
  env[name] = value;
  return env;
}

Env sms_env() { return with(with(minimal_env(), kSmsTo, "+14155550111"), kTwilioNumber, "+14155550199"); }
Env webhook_env() {
  return with(with(minimal_env(), kWebhookUrl, "https://hooks.example.com/switchboard"), kWebhookSecret, kSecret);
}

Notifications load(const Env& env) {
  const EnvLookup lookup = [env](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
  return Settings::from_environment(lookup).notifications;
}

// Loading `env` throws a ConfigError for `variable`; returns its message.
std::string rejection(const Env& env, const std::string& variable) {
  try {
    load(env);
  } catch (const ConfigError& error) {
    BOOST_TEST(error.variable() == variable);
    const std::string message = error.what();
    BOOST_TEST(message.rfind(variable + ": ", 0) == 0, "message: " << message);
    return message;
  }
  BOOST_ERROR("accepted, expected a ConfigError for " << variable);
  return "";
}

void check_bad_value(const Env& env, const std::string& variable, const std::string& value) {
  BOOST_TEST_CONTEXT(variable << "=" << value) {
    const std::string message = rejection(with(env, variable, value), variable);
    BOOST_TEST(message.find("'" + value + "'") != std::string::npos, "message: " << message);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_notification_settings)

BOOST_AUTO_TEST_CASE(NothingConfiguredMeansNoNotifications) {
  const Notifications notify = load(minimal_env());
  BOOST_TEST(!notify.enabled());
  BOOST_TEST(notify.sms_to == "");
  BOOST_TEST(notify.sms_from == "");
  BOOST_TEST(notify.webhook_url == "");
  BOOST_TEST(notify.webhook_secret == "");
  BOOST_TEST(notify.transcription_wait_s == 90);
  BOOST_TEST(notify.delivery_timeout_s == 20);
}

BOOST_AUTO_TEST_CASE(SmsToTheOwnerFromTheTwilioNumber) {
  const Notifications notify = load(sms_env());
  BOOST_TEST(notify.enabled());
  BOOST_TEST(notify.sms_to == "+14155550111");
  BOOST_TEST(notify.sms_from == "+14155550199");
  BOOST_TEST(notify.webhook_url == "");
}

BOOST_AUTO_TEST_CASE(NumbersAreTrimmed) {
  const Notifications notify =
      load(with(with(minimal_env(), kSmsTo, " +14155550111\n"), kTwilioNumber, "\t+14155550199 "));
  BOOST_TEST(notify.sms_to == "+14155550111");
  BOOST_TEST(notify.sms_from == "+14155550199");
}

BOOST_AUTO_TEST_CASE(SmsWithoutTheTwilioNumberIsRefused) {
  const std::string message = rejection(with(minimal_env(), kSmsTo, "+14155550111"), kTwilioNumber);
  BOOST_TEST(message == std::string(kTwilioNumber) + ": is required but not set");
  BOOST_TEST(rejection(with(sms_env(), kTwilioNumber, "   "), kTwilioNumber) ==
             std::string(kTwilioNumber) + ": is required but not set");
}

BOOST_AUTO_TEST_CASE(TwilioNumberAloneEnablesNothing) {
  const Notifications notify = load(with(minimal_env(), kTwilioNumber, "+14155550199"));
  BOOST_TEST(!notify.enabled());
  BOOST_TEST(notify.sms_from == "");
}

BOOST_AUTO_TEST_CASE(SmsRecipientMustBeE164) {
  for (const std::string number : {"4155550111", "+04155550111", "+1 415 555 0111", "+1-415-555-0111", "+1",
                                   "+1234567890123456", "tel:+14155550111", "+1415555011a"}) {
    check_bad_value(minimal_env(), kSmsTo, number);
  }
}

BOOST_AUTO_TEST_CASE(SmsSenderMustBeE164) {
  for (const std::string number : {"14155550199", "+0415", "(415) 555-0199", "+14155550199x"}) {
    check_bad_value(sms_env(), kTwilioNumber, number);
  }
}

BOOST_AUTO_TEST_CASE(WebhookWithSecret) {
  const Notifications notify = load(webhook_env());
  BOOST_TEST(notify.enabled());
  BOOST_TEST(notify.webhook_url == "https://hooks.example.com/switchboard");
  BOOST_TEST(notify.webhook_secret == kSecret);
  BOOST_TEST(notify.sms_to == "");
}

BOOST_AUTO_TEST_CASE(PlainHttpWebhookIsAllowed) {
  BOOST_TEST(load(with(webhook_env(), kWebhookUrl, "http://127.0.0.1:8080/hook?x=1")).webhook_url ==
             "http://127.0.0.1:8080/hook?x=1");
}

BOOST_AUTO_TEST_CASE(SmsAndWebhookTogether) {
  Env env = sms_env();
  env[kWebhookUrl] = "https://hooks.example.com/switchboard";
  env[kWebhookSecret] = kSecret;
  const Notifications notify = load(env);
  BOOST_TEST(notify.sms_to == "+14155550111");
  BOOST_TEST(notify.webhook_url == "https://hooks.example.com/switchboard");
}

BOOST_AUTO_TEST_CASE(WebhookUrlMustBeHttp) {
  for (const std::string url : {"hooks.example.com/switchboard", "ftp://hooks.example.com/", "https://",
                                "https://hooks.example.com/a b", "javascript:alert(1)", "HTTPS//x"}) {
    check_bad_value(webhook_env(), kWebhookUrl, url);
  }
}

BOOST_AUTO_TEST_CASE(WebhookWithoutSecretIsRefused) {
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  BOOST_TEST(rejection(env, kWebhookSecret) ==
             std::string(kWebhookSecret) + ": is required with a webhook, at least 16 characters");
}

BOOST_AUTO_TEST_CASE(SecretOf15CharactersIsRefusedAndNotShown) {
  const std::string message = rejection(with(webhook_env(), kWebhookSecret, "fifteen-chars!!"), kWebhookSecret);
  BOOST_TEST(message.find("fifteen") == std::string::npos, "message shows the secret: " << message);
}

BOOST_AUTO_TEST_CASE(SecretOf16CharactersIsEnough) {
  BOOST_TEST(load(with(webhook_env(), kWebhookSecret, "sixteen-chars!!!")).webhook_secret == "sixteen-chars!!!");
}

BOOST_AUTO_TEST_CASE(SecretWithoutWebhookIsIgnored) {
  const Notifications notify = load(with(minimal_env(), kWebhookSecret, kSecret));
  BOOST_TEST(!notify.enabled());
  BOOST_TEST(notify.webhook_secret == "");
}

BOOST_AUTO_TEST_CASE(SecretIsReadFromFileWithoutTrailingNewline) {
  TempDir dir;
  const std::string file = dir.write("webhook-secret", kSecret + "\n");
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  env[std::string(kWebhookSecret) + "_FILE"] = file;
  BOOST_TEST(load(env).webhook_secret == kSecret);
}

BOOST_AUTO_TEST_CASE(SecretFileOf15CharactersPlusNewlineIsTooShort) {
  // The length is checked after the newline an editor adds is removed; the refusal names the file, not the secret.
  TempDir dir;
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  const std::string file = dir.write("webhook-secret", "fifteen-chars!!\n");
  env[std::string(kWebhookSecret) + "_FILE"] = file;
  const std::string message = rejection(env, std::string(kWebhookSecret) + "_FILE");
  BOOST_TEST(message == std::string(kWebhookSecret) + "_FILE: '" + file +
                            "' holds fewer than 16 characters (the webhook's HMAC key)");
}

BOOST_AUTO_TEST_CASE(EmptySecretFileIsRefused) {
  TempDir dir;
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  const std::string file = dir.write("webhook-secret", "\n");
  env[std::string(kWebhookSecret) + "_FILE"] = file;
  BOOST_TEST(rejection(env, std::string(kWebhookSecret) + "_FILE") ==
             std::string(kWebhookSecret) + "_FILE: '" + file + "' is empty");
}

BOOST_AUTO_TEST_CASE(EmptySecretCredentialIsRefused) {
  TempDir dir;
  dir.write("notify-webhook-secret", "");
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  env["CREDENTIALS_DIRECTORY"] = dir.path();
  rejection(env, "CREDENTIALS_DIRECTORY/notify-webhook-secret");
}

BOOST_AUTO_TEST_CASE(UnreadableSecretFileIsNamed) {
  TempDir dir;
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  env[std::string(kWebhookSecret) + "_FILE"] = dir.path() + "/missing";
  const std::string message = rejection(env, std::string(kWebhookSecret) + "_FILE");
  BOOST_TEST(message.find(dir.path() + "/missing") != std::string::npos, "message: " << message);
}

BOOST_AUTO_TEST_CASE(SecretFromSystemdCredential) {
  TempDir dir;
  dir.write("notify-webhook-secret", kSecret);
  Env env = webhook_env();
  env.erase(kWebhookSecret);
  env["CREDENTIALS_DIRECTORY"] = dir.path();
  BOOST_TEST(load(env).webhook_secret == kSecret);
}

BOOST_AUTO_TEST_CASE(TranscriptionWaitIsBounded) {
  BOOST_TEST(load(with(minimal_env(), kTranscriptionWait, "0")).transcription_wait_s == 0);
  BOOST_TEST(load(with(minimal_env(), kTranscriptionWait, "600")).transcription_wait_s == 600);
  check_bad_value(minimal_env(), kTranscriptionWait, "601");
  check_bad_value(minimal_env(), kTranscriptionWait, "-1");
  check_bad_value(minimal_env(), kTranscriptionWait, "1.5");
}

BOOST_AUTO_TEST_CASE(DeliveryTimeoutIsBounded) {
  // At least 2 s (a claim's lease is three of them plus the database's timeouts), at most two minutes.
  BOOST_TEST(load(with(minimal_env(), kDeliveryTimeout, "2")).delivery_timeout_s == 2);
  BOOST_TEST(load(with(sms_env(), kDeliveryTimeout, "120")).delivery_timeout_s == 120);
  check_bad_value(minimal_env(), kDeliveryTimeout, "1");
  check_bad_value(minimal_env(), kDeliveryTimeout, "121");
  check_bad_value(minimal_env(), kDeliveryTimeout, "0");
  check_bad_value(minimal_env(), kDeliveryTimeout, "20s");
}

BOOST_AUTO_TEST_SUITE_END()
