// The configuration, read once at start from the environment (and systemd credentials / *_FILE secrets), validated,
// then immutable: handlers receive a const Settings& and never read the environment. A bad value stops start-up
// with a ConfigError naming the variable and the value (never a secret's; secrets are read by config/secret.h).
// To add a setting: a field here, a line in Settings::from_environment (or database_from_environment for the
// database), a row in the README's configuration table.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::config {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& variable, const std::string& problem)
      : std::runtime_error(variable + ": " + problem), variable_(variable) {}
  const std::string& variable() const { return variable_; }

 private:
  std::string variable_;
};

// Returns the value of an environment variable, or nullopt when unset. Injected so tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// One database server reached over TCP.
struct DatabaseEndpoint {
  std::string host;
  int port = 3306;
  bool operator==(const DatabaseEndpoint& other) const { return host == other.host && port == other.port; }
};

struct Database {
  std::string socket;  // unix socket path; when empty, the endpoints are used
  // SWITCHBOARD_DB_HOSTS (a cluster's nodes, tried in order), else the one SWITCHBOARD_DB_HOST:SWITCHBOARD_DB_PORT.
  std::vector<DatabaseEndpoint> endpoints;
  std::string user;
  std::string password;
  std::string name;
  int connect_timeout_s = 2;
  int read_timeout_s = 4;
  int write_timeout_s = 4;
};

// Opening hours per weekday, minutes since local midnight, [open, close). Index 0 = Monday.
struct WeeklyHours {
  struct Interval {
    int open_minute;
    int close_minute;
  };
  std::array<std::vector<Interval>, 7> days;
  bool always_open = true;

  // "Mon-Fri 09:00-18:00; Sat 10:00-12:30" (groups separated by ';', intervals within a group by ',').
  // Empty text means always open. Throws std::invalid_argument with the offending fragment.
  static WeeklyHours parse(const std::string& text);
};

enum class MenuDefault { kVoicemail, kForward };

struct Ivr {
  std::string company_name = "our office";
  std::string voice = "Polly.Joanna";
  std::string language = "en-US";
  std::string menu_prompt;        // default built from company_name
  std::string closed_prompt;
  std::string voicemail_prompt;
  std::string invalid_choice_prompt = "Sorry, that is not a valid choice.";
  std::string thanks_prompt = "Thank you for your message. Goodbye.";
  int menu_attempts = 3;          // how many times the menu is offered before the default applies
  int menu_timeout_s = 5;         // <Gather timeout>
  MenuDefault menu_default = MenuDefault::kVoicemail;
  int dial_timeout_s = 20;        // how long the forwarded phone rings
  bool screening = true;          // the answering phone must press 1 to take the call
  int voicemail_max_length_s = 120;
  bool transcribe = false;
  std::string office_hours_text;  // SWITCHBOARD_OFFICE_HOURS as given: the routing document keeps the text
  WeeklyHours office_hours;
  std::string time_zone = "UTC";
};

// Who hears about a new voicemail: an SMS through Twilio's Messages API and/or a signed JSON POST to a webhook.
struct Notifications {
  std::string sms_to;          // E.164; empty = no SMS
  std::string sms_from;        // the Twilio number the SMS comes from (E.164)
  std::string webhook_url;     // http(s) URL; empty = no webhook
  std::string webhook_secret;  // HMAC-SHA256 key for X-Switchboard-Signature
  int transcription_wait_s = 90;  // with transcription on, how long an SMS waits for the text before going without
  int delivery_timeout_s = 20;    // how long one SMS request or webhook POST may take, connecting included
  bool enabled() const { return !sms_to.empty() || !webhook_url.empty(); }
};

// How long a feed sign-in lasts: it ends after `idle_minutes` without a request, and `max_hours` after sign-in
// whatever happens (the page polls, so an open tab alone would keep an idle limit from ever applying).
// Reconciliation (reconcile/reconciler.h): calls whose final status, and voicemails whose recording status, never
// arrived are looked up in Twilio's REST API this long after their last event.
struct Reconcile {
  int after_s = 30 * 60;      // SWITCHBOARD_RECONCILE_AFTER (seconds); 0 switches reconciliation off
  int per_minute = 30;        // at most this many lookups a minute, whatever the backlog
  int horizon_days = 30;      // calls started longer ago than this are no longer looked up
  bool enabled() const { return after_s > 0; }
};

struct Sessions {
  int idle_minutes = 60;
  int max_hours = 12;
};

// What the daily purge (switchboard-admin purge, fcgi/retention/) removes. 0 days means for ever: nothing is deleted
// unless asked for. An unheard voicemail is never purged, neither its call nor its audio.
struct Retention {
  int calls_days = 0;             // calls older than this go, with their events and notifications
  int audio_days = 0;             // local voicemail audio older than this goes (the call stays, marked deleted)
  bool delete_at_twilio = false;  // delete Twilio's copy once the local one is verified (irreversible)
  int batch_size = 500;           // rows per transaction
  bool enabled() const { return calls_days > 0 || audio_days > 0 || delete_at_twilio; }
};

struct Settings {
  std::string public_base_url;    // https://host[:port] without a trailing slash; signatures are checked against it
  // The base of Twilio's VoiceFallbackUrl when it names a host directly (with two hosts behind a balancer, the
  // fallback is one of them): signatures are also checked against it. Empty = none.
  std::string fallback_base_url;
  // Twilio's connection overrides ("ct=1000&rc=2&rp=ct,rt"), added as a URL fragment to every URL our TwiML gives
  // Twilio (actions, redirects, recording callbacks): how Twilio retries a request to them. Empty = Twilio's defaults.
  std::string twilio_url_overrides;
  std::string account_sid;
  std::string auth_token;
  std::string forward_to;         // E.164
  std::string twilio_api_base = "https://api.twilio.com";
  std::string state_dir = "/var/lib/switchboard";  // spool and cached recordings live below it
  // Requests nginx keeps while no worker answers, and their dead letters, together at most this much: past it nginx
  // still answers callers but keeps no more, so the kept requests can never fill the disk the event spool needs.
  std::uint64_t kept_requests_max_bytes = 256ULL << 20;
  Database database;
  Ivr ivr;
  Notifications notifications;
  Reconcile reconcile;
  Sessions sessions;
  Retention retention;

  static Settings from_environment(const EnvLookup& env);

  // The voicemail audio cache: the workers and switchboard-notify both fill it, nginx serves it.
  std::string recordings_dir() const { return state_dir + "/recordings"; }
};

// SWITCHBOARD_DB_* alone: what switchboard-migrate needs, so it starts without the Twilio settings and credentials.
// Settings::from_environment reads the database through it too.
Database database_from_environment(const EnvLookup& env);

// +[1-9] followed by 1–14 digits.
bool is_e164(const std::string& number);

// Twilio's connection overrides ("ct=1000&rc=2&rp=ct,rt", a leading '#' dropped) checked key by key against
// Twilio's ranges; throws ConfigError naming `variable`. Shared by the workers and switchboard-twilio.
std::string validated_connection_overrides(const std::string& variable, std::string text);

// "UTC" or an IANA name the system's zoneinfo knows ("Europe/Paris").
bool is_known_time_zone(const std::string& name);

}  // namespace switchboard::config
