// run_call: the inbound call from the first webhook to the status callbacks after it ends. The caller's leg is a
// Leg (leg.h); what is left here is what Twilio does around it: the first request's parameters, the outcome, and
// the call-progress callbacks (the final one, plus the earlier events late when the scenario reorders them).
#include <string>
#include <utility>

#include "callsim/callsim.h"
#include "callsim/curl_transport.h"
#include "callsim/leg.h"
#include "callsim/session.h"

namespace callsim {
namespace {

// The parameters on every request of the caller's leg (twilio-contract.md §1); empty scenario fields are not sent.
Params caller_params(const Options& options, const Scenario& scenario, const std::string& call_sid) {
  Params params = {{"CallSid", call_sid},
                   {"AccountSid", options.account_sid},
                   {"From", scenario.from},
                   {"Caller", scenario.from},
                   {"To", options.twilio_number},
                   {"Called", options.twilio_number},
                   {"CallStatus", "in-progress"},
                   {"ApiVersion", "2010-04-01"},
                   {"Direction", "inbound"}};
  const std::pair<const char*, const std::string*> optional[] = {
      {"CallerName", &scenario.caller_name},  {"FromCity", &scenario.from_city},
      {"CallerCity", &scenario.from_city},    {"FromState", &scenario.from_state},
      {"CallerState", &scenario.from_state},  {"FromCountry", &scenario.from_country},
      {"CallerCountry", &scenario.from_country}};
  for (const auto& [name, value] : optional) {
    if (!value->empty()) params[name] = *value;
  }
  return params;
}

std::string outcome_of(LegEnd end, const std::string& milestone) {
  switch (end) {
    case LegEnd::kCallerHungUp:
      return "hangup-in-menu";
    case LegEnd::kHungUpInRecord:
      return "hangup-in-voicemail";
    case LegEnd::kError:
      return "error";
    case LegEnd::kRejected:
      return "rejected";
    case LegEnd::kHangupVerb:
    case LegEnd::kEndOfDocument:
      break;
  }
  return milestone.empty() ? "ended" : milestone;
}

// The final CallStatus. A rejected call was never answered: Twilio ends it busy or no-answer, after the verb's
// reason [DOC reject].
std::string final_status(LegEnd end, const std::string& reject_reason) {
  if (end != LegEnd::kRejected) return "completed";
  return reject_reason == "busy" ? "busy" : "no-answer";
}

// Call-progress events are numbered ringing 0, in-progress 1, completed 2; a call that was never answered has no
// in-progress, so its final event is 1. By default only the final one is sent, as for a number's StatusCallback;
// reordering sends the earlier ones after it, as a late network would deliver them.
void send_status_callbacks(Session& session, Params params, const std::string& status, int seconds) {
  const bool answered = status == "completed";
  const std::string url = session.webhook_url(session.options().status_callback_path);
  params["Timestamp"] = Session::now_rfc2822();
  params["CallbackSource"] = "call-progress-events";
  Params last = params;
  last["CallStatus"] = status;
  last["SequenceNumber"] = answered ? "2" : "1";
  last["CallDuration"] = std::to_string(seconds);
  last["Duration"] = std::to_string((seconds + 59) / 60);
  session.callback("POST", url, last);
  if (!session.scenario().reorder_callbacks) return;
  for (const auto& [earlier, sequence] : {std::pair{"in-progress", "1"}, std::pair{"ringing", "0"}}) {
    if (!answered && std::string(earlier) == "in-progress") continue;
    params["CallStatus"] = earlier;
    params["SequenceNumber"] = sequence;
    session.callback("POST", url, params);
  }
}

}  // namespace

CallReport run_call(const Options& options, const Scenario& scenario, Transport& transport) {
  CallReport report;
  report.call_sid = scenario.call_sid.empty() ? Session::new_sid("CA") : scenario.call_sid;
  if (!is_dial_outcome(scenario.dial)) {
    report.errors.push_back("scenario: unknown dial outcome '" + scenario.dial + "'");
  }
  for (const auto& [number, outcome] : scenario.dial_by_number) {
    if (!is_dial_outcome(outcome)) {
      report.errors.push_back("scenario: unknown dial outcome '" + outcome + "' for " + number);
    }
  }
  if (!report.errors.empty()) {
    report.outcome = "error";
    return report;
  }
  Session session(options, scenario, transport, report);
  Leg caller(session, Leg::Role::kCaller, caller_params(options, scenario, report.call_sid), report.heard,
             {scenario.presses.begin(), scenario.presses.end()});
  // Only the first request sees the phone still ringing, with the token and verification result of the carrier.
  const LegEnd end = caller.run("POST", session.webhook_url(options.voice_path),
                                {{"CallStatus", "ringing"},
                                 {"CallToken", Session::new_sid("")},
                                 {"StirVerstat", "TN-Validation-Passed-A"}});
  report.outcome = outcome_of(end, caller.milestone);
  // A rejected call was never answered, so it lasted (and is billed) 0 s [DOC reject].
  report.total_duration_s = end == LegEnd::kRejected ? 0 : caller.seconds;
  send_status_callbacks(session, caller.params(), final_status(end, caller.reject_reason), report.total_duration_s);
  return report;
}

CallReport run_call(const Options& options, const Scenario& scenario) {
  CurlTransport transport(options);
  return run_call(options, scenario, transport);
}

}  // namespace callsim
