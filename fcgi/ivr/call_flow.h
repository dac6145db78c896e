// The call flow as pure functions: Twilio's request values + the settings → the TwiML document to answer, plus what
// the caller decided (for the call log). Nothing here reads the database, so a caller is routed even when it is down.
// The menu is a table (digit → step) with one explicit fallback; to add a menu option, add a row to kMenuOptions in
// call_flow.cc and a branch in choose().
//
//   /twilio/voice ─ closed ──────────────────────────────▶ voicemail
//        │ open
//        ▼
//   menu(attempt) ─ 1 ─▶ <Dial> (screened) ─▶ dial-result ─ bridged ─▶ hang up
//        │          2 ─▶ voicemail ◀──────────────── not bridged ┘
//        │ silence / other key: menu(attempt+1), after the last attempt the configured default
//
// Each step's fallback (what nginx answers when no worker can) is named in ivr/routes.h and built here.
#pragma once

#include <optional>
#include <string>

#include "config/settings.h"
#include "ivr/routes.h"

namespace switchboard::ivr {

struct Decision {
  std::string twiml;
  std::optional<std::string> menu_choice;   // "forward" / "voicemail" when the caller chose
  std::optional<std::string> forwarded_to;  // the number dialled, when the answer is a <Dial>
};

// POST /twilio/voice: the menu (first attempt), or straight to voicemail outside office hours.
Decision incoming_call(const config::Settings& settings, const std::string& caller, bool office_open);

// POST /twilio/voice/menu?attempt=N: `digits` is empty when the Gather timed out (our <Redirect> after it).
Decision menu_choice(const config::Settings& settings, const std::string& caller, const std::string& digits,
                     int attempt);

// POST /twilio/voice/screen (on the forwarded leg): "call for … from …, press 1 to accept".
std::string screen(const config::Settings& settings, const std::string& caller);

// POST /twilio/voice/screen-result: 1 bridges the call (empty document), anything else hangs up that leg.
std::string screen_result(const std::string& digits);
bool screen_accepted(const std::string& digits);

// POST /twilio/voice/dial-result: connected → end; otherwise the company voicemail.
std::string dial_result(const config::Settings& settings, bool bridged);
// A declined screening leg reports an answered, completed child call: DialBridged tells the truth.
bool dial_bridged(const std::string& dial_call_status, const std::optional<std::string>& dial_bridged);

// POST /twilio/voice/voicemail-done: thank you, goodbye.
std::string voicemail_done(const config::Settings& settings);

// What a caller hears on a step when no worker can answer it: nginx's pool-down answer (rendered once at start into
// the nginx site, see server/nginx_fallbacks.h) and the worker's own safety net when handling a request failed.
// Only URLs nginx answers by itself appear in it (and the callbacks, which nginx keeps while the pool is down).
// nullopt for callbacks, which get 204.
std::optional<std::string> fallback_twiml(const config::Settings& settings, route::Fallback fallback);

// An empty <Response/>: what status callbacks get.
std::string empty_response();

// Digits of a phone number separated by spaces, so <Say> reads "4 1 5…" instead of "four billion…".
std::string spoken_number(const std::string& number);

// The menu attempt carried in our own URL ("attempt=2"), clamped to 1…max.
int parse_attempt(const std::optional<std::string>& value, int max_attempts);

}  // namespace switchboard::ivr
