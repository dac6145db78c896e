// A TwiML interpreter for one call leg: requests a document, runs its verbs top to bottom and follows every
// transfer of control (Gather input, Redirect, Dial/Record actions) until the leg ends. The caller's leg runs
// every verb; the screening leg (a <Number url>) only what Twilio allows there (Say, Play, Gather, Hangup; Pause is
// let through as harmless, Reject ends it like Hangup). To simulate a new verb, add it to
// Leg::play and, if it needs more than a few lines, give it its own file like dial.cc and record.cc.
#pragma once

#include <pugixml.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "callsim/session.h"

namespace callsim {

enum class LegEnd {
  kHangupVerb,      // <Hangup/>, or a <Reject/> once the call is answered
  kRejected,        // <Reject/> as the caller's very first verb: the call is never answered (see reject_reason)
  kEndOfDocument,   // no verb left
  kCallerHungUp,    // during a <Gather>
  kHungUpInRecord,  // during a <Record>
  kError,           // Twilio could not fetch or run a document
};

// What a verb leaves behind: carry on with the next verb, run a new document, or end the leg.
struct Next {
  enum class Kind { kContinue, kDocument, kEnd } kind = Kind::kContinue;
  std::unique_ptr<pugi::xml_document> document;
  LegEnd end = LegEnd::kEndOfDocument;

  static Next carry_on() { return Next{}; }
  static Next stop(LegEnd end) { return Next{Kind::kEnd, nullptr, end}; }
};

class Leg {
 public:
  enum class Role { kCaller, kScreen };

  // params: the standard parameters of every request on this leg; presses: one per <Gather>, "" when exhausted.
  Leg(Session& session, Role role, Params params, std::vector<std::string>& heard, std::deque<std::string> presses);

  // Requests the first document (params plus extra, extra winning) and runs until the leg ends.
  LegEnd run(const std::string& method, const std::string& url, const Params& extra);

  // For the verbs in their own files.
  Session& session() { return session_; }
  Params& params() { return params_; }
  void hear(const std::string& what) { heard_.push_back(what); }
  void problem(const std::string& message);  // about the document being run
  void problems(const std::vector<std::string>& messages);
  Next fetch(const std::string& method, const std::string& url, const Params& extra);
  // The absolute URL for a URL attribute or text: empty means the current document (flagged: it loops), a
  // relative one is resolved like Twilio does (flagged: Switchboard promises absolute URLs).
  std::string absolute_url(const pugi::xml_node& verb, const char* what, const std::string& value);
  std::string method_attribute(const pugi::xml_node& verb, const char* name);  // GET or POST (default)

  int seconds = 0;            // simulated time on this leg
  std::string milestone;      // "connected" after a bridged <Dial>, "voicemail" after a <Record>
  std::string reject_reason;  // "rejected" or "busy" when the leg ended in LegEnd::kRejected

 private:
  Next run_document(const pugi::xml_document& document);
  Next play(const pugi::xml_node& verb);
  bool play_media(const pugi::xml_node& verb);  // Say, Play, Pause; false if verb is none of them
  Next gather(const pugi::xml_node& gather);
  Next redirect(const pugi::xml_node& redirect);
  Next reject(const pugi::xml_node& reject, bool first_verb);
  std::string next_press();

  Session& session_;
  Role role_;
  Params params_;
  std::vector<std::string>& heard_;
  std::deque<std::string> presses_;
  std::string document_url_;
  int consecutive_redirects_ = 0;
  int verbs_played_ = 0;  // on this leg, across documents: only the very first can refuse the call
};

}  // namespace callsim
