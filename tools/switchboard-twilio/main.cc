// switchboard-twilio: points a Twilio phone number at a Switchboard server through Twilio's REST API, or shows
// where it points now. Run it on the server as root: it reads the workers' environment file and credential.
//
//   switchboard-twilio configure --number +14155550100 [--base-url https://voice.example.com]
//                                [--fallback-base-url https://voice-b.example.com] [--caller-name-lookup on|off]
//   switchboard-twilio show --number +14155550100
//
// configure sets VoiceUrl to BASE/twilio/voice, VoiceFallbackUrl to FALLBACK/twilio/voice (FALLBACK = BASE unless a
// second host is named) and StatusCallback to BASE/twilio/call-status (with the connection overrides, if any),
// all POST, VoiceReceiveMode=voice and ApiVersion=2010-04-01 (the calls' webhooks as Switchboard reads them), and
// VoiceCallerIdLookup only when asked (Twilio bills each lookup), then reads the number back. Another command: its name in parse_arguments(), a branch in run(), a line
// in kUsage.
#include <curl/curl.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "env_file.h"
#include "phone_numbers.h"
#include "rest_client.h"
#include "tool_settings.h"

namespace switchboard_twilio {
namespace {

constexpr char kDefaultEnvFile[] = "/etc/switchboard/switchboard.env";
constexpr char kDefaultCredentialsDir[] = "/etc/switchboard/credentials";

constexpr char kUsage[] =
    "usage: switchboard-twilio [--env-file FILE] [--credentials-dir DIR] COMMAND --number +E164 [--base-url URL]\n"
    "\n"
    "  configure  point the number at the server: VoiceUrl = BASE/twilio/voice, VoiceFallbackUrl =\n"
    "             FALLBACK/twilio/voice, StatusCallback = BASE/twilio/call-status, all POST (nginx answers the\n"
    "             fallback URL with routing TwiML when the worker pool is down); VoiceReceiveMode = voice (fax\n"
    "             mode ignores the voice URLs), ApiVersion = 2010-04-01 (the webhook parameters Switchboard reads)\n"
    "    --fallback-base-url URL\n"
    "             FALLBACK, with two hosts: one host directly (BASE being their balancer), so that a caller whose\n"
    "             request failed is answered by another machine; default SWITCHBOARD_FALLBACK_BASE_URL, else BASE\n"
    "    --caller-name-lookup on|off\n"
    "             VoiceCallerIdLookup: Twilio looks up each caller's name and sends it (CallerName, shown in\n"
    "             the feed). Twilio bills every lookup, so it is off unless turned on; without the flag the\n"
    "             number's current setting is kept\n"
    "  show       print the number's voice configuration and whether it points at BASE\n"
    "\n"
    "Settings, as for the workers: the environment first, then the env file\n"
    "(default /etc/switchboard/switchboard.env, when readable):\n"
    "  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE, or the credential twilio-auth-token in\n"
    "  $CREDENTIALS_DIRECTORY, else in --credentials-dir, default /etc/switchboard/credentials),\n"
    "  SWITCHBOARD_PUBLIC_BASE_URL (BASE; --base-url overrides it; https:// only),\n"
    "  SWITCHBOARD_TWILIO_API_BASE (default https://api.twilio.com),\n"
    "  SWITCHBOARD_TWILIO_URL_OVERRIDES (Twilio's connection overrides, e.g. ct=1000&rc=2&rp=ct,rt, added to\n"
    "  VoiceUrl and StatusCallback as a fragment)\n"
    "Exit status: 0 done, 1 Twilio refused or could not be reached, 2 bad usage or settings.\n";

struct Arguments {
  std::string command;
  std::string number;
  std::optional<std::string> base_url;
  std::optional<std::string> fallback_base_url;  // configure only
  std::optional<bool> caller_name_lookup;  // configure only; nullopt: leave the number's setting as it is
  std::optional<std::string> env_file;
  std::string credentials_dir = kDefaultCredentialsDir;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Arguments parse_arguments(int argc, char** argv) {
  Arguments arguments;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--number") {
      arguments.number = value();
    } else if (arg == "--base-url") {
      arguments.base_url = value();
    } else if (arg == "--fallback-base-url") {
      arguments.fallback_base_url = value();
    } else if (arg == "--caller-name-lookup") {
      const std::string choice = value();
      if (choice != "on" && choice != "off") {
        throw UsageError("--caller-name-lookup takes on or off, not '" + choice + "'");
      }
      arguments.caller_name_lookup = choice == "on";
    } else if (arg == "--env-file") {
      arguments.env_file = value();
    } else if (arg == "--credentials-dir") {
      arguments.credentials_dir = value();
    } else if (arg == "-h" || arg == "--help") {
      arguments.command = "help";
    } else if (arguments.command.empty() && arg.rfind('-', 0) != 0) {
      arguments.command = arg;
    } else {
      throw UsageError("unexpected argument '" + arg + "'");
    }
  }
  if (arguments.command == "help") return arguments;
  if (arguments.command != "configure" && arguments.command != "show") {
    throw UsageError(arguments.command.empty() ? "no command" : "unknown command '" + arguments.command + "'");
  }
  if (arguments.caller_name_lookup && arguments.command != "configure") {
    throw UsageError("--caller-name-lookup goes with configure");
  }
  if (arguments.fallback_base_url && arguments.command != "configure") {
    throw UsageError("--fallback-base-url goes with configure");
  }
  if (arguments.number.empty()) throw UsageError("--number is required");
  if (!is_e164(arguments.number)) {
    throw UsageError("--number '" + arguments.number + "' is not an E.164 number like +14155550100");
  }
  return arguments;
}

// An explicit --env-file must be readable; the default one is used when it is (it is root's, like the credentials).
Lookup settings_lookup(const Arguments& arguments) {
  std::map<std::string, std::string> file;
  if (arguments.env_file) {
    file = read_env_file(*arguments.env_file);
  } else {
    try {
      file = read_env_file(kDefaultEnvFile);
    } catch (const EnvFileError&) {
      // Not there or not ours: the environment must then hold everything, and says so if it does not.
    }
  }
  return layered(process_environment(), std::move(file));
}

std::string or_none(const std::string& value) {
  return value.empty() ? "(none)" : value;
}

void print(const PhoneNumber& number) {
  std::cout << number.phone_number << "  " << number.sid << "  \"" << number.friendly_name << "\"\n"
            << "  VoiceUrl              " << number.voice_method << " " << or_none(number.voice_url) << "\n"
            << "  VoiceFallbackUrl      " << number.voice_fallback_method << " " << or_none(number.voice_fallback_url)
            << "\n"
            << "  StatusCallback        " << number.status_callback_method << " " << or_none(number.status_callback)
            << "\n"
            << "  VoiceApplicationSid   " << or_none(number.voice_application_sid) << "\n"
            << "  TrunkSid              " << or_none(number.trunk_sid) << "\n"
            << "  VoiceReceiveMode      " << or_none(number.voice_receive_mode) << "\n"
            << "  ApiVersion            " << or_none(number.api_version) << "\n"
            << "  VoiceCallerIdLookup   "
            << (number.voice_caller_id_lookup ? "on (caller names in the feed; Twilio bills each lookup)" : "off")
            << "\n";
}

// What configure changes besides the URLs, said before it does: each of these silently defeats or bills the setup.
void announce_changes(const PhoneNumber& current, const VoiceConfiguration& wanted) {
  if (current.voice_receive_mode != VoiceConfiguration::kReceiveMode) {
    std::cout << "Setting VoiceReceiveMode to voice (was " << or_none(current.voice_receive_mode)
              << "; a number in fax mode ignores its voice URLs).\n";
  }
  if (current.api_version != VoiceConfiguration::kApiVersion) {
    std::cout << "Setting ApiVersion to " << VoiceConfiguration::kApiVersion << " (was "
              << or_none(current.api_version) << "; Switchboard reads that version's webhook parameters).\n";
  }
  if (wanted.caller_name_lookup && *wanted.caller_name_lookup != current.voice_caller_id_lookup) {
    std::cout << (*wanted.caller_name_lookup
                      ? "Turning caller-name lookup on: Twilio bills every lookup, one per incoming call.\n"
                      : "Turning caller-name lookup off.\n");
  }
}

int show(PhoneNumbers& numbers, const Arguments& arguments, const ToolSettings& settings) {
  const PhoneNumber number = numbers.find(arguments.number);
  print(number);
  if (settings.public_base_url.empty()) return 0;
  // The lookup is a choice, not part of pointing the number: show does not count it as a difference.
  const auto differences =
      VoiceConfiguration::for_server(settings.public_base_url, std::nullopt, settings.fallback_base_url,
                                     settings.url_overrides)
          .differences(number);
  if (differences.empty()) {
    std::cout << "Points at " << settings.public_base_url << ".\n";
  } else {
    std::cout << "Does not point at " << settings.public_base_url << " (run switchboard-twilio configure):\n";
    for (const std::string& difference : differences) std::cout << "  " << difference << "\n";
  }
  return 0;
}

int configure(PhoneNumbers& numbers, const Arguments& arguments, const ToolSettings& settings) {
  const PhoneNumber current = numbers.find(arguments.number);
  if (!current.trunk_sid.empty()) {
    std::cerr << "switchboard-twilio: " << current.phone_number << " belongs to the SIP trunk " << current.trunk_sid
              << ", which overrides its voice URLs; remove it from the trunk in Twilio's console first.\n";
    return 1;
  }
  const VoiceConfiguration wanted = VoiceConfiguration::for_server(
      settings.public_base_url, arguments.caller_name_lookup, settings.fallback_base_url, settings.url_overrides);
  announce_changes(current, wanted);
  if (!current.voice_application_sid.empty()) {
    std::cout << "Detaching the TwiML app " << current.voice_application_sid
              << " from the number (Twilio ignores voice URLs while one is set).\n";
  }
  const PhoneNumber updated = numbers.update(current.sid, wanted.form(current));
  print(updated);
  const auto differences = wanted.differences(updated);
  if (!differences.empty()) {
    std::cerr << "switchboard-twilio: Twilio accepted the update but reports:\n";
    for (const std::string& difference : differences) std::cerr << "  " << difference << "\n";
    return 1;
  }
  std::cout << "Configured: calls to " << updated.phone_number << " now reach " << settings.public_base_url;
  if (!settings.fallback_base_url.empty() && settings.fallback_base_url != settings.public_base_url) {
    std::cout << ", and " << settings.fallback_base_url << " when a request there fails";
  }
  std::cout << ".\n";
  return 0;
}

int run(int argc, char** argv) {
  Arguments arguments;
  ToolSettings settings;
  try {
    arguments = parse_arguments(argc, argv);
    if (arguments.command == "help") {
      std::cout << kUsage;
      return 0;
    }
    settings = ToolSettings::load(settings_lookup(arguments), arguments.base_url, arguments.credentials_dir,
                                  arguments.command == "configure", arguments.fallback_base_url);
  } catch (const UsageError& error) {
    std::cerr << "switchboard-twilio: " << error.what() << "\n\n" << kUsage;
    return 2;
  } catch (const std::exception& error) {  // SettingsError, EnvFileError
    std::cerr << "switchboard-twilio: " << error.what() << "\n";
    return 2;
  }
  try {
    RestClient client(settings.api_base, settings.account_sid, settings.auth_token);
    PhoneNumbers numbers(client, settings.account_sid);
    return arguments.command == "configure" ? configure(numbers, arguments, settings)
                                            : show(numbers, arguments, settings);
  } catch (const std::exception& error) {  // ApiError, TransportError
    std::cerr << "switchboard-twilio: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace
}  // namespace switchboard_twilio

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int status = switchboard_twilio::run(argc, argv);
  curl_global_cleanup();
  return status;
}
