// What the callsim tests share: a fake Transport that answers canned TwiML by path and records every request, the
// documents Switchboard answers (in their shape, not from the server), and a fixture that plays one call with them.
// A test sets answers and the scenario, calls call(), then asserts on the report and on transport.to(path).
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "callsim/callsim.h"
#include "callsim/url.h"

namespace callsim::test {

using callsim::HttpRequest;
using callsim::HttpResponse;

const std::string kBase = "https://sb.example.com";
const std::string kToken = "test-auth-token";
const std::string kAccount = "AC" + std::string(32, 'a');

// Canned TwiML in the shape Switchboard answers (design.md, "The call flow").
const std::string kMenu =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
    "<Gather numDigits=\"1\" timeout=\"5\" action=\"https://sb.example.com/twilio/voice/menu\">"
    "<Say>Press 1 to be connected, press 2 to leave a message.</Say></Gather>"
    "<Redirect>https://sb.example.com/twilio/voice?attempt=2</Redirect></Response>";
const std::string kGoodbye = "<Response><Say>Goodbye.</Say><Hangup/></Response>";
const std::string kDial =
    "<Response><Dial action=\"https://sb.example.com/twilio/voice/dial-result\" timeout=\"20\" "
    "answerOnBridge=\"true\" callerId=\"+15005550006\">"
    "<Number url=\"https://sb.example.com/twilio/voice/screen\">+14155550199</Number></Dial></Response>";
const std::string kScreen =
    "<Response><Gather numDigits=\"1\" action=\"https://sb.example.com/twilio/voice/screen-result\">"
    "<Say>Call for Switchboard. Press 1 to accept.</Say></Gather><Hangup/></Response>";
const std::string kVoicemail =
    "<Response><Say>Please leave a message after the beep.</Say>"
    "<Record maxLength=\"120\" playBeep=\"true\" action=\"https://sb.example.com/twilio/voice/voicemail-done\" "
    "recordingStatusCallback=\"https://sb.example.com/twilio/recording-status\"/></Response>";
const std::string kThanks = "<Response><Say>Thank you, goodbye.</Say><Hangup/></Response>";

// Answers by path (with query); unknown paths get 204, as the callback endpoints do.
class FakeTransport : public callsim::Transport {
 public:
  void answer(const std::string& path, const std::string& body, const std::string& content_type = "text/xml",
              long status = 200, double seconds = 0.001) {
    HttpResponse& response = answers_[path];
    response.status = status;
    response.content_type = content_type;
    response.body = body;
    response.seconds = seconds;
  }

  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    const auto it = answers_.find(callsim::url_path(request.url));
    if (it != answers_.end()) return it->second;
    HttpResponse empty;
    empty.status = 204;
    return empty;
  }

  // The requests made to one path, in order.
  std::vector<HttpRequest> to(const std::string& path) const {
    std::vector<HttpRequest> found;
    for (const HttpRequest& request : requests) {
      if (callsim::url_path(request.url) == path) found.push_back(request);
    }
    return found;
  }

  std::vector<HttpRequest> requests;

 private:
  std::map<std::string, HttpResponse> answers_;
};

inline bool contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::find(lines.begin(), lines.end(), text) != lines.end();
}

inline bool any_error_mentions(const callsim::CallReport& report, const std::string& text) {
  return std::any_of(report.errors.begin(), report.errors.end(),
                     [&](const std::string& error) { return error.find(text) != std::string::npos; });
}

struct CallFixture {
  CallFixture() {
    options.base_url = kBase;
    options.account_sid = kAccount;
    options.auth_token = kToken;
    transport.answer("/twilio/voice", kMenu);
    transport.answer("/twilio/voice?attempt=2", kGoodbye);
  }

  callsim::CallReport call() { return callsim::run_call(options, scenario, transport); }

  // The one request made to path (the test fails if there is not exactly one).
  HttpRequest only(const std::string& path) const {
    const std::vector<HttpRequest> found = transport.to(path);
    BOOST_TEST_REQUIRE(found.size() == 1u, path << " requested " << found.size() << " times");
    return found.front();
  }

  // Answers a press of 1 with a screened <Dial> whose result page hangs up.
  void forward_with_screening(const std::string& screen_result) {
    scenario.presses = {"1"};
    transport.answer("/twilio/voice/menu", kDial);
    transport.answer("/twilio/voice/screen", kScreen);
    transport.answer("/twilio/voice/screen-result", screen_result);
    transport.answer("/twilio/voice/dial-result", "<Response><Hangup/></Response>");
  }

  void voicemail_on_press_two() {
    scenario.presses = {"2"};
    transport.answer("/twilio/voice/menu", kVoicemail);
    transport.answer("/twilio/voice/voicemail-done", kThanks);
  }

  // Runs the call, which must end in error with a message containing text.
  callsim::CallReport call_failing_with(const std::string& text) {
    const callsim::CallReport report = call();
    BOOST_TEST(report.outcome == "error");
    BOOST_TEST(any_error_mentions(report, text), "no error mentions '" << text << "'");
    return report;
  }

  std::vector<std::string> statuses_sent() const {
    std::vector<std::string> statuses;
    for (const HttpRequest& request : transport.to("/twilio/call-status")) {
      statuses.push_back(request.params.at("CallStatus") + "#" + request.params.at("SequenceNumber"));
    }
    return statuses;
  }

  callsim::Options options;
  callsim::Scenario scenario;
  FakeTransport transport;
};

}  // namespace callsim::test
