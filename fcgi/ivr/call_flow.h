// The call flow as pure functions: Twilio's request values + the settings + the routing document in force → the
// TwiML document to answer, plus what was decided (for the call log: the caller's choice, the numbers dialled, the
// routing rule that decided). Nothing here reads the database or a file, so a caller is routed even when the
// database is down; the routing document is an input like the request (routing/snapshot.h provides it).
//
// Which rule routes an incoming call, first match wins:
//   blocklist ─▶ <Reject> (never answered, not billed)
//   holiday   ─▶ its message, then voicemail
//   away      ─▶ the away message, then voicemail
//   closed    ─▶ the closed message, then voicemail (outside office hours)
//   otherwise ─▶ the menu
//
//   menu(attempt) ─ 1 ─▶ forward ─▶ dial-result ─ bridged ─▶ hang up
//        │          2 ─▶ voicemail ◀─── not bridged, no next target ┘
//        │ silence / other key: menu(attempt+1); after the last attempt the routing's default
//
// Forwarding rings the targets at once (one <Dial> with a <Number> each) or in order (a <Dial> per target, each
// action naming the next: dial-result?target=N), every <Number> screened when screening is on. The menu is a table
// (digit → step) with one explicit fallback; to add a menu option, add a row to kMenuOptions in call_flow.cc.
//
// Each step's fallback (what nginx answers when no worker can) is named in ivr/routes.h and built here.
#pragma once

#include <optional>
#include <string>

#include "config/settings.h"
#include "ivr/routes.h"
#include "routing/routing.h"

namespace switchboard::ivr {

// The routing rules a decision names (call_events.routing_rule; calls.routing_rule keeps the incoming call's).
namespace rule {
inline constexpr char kBlocklist[] = "blocklist";
inline constexpr char kHoliday[] = "holiday";      // detail: the date
inline constexpr char kAway[] = "away";
inline constexpr char kClosed[] = "office-hours";  // outside them
inline constexpr char kMenu[] = "menu";            // open: the caller hears the menu
inline constexpr char kMenuForward[] = "menu-forward";
inline constexpr char kMenuVoicemail[] = "menu-voicemail";
inline constexpr char kMenuRepeat[] = "menu-repeat";    // silence or a wrong key, another attempt
inline constexpr char kMenuDefault[] = "menu-default";  // detail: forward / voicemail, after the last attempt
inline constexpr char kTargetAccepted[] = "target-accepted";  // detail: the number that pressed 1
inline constexpr char kTargetDeclined[] = "target-declined";  // detail: the number that did not
inline constexpr char kTargetAnswered[] = "target-answered";  // the forward was bridged; detail: the number, if known
inline constexpr char kNextTarget[] = "next-target";          // sequential: detail: the number rung next
inline constexpr char kNoAnswer[] = "no-answer";              // nobody took the forward: voicemail
}  // namespace rule

struct Decision {
  std::string twiml;
  std::optional<std::string> menu_choice;   // "forward" / "voicemail" when the caller chose
  std::optional<std::string> forwarded_to;  // the number(s) dialled, when the answer is a <Dial>
  std::optional<std::string> rule;          // one of rule::, when a routing rule decided
  std::optional<std::string> rule_detail;
  bool text_back = false;                   // incoming call: text this caller if the call is missed
};

// A decision that is only its TwiML.
Decision answer(std::string twiml);

// Where the office's clock stands at the call: its local date (YYYY-MM-DD) and whether the hours say open.
struct OfficeClock {
  std::string date;
  bool open = true;
};

// POST /twilio/voice: the first rule that applies (see above).
Decision incoming_call(const config::Settings& settings, const routing::Routing& routing, const std::string& caller,
                       const OfficeClock& clock);

// POST /twilio/voice/menu?attempt=N: `digits` is empty when the Gather timed out (our <Redirect> after it).
Decision menu_choice(const config::Settings& settings, const routing::Routing& routing, const std::string& caller,
                     const std::string& digits, int attempt);

// POST /twilio/voice/screen (on the forwarded leg): "call for … from …, press 1 to accept".
std::string screen(const config::Settings& settings, const std::string& caller);

// POST /twilio/voice/screen-result: 1 bridges the call (empty document), anything else hangs up that leg.
// `target` is the number whose leg answered (Twilio's To on that leg).
Decision screen_result(const std::string& digits, const std::string& target);
bool screen_accepted(const std::string& digits);

// POST /twilio/voice/dial-result[?target=N]: connected → end; not connected → the next target when ringing in order
// (N is the 1-based target that just rang), otherwise the company voicemail.
Decision dial_result(const config::Settings& settings, const routing::Routing& routing, const std::string& caller,
                     bool bridged, std::optional<int> target);
// A declined screening leg reports an answered, completed child call: DialBridged tells the truth.
bool dial_bridged(const std::string& dial_call_status, const std::optional<std::string>& dial_bridged);

// POST /twilio/voice/voicemail-done: thank you, goodbye.
std::string voicemail_done(const config::Settings& settings);

// What a caller hears on a step when no worker can answer it: nginx's pool-down answer (rendered once at start into
// the nginx site, see server/nginx_fallbacks.h) and the worker's own safety net when handling a request failed.
// Only URLs nginx answers by itself appear in it (and the callbacks, which nginx keeps while the pool is down).
// nullopt for callbacks, which get 204.
// It follows the routing in force when rendered: every target rung at once (never in order: without a worker nobody
// can tell an unanswered target from an answered call that ended), the away message when away is on.
std::optional<std::string> fallback_twiml(const config::Settings& settings, const routing::Routing& routing,
                                          route::Fallback fallback);

// An empty <Response/>: what status callbacks get.
std::string empty_response();

// Digits of a phone number separated by spaces, so <Say> reads "4 1 5…" instead of "four billion…".
std::string spoken_number(const std::string& number);

// The menu attempt carried in our own URL ("attempt=2"), clamped to 1…max.
int parse_attempt(const std::optional<std::string>& value, int max_attempts);
// The sequential target carried in our own URL ("target=2"): 1…count, or nullopt when absent or out of range.
std::optional<int> parse_target(const std::optional<std::string>& value, int count);

}  // namespace switchboard::ivr
