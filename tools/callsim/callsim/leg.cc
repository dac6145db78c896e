// See leg.h. Simulated time: 2 s per <Say>/<Play>, <Pause> its length, 5 s of listening per <Gather> (its default
// timeout); dial.cc and record.cc add ringing, talk and recording time.
#include "callsim/leg.h"

#include <utility>

#include "callsim/dial.h"
#include "callsim/record.h"
#include "callsim/twiml.h"
#include "callsim/url.h"

namespace callsim {
namespace {

constexpr int kSecondsPerPrompt = 2;
constexpr int kSecondsPerGather = 5;
constexpr int kMaxConsecutiveRedirects = 10;

}  // namespace

Leg::Leg(Session& session, Role role, Params params, std::vector<std::string>& heard,
         std::deque<std::string> presses)
    : session_(session), role_(role), params_(std::move(params)), heard_(heard), presses_(std::move(presses)) {}

LegEnd Leg::run(const std::string& method, const std::string& url, const Params& extra) {
  Next next = fetch(method, url, extra);
  while (next.kind == Next::Kind::kDocument) {
    const std::unique_ptr<pugi::xml_document> document = std::move(next.document);
    next = run_document(*document);
  }
  return next.end;
}

Next Leg::fetch(const std::string& method, const std::string& url, const Params& extra) {
  consecutive_redirects_ = 0;
  Params params = extra;
  params.insert(params_.begin(), params_.end());  // keeps extra's values
  const char* leg = role_ == Role::kCaller ? "caller" : "screen";
  std::unique_ptr<pugi::xml_document> document = session_.fetch_twiml(leg, method, url, params);
  if (!document) return Next::stop(LegEnd::kError);
  document_url_ = url;
  return Next{Next::Kind::kDocument, std::move(document), LegEnd::kEndOfDocument};
}

Next Leg::run_document(const pugi::xml_document& document) {
  for (const pugi::xml_node& verb : document.document_element().children()) {
    if (verb.type() != pugi::node_element) continue;
    Next next = play(verb);
    if (next.kind != Next::Kind::kContinue) return next;
  }
  return Next::stop(LegEnd::kEndOfDocument);
}

Next Leg::play(const pugi::xml_node& verb) {
  const std::string name = verb.name();
  const bool first_verb = verbs_played_++ == 0;
  if (play_media(verb)) return Next::carry_on();
  if (name == "Gather") return gather(verb);
  if (name == "Hangup") return Next::stop(LegEnd::kHangupVerb);
  if (name == "Reject") return reject(verb, first_verb);
  if (role_ == Role::kCaller) {
    if (name == "Redirect") return redirect(verb);
    if (name == "Dial") return play_dial(*this, verb);
    if (name == "Record") return play_record(*this, verb);
  }
  problem("<" + name + "> is not a verb Twilio runs " +
          (role_ == Role::kCaller ? "here (error 12100)" : "on a <Number url> leg (only Say, Play, Gather, Hangup)"));
  return Next::stop(LegEnd::kError);
}

bool Leg::play_media(const pugi::xml_node& verb) {
  const std::string name = verb.name();
  if (name == "Say") {
    hear(inner_text(verb));
  } else if (name == "Play") {
    hear("[play " + inner_text(verb) + "]");
  } else if (name == "Pause") {
    std::vector<std::string> found;
    const int length = integer_attribute(verb, "length", 1, 0, 600, found);
    problems(found);
    hear("[pause " + std::to_string(length) + "]");
    seconds += length;
    return true;
  } else {
    return false;
  }
  seconds += kSecondsPerPrompt;
  return true;
}

Next Leg::gather(const pugi::xml_node& gather) {
  std::vector<std::string> found;
  integer_attribute(gather, "numDigits", 0, 1, 100, found);
  integer_attribute(gather, "timeout", 5, 1, 600, found);
  check_choice(gather, "finishOnKey", {"", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#", "*"}, found);
  check_choice(gather, "actionOnEmptyResult", {"true", "false"}, found);
  const std::string input = gather.attribute("input").as_string("dtmf");
  if (input.find("dtmf") == std::string::npos) found.push_back("<Gather input=\"" + input + "\"> ignores keys");
  problems(found);

  for (const pugi::xml_node& child : gather.children()) {
    if (child.type() == pugi::node_element && !play_media(child)) {
      problem(std::string("<") + child.name() + "> cannot be nested in <Gather> (only Say, Play, Pause)");
      return Next::stop(LegEnd::kError);
    }
  }
  seconds += kSecondsPerGather;

  const std::string press = next_press();
  if (press == "hangup") return Next::stop(LegEnd::kCallerHungUp);
  Params extra;
  if (press.empty()) {
    // No input falls through to the next verb unless the document asks for the empty result.
    if (std::string(gather.attribute("actionOnEmptyResult").value()) != "true") return Next::carry_on();
  } else {
    extra["Digits"] = press;
  }
  const std::string url = absolute_url(gather, "action", gather.attribute("action").value());
  return fetch(method_attribute(gather, "method"), url, extra);
}

Next Leg::redirect(const pugi::xml_node& redirect) {
  const int redirects = consecutive_redirects_ + 1;
  if (redirects > kMaxConsecutiveRedirects) {
    problem("more than " + std::to_string(kMaxConsecutiveRedirects) + " <Redirect>s in a row without input");
    return Next::stop(LegEnd::kError);
  }
  const std::string url = absolute_url(redirect, "URL", inner_text(redirect));
  Next next = fetch(method_attribute(redirect, "method"), url, {});
  consecutive_redirects_ = redirects;
  return next;
}

// Only as the first verb of the call's first document does <Reject> refuse the ringing call; Twilio also runs
// it later, where it hangs up the call it has already answered, like <Hangup/>.
Next Leg::reject(const pugi::xml_node& reject, bool first_verb) {
  std::vector<std::string> found;
  check_choice(reject, "reason", {"rejected", "busy"}, found);
  problems(found);
  if (role_ != Role::kCaller || !first_verb) return Next::stop(LegEnd::kHangupVerb);
  reject_reason = std::string(reject.attribute("reason").value()) == "busy" ? "busy" : "rejected";
  return Next::stop(LegEnd::kRejected);
}

std::string Leg::next_press() {
  if (presses_.empty()) return "";
  std::string press = presses_.front();
  presses_.pop_front();
  return press;
}

void Leg::problem(const std::string& message) { session_.problem("in " + url_path(document_url_), message); }

void Leg::problems(const std::vector<std::string>& messages) {
  for (const auto& message : messages) problem(message);
}

std::string Leg::absolute_url(const pugi::xml_node& verb, const char* what, const std::string& value) {
  const std::string label = std::string("<") + verb.name() + "> " + what;
  if (value.empty()) {
    problem(label + " is empty: Twilio requests the current document again");
  } else if (!is_absolute_url(value)) {
    problem(label + " '" + value + "' is relative; Switchboard promises absolute URLs");
  }
  return resolve_url(document_url_, value);
}

std::string Leg::method_attribute(const pugi::xml_node& verb, const char* name) {
  std::vector<std::string> found;
  check_choice(verb, name, {"GET", "POST"}, found);
  problems(found);
  return std::string(verb.attribute(name).value()) == "GET" ? "GET" : "POST";
}

}  // namespace callsim
