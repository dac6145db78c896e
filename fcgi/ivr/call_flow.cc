// TwiML for each step of the call. Only this file and twiml/ know TwiML's verbs and attributes.
#include "ivr/call_flow.h"

#include <cctype>

#include "ivr/routes.h"
#include "twiml/document.h"

namespace switchboard::ivr {

namespace {

using config::Settings;
using routing::Routing;
using twiml::Document;
using twiml::Element;

enum class Step { kForward, kVoicemail };

struct MenuOption {
  const char* digit;
  Step step;
  const char* choice;  // as logged in calls.menu_choice
  const char* rule;
};

constexpr MenuOption kMenuOptions[] = {
    {"1", Step::kForward, "forward", rule::kMenuForward},
    {"2", Step::kVoicemail, "voicemail", rule::kMenuVoicemail},
};

Element& say(Element& parent, const Settings& settings, const std::string& text) {
  return parent.child("Say").attr("voice", settings.ivr.voice).attr("language", settings.ivr.language).text(text);
}

void say(Document& document, const Settings& settings, const std::string& text) {
  document.verb("Say").attr("voice", settings.ivr.voice).attr("language", settings.ivr.language).text(text);
}

// A URL of ours that Twilio requests next, with the connection overrides when configured: a fragment, which Twilio
// reads and neither sends nor signs.
template <typename Path>
std::string twilio_url(const Settings& settings, const Path& path, const std::string& query = "") {
  std::string url = route::url(settings.public_base_url, path, query);
  if (!settings.twilio_url_overrides.empty()) url += "#" + settings.twilio_url_overrides;
  return url;
}

std::string attempt_query(int attempt) { return "attempt=" + std::to_string(attempt); }

void add_menu(Document& document, const Settings& settings, const Routing& routing, int attempt) {
  Element& gather = document.verb("Gather")
                        .attr("input", "dtmf")
                        .attr("numDigits", "1")
                        .attr("timeout", std::to_string(settings.ivr.menu_timeout_s))
                        .attr("action", twilio_url(settings, route::kMenu, attempt_query(attempt)))
                        .attr("method", "POST");
  say(gather, settings, routing.menu.prompt);
  // Reached only when the caller pressed nothing: the menu handler sees no Digits and moves to the next attempt.
  document.verb("Redirect")
      .attr("method", "POST")
      .text(twilio_url(settings, route::kMenu, attempt_query(attempt)));
}

// The prompt, the <Record> verb (`done` is its action), and what follows when nothing was recorded.
void add_voicemail(Document& document, const Settings& settings, const Routing& routing, const route::Step& done,
                   const std::string& prompt) {
  say(document, settings, prompt);
  Element& record = document.verb("Record")
      .attr("action", twilio_url(settings, done))
      .attr("method", "POST")
      .attr("maxLength", std::to_string(routing.voicemail.max_seconds))
      .attr("timeout", "5")
      .attr("playBeep", "true")
      .attr("trim", "trim-silence")
      .attr("recordingStatusCallback", twilio_url(settings, route::kRecordingStatus))
      .attr("recordingStatusCallbackMethod", "POST")
      .attr("recordingStatusCallbackEvent", "completed absent");
  if (routing.voicemail.transcribe) {
    record.attr("transcribe", "true")
        .attr("transcribeCallback", twilio_url(settings, route::kTranscription));
  }
  // Twilio continues here only when nothing at all was recorded.
  say(document, settings, "We did not receive a message. Goodbye.");
  document.verb("Hangup");
}

void add_voicemail(Document& document, const Settings& settings, const Routing& routing) {
  add_voicemail(document, settings, routing, route::kVoicemailDone, routing.voicemail.prompt);
}

// The screening question on the forwarded phone's leg; its <Gather> action is `result`.
void add_screen(Document& document, const Settings& settings, const route::Step& result, const std::string& question) {
  Element& gather = document.verb("Gather")
                        .attr("input", "dtmf")
                        .attr("numDigits", "1")
                        .attr("timeout", "8")
                        .attr("action", twilio_url(settings, result))
                        .attr("method", "POST");
  say(gather, settings, question);
  // No key: a person did not answer (typically the phone's own voicemail did). Hanging up this leg ends the
  // <Dial> unbridged, and the caller goes to the company voicemail instead of someone's private mailbox.
  document.verb("Hangup");
}

// One <Number> per target, each screened on its own leg (`screen` is the step its url names).
void add_numbers(Element& dial, const Settings& settings, const Routing& routing,
                 const std::vector<std::string>& targets, const route::Step& screen) {
  for (const std::string& target : targets) {
    Element& number = dial.child("Number").text(target);
    if (routing.forward.screening) {
      number.attr("url", twilio_url(settings, screen)).attr("method", "POST");
    }
  }
}

std::string joined(const std::vector<std::string>& numbers) {
  std::string text;
  for (const std::string& number : numbers) text += (text.empty() ? "" : ",") + number;
  return text;
}

// The <Dial> of a forward: all targets at once, or target `index` (0-based) alone when ringing in order, its
// action naming it so dial-result knows which one to try next. Returns what was dialled.
std::string add_forward(Document& document, const Settings& settings, const Routing& routing,
                        const std::string& caller, size_t index) {
  const bool in_order = routing.forward.strategy == routing::Strategy::kSequential;
  const std::string query = in_order ? "target=" + std::to_string(index + 1) : "";
  Element& dial = document.verb("Dial")
                      .attr("action", twilio_url(settings, route::kDialResult, query))
                      .attr("method", "POST")
                      .attr("timeout", std::to_string(routing.forward.ring_seconds))
                      .attr("answerOnBridge", "true");
  // Show the real caller on the personal phone when we know a number; otherwise Twilio's default applies.
  if (config::is_e164(caller)) dial.attr("callerId", caller);
  const std::vector<std::string> targets =
      in_order ? std::vector<std::string>{routing.forward.targets.at(index)} : routing.forward.targets;
  add_numbers(dial, settings, routing, targets, route::kScreen);
  return joined(targets);
}

Decision take(Step step, const Settings& settings, const Routing& routing, const std::string& caller,
              Document& document) {
  Decision decision;
  if (step == Step::kForward) {
    decision.forwarded_to = add_forward(document, settings, routing, caller, 0);
  } else {
    add_voicemail(document, settings, routing);
  }
  decision.twiml = document.str();
  return decision;
}

Decision with_rule(Decision decision, const char* name, std::optional<std::string> detail = std::nullopt) {
  decision.rule = name;
  decision.rule_detail = std::move(detail);
  return decision;
}

// After the last attempt without a valid key, the routing's default; the caller chose nothing.
Decision menu_or_default(const Settings& settings, const Routing& routing, const std::string& caller,
                         Document& document, int next_attempt) {
  if (next_attempt <= routing.menu.attempts) {
    add_menu(document, settings, routing, next_attempt);
    return with_rule(answer(document.str()), rule::kMenuRepeat, std::to_string(next_attempt));
  }
  const bool forward = routing.menu.default_step == config::MenuDefault::kForward;
  return with_rule(take(forward ? Step::kForward : Step::kVoicemail, settings, routing, caller, document),
                   rule::kMenuDefault, forward ? "forward" : "voicemail");
}

// A message, then the voicemail: holidays, away, closed.
Decision message_then_voicemail(const Settings& settings, const Routing& routing, const std::string& caller,
                                const std::string& message, const char* name,
                                std::optional<std::string> detail = std::nullopt) {
  Document document;
  say(document, settings, message);
  return with_rule(take(Step::kVoicemail, settings, routing, caller, document), name, std::move(detail));
}

}  // namespace

Decision answer(std::string twiml) {
  Decision decision;
  decision.twiml = std::move(twiml);
  return decision;
}

Decision incoming_call(const Settings& settings, const Routing& routing, const std::string& caller,
                       const OfficeClock& clock) {
  if (routing::blocked(routing, caller)) {
    // First verb: Twilio never answers the call, so it is not billed and the caller hears their network's tone.
    Document document;
    document.verb("Reject").attr("reason", "rejected");
    return with_rule(answer(document.str()), rule::kBlocklist);
  }
  Decision decision;
  if (const routing::Holiday* holiday = routing::holiday_on(routing, clock.date)) {
    decision = message_then_voicemail(settings, routing, caller, holiday->message, rule::kHoliday, holiday->date);
  } else if (routing.away.enabled) {
    decision = message_then_voicemail(settings, routing, caller, routing.away.message, rule::kAway);
  } else if (!clock.open) {
    decision = message_then_voicemail(settings, routing, caller, routing.office_hours.closed_message, rule::kClosed);
  } else {
    Document document;
    add_menu(document, settings, routing, 1);
    decision = with_rule(answer(document.str()), rule::kMenu);
  }
  // Only a number that can receive a text: a withheld caller has none to answer.
  decision.text_back = routing.text_back.enabled && config::is_e164(caller);
  return decision;
}

Decision menu_choice(const Settings& settings, const Routing& routing, const std::string& caller,
                     const std::string& digits, int attempt) {
  Document document;
  for (const MenuOption& option : kMenuOptions) {
    if (digits != option.digit) continue;
    Decision decision = with_rule(take(option.step, settings, routing, caller, document), option.rule);
    decision.menu_choice = option.choice;
    return decision;
  }
  if (!digits.empty()) say(document, settings, settings.ivr.invalid_choice_prompt);
  return menu_or_default(settings, routing, caller, document, attempt + 1);
}

std::string screen(const Settings& settings, const std::string& caller) {
  Document document;
  const std::string who = config::is_e164(caller) ? spoken_number(caller) : std::string("an unknown number");
  add_screen(document, settings, route::kScreenResult,
             "Call for " + settings.ivr.company_name + " from " + who + ". Press 1 to accept.");
  return document.str();
}

bool screen_accepted(const std::string& digits) { return digits == "1"; }

Decision screen_result(const std::string& digits, const std::string& target) {
  Document document;
  const bool accepted = screen_accepted(digits);
  if (!accepted) document.verb("Hangup");
  const std::optional<std::string> number = config::is_e164(target) ? std::optional<std::string>(target) : std::nullopt;
  return with_rule(answer(document.str()), accepted ? rule::kTargetAccepted : rule::kTargetDeclined, number);
}

bool dial_bridged(const std::string& dial_call_status, const std::optional<std::string>& bridged) {
  if (bridged) return *bridged == "true";
  return dial_call_status == "completed" || dial_call_status == "answered";
}

Decision dial_result(const Settings& settings, const Routing& routing, const std::string& caller, bool bridged,
                     std::optional<int> target) {
  Document document;
  const auto& targets = routing.forward.targets;
  // The number that just rang, when ringing in order and the routing still lists it there.
  const std::optional<std::string> rang =
      target && *target >= 1 && static_cast<size_t>(*target) <= targets.size()
          ? std::optional<std::string>(targets[static_cast<size_t>(*target) - 1])
                                                               : std::nullopt;
  if (bridged) {
    document.verb("Hangup");
    return with_rule(answer(document.str()), rule::kTargetAnswered, rang);
  }
  const bool in_order = routing.forward.strategy == routing::Strategy::kSequential;
  if (in_order && target && *target >= 1 && static_cast<size_t>(*target) < targets.size()) {
    Decision decision;
    decision.forwarded_to = add_forward(document, settings, routing, caller, static_cast<size_t>(*target));
    decision.twiml = document.str();
    return with_rule(std::move(decision), rule::kNextTarget, targets[static_cast<size_t>(*target)]);
  }
  say(document, settings, "Sorry, nobody is available to take your call.");
  add_voicemail(document, settings, routing);
  return with_rule(answer(document.str()), rule::kNoAnswer);
}

std::string voicemail_done(const Settings& settings) {
  Document document;
  say(document, settings, settings.ivr.thanks_prompt);
  document.verb("Hangup");
  return document.str();
}

std::optional<std::string> fallback_twiml(const Settings& settings, const Routing& routing, route::Fallback fallback) {
  using route::Fallback;
  Document document;
  switch (fallback) {
    case Fallback::kForwardThenVoicemail:
      if (routing.away.enabled) {
        say(document, settings, routing.away.message);
      } else {
        say(document, settings,
            "Thank you for calling " + settings.ivr.company_name + ". Please hold while we connect you.");
        // No action: Twilio goes on with the next verb whatever the outcome, so the document continues with the
        // voicemail; every target at once, screened by nginx's own screening step.
        Element& dial = document.verb("Dial")
                            .attr("timeout", std::to_string(routing.forward.ring_seconds))
                            .attr("answerOnBridge", "true");
        add_numbers(dial, settings, routing, routing.forward.targets, route::kFallbackScreen);
      }
      add_voicemail(document, settings, routing, route::kFallbackVoicemailDone, routing.voicemail.prompt);
      break;
    case Fallback::kScreenAnyKey:
      // nginx cannot read which key was pressed, so any key accepts: a key press means a person, not a mailbox.
      add_screen(document, settings, route::kFallbackScreenResult,
                 "Call for " + settings.ivr.company_name + ". Press any key to accept.");
      break;
    case Fallback::kBridge:
      break;  // an empty document ends this leg's TwiML: the legs are bridged
    case Fallback::kVoicemailNoRedial:
      // Also reached after a forward that was answered and then hung up by the callee (nginx cannot tell), so the
      // prompt offers the voicemail instead of claiming nobody answered. Never a second <Dial>.
      add_voicemail(document, settings, routing, route::kFallbackVoicemailDone,
                    "If you would like to leave a message, please speak after the beep.");
      break;
    case Fallback::kThanksGoodbye:
      say(document, settings, settings.ivr.thanks_prompt);
      document.verb("Hangup");
      break;
    case Fallback::kAcknowledge:
      return std::nullopt;
  }
  return document.str();
}

std::string empty_response() { return Document().str(); }

std::string spoken_number(const std::string& number) {
  std::string spoken;
  for (char c : number) {
    if (!std::isdigit(static_cast<unsigned char>(c))) continue;
    if (!spoken.empty()) spoken += ' ';
    spoken += c;
  }
  return spoken;
}

std::optional<int> parse_target(const std::optional<std::string>& value, int count) {
  if (!value || value->empty() || value->size() > 2) return std::nullopt;
  for (char c : *value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  const int target = std::stoi(*value);
  if (target < 1 || target > count) return std::nullopt;
  return target;
}

int parse_attempt(const std::optional<std::string>& value, int max_attempts) {
  if (!value || value->empty() || value->size() > 3) return 1;
  for (char c : *value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return 1;
  }
  const int attempt = std::stoi(*value);
  if (attempt < 1) return 1;
  return attempt > max_attempts ? max_attempts : attempt;
}

}  // namespace switchboard::ivr
