// TwiML for each step of the call. Only this file and twiml/ know TwiML's verbs and attributes.
#include "ivr/call_flow.h"

#include <cctype>

#include "ivr/routes.h"
#include "twiml/document.h"

namespace switchboard::ivr {

namespace {

using config::Settings;
using twiml::Document;
using twiml::Element;

enum class Step { kForward, kVoicemail };

struct MenuOption {
  const char* digit;
  Step step;
  const char* choice;  // as logged in calls.menu_choice
};

constexpr MenuOption kMenuOptions[] = {
    {"1", Step::kForward, "forward"},
    {"2", Step::kVoicemail, "voicemail"},
};

Element& say(Element& parent, const Settings& settings, const std::string& text) {
  return parent.child("Say").attr("voice", settings.ivr.voice).attr("language", settings.ivr.language).text(text);
}

void say(Document& document, const Settings& settings, const std::string& text) {
  document.verb("Say").attr("voice", settings.ivr.voice).attr("language", settings.ivr.language).text(text);
}

std::string attempt_query(int attempt) { return "attempt=" + std::to_string(attempt); }

void add_menu(Document& document, const Settings& settings, int attempt) {
  Element& gather = document.verb("Gather")
                        .attr("input", "dtmf")
                        .attr("numDigits", "1")
                        .attr("timeout", std::to_string(settings.ivr.menu_timeout_s))
                        .attr("action", route::url(settings.public_base_url, route::kMenu, attempt_query(attempt)))
                        .attr("method", "POST");
  say(gather, settings, settings.ivr.menu_prompt);
  // Reached only when the caller pressed nothing: the menu handler sees no Digits and moves to the next attempt.
  document.verb("Redirect")
      .attr("method", "POST")
      .text(route::url(settings.public_base_url, route::kMenu, attempt_query(attempt)));
}

// The prompt, the <Record> verb (`done` is its action), and what follows when nothing was recorded.
void add_voicemail(Document& document, const Settings& settings, const route::Step& done, const std::string& prompt) {
  say(document, settings, prompt);
  Element& record = document.verb("Record")
      .attr("action", route::url(settings.public_base_url, done))
      .attr("method", "POST")
      .attr("maxLength", std::to_string(settings.ivr.voicemail_max_length_s))
      .attr("timeout", "5")
      .attr("playBeep", "true")
      .attr("trim", "trim-silence")
      .attr("recordingStatusCallback", route::url(settings.public_base_url, route::kRecordingStatus))
      .attr("recordingStatusCallbackMethod", "POST")
      .attr("recordingStatusCallbackEvent", "completed absent");
  if (settings.ivr.transcribe) {
    record.attr("transcribe", "true")
        .attr("transcribeCallback", route::url(settings.public_base_url, route::kTranscription));
  }
  // Twilio continues here only when nothing at all was recorded.
  say(document, settings, "We did not receive a message. Goodbye.");
  document.verb("Hangup");
}

void add_voicemail(Document& document, const Settings& settings) {
  add_voicemail(document, settings, route::kVoicemailDone, settings.ivr.voicemail_prompt);
}

// The screening question on the forwarded phone's leg; its <Gather> action is `result`.
void add_screen(Document& document, const Settings& settings, const route::Step& result, const std::string& question) {
  Element& gather = document.verb("Gather")
                        .attr("input", "dtmf")
                        .attr("numDigits", "1")
                        .attr("timeout", "8")
                        .attr("action", route::url(settings.public_base_url, result))
                        .attr("method", "POST");
  say(gather, settings, question);
  // No key: a person did not answer (typically the phone's own voicemail did). Hanging up this leg ends the
  // <Dial> unbridged, and the caller goes to the company voicemail instead of someone's private mailbox.
  document.verb("Hangup");
}

void add_forward(Document& document, const Settings& settings, const std::string& caller) {
  Element& dial = document.verb("Dial")
                      .attr("action", route::url(settings.public_base_url, route::kDialResult))
                      .attr("method", "POST")
                      .attr("timeout", std::to_string(settings.ivr.dial_timeout_s))
                      .attr("answerOnBridge", "true");
  // Show the real caller on the personal phone when we know a number; otherwise Twilio's default applies.
  if (config::is_e164(caller)) dial.attr("callerId", caller);
  Element& number = dial.child("Number").text(settings.forward_to);
  if (settings.ivr.screening) {
    number.attr("url", route::url(settings.public_base_url, route::kScreen)).attr("method", "POST");
  }
}

// The forward when no worker answers: no action (Twilio goes on with the next verb whatever the outcome, so the
// document must continue with the voicemail) and, with screening on, nginx's own screening step.
void add_fallback_forward(Document& document, const Settings& settings) {
  Element& number = document.verb("Dial")
                        .attr("timeout", std::to_string(settings.ivr.dial_timeout_s))
                        .attr("answerOnBridge", "true")
                        .child("Number")
                        .text(settings.forward_to);
  if (settings.ivr.screening) {
    number.attr("url", route::url(settings.public_base_url, route::kFallbackScreen)).attr("method", "POST");
  }
}

Decision take(Step step, const Settings& settings, const std::string& caller, Document& document,
              const char* choice) {
  Decision decision;
  if (step == Step::kForward) {
    add_forward(document, settings, caller);
    decision.forwarded_to = settings.forward_to;
  } else {
    add_voicemail(document, settings);
  }
  if (choice != nullptr) decision.menu_choice = choice;
  decision.twiml = document.str();
  return decision;
}

// After the last attempt without a valid key, the configured default; the caller chose nothing.
Decision menu_or_default(const Settings& settings, const std::string& caller, Document& document, int next_attempt) {
  if (next_attempt <= settings.ivr.menu_attempts) {
    add_menu(document, settings, next_attempt);
    return Decision{document.str(), std::nullopt, std::nullopt};
  }
  const Step fallback =
      settings.ivr.menu_default == config::MenuDefault::kForward ? Step::kForward : Step::kVoicemail;
  return take(fallback, settings, caller, document, nullptr);
}

}  // namespace

Decision incoming_call(const Settings& settings, const std::string& caller, bool office_open) {
  Document document;
  if (!office_open) {
    say(document, settings, settings.ivr.closed_prompt);
    return take(Step::kVoicemail, settings, caller, document, nullptr);
  }
  add_menu(document, settings, 1);
  return Decision{document.str(), std::nullopt, std::nullopt};
}

Decision menu_choice(const Settings& settings, const std::string& caller, const std::string& digits, int attempt) {
  Document document;
  for (const MenuOption& option : kMenuOptions) {
    if (digits == option.digit) return take(option.step, settings, caller, document, option.choice);
  }
  if (!digits.empty()) say(document, settings, settings.ivr.invalid_choice_prompt);
  return menu_or_default(settings, caller, document, attempt + 1);
}

std::string screen(const Settings& settings, const std::string& caller) {
  Document document;
  const std::string who = config::is_e164(caller) ? spoken_number(caller) : std::string("an unknown number");
  add_screen(document, settings, route::kScreenResult,
             "Call for " + settings.ivr.company_name + " from " + who + ". Press 1 to accept.");
  return document.str();
}

bool screen_accepted(const std::string& digits) { return digits == "1"; }

std::string screen_result(const std::string& digits) {
  Document document;
  if (!screen_accepted(digits)) document.verb("Hangup");
  return document.str();
}

bool dial_bridged(const std::string& dial_call_status, const std::optional<std::string>& bridged) {
  if (bridged) return *bridged == "true";
  return dial_call_status == "completed" || dial_call_status == "answered";
}

std::string dial_result(const Settings& settings, bool bridged) {
  Document document;
  if (bridged) {
    document.verb("Hangup");
    return document.str();
  }
  say(document, settings, "Sorry, nobody is available to take your call.");
  add_voicemail(document, settings);
  return document.str();
}

std::string voicemail_done(const Settings& settings) {
  Document document;
  say(document, settings, settings.ivr.thanks_prompt);
  document.verb("Hangup");
  return document.str();
}

std::optional<std::string> fallback_twiml(const Settings& settings, route::Fallback fallback) {
  using route::Fallback;
  Document document;
  switch (fallback) {
    case Fallback::kForwardThenVoicemail:
      say(document, settings,
          "Thank you for calling " + settings.ivr.company_name + ". Please hold while we connect you.");
      add_fallback_forward(document, settings);
      add_voicemail(document, settings, route::kFallbackVoicemailDone, settings.ivr.voicemail_prompt);
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
      add_voicemail(document, settings, route::kFallbackVoicemailDone,
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
