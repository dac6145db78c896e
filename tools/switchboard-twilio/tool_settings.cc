// Reading and validating switchboard-twilio's settings (see tool_settings.h).
#include "tool_settings.h"

#include <cstdlib>
#include <regex>

#include "config/secret.h"
#include "config/settings.h"

namespace switchboard_twilio {

namespace {

constexpr char kDefaultApiBase[] = "https://api.twilio.com";

std::optional<std::string> non_empty(const Lookup& lookup, const std::string& name) {
  auto value = lookup(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

// The workers' reader and validator (fcgi/config/secret.h), so that the tool accepts exactly the tokens they accept
// and refuses the others with the same words. Run from a shell, the tool has no $CREDENTIALS_DIRECTORY: it then reads
// the credential where systemd reads it for the units (`credentials_dir`).
std::string read_auth_token(const Lookup& lookup, const std::string& credentials_dir) {
  const switchboard::config::EnvLookup with_credentials = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "CREDENTIALS_DIRECTORY") return non_empty(lookup, name).value_or(credentials_dir);
    return lookup(name);
  };
  try {
    return switchboard::config::twilio_auth_token(with_credentials);
  } catch (const switchboard::config::ConfigError& error) {
    throw SettingsError(error.what());
  }
}

// Basic auth must not cross the network in clear: plain http is only for a fake API on this machine.
std::string validated_api_base(std::string url) {
  static const std::regex https_url("https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s]*)?");
  static const std::regex loopback_url("http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?(/[^\\s]*)?");
  if (!std::regex_match(url, https_url) && !std::regex_match(url, loopback_url)) {
    throw SettingsError("SWITCHBOARD_TWILIO_API_BASE: '" + url +
                        "' must be https:// (plain http only on loopback, for a fake API)");
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Lookup layered(Lookup environment, std::map<std::string, std::string> file_variables) {
  return [environment = std::move(environment),
          file = std::move(file_variables)](const std::string& name) -> std::optional<std::string> {
    if (auto value = environment(name)) return value;
    if (auto it = file.find(name); it != file.end()) return it->second;
    return std::nullopt;
  };
}

bool is_e164(const std::string& number) {
  static const std::regex e164("\\+[1-9][0-9]{1,14}");
  return std::regex_match(number, e164);
}

std::string validated_base_url(const std::string& source, const std::string& url) {
  static const std::regex https_origin("https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?");
  if (!std::regex_match(url, https_origin)) {
    throw SettingsError(source + ": '" + url +
                        "' must be an https:// origin such as https://voice.example.com (Twilio refuses to sign "
                        "plain http, and the workers check signatures against this URL)");
  }
  std::string origin = url;
  while (origin.back() == '/') origin.pop_back();
  return origin;
}

ToolSettings ToolSettings::load(const Lookup& lookup, const std::optional<std::string>& base_url_flag,
                                const std::string& credentials_dir, bool need_base_url,
                                const std::optional<std::string>& fallback_base_url_flag) {
  ToolSettings settings;
  auto account = non_empty(lookup, "TWILIO_ACCOUNT_SID");
  if (!account) throw SettingsError("TWILIO_ACCOUNT_SID: not set");
  static const std::regex account_sid("AC[0-9a-fA-F]{32}");
  if (!std::regex_match(*account, account_sid)) {
    throw SettingsError("TWILIO_ACCOUNT_SID: '" + *account + "' is not AC followed by 32 hex digits");
  }
  settings.account_sid = *account;
  settings.api_base = validated_api_base(non_empty(lookup, "SWITCHBOARD_TWILIO_API_BASE").value_or(kDefaultApiBase));

  if (base_url_flag) {
    settings.public_base_url = validated_base_url("--base-url", *base_url_flag);
  } else if (auto url = non_empty(lookup, "SWITCHBOARD_PUBLIC_BASE_URL")) {
    settings.public_base_url = validated_base_url("SWITCHBOARD_PUBLIC_BASE_URL", *url);
  } else if (need_base_url) {
    throw SettingsError("SWITCHBOARD_PUBLIC_BASE_URL: not set (or pass --base-url https://…)");
  }
  if (fallback_base_url_flag) {
    settings.fallback_base_url = validated_base_url("--fallback-base-url", *fallback_base_url_flag);
  } else if (auto url = non_empty(lookup, "SWITCHBOARD_FALLBACK_BASE_URL")) {
    settings.fallback_base_url = validated_base_url("SWITCHBOARD_FALLBACK_BASE_URL", *url);
  }
  if (auto overrides = non_empty(lookup, "SWITCHBOARD_TWILIO_URL_OVERRIDES")) {
    try {
      settings.url_overrides =
          switchboard::config::validated_connection_overrides("SWITCHBOARD_TWILIO_URL_OVERRIDES", *overrides);
    } catch (const switchboard::config::ConfigError& error) {
      throw SettingsError(error.what());
    }
  }
  // Last: a wrong URL is reported even to someone who cannot read the token.
  settings.auth_token = read_auth_token(lookup, credentials_dir);
  return settings;
}

}  // namespace switchboard_twilio
