// Every URL Twilio is sent to, named once, with everything else that is said about it: the event kind its requests
// are logged as, the name the activity feed gives those events, and what a caller hears on it when no worker
// answers. The server's routing table, the TwiML's action/url attributes, the event log, the metrics, the feed's
// timeline labels and nginx's pool-down fallbacks all read this one table, so none of them can drift.
//
// To add a step: a Step below, a row in kSteps, a handler in webhooks/ registered in server/app.cc (a unit test
// checks that every step has one), and if its fallback is new, a branch in ivr::fallback_twiml().
#pragma once

#include <string>
#include <string_view>

namespace switchboard::ivr::route {

// What nginx answers on a step when no worker can (pool down, too slow, over the rate limit). Each is chosen so
// that nobody is dialled twice and the forwarded phone's leg never gets the caller's voicemail.
enum class Fallback {
  kForwardThenVoicemail,  // incoming call, menu: forward (screened by nginx alone), then the company voicemail
  kScreenAnyKey,          // the forwarded phone answered: "press a key to accept"; no key (a voicemail) hangs up
  kBridge,                // the forwarded phone pressed a key: a person is there, connect them
  kVoicemailNoRedial,     // the forward ended: never dial again, offer the voicemail
  kThanksGoodbye,         // the voicemail was recorded: thank you, hang up
  kAcknowledge,           // status/recording/transcription callbacks: 204, the event is kept
};

struct Step {
  const char* path;
  const char* kind;   // call_events.kind of its requests
  const char* label;  // how the feed's timeline names those events
  Fallback fallback;
  bool answers_twiml;  // false for callbacks, whose body Twilio ignores
  bool nginx_answers;  // the fallback's own steps: nginx always answers them; workers only replay what it kept
};

inline constexpr Step kVoice{"/twilio/voice", "voice", "Call came in", Fallback::kForwardThenVoicemail, true, false};
inline constexpr Step kMenu{"/twilio/voice/menu", "menu", "Menu answer", Fallback::kForwardThenVoicemail, true,
                            false};
// Runs on the forwarded phone's leg (<Number url>).
inline constexpr Step kScreen{"/twilio/voice/screen", "screen", "Forwarded phone answered", Fallback::kScreenAnyKey,
                              true, false};
// Requested only when that phone pressed a key (<Gather> without input falls through to <Hangup/>).
inline constexpr Step kScreenResult{"/twilio/voice/screen-result", "screen-result", "Screening result",
                                    Fallback::kBridge, true, false};
inline constexpr Step kDialResult{"/twilio/voice/dial-result", "dial-result", "Forwarding result",
                                  Fallback::kVoicemailNoRedial, true, false};
inline constexpr Step kVoicemailDone{"/twilio/voice/voicemail-done", "voicemail-done", "Message recorded",
                                     Fallback::kThanksGoodbye, true, false};
inline constexpr Step kRecordingStatus{"/twilio/recording-status", "recording-status", "Recording",
                                       Fallback::kAcknowledge, false, false};
inline constexpr Step kTranscription{"/twilio/transcription", "transcription", "Transcription",
                                     Fallback::kAcknowledge, false, false};
inline constexpr Step kCallStatus{"/twilio/call-status", "call-status", "Call status", Fallback::kAcknowledge, false,
                                  false};
// Twilio's MessageStatus callbacks for the SMS the notifier sends (voicemail SMS, text-back). Its URL names the call
// and the notification row (?call=CA…&notification=N): the callback itself carries neither.
inline constexpr Step kMessageStatus{"/twilio/message-status", "message-status", "SMS delivery",
                                     Fallback::kAcknowledge, false, false};
// The pool-down fallback's own steps. Its TwiML may only name URLs nginx answers by itself, since the pool may still
// be down when Twilio follows them.
inline constexpr Step kFallbackScreen{"/twilio/fallback/screen", "screen", "Forwarded phone answered",
                                      Fallback::kScreenAnyKey, true, true};
inline constexpr Step kFallbackScreenResult{"/twilio/fallback/screen-result", "fallback-screen-result",
                                            "Screening result (any key accepts)", Fallback::kBridge, true, true};
inline constexpr Step kFallbackVoicemailDone{"/twilio/fallback/voicemail-done", "voicemail-done", "Message recorded",
                                             Fallback::kThanksGoodbye, true, true};

inline constexpr const Step* kSteps[] = {
    &kVoice,           &kMenu,          &kScreen,      &kScreenResult,   &kDialResult,
    &kVoicemailDone,   &kRecordingStatus, &kTranscription, &kCallStatus, &kMessageStatus, &kFallbackScreen,
    &kFallbackScreenResult, &kFallbackVoicemailDone,
};
inline constexpr int kStepCount = static_cast<int>(sizeof kSteps / sizeof kSteps[0]);

// Events no step logs: the notifier's deliveries (notify/notifier.h) and the reconciler's lookups in Twilio's REST
// API (reconcile/reconciler.h).
inline constexpr char kNotificationKind[] = "notification";
inline constexpr char kReconciledKind[] = "reconciled";

// The step served at `path` (exact match), or nullptr.
const Step* find(std::string_view path);
// The feed's name for events of `kind` (steps, notifications, lookups), or nullptr (rejection markers).
const char* label_of_kind(std::string_view kind);

// The name a fallback has in nginx's configuration ("forward-then-voicemail").
const char* fallback_name(Fallback fallback);

// Absolute URL of `path` under the public base URL, with an optional query ("attempt=2"). Twilio needs absolute
// URLs to sign what it requests exactly as we verify it.
std::string url(const std::string& public_base_url, const char* path, const std::string& query = "");
inline std::string url(const std::string& public_base_url, const Step& step, const std::string& query = "") {
  return url(public_base_url, step.path, query);
}

}  // namespace switchboard::ivr::route
