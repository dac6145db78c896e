// See dial.h. How Scenario::dial plays out:
//   answered / declined / voicemail with a <Number url>: the screening leg runs with the forwarded phone pressing
//     "1", "2" or nothing (a voicemail box listens). It is bridged if its TwiML runs out without <Hangup/>; either
//     way the phone did answer, so DialCallStatus is completed and DialBridged tells the difference.
//   answered / voicemail without a url: bridged straight away (a person or a voicemail box picked up).
//   declined without a url: the person rejects the ringing call, which Twilio reports as no-answer.
//   no-answer, busy, failed, canceled: reported as such, nobody answered, no DialCallDuration.
// Only the first <Number> is dialled: with several ringing at once the first to answer wins anyway.
#include "callsim/dial.h"

#include <deque>
#include <string>
#include <vector>

#include "callsim/twiml.h"

namespace callsim {
namespace {

constexpr int kRingSeconds = 5;

struct Target {
  std::string number, url, method;
};

struct DialResult {
  std::string status;
  bool bridged = false;
  int seconds = -1;  // DialCallDuration; -1 = not sent (nobody answered)
};

// The first <Number> (or the bare number text); false when there is nothing this simulator can dial.
bool read_target(Leg& caller, const pugi::xml_node& dial, Target& target) {
  const pugi::xml_node number = dial.child("Number");
  for (const pugi::xml_node& child : dial.children()) {
    if (child.type() == pugi::node_element && std::string(child.name()) != "Number") {
      caller.problem(std::string("<Dial><") + child.name() + "> is not simulated (only <Number>)");
      return false;
    }
  }
  target.number = inner_text(number ? number : dial);
  if (target.number.empty()) {
    caller.problem("<Dial> has no number to call");
    return false;
  }
  if (!is_e164(target.number)) caller.problem("<Number> '" + target.number + "' is not E.164 (error 13223)");
  if (number.attribute("url")) {
    target.url = caller.absolute_url(number, "url", number.attribute("url").value());
    target.method = caller.method_attribute(number, "method");
  }
  return true;
}

// Runs the <Number url> document on a new child leg; true if it let the legs be bridged.
bool screen(Leg& caller, const pugi::xml_node& dial, const Target& target, const std::string& child_sid,
            int& seconds) {
  Session& session = caller.session();
  const std::string& outcome = session.scenario().dial;
  const std::string from = dial.attribute("callerId").as_string(caller.params().at("From").c_str());
  const Params params = {{"CallSid", child_sid},
                         {"ParentCallSid", caller.params().at("CallSid")},
                         {"AccountSid", session.options().account_sid},
                         {"From", from},
                         {"Caller", from},
                         {"To", target.number},
                         {"Called", target.number},
                         {"CallStatus", "in-progress"},
                         {"Direction", "outbound-dial"},
                         {"ApiVersion", "2010-04-01"}};
  std::deque<std::string> presses;
  if (outcome != "voicemail") presses.push_back(outcome == "answered" ? "1" : "2");
  Leg leg(session, Leg::Role::kScreen, params, session.report().screen_heard, presses);
  const LegEnd end = leg.run(target.method, target.url, {});
  seconds = leg.seconds;
  return end == LegEnd::kEndOfDocument;
}

DialResult ring(Leg& caller, const pugi::xml_node& dial, const Target& target, const std::string& child_sid) {
  const Scenario& scenario = caller.session().scenario();
  const bool picked_up = scenario.dial == "answered" || scenario.dial == "declined" || scenario.dial == "voicemail";
  if (!is_e164(target.number)) return {"failed", false, -1};
  if (!picked_up) return {scenario.dial, false, -1};
  if (target.url.empty()) {
    if (scenario.dial == "declined") return {"no-answer", false, -1};
    return {"completed", true, scenario.talk_seconds};
  }
  int screen_seconds = 0;
  if (screen(caller, dial, target, child_sid, screen_seconds)) return {"completed", true, scenario.talk_seconds};
  return {"completed", false, screen_seconds};
}

}  // namespace

Next play_dial(Leg& caller, const pugi::xml_node& dial) {
  std::vector<std::string> found;
  integer_attribute(dial, "timeout", 30, 5, 600, found);
  integer_attribute(dial, "timeLimit", 14400, 1, 86400, found);
  check_choice(dial, "answerOnBridge", {"true", "false"}, found);
  check_choice(dial, "hangupOnStar", {"true", "false"}, found);
  caller.problems(found);
  const char* caller_id = dial.attribute("callerId").value();
  if (*caller_id != 0 && !is_e164(caller_id)) {
    caller.problem(std::string("<Dial callerId=\"") + caller_id + "\"> is not E.164 (error 13214)");
  }

  Target target;
  if (!read_target(caller, dial, target)) return Next::stop(LegEnd::kError);
  const std::string child_sid = Session::new_sid("CA");
  caller.session().report().dialled.push_back(target.number);
  const DialResult result = ring(caller, dial, target, child_sid);
  caller.seconds += kRingSeconds;
  if (result.bridged) {
    caller.seconds += result.seconds;
    caller.milestone = "connected";
  }

  Params extra = {{"DialCallSid", child_sid},
                  {"DialCallStatus", result.status},
                  {"DialBridged", result.bridged ? "true" : "false"}};
  if (result.seconds >= 0) extra["DialCallDuration"] = std::to_string(result.seconds);
  // Without an action the caller's document simply goes on after the dialled call ends.
  if (!dial.attribute("action")) return Next::carry_on();
  const std::string url = caller.absolute_url(dial, "action", dial.attribute("action").value());
  return caller.fetch(caller.method_attribute(dial, "method"), url, extra);
}

}  // namespace callsim
