// The simulator's side of routing: several <Number>s ringing at once (the first to pick up wins), phones rung one
// after the other through chained <Dial action>s, each with its own outcome (Scenario::dial_by_number), and
// <Reject> refusing a call before it is answered. Real TwiML strings through the fake transport (call_fixture.h).
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "call_fixture.h"
#include "callsim/callsim.h"

using namespace callsim::test;  // the fixture, its fake transport and the canned documents

namespace {

const std::string kFirst = "+15551230001";
const std::string kSecond = "+15551230002";
const std::string kDialResult = "https://sb.example.com/twilio/voice/dial-result";
const std::string kDialNext = "https://sb.example.com/twilio/voice/dial-next";

// <Dial action=action> ringing numbers at once, each screened by /twilio/voice/screen when screened.
std::string dial_of(const std::vector<std::string>& numbers, bool screened, const std::string& action = kDialResult) {
  std::string twiml = "<Response><Dial action=\"" + action + "\" timeout=\"20\" callerId=\"+15005550006\">";
  for (const std::string& number : numbers) {
    twiml += screened ? "<Number url=\"https://sb.example.com/twilio/voice/screen\">" : "<Number>";
    twiml += number + "</Number>";
  }
  return twiml + "</Dial></Response>";
}

using Groups = std::vector<std::vector<std::string>>;

struct RoutingFixture : CallFixture {
  // A press of 1 dials document; the screen accepts a press of 1 and the Dial's result hangs up.
  void forward_to(const std::string& document) {
    scenario.presses = {"1"};
    transport.answer("/twilio/voice/menu", document);
    transport.answer("/twilio/voice/screen", kScreen);
    transport.answer("/twilio/voice/screen-result", "<Response/>");
    transport.answer("/twilio/voice/dial-result", "<Response><Hangup/></Response>");
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(callsim_routing, RoutingFixture)

BOOST_AUTO_TEST_CASE(TwoNumbersInOneDialRingTogether) {
  forward_to(dial_of({kFirst, kSecond}, false));
  const callsim::CallReport report = call();
  BOOST_TEST(report.dialled == (std::vector<std::string>{kFirst, kSecond}));
  BOOST_TEST(report.dial_groups == (Groups{{kFirst, kSecond}}));
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "completed");
  BOOST_TEST(result.params.at("DialBridged") == "true");
  BOOST_TEST(report.outcome == "connected");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(FirstNoAnswerSecondAnsweredIsBridgedToTheSecond) {
  forward_to(dial_of({kFirst, kSecond}, true));
  scenario.dial_by_number = {{kFirst, "no-answer"}};
  const callsim::CallReport report = call();
  const HttpRequest screen = only("/twilio/voice/screen");  // only the phone that answered is screened
  BOOST_TEST(screen.params.at("To") == kSecond);
  BOOST_TEST(screen.params.at("Called") == kSecond);
  BOOST_TEST(screen.params.at("ParentCallSid") == report.call_sid);
  BOOST_TEST(only("/twilio/voice/screen-result").params.at("Called") == kSecond);
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "completed");
  BOOST_TEST(result.params.at("DialBridged") == "true");
  BOOST_TEST(result.params.at("DialCallSid") == screen.params.at("CallSid"));
  BOOST_TEST(result.params.at("DialCallDuration") == "30");
  BOOST_TEST(report.dial_groups == (Groups{{kFirst, kSecond}}));
  BOOST_TEST(report.outcome == "connected");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(FirstPhoneToPickUpWinsTheOthersAreCancelled) {
  forward_to(dial_of({kFirst, kSecond}, true));
  const callsim::CallReport report = call();
  BOOST_TEST(only("/twilio/voice/screen").params.at("To") == kFirst);
  BOOST_TEST(report.screen_heard == std::vector<std::string>{"Call for Switchboard. Press 1 to accept."});
  BOOST_TEST(report.outcome == "connected");
}

BOOST_AUTO_TEST_CASE(DeclinedOnTheScreenEndsTheDialUnbridged) {
  forward_to(dial_of({kFirst, kSecond}, true));
  transport.answer("/twilio/voice/screen-result", "<Response><Hangup/></Response>");  // the answer to a press of 2
  scenario.dial_by_number = {{kFirst, "declined"}};
  const callsim::CallReport report = call();
  // The first phone picked up and declined on the screening leg: the second had been cancelled by then.
  BOOST_TEST(only("/twilio/voice/screen").params.at("To") == kFirst);
  BOOST_TEST(only("/twilio/voice/screen-result").params.at("Digits") == "2");
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "completed");
  BOOST_TEST(result.params.at("DialBridged") == "false");
  BOOST_TEST(report.outcome == "ended");
}

BOOST_AUTO_TEST_CASE(DeclinedWhileRingingLeavesTheOtherPhonesRinging) {
  forward_to(dial_of({kFirst, kSecond}, false));
  scenario.dial_by_number = {{kFirst, "declined"}};
  const callsim::CallReport report = call();
  BOOST_TEST(only("/twilio/voice/dial-result").params.at("DialBridged") == "true");
  BOOST_TEST(report.outcome == "connected");
}

BOOST_AUTO_TEST_CASE(NobodyPickingUpReportsNoAnswerOverBusy) {
  forward_to(dial_of({kFirst, kSecond}, true));
  scenario.dial_by_number = {{kFirst, "busy"}, {kSecond, "no-answer"}};
  const callsim::CallReport report = call();
  BOOST_TEST(transport.to("/twilio/voice/screen").empty());
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "no-answer");
  BOOST_TEST(result.params.at("DialBridged") == "false");
  BOOST_TEST(result.params.count("DialCallDuration") == 0u);
  BOOST_TEST(report.outcome == "ended");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(NobodyPickingUpWithoutANoAnswerReportsTheFirstNumbersStatus) {
  forward_to(dial_of({kFirst, kSecond}, false));
  scenario.dial = "failed";
  scenario.dial_by_number = {{kFirst, "busy"}};
  call();
  BOOST_TEST(only("/twilio/voice/dial-result").params.at("DialCallStatus") == "busy");
}

BOOST_AUTO_TEST_CASE(SequentialChainRingsTheSecondPhoneAfterTheFirstRangOut) {
  scenario.presses = {"1"};
  transport.answer("/twilio/voice/menu", dial_of({kFirst}, true, kDialNext));
  transport.answer("/twilio/voice/dial-next", dial_of({kSecond}, true, kDialResult));
  transport.answer("/twilio/voice/screen", kScreen);
  transport.answer("/twilio/voice/screen-result", "<Response/>");
  transport.answer("/twilio/voice/dial-result", "<Response><Hangup/></Response>");
  scenario.dial_by_number = {{kFirst, "no-answer"}, {kSecond, "answered"}};
  scenario.dial = "busy";  // neither number falls back to it
  const callsim::CallReport report = call();
  BOOST_TEST(report.dial_groups == (Groups{{kFirst}, {kSecond}}));
  BOOST_TEST(report.dialled == (std::vector<std::string>{kFirst, kSecond}));
  const HttpRequest first = only("/twilio/voice/dial-next");
  BOOST_TEST(first.params.at("DialCallStatus") == "no-answer");
  BOOST_TEST(first.params.at("DialBridged") == "false");
  BOOST_TEST(only("/twilio/voice/screen").params.at("To") == kSecond);
  const HttpRequest second = only("/twilio/voice/dial-result");
  BOOST_TEST(second.params.at("DialCallStatus") == "completed");
  BOOST_TEST(second.params.at("DialBridged") == "true");
  BOOST_TEST(report.outcome == "connected");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(TenNumbersAreAllowedElevenAreReported) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 10; ++i) numbers.push_back("+1555123000" + std::to_string(i));
  forward_to(dial_of(numbers, false));
  BOOST_TEST(call().ok());

  numbers.push_back("+15551230010");
  forward_to(dial_of(numbers, false));
  const callsim::CallReport report = call();
  BOOST_TEST(any_error_mentions(report, "11 <Number> nouns"));
  BOOST_TEST(report.dialled.size() == 11u);
  BOOST_TEST(report.dial_groups.size() == 1u);
}

BOOST_AUTO_TEST_CASE(ANumberNotInE164FailsAloneTheOthersStillRing) {
  forward_to(dial_of({"(415) 555-0199", kSecond}, true));
  const callsim::CallReport report = call();
  BOOST_TEST(any_error_mentions(report, "'(415) 555-0199' is not E.164"));
  BOOST_TEST(only("/twilio/voice/screen").params.at("To") == kSecond);
  BOOST_TEST(only("/twilio/voice/dial-result").params.at("DialBridged") == "true");
}

BOOST_AUTO_TEST_CASE(UnknownPerNumberOutcomeIsAScenarioError) {
  scenario.dial_by_number = {{kFirst, "maybe"}};
  const callsim::CallReport report = call();
  BOOST_TEST(report.outcome == "error");
  BOOST_TEST(any_error_mentions(report, "'maybe' for " + kFirst));
  BOOST_TEST(transport.requests.empty());
}

BOOST_AUTO_TEST_CASE(RejectAsTheFirstVerbIsNeverAnswered) {
  transport.answer("/twilio/voice", "<Response><Reject/></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(report.outcome == "rejected");
  BOOST_TEST(report.total_duration_s == 0);
  BOOST_TEST(transport.requests.size() == 2u);  // the voice webhook and the status callback
  const HttpRequest status = only("/twilio/call-status");
  BOOST_TEST(status.params.at("CallStatus") == "no-answer");
  BOOST_TEST(status.params.at("CallDuration") == "0");
  BOOST_TEST(status.params.at("Duration") == "0");
  BOOST_TEST(status.params.at("SequenceNumber") == "1");  // ringing was 0; it never was in-progress
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(RejectWithReasonBusyEndsBusy) {
  transport.answer("/twilio/voice", "<Response><Reject reason=\"busy\"/></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(report.outcome == "rejected");
  const HttpRequest status = only("/twilio/call-status");
  BOOST_TEST(status.params.at("CallStatus") == "busy");
  BOOST_TEST(status.params.at("CallDuration") == "0");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(RejectWithExplicitReasonRejectedEndsNoAnswer) {
  transport.answer("/twilio/voice", "<Response><Reject reason=\"rejected\"/></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(only("/twilio/call-status").params.at("CallStatus") == "no-answer");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(RejectWithAnUnknownReasonIsReported) {
  transport.answer("/twilio/voice", "<Response><Reject reason=\"spam\"/></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(any_error_mentions(report, "<Reject reason=\"spam\">"));
  BOOST_TEST(report.outcome == "rejected");
  BOOST_TEST(only("/twilio/call-status").params.at("CallStatus") == "no-answer");
}

BOOST_AUTO_TEST_CASE(RejectAfterAnotherVerbHangsUpTheAnsweredCall) {
  transport.answer("/twilio/voice", "<Response><Say>Sorry.</Say><Reject reason=\"busy\"/></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(report.outcome == "ended");
  const HttpRequest status = only("/twilio/call-status");
  BOOST_TEST(status.params.at("CallStatus") == "completed");
  BOOST_TEST(status.params.at("CallDuration") == "2");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(RejectInALaterDocumentHangsUpTheAnsweredCall) {
  scenario.presses = {"1"};
  transport.answer("/twilio/voice/menu", "<Response><Reject/></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(report.outcome == "ended");
  BOOST_TEST(only("/twilio/call-status").params.at("CallStatus") == "completed");
}

BOOST_AUTO_TEST_CASE(ReorderedCallbacksOfARejectedCallSkipInProgress) {
  transport.answer("/twilio/voice", "<Response><Reject/></Response>");
  scenario.reorder_callbacks = true;
  call();
  BOOST_TEST(statuses_sent() == (std::vector<std::string>{"no-answer#1", "ringing#0"}));
}

BOOST_AUTO_TEST_SUITE_END()
