// The simulator's TwiML interpreter, run against a fake transport that answers canned Switchboard-like documents
// by path: what each scenario requests, with which parameters, and which server mistakes it reports.
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "call_fixture.h"
#include "callsim/callsim.h"
#include "callsim/url.h"

using namespace callsim::test;  // the fixture, its fake transport and the canned documents

BOOST_FIXTURE_TEST_SUITE(callsim_twiml_interpreter, CallFixture)

BOOST_AUTO_TEST_CASE(IncomingCallIsSignedWithTheFullParameterSet) {
  scenario.from_city = "SAN FRANCISCO";
  scenario.presses = {"hangup"};
  call();
  const HttpRequest first = only("/twilio/voice");
  BOOST_TEST(first.method == "POST");
  BOOST_TEST(first.params.at("CallStatus") == "ringing");
  BOOST_TEST(first.params.at("Direction") == "inbound");
  BOOST_TEST(first.params.at("ApiVersion") == "2010-04-01");
  BOOST_TEST(first.params.at("To") == "+15005550006");
  BOOST_TEST(first.params.at("Caller") == "+14155550100");
  BOOST_TEST(first.params.at("FromCity") == "SAN FRANCISCO");
  BOOST_TEST(first.params.count("CallerName") == 0u);
  BOOST_TEST(first.params.count("CallToken") == 1u);
  const std::vector<std::pair<std::string, std::string>> signed_params(first.params.begin(), first.params.end());
  BOOST_TEST(first.headers.at(0).first == "X-Twilio-Signature");
  BOOST_TEST(first.headers.at(0).second == callsim::sign(kToken, kBase + "/twilio/voice", signed_params));
}

BOOST_AUTO_TEST_CASE(SignatureUsesThePublicUrlWhileRequestsGoToTheBaseUrl) {
  options.base_url = "https://127.0.0.1:8443";
  options.signing_base_url = kBase;
  scenario.presses = {"hangup"};
  call();
  const HttpRequest first = transport.requests.at(0);
  BOOST_TEST(first.url == "https://127.0.0.1:8443/twilio/voice");
  const std::vector<std::pair<std::string, std::string>> signed_params(first.params.begin(), first.params.end());
  BOOST_TEST(first.headers.at(0).second == callsim::sign(kToken, kBase + "/twilio/voice", signed_params));
}

// A URL fragment (#ct=…&rc=…, Twilio's connection overrides) is read by Twilio alone: neither sent nor signed.
BOOST_AUTO_TEST_CASE(AUrlFragmentIsNeitherSentNorSigned) {
  scenario.presses = {"1"};
  transport.answer("/twilio/voice",
                   "<Response><Gather numDigits=\"1\" action=\"" + kBase +
                       "/twilio/voice/menu?attempt=1#ct=1000&amp;rc=2&amp;rp=ct,rt\"><Say>Menu.</Say></Gather></Response>");
  transport.answer("/twilio/voice/menu?attempt=1", kGoodbye);
  const callsim::CallReport report = call();
  BOOST_TEST(report.ok());
  const HttpRequest menu = only("/twilio/voice/menu?attempt=1");
  BOOST_TEST(menu.url == kBase + "/twilio/voice/menu?attempt=1");
  const std::vector<std::pair<std::string, std::string>> signed_params(menu.params.begin(), menu.params.end());
  BOOST_TEST(menu.headers.at(0).second == callsim::sign(kToken, kBase + "/twilio/voice/menu?attempt=1", signed_params));
}

BOOST_AUTO_TEST_CASE(PressOnePostsDigitsToTheGatherAction) {
  scenario.presses = {"1"};
  transport.answer("/twilio/voice/menu", kGoodbye);
  const callsim::CallReport report = call();
  const HttpRequest menu = only("/twilio/voice/menu");
  BOOST_TEST(menu.params.at("Digits") == "1");
  BOOST_TEST(menu.params.at("CallSid") == report.call_sid);
  BOOST_TEST(menu.params.at("CallStatus") == "in-progress");
  BOOST_TEST(report.heard == (std::vector<std::string>{"Press 1 to be connected, press 2 to leave a message.",
                                                       "Goodbye."}));
  BOOST_TEST(report.outcome == "ended");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(SilenceFallsThroughToTheRedirect) {
  scenario.presses = {""};
  const callsim::CallReport report = call();
  const HttpRequest again = only("/twilio/voice?attempt=2");
  BOOST_TEST(again.params.count("Digits") == 0u);
  BOOST_TEST(transport.to("/twilio/voice/menu").empty());
  BOOST_TEST(report.heard.back() == "Goodbye.");
  BOOST_TEST(report.outcome == "ended");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(CallerHangingUpInTheMenuEndsTheCall) {
  scenario.presses = {"hangup"};
  const callsim::CallReport report = call();
  BOOST_TEST(report.outcome == "hangup-in-menu");
  BOOST_TEST(transport.requests.size() == 2u);  // the voice webhook and the status callback
  BOOST_TEST(only("/twilio/call-status").params.at("CallStatus") == "completed");
}

BOOST_AUTO_TEST_CASE(ScreenedForwardAnsweredIsBridged) {
  forward_with_screening("<Response/>");
  const callsim::CallReport report = call();
  const HttpRequest screen = only("/twilio/voice/screen");
  const std::string child = screen.params.at("CallSid");
  BOOST_TEST(child != report.call_sid);
  BOOST_TEST(screen.params.at("ParentCallSid") == report.call_sid);
  BOOST_TEST(screen.params.at("Direction") == "outbound-dial");
  BOOST_TEST(screen.params.at("To") == "+14155550199");
  BOOST_TEST(screen.params.at("From") == "+15005550006");
  const HttpRequest accepted = only("/twilio/voice/screen-result");
  BOOST_TEST(accepted.params.at("Digits") == "1");
  BOOST_TEST(accepted.params.at("CallSid") == child);
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("CallSid") == report.call_sid);
  BOOST_TEST(result.params.at("DialCallSid") == child);
  BOOST_TEST(result.params.at("DialCallStatus") == "completed");
  BOOST_TEST(result.params.at("DialBridged") == "true");
  BOOST_TEST(result.params.at("DialCallDuration") == "30");
  BOOST_TEST(report.screen_heard == std::vector<std::string>{"Call for Switchboard. Press 1 to accept."});
  BOOST_TEST(report.outcome == "connected");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(DeclinedScreenIsNotBridged) {
  forward_with_screening("<Response><Hangup/></Response>");
  scenario.dial = "declined";
  const callsim::CallReport report = call();
  BOOST_TEST(only("/twilio/voice/screen-result").params.at("Digits") == "2");
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "completed");
  BOOST_TEST(result.params.at("DialBridged") == "false");
  BOOST_TEST(report.outcome == "ended");
}

BOOST_AUTO_TEST_CASE(VoicemailIgnoringTheScreenIsNotBridged) {
  forward_with_screening("<Response/>");
  scenario.dial = "voicemail";
  transport.answer("/twilio/voice/dial-result", kVoicemail);
  transport.answer("/twilio/voice/voicemail-done", kThanks);
  const callsim::CallReport report = call();
  BOOST_TEST(transport.to("/twilio/voice/screen-result").empty());
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "completed");
  BOOST_TEST(result.params.at("DialBridged") == "false");
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(NoAnswerSkipsTheScreenAndSendsNoDuration) {
  forward_with_screening("<Response/>");
  scenario.dial = "no-answer";
  call();
  BOOST_TEST(transport.to("/twilio/voice/screen").empty());
  const HttpRequest result = only("/twilio/voice/dial-result");
  BOOST_TEST(result.params.at("DialCallStatus") == "no-answer");
  BOOST_TEST(result.params.at("DialBridged") == "false");
  BOOST_TEST(result.params.count("DialCallDuration") == 0u);
}

BOOST_AUTO_TEST_CASE(RecordPostsTheRecordingThenTheRecordingCallback) {
  voicemail_on_press_two();
  const callsim::CallReport report = call();
  const HttpRequest done = only("/twilio/voice/voicemail-done");
  const std::string sid = done.params.at("RecordingSid");
  BOOST_TEST(sid.size() == 34u);
  BOOST_TEST(sid.substr(0, 2) == "RE");
  BOOST_TEST(done.params.at("RecordingUrl") == "https://api.twilio.com/2010-04-01/Accounts/" + kAccount +
                                                   "/Recordings/" + sid);
  BOOST_TEST(done.params.at("RecordingDuration") == "12");
  BOOST_TEST(done.params.at("Digits") == "#");
  const HttpRequest status = only("/twilio/recording-status");
  BOOST_TEST(status.params.at("RecordingSid") == sid);
  BOOST_TEST(status.params.at("CallSid") == report.call_sid);
  BOOST_TEST(status.params.at("RecordingStatus") == "completed");
  BOOST_TEST(status.params.at("RecordingChannels") == "1");
  BOOST_TEST(status.params.at("RecordingSource") == "RecordVerb");
  BOOST_TEST(contains(report.heard, "[beep]"));
  BOOST_TEST(report.heard.back() == "Thank you, goodbye.");
  BOOST_TEST(report.outcome == "voicemail");
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(TranscriptionCallbackFollowsWhenAsked) {
  voicemail_on_press_two();
  transport.answer("/twilio/voice/menu",
                   "<Response><Record action=\"https://sb.example.com/twilio/voice/voicemail-done\" "
                   "transcribe=\"true\" transcribeCallback=\"https://sb.example.com/twilio/transcription\"/>"
                   "</Response>");
  const callsim::CallReport report = call();
  const HttpRequest transcription = only("/twilio/transcription");
  BOOST_TEST(transcription.params.at("TranscriptionStatus") == "completed");
  BOOST_TEST(transcription.params.at("RecordingSid") ==
             only("/twilio/voice/voicemail-done").params.at("RecordingSid"));
  BOOST_TEST(transcription.params.at("CallSid") == report.call_sid);
  BOOST_TEST(report.ok());
}

BOOST_AUTO_TEST_CASE(HangupDuringRecordEndsTheCallAfterTheAction) {
  voicemail_on_press_two();
  scenario.hangup_during_record = true;
  const callsim::CallReport report = call();
  const HttpRequest done = only("/twilio/voice/voicemail-done");
  BOOST_TEST(done.params.at("Digits") == "hangup");
  BOOST_TEST(done.params.at("CallStatus") == "completed");
  BOOST_TEST(!contains(report.heard, "Thank you, goodbye."));
  BOOST_TEST(report.outcome == "hangup-in-voicemail");
}

BOOST_AUTO_TEST_CASE(FinalStatusCallbackReportsTheCallDuration) {
  voicemail_on_press_two();
  const callsim::CallReport report = call();
  BOOST_TEST(callsim::url_path(transport.requests.back().url) == "/twilio/call-status");
  const HttpRequest status = only("/twilio/call-status");
  BOOST_TEST(status.params.at("CallSid") == report.call_sid);
  BOOST_TEST(status.params.at("CallStatus") == "completed");
  BOOST_TEST(status.params.at("CallDuration") == std::to_string(report.total_duration_s));
  BOOST_TEST(status.params.at("Duration") == "1");
  BOOST_TEST(status.params.at("CallbackSource") == "call-progress-events");
  BOOST_TEST(status.params.at("Timestamp").find("+0000") != std::string::npos);
  BOOST_TEST(statuses_sent() == std::vector<std::string>{"completed#2"});
}

BOOST_AUTO_TEST_CASE(ReorderedCallbacksArriveAfterCompleted) {
  scenario.presses = {"hangup"};
  scenario.reorder_callbacks = true;
  call();
  BOOST_TEST(statuses_sent() == (std::vector<std::string>{"completed#2", "in-progress#1", "ringing#0"}));
}

BOOST_AUTO_TEST_CASE(DuplicateCallbacksAreSentTwiceIdentically) {
  voicemail_on_press_two();
  scenario.duplicate_callbacks = true;
  call();
  const std::vector<HttpRequest> recordings = transport.to("/twilio/recording-status");
  BOOST_TEST_REQUIRE(recordings.size() == 2u);
  BOOST_TEST(recordings[0].params == recordings[1].params);
  BOOST_TEST(statuses_sent() == (std::vector<std::string>{"completed#2", "completed#2"}));
  BOOST_TEST(transport.to("/twilio/voice/voicemail-done").size() == 1u);  // webhooks are never duplicated
}

BOOST_AUTO_TEST_CASE(WrongContentTypeIsAnError) {
  transport.answer("/twilio/voice", kMenu, "text/html; charset=utf-8");
  call_failing_with("Content-Type");
  BOOST_TEST(transport.to("/twilio/call-status").size() == 1u);  // the call still ends with its callback
}

BOOST_AUTO_TEST_CASE(RootOtherThanResponseIsAnError) {
  transport.answer("/twilio/voice", "<Say>Hello</Say>");
  call_failing_with("not <Response>");
}

BOOST_AUTO_TEST_CASE(MalformedXmlAndServerErrorsAreErrors) {
  scenario.presses = {"1"};
  transport.answer("/twilio/voice", "<Response><Say>Fish & chips</Say></Response>");
  BOOST_TEST(any_error_mentions(call(), "unescaped '&'"));
  transport.answer("/twilio/voice", "<Response><Say>Fish &amp; chips &#233;</Say></Response>");
  BOOST_TEST(call().ok());
  transport.answer("/twilio/voice", "<Response><Say>Hi</Response>");
  BOOST_TEST(any_error_mentions(call(), "not well-formed"));
  transport.answer("/twilio/voice", "oops", "text/plain", 500);
  BOOST_TEST(any_error_mentions(call(), "HTTP status 500"));
}

BOOST_AUTO_TEST_CASE(RelativeActionUrlIsFlaggedButFollowed) {
  transport.answer("/twilio/voice",
                   "<Response><Gather numDigits=\"1\" action=\"/twilio/voice/menu\"><Say>Hi</Say></Gather></Response>");
  transport.answer("/twilio/voice/menu", kGoodbye);
  scenario.presses = {"1"};
  const callsim::CallReport report = call();
  BOOST_TEST(any_error_mentions(report, "relative"));
  BOOST_TEST(only("/twilio/voice/menu").url == kBase + "/twilio/voice/menu");
  BOOST_TEST(report.heard.back() == "Goodbye.");
}

BOOST_AUTO_TEST_CASE(BodyOver64KiBIsAnError) {
  transport.answer("/twilio/voice", "<Response><Say>" + std::string(70000, 'a') + "</Say></Response>");
  call_failing_with("64 KiB");
}

BOOST_AUTO_TEST_CASE(AnswerSlowerThanTheLimitIsAnError) {
  transport.answer("/twilio/voice", kMenu, "text/xml", 200, 15.5);
  BOOST_TEST(call_failing_with("limit").slowest_webhook_s == 15.5);
}

BOOST_AUTO_TEST_CASE(NumberNotInE164IsFlaggedAndFails) {
  forward_with_screening("<Response/>");
  transport.answer("/twilio/voice/menu",
                   "<Response><Dial action=\"https://sb.example.com/twilio/voice/dial-result\">"
                   "<Number>(415) 555-0199</Number></Dial></Response>");
  const callsim::CallReport report = call();
  BOOST_TEST(any_error_mentions(report, "E.164"));
  BOOST_TEST(only("/twilio/voice/dial-result").params.at("DialCallStatus") == "failed");
}

BOOST_AUTO_TEST_CASE(UnknownVerbIsAnError) {
  transport.answer("/twilio/voice", "<Response><Speak>Hello</Speak></Response>");
  call_failing_with("<Speak>");
}

BOOST_AUTO_TEST_CASE(RedirectLoopIsStopped) {
  transport.answer("/twilio/voice", "<Response><Redirect>https://sb.example.com/twilio/voice</Redirect></Response>");
  call_failing_with("<Redirect>s in a row");
  BOOST_TEST(transport.to("/twilio/voice").size() == 11u);  // the first document and ten redirects
}

BOOST_AUTO_TEST_CASE(DocumentCapStopsAMenuThatNeverEnds) {
  scenario.presses = std::vector<std::string>(40, "9");
  transport.answer("/twilio/voice/menu", kMenu);
  call_failing_with("more than 30 TwiML documents");
  BOOST_TEST(transport.requests.size() == 31u);  // 30 documents and the status callback
}

BOOST_AUTO_TEST_SUITE_END()
