// See dial.h. How a dialled number's outcome (its Scenario::dial_by_number entry, else Scenario::dial) plays out:
//   answered / declined / voicemail with a <Number url>: the screening leg runs with the forwarded phone pressing
//     "1", "2" or nothing (a voicemail box listens). It is bridged if its TwiML runs out without <Hangup/>; either
//     way the phone did answer, so DialCallStatus is completed and DialBridged tells the difference.
//   answered / voicemail without a url: bridged straight away (a person or a voicemail box picked up).
//   declined without a url: the person rejects the ringing call, which Twilio reports as no-answer.
//   no-answer, busy, failed, canceled: reported as such, nobody answered, no DialCallDuration.
// Several <Number>s ring at once and the first to answer wins, the others are cancelled [DOC dial]. Real phones
// race; here the first in document order that picks up (answered, voicemail, or declined on a screening leg,
// where declining comes after picking up) is the one that answered, so a scenario always plays the same way. Only
// that number's <Number url> runs: the other legs are cancelled as it picks up, before its screening [INF: the
// docs say "first to answer", and a screening leg only exists once a phone has answered]. When nobody picks up,
// DialCallStatus is no-answer if any phone rang out, else the first number's status (busy, failed, canceled).
// More than 10 nouns (Twilio's limit) are flagged and still all rung, so the report shows what was asked for.
// Ringing one phone after the other is the server's business: a <Dial action> whose answer is the next <Dial>;
// each Dial looks its own numbers up in the scenario.
#include "callsim/dial.h"

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "callsim/twiml.h"

namespace callsim {
namespace {

constexpr int kRingSeconds = 5;
constexpr size_t kMaxNumbers = 10;  // <Number> nouns in one <Dial> [DOC dial]

struct Target {
  std::string number, url, method;
  std::string outcome;  // from the scenario
  std::string sid;      // the child call's CallSid
};

struct DialResult {
  std::string status;
  bool bridged = false;
  int seconds = -1;  // DialCallDuration; -1 = not sent (nobody answered)
  std::string sid;   // DialCallSid
};

// Every <Number> (or the bare number text); false when there is nothing this simulator can dial.
bool read_targets(Leg& caller, const pugi::xml_node& dial, std::vector<Target>& targets) {
  std::vector<pugi::xml_node> nouns;
  for (const pugi::xml_node& child : dial.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string(child.name()) != "Number") {
      caller.problem(std::string("<Dial><") + child.name() + "> is not simulated (only <Number>)");
      return false;
    }
    nouns.push_back(child);
  }
  if (nouns.empty()) nouns.push_back(dial);  // <Dial>+1555…</Dial>
  if (nouns.size() > kMaxNumbers) {
    caller.problem("<Dial> has " + std::to_string(nouns.size()) + " <Number> nouns; Twilio rings at most " +
                   std::to_string(kMaxNumbers) + " at once");
  }
  const Scenario& scenario = caller.session().scenario();
  for (const pugi::xml_node& noun : nouns) {
    Target target;
    target.number = inner_text(noun);
    if (target.number.empty()) {
      caller.problem("<Dial> has no number to call");
      return false;
    }
    if (!is_e164(target.number)) caller.problem("<Number> '" + target.number + "' is not E.164 (error 13223)");
    if (noun != dial && noun.attribute("url")) {
      target.url = caller.absolute_url(noun, "url", noun.attribute("url").value());
      target.method = caller.method_attribute(noun, "method");
    }
    target.outcome = dial_outcome(scenario, target.number);
    target.sid = Session::new_sid("CA");
    targets.push_back(target);
  }
  return true;
}

// Whether the phone is picked up. Declining is done on the screening leg, after picking up; without one a
// declined call is rejected while it rings. A number Twilio cannot dial never rings.
bool picks_up(const Target& target) {
  if (!is_e164(target.number)) return false;
  return target.outcome == "answered" || target.outcome == "voicemail" ||
         (target.outcome == "declined" && !target.url.empty());
}

// DialCallStatus of a phone that was not picked up.
std::string unanswered_status(const Target& target) {
  if (!is_e164(target.number)) return "failed";
  return target.outcome == "declined" ? "no-answer" : target.outcome;
}

// Runs the <Number url> document on the answering phone's child leg; true if it let the legs be bridged.
bool screen(Leg& caller, const pugi::xml_node& dial, const Target& target, int& seconds) {
  Session& session = caller.session();
  const std::string from = dial.attribute("callerId").as_string(caller.params().at("From").c_str());
  const Params params = {{"CallSid", target.sid},
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
  if (target.outcome != "voicemail") presses.push_back(target.outcome == "answered" ? "1" : "2");
  Leg leg(session, Leg::Role::kScreen, params, session.report().screen_heard, presses);
  const LegEnd end = leg.run(target.method, target.url, {});
  seconds = leg.seconds;
  return end == LegEnd::kEndOfDocument;
}

DialResult ring(Leg& caller, const pugi::xml_node& dial, const std::vector<Target>& targets) {
  const auto answering = std::find_if(targets.begin(), targets.end(), picks_up);
  if (answering == targets.end()) {
    for (const Target& target : targets) {
      if (unanswered_status(target) == "no-answer") return {"no-answer", false, -1, target.sid};
    }
    return {unanswered_status(targets.front()), false, -1, targets.front().sid};
  }
  const int talk_seconds = caller.session().scenario().talk_seconds;
  if (answering->url.empty()) return {"completed", true, talk_seconds, answering->sid};
  int screen_seconds = 0;
  if (screen(caller, dial, *answering, screen_seconds)) return {"completed", true, talk_seconds, answering->sid};
  return {"completed", false, screen_seconds, answering->sid};
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

  std::vector<Target> targets;
  if (!read_targets(caller, dial, targets)) return Next::stop(LegEnd::kError);
  CallReport& report = caller.session().report();
  std::vector<std::string> group;
  for (const Target& target : targets) group.push_back(target.number);
  report.dialled.insert(report.dialled.end(), group.begin(), group.end());
  report.dial_groups.push_back(group);

  const DialResult result = ring(caller, dial, targets);
  caller.seconds += kRingSeconds;
  if (result.bridged) {
    caller.seconds += result.seconds;
    caller.milestone = "connected";
  }

  Params extra = {{"DialCallSid", result.sid},
                  {"DialCallStatus", result.status},
                  {"DialBridged", result.bridged ? "true" : "false"}};
  if (result.seconds >= 0) extra["DialCallDuration"] = std::to_string(result.seconds);
  // Without an action the caller's document simply goes on after the dialled call ends.
  if (!dial.attribute("action")) return Next::carry_on();
  const std::string url = caller.absolute_url(dial, "action", dial.attribute("action").value());
  return caller.fetch(caller.method_attribute(dial, "method"), url, extra);
}

}  // namespace callsim
