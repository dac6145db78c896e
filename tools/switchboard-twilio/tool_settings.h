// What switchboard-twilio needs, taken from the same configuration as the workers: the process environment first,
// then the environment file (/etc/switchboard/switchboard.env), then, for the auth token, the credential files.
// Read once, validated, then immutable; a bad value is reported with the variable's name. The auth token goes
// through the workers' own reader and validator (fcgi/config/secret.h): 32 hex digits, an empty file refused.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace switchboard_twilio {

class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A variable's value, or nullopt when unset. Injected so the rules can be tried without a real environment.
using Lookup = std::function<std::optional<std::string>(const std::string&)>;
Lookup process_environment();
// The environment first, then the file's variables.
Lookup layered(Lookup environment, std::map<std::string, std::string> file_variables);

struct ToolSettings {
  std::string account_sid;      // TWILIO_ACCOUNT_SID
  std::string auth_token;       // TWILIO_AUTH_TOKEN, _FILE, or the credential twilio-auth-token; 32 hex digits
  std::string api_base;         // SWITCHBOARD_TWILIO_API_BASE, default https://api.twilio.com
  std::string public_base_url;  // --base-url or SWITCHBOARD_PUBLIC_BASE_URL; empty when not needed and not set
  // --fallback-base-url or SWITCHBOARD_FALLBACK_BASE_URL: where VoiceFallbackUrl points, a host other than the
  // balancer behind public_base_url when there are two; empty = public_base_url (one host: its nginx answers it).
  std::string fallback_base_url;
  // SWITCHBOARD_TWILIO_URL_OVERRIDES: Twilio's connection overrides for VoiceUrl and StatusCallback; empty = none.
  std::string url_overrides;

  // `credentials_dir` is used for twilio-auth-token when $CREDENTIALS_DIRECTORY is unset. With `need_base_url`, a
  // missing base URL is an error; a non-https one always is.
  static ToolSettings load(const Lookup& lookup, const std::optional<std::string>& base_url_flag,
                           const std::string& credentials_dir, bool need_base_url,
                           const std::optional<std::string>& fallback_base_url_flag = std::nullopt);
};

// https://host[:port] (an origin: Twilio signs the full URL, the workers check it against this). Returns it without
// a trailing slash; throws SettingsError naming `source` otherwise.
std::string validated_base_url(const std::string& source, const std::string& url);

// +[1-9] and 1–14 more digits.
bool is_e164(const std::string& number);

}  // namespace switchboard_twilio
