// See args.h.
#include "cli/args.h"

#include <cstdlib>
#include <functional>
#include <map>
#include <utility>

#include "callsim/session.h"
#include "callsim/twiml.h"

namespace callsim::cli {

const char* const kUsage =
    "usage: callsim --base-url URL [--signing-base-url URL] [--account-sid AC...] [--auth-token T]\n"
    "               [--insecure] [--cacert FILE] [--from +1...] [--caller-name NAME]\n"
    "               [--city X --state Y --country Z] [--press DIGITS|''|hangup ...]\n"
    "               [--dial answered|declined|voicemail|no-answer|busy|failed|canceled]\n"
    "               [--dial-number +1...=OUTCOME ...]\n"
    "               [--talk SECONDS] [--record SECONDS] [--hangup-in-record]\n"
    "               [--duplicate-callbacks] [--reorder-callbacks]\n"
    "               [--calls N --concurrency C] [--json] [--quiet]\n"
    "Plays one inbound Twilio call against the server (or N calls in burst mode) and reports what Twilio\n"
    "would have seen. The auth token and account SID default to $TWILIO_AUTH_TOKEN / $TWILIO_ACCOUNT_SID.\n"
    "--dial is how every dialled phone answers; --dial-number overrides it for one number (repeat it for\n"
    "several phones ringing at once or one after the other).\n"
    "Exit status: 0 if no call found an error, 1 otherwise, 2 on a usage error.\n";

namespace {

bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

bool parse_int(const std::string& flag, const std::string& text, int min, int& out, std::string& error) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > 1000000) {
    return fail(error, flag + ": '" + text + "' is not a whole number >= " + std::to_string(min));
  }
  out = static_cast<int>(value);
  return true;
}

// "+15551230001=no-answer" into the scenario; the number must be E.164 to ever match a <Number> Twilio dials.
bool parse_dial_number(const std::string& text, Scenario& scenario, std::string& error) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos) return fail(error, "--dial-number: '" + text + "' is not NUMBER=OUTCOME");
  const std::string number = text.substr(0, equals), outcome = text.substr(equals + 1);
  if (!is_e164(number)) return fail(error, "--dial-number: '" + number + "' is not an E.164 number");
  if (!is_dial_outcome(outcome)) return fail(error, "--dial-number: unknown outcome '" + outcome + "'");
  scenario.dial_by_number[number] = outcome;
  return true;
}

std::string from_env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

bool parse_args(int argc, char** argv, Args& args, std::string& error) {
  Options& o = args.options;
  Scenario& s = args.scenario;
  o.account_sid = from_env("TWILIO_ACCOUNT_SID");
  o.auth_token = from_env("TWILIO_AUTH_TOKEN");

  using Setter = std::function<bool(const std::string&)>;
  auto text = [](std::string& field) {
    return Setter([&field](const std::string& value) {
      field = value;
      return true;
    });
  };
  auto number = [&error](const char* flag, int min, int& field) {
    return Setter([flag, min, &field, &error](const std::string& v) { return parse_int(flag, v, min, field, error); });
  };
  const std::map<std::string, Setter> with_value = {
      {"--base-url", text(o.base_url)},
      {"--signing-base-url", text(o.signing_base_url)},
      {"--account-sid", text(o.account_sid)},
      {"--auth-token", text(o.auth_token)},
      {"--cacert", text(o.ca_file)},
      {"--from", text(s.from)},
      {"--caller-name", text(s.caller_name)},
      {"--city", text(s.from_city)},
      {"--state", text(s.from_state)},
      {"--country", text(s.from_country)},
      {"--press",
       [&s](const std::string& value) {
         s.presses.push_back(value);
         return true;
       }},
      {"--dial", text(s.dial)},
      {"--dial-number", [&s, &error](const std::string& value) { return parse_dial_number(value, s, error); }},
      {"--talk", number("--talk", 0, s.talk_seconds)},
      {"--record", number("--record", 0, s.record_seconds)},
      {"--calls", number("--calls", 1, args.calls)},
      {"--concurrency", number("--concurrency", 1, args.concurrency)},
  };
  const std::map<std::string, bool*> switches = {
      {"--insecure", &o.insecure_tls},          {"--hangup-in-record", &s.hangup_during_record},
      {"--duplicate-callbacks", &s.duplicate_callbacks}, {"--reorder-callbacks", &s.reorder_callbacks},
      {"--json", &args.json},                   {"--quiet", &args.quiet},
      {"--help", &args.help}};

  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (const auto it = switches.find(flag); it != switches.end()) {
      *it->second = true;
    } else if (const auto setter = with_value.find(flag); setter != with_value.end()) {
      if (i + 1 >= argc) return fail(error, flag + " needs a value");
      if (!setter->second(argv[++i])) return false;
    } else {
      return fail(error, "unknown argument '" + flag + "'");
    }
  }
  if (args.help) return true;
  if (o.base_url.empty()) return fail(error, "--base-url is required");
  if (o.auth_token.empty()) return fail(error, "no auth token: pass --auth-token or set TWILIO_AUTH_TOKEN");
  if (!is_dial_outcome(s.dial)) return fail(error, "--dial: unknown outcome '" + s.dial + "'");
  if (o.account_sid.empty()) o.account_sid = Session::new_sid("AC");  // any well-formed SID will do locally
  return true;
}

}  // namespace callsim::cli
