// What a simulated call produced: every HTTP exchange, what each party heard, how it ended, and every way the
// server's answers broke Twilio's contract. Tests assert on it; the CLI prints it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace callsim {

struct Exchange {
  std::string method, url;
  std::string leg;  // "caller", "screen" (the forwarded phone's leg) or "callback" (asynchronous requests)
  std::map<std::string, std::string> params;
  long http_status = 0;  // 0 = no HTTP answer (connection failure, timeout)
  std::string content_type, body;
  double seconds = 0;
  std::map<std::string, std::string> headers;  // of the answer, lower-case names
};

struct CallReport {
  std::string call_sid;
  std::vector<std::string> heard;         // the caller: <Say> texts, "[play URL]", "[beep]", "[pause N]"
  std::vector<std::string> screen_heard;  // the forwarded phone, on the screening leg
  // connected, voicemail, hangup-in-menu, hangup-in-voicemail, rejected (<Reject> as the very first verb: never
  // answered), ended (plain <Hangup/>, a later <Reject/> or end of document), error
  std::string outcome;
  std::vector<Exchange> exchanges;   // every HTTP request made, in order
  std::vector<std::string> dialled;  // every number a <Dial> rang (all its <Number>s), in order
  // One entry per <Dial> that rang: the numbers it rang at once. {{A, B}} rang A and B together; {{A}, {B}} rang
  // A, then (through the Dial action's next document) B.
  std::vector<std::vector<std::string>> dial_groups;
  std::vector<std::string> errors;  // everything Twilio would reject or report
  double slowest_webhook_s = 0;
  int total_duration_s = 0;  // the CallDuration reported in the status callback
  bool ok() const { return errors.empty(); }
};

}  // namespace callsim
