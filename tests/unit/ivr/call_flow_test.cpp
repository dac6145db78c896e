// The call flow as Twilio reads it: each step's TwiML parsed back, verbs in order, attributes exact, URLs absolute
// under the public base URL and taken from the route table.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "../support/print.h"
#include "../support/settings.h"
#include "../support/twiml.h"
#include "ivr/call_flow.h"
#include "ivr/routes.h"

namespace {

namespace ivr = switchboard::ivr;
namespace route = switchboard::ivr::route;
using switchboard::config::MenuDefault;
using switchboard::config::Settings;
using switchboard::test::attr;
using switchboard::test::element_names;
using switchboard::test::has_attr;
using switchboard::test::kCaller;
using switchboard::test::kForwardTo;
using switchboard::test::office;
using switchboard::test::routing_of;
using switchboard::test::test_settings;
using switchboard::test::text_of;
using switchboard::test::Twiml;

std::string url(const route::Step& step, const std::string& query = "") {
  return route::url(switchboard::test::kBaseUrl, step, query);
}

// A <Say> in the configured voice and language saying exactly `text`.
void check_say(const pugi::xml_node& say, const std::string& text) {
  BOOST_TEST(std::string(say.name()) == "Say");
  BOOST_TEST(text_of(say) == text);
  BOOST_TEST(attr(say, "voice") == "Polly.Amy");
  BOOST_TEST(attr(say, "language") == "en-GB");
}

// The menu's <Gather> and the <Redirect> after it, starting at verb `first`.
void check_menu(const Twiml& twiml, std::size_t first, int attempt) {
  const std::string action = url(route::kMenu, "attempt=" + std::to_string(attempt));
  BOOST_TEST(action == "https://voice.example.com/twilio/voice/menu?attempt=" + std::to_string(attempt));
  const pugi::xml_node gather = twiml.verb(first);
  BOOST_TEST(std::string(gather.name()) == "Gather");
  BOOST_TEST(attr(gather, "input") == "dtmf");
  BOOST_TEST(attr(gather, "numDigits") == "1");
  BOOST_TEST(attr(gather, "timeout") == "7");
  BOOST_TEST(attr(gather, "action") == action);
  BOOST_TEST(attr(gather, "method") == "POST");
  BOOST_TEST(element_names(gather) == "Say");
  check_say(gather.child("Say"), test_settings().ivr.menu_prompt);
  const pugi::xml_node redirect = twiml.verb(first + 1);
  BOOST_TEST(std::string(redirect.name()) == "Redirect");
  BOOST_TEST(attr(redirect, "method") == "POST");
  BOOST_TEST(text_of(redirect) == action);
}

// The voicemail sequence (prompt, Record, "nothing recorded", Hangup) starting at verb `first`.
void check_voicemail(const Twiml& twiml, std::size_t first) {
  check_say(twiml.verb(first), test_settings().ivr.voicemail_prompt);
  const pugi::xml_node record = twiml.verb(first + 1);
  BOOST_TEST(std::string(record.name()) == "Record");
  BOOST_TEST(attr(record, "action") == "https://voice.example.com/twilio/voice/voicemail-done");
  BOOST_TEST(attr(record, "method") == "POST");
  BOOST_TEST(attr(record, "maxLength") == "90");
  BOOST_TEST(attr(record, "playBeep") == "true");
  BOOST_TEST(attr(record, "timeout") == "5");
  BOOST_TEST(attr(record, "trim") == "trim-silence");
  BOOST_TEST(attr(record, "recordingStatusCallback") == "https://voice.example.com/twilio/recording-status");
  BOOST_TEST(attr(record, "recordingStatusCallbackMethod") == "POST");
  BOOST_TEST(attr(record, "recordingStatusCallbackEvent") == "completed absent");
  check_say(twiml.verb(first + 2), "We did not receive a message. Goodbye.");
  BOOST_TEST(std::string(twiml.verb(first + 3).name()) == "Hangup");
}

// The forward: <Dial> to the configured number with the caller's number shown (when it is one).
void check_dial(const Twiml& twiml, const std::optional<std::string>& caller_id) {
  BOOST_TEST(twiml.verbs() == "Dial");
  const pugi::xml_node dial = twiml.verb(0);
  BOOST_TEST(attr(dial, "action") == "https://voice.example.com/twilio/voice/dial-result");
  BOOST_TEST(attr(dial, "method") == "POST");
  BOOST_TEST(attr(dial, "timeout") == "25");
  BOOST_TEST(attr(dial, "answerOnBridge") == "true");
  BOOST_TEST(has_attr(dial, "callerId") == caller_id.has_value());
  if (caller_id) BOOST_TEST(attr(dial, "callerId") == *caller_id);
  BOOST_TEST(element_names(dial) == "Number");
  BOOST_TEST(text_of(dial.child("Number")) == kForwardTo);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ivr_call_flow)

BOOST_AUTO_TEST_CASE(IncomingCallDuringOfficeHoursOffersTheMenu) {
  const ivr::Decision decision = ivr::incoming_call(test_settings(), routing_of(test_settings()), kCaller, office(true));
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Gather Redirect");
  check_menu(twiml, 0, 1);
  BOOST_TEST(!decision.menu_choice);
  BOOST_TEST(!decision.forwarded_to);
}

BOOST_AUTO_TEST_CASE(IncomingCallOutsideOfficeHoursGoesStraightToVoicemail) {
  const ivr::Decision decision = ivr::incoming_call(test_settings(), routing_of(test_settings()), kCaller, office(false));
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup");
  check_say(twiml.verb(0), "Acme Plumbing is closed.");
  check_voicemail(twiml, 1);
  BOOST_TEST(!decision.menu_choice);  // the caller chose nothing
  BOOST_TEST(!decision.forwarded_to);
}

BOOST_AUTO_TEST_CASE(PressOneForwardsTheCallWithScreening) {
  const ivr::Decision decision = ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, "1", 1);
  const Twiml twiml(decision.twiml);
  check_dial(twiml, std::string(kCaller));
  const pugi::xml_node number = twiml.verb(0).child("Number");
  BOOST_TEST(attr(number, "url") == "https://voice.example.com/twilio/voice/screen");
  BOOST_TEST(attr(number, "method") == "POST");
  BOOST_TEST(decision.menu_choice == "forward");
  BOOST_TEST(decision.forwarded_to == kForwardTo);
}

BOOST_AUTO_TEST_CASE(PressOneWithoutScreeningDialsTheNumberDirectly) {
  Settings settings = test_settings();
  settings.ivr.screening = false;
  const Twiml twiml(ivr::menu_choice(settings, routing_of(settings), kCaller, "1", 1).twiml);
  check_dial(twiml, std::string(kCaller));
  const pugi::xml_node number = twiml.verb(0).child("Number");
  BOOST_TEST(!has_attr(number, "url"));
  BOOST_TEST(!has_attr(number, "method"));
}

BOOST_AUTO_TEST_CASE(PressOneFromWithheldNumberOmitsCallerId) {
  for (const char* caller : {"anonymous", "", "Restricted", "client:alice", "+0123"}) {
    BOOST_TEST_CONTEXT("From=" << caller) {
      const Twiml twiml(ivr::menu_choice(test_settings(), routing_of(test_settings()), caller, "1", 1).twiml);
      check_dial(twiml, std::nullopt);
    }
  }
}

BOOST_AUTO_TEST_CASE(PressOneOnLastAttemptStillForwards) {
  const ivr::Decision decision = ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, "1", 3);
  check_dial(Twiml(decision.twiml), std::string(kCaller));
  BOOST_TEST(decision.menu_choice == "forward");
}

BOOST_AUTO_TEST_CASE(PressTwoStartsVoicemail) {
  const ivr::Decision decision = ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, "2", 1);
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Record Say Hangup");
  check_voicemail(twiml, 0);
  BOOST_TEST(!has_attr(twiml.verb(1), "transcribe"));
  BOOST_TEST(!has_attr(twiml.verb(1), "transcribeCallback"));
  BOOST_TEST(decision.menu_choice == "voicemail");
  BOOST_TEST(!decision.forwarded_to);
}

BOOST_AUTO_TEST_CASE(PressTwoWithTranscriptionAsksForTranscript) {
  Settings settings = test_settings();
  settings.ivr.transcribe = true;
  const Twiml twiml(ivr::menu_choice(settings, routing_of(settings), kCaller, "2", 1).twiml);
  check_voicemail(twiml, 0);
  BOOST_TEST(attr(twiml.verb(1), "transcribe") == "true");
  BOOST_TEST(attr(twiml.verb(1), "transcribeCallback") == "https://voice.example.com/twilio/transcription");
}

// With connection overrides configured (two hosts: Twilio retries a request that found no server), every URL our
// TwiML gives Twilio carries them as a fragment, which Twilio reads and neither sends nor signs.
BOOST_AUTO_TEST_CASE(ConnectionOverridesRideOnEveryUrlTwilioRequestsNext) {
  Settings settings = test_settings();
  settings.twilio_url_overrides = "ct=1000&rc=2&rp=ct,rt";
  settings.ivr.transcribe = true;
  const std::string fragment = "#ct=1000&rc=2&rp=ct,rt";
  const Twiml menu(ivr::incoming_call(settings, routing_of(settings), kCaller, office(true)).twiml);
  BOOST_TEST(attr(menu.response().child("Gather"), "action") == url(route::kMenu, "attempt=1") + fragment);
  BOOST_TEST(text_of(menu.response().child("Redirect")) == url(route::kMenu, "attempt=1") + fragment);
  const Twiml voicemail(ivr::menu_choice(settings, routing_of(settings), kCaller, "2", 1).twiml);
  const pugi::xml_node record = voicemail.response().child("Record");
  BOOST_TEST(attr(record, "action") == url(route::kVoicemailDone) + fragment);
  BOOST_TEST(attr(record, "recordingStatusCallback") == url(route::kRecordingStatus) + fragment);
  BOOST_TEST(attr(record, "transcribeCallback") == url(route::kTranscription) + fragment);
  const Twiml forward(ivr::menu_choice(settings, routing_of(settings), kCaller, "1", 1).twiml);
  BOOST_TEST(attr(forward.response().child("Dial"), "action").rfind(url(route::kDialResult), 0) == 0);
  BOOST_TEST(attr(forward.response().child("Dial"), "action").find(fragment) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(InvalidKeySaysSoAndAsksAgain) {
  for (const char* digits : {"9", "0", "*", "#", "12"}) {
    BOOST_TEST_CONTEXT("Digits=" << digits) {
      const ivr::Decision decision = ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, digits, 1);
      const Twiml twiml(decision.twiml);
      BOOST_TEST(twiml.verbs() == "Say Gather Redirect");
      check_say(twiml.verb(0), "Sorry, that is not a valid choice.");
      check_menu(twiml, 1, 2);
      BOOST_TEST(!decision.menu_choice);
    }
  }
}

BOOST_AUTO_TEST_CASE(SilenceAsksAgainWithoutComplaint) {
  const Twiml twiml(ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, "", 2).twiml);
  BOOST_TEST(twiml.verbs() == "Gather Redirect");
  check_menu(twiml, 0, 3);
}

BOOST_AUTO_TEST_CASE(SilenceOnLastAttemptGoesToVoicemail) {
  const ivr::Decision decision = ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, "", 3);
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Record Say Hangup");
  check_voicemail(twiml, 0);
  BOOST_TEST(!decision.menu_choice);  // the default applied; the caller chose nothing
  BOOST_TEST(!decision.forwarded_to);
}

BOOST_AUTO_TEST_CASE(InvalidKeyOnLastAttemptSaysSoThenVoicemail) {
  const Twiml twiml(ivr::menu_choice(test_settings(), routing_of(test_settings()), kCaller, "7", 3).twiml);
  BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup");
  check_say(twiml.verb(0), "Sorry, that is not a valid choice.");
  check_voicemail(twiml, 1);
}

BOOST_AUTO_TEST_CASE(SilenceOnLastAttemptForwardsWhenDefaultIsForward) {
  Settings settings = test_settings();
  settings.ivr.menu_default = MenuDefault::kForward;
  const ivr::Decision decision = ivr::menu_choice(settings, routing_of(settings), kCaller, "", 3);
  check_dial(Twiml(decision.twiml), std::string(kCaller));
  BOOST_TEST(!decision.menu_choice);
  BOOST_TEST(decision.forwarded_to == kForwardTo);
}

BOOST_AUTO_TEST_CASE(SingleAttemptMenuAppliesDefaultOnFirstSilence) {
  Settings settings = test_settings();
  settings.ivr.menu_attempts = 1;
  const Twiml twiml(ivr::menu_choice(settings, routing_of(settings), kCaller, "", 1).twiml);
  BOOST_TEST(twiml.verbs() == "Say Record Say Hangup");
}

BOOST_AUTO_TEST_CASE(ScreenAsksTheAnsweringPhoneToAccept) {
  const Twiml twiml(ivr::screen(test_settings(), kCaller));
  BOOST_TEST(twiml.verbs() == "Gather Hangup");
  const pugi::xml_node gather = twiml.verb(0);
  BOOST_TEST(attr(gather, "input") == "dtmf");
  BOOST_TEST(attr(gather, "numDigits") == "1");
  BOOST_TEST(attr(gather, "timeout") == "8");
  BOOST_TEST(attr(gather, "action") == "https://voice.example.com/twilio/voice/screen-result");
  BOOST_TEST(attr(gather, "method") == "POST");
  BOOST_TEST(element_names(gather) == "Say");
  check_say(gather.child("Say"), "Call for Acme Plumbing from 1 4 1 5 5 5 5 0 1 2 3. Press 1 to accept.");
}

BOOST_AUTO_TEST_CASE(ScreenOfWithheldNumberSaysUnknownNumber) {
  const Twiml twiml(ivr::screen(test_settings(), "anonymous"));
  check_say(twiml.verb(0).child("Say"), "Call for Acme Plumbing from an unknown number. Press 1 to accept.");
}

BOOST_AUTO_TEST_CASE(ScreenResultOneBridgesWithEmptyResponse) {
  const Twiml twiml(ivr::screen_result("1", kForwardTo).twiml);
  BOOST_TEST(twiml.verbs() == "");
  BOOST_TEST(ivr::screen_accepted("1"));
}

BOOST_AUTO_TEST_CASE(ScreenResultOtherKeyHangsUpThatLeg) {
  for (const char* digits : {"2", "0", "*", "", "11"}) {
    BOOST_TEST_CONTEXT("Digits=" << digits) {
      BOOST_TEST(Twiml(ivr::screen_result(digits, kForwardTo).twiml).verbs() == "Hangup");
      BOOST_TEST(!ivr::screen_accepted(digits));
    }
  }
}

BOOST_AUTO_TEST_CASE(DialBridgedTruthTable) {
  const std::optional<std::string> absent;
  for (const char* status : {"completed", "answered", "busy", "no-answer", "failed", "canceled"}) {
    BOOST_TEST_CONTEXT("DialCallStatus=" << status) {
      const bool connected = std::string(status) == "completed" || std::string(status) == "answered";
      BOOST_TEST(ivr::dial_bridged(status, absent) == connected);
      // When Twilio says, it is believed: a declined screen reports "completed" but DialBridged=false.
      BOOST_TEST(ivr::dial_bridged(status, std::string("true")));
      BOOST_TEST(!ivr::dial_bridged(status, std::string("false")));
      BOOST_TEST(!ivr::dial_bridged(status, std::string("")));
    }
  }
}

BOOST_AUTO_TEST_CASE(DialResultBridgedHangsUp) {
  BOOST_TEST(Twiml(ivr::dial_result(test_settings(), routing_of(test_settings()), kCaller, true, std::nullopt).twiml).verbs() == "Hangup");
}

BOOST_AUTO_TEST_CASE(DialResultNotBridgedOffersVoicemail) {
  const Twiml twiml(ivr::dial_result(test_settings(), routing_of(test_settings()), kCaller, false, std::nullopt).twiml);
  BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup");
  check_say(twiml.verb(0), "Sorry, nobody is available to take your call.");
  check_voicemail(twiml, 1);
}

BOOST_AUTO_TEST_CASE(VoicemailDoneThanksAndHangsUp) {
  const Twiml twiml(ivr::voicemail_done(test_settings()));
  BOOST_TEST(twiml.verbs() == "Say Hangup");
  check_say(twiml.verb(0), "Thanks, goodbye.");
}

BOOST_AUTO_TEST_CASE(EmptyResponseHasNoVerbs) {
  BOOST_TEST(Twiml(ivr::empty_response()).verbs() == "");
}

BOOST_AUTO_TEST_CASE(HostilePromptStaysText) {
  Settings settings = test_settings();
  settings.ivr.company_name = "<Hangup/> & Sons";
  const Twiml twiml(ivr::screen(settings, kCaller));
  BOOST_TEST(twiml.verbs() == "Gather Hangup");
  BOOST_TEST(text_of(twiml.verb(0).child("Say")) ==
             "Call for <Hangup/> & Sons from 1 4 1 5 5 5 5 0 1 2 3. Press 1 to accept.");
}

BOOST_AUTO_TEST_CASE(ParseAttemptClampsToTheMenu) {
  const auto parse = [](const std::optional<std::string>& value) { return ivr::parse_attempt(value, 3); };
  BOOST_TEST(parse(std::nullopt) == 1);
  BOOST_TEST(parse(std::string("")) == 1);
  BOOST_TEST(parse(std::string("1")) == 1);
  BOOST_TEST(parse(std::string("2")) == 2);
  BOOST_TEST(parse(std::string("02")) == 2);
  BOOST_TEST(parse(std::string("3")) == 3);
  BOOST_TEST(parse(std::string("4")) == 3);
  BOOST_TEST(parse(std::string("999")) == 3);
  BOOST_TEST(parse(std::string("0")) == 1);
  BOOST_TEST(parse(std::string("-1")) == 1);
  BOOST_TEST(parse(std::string("+2")) == 1);
  BOOST_TEST(parse(std::string(" 2")) == 1);
  BOOST_TEST(parse(std::string("2a")) == 1);
  BOOST_TEST(parse(std::string("99999999999999999999")) == 1);  // too long to be ours; never overflows
}

BOOST_AUTO_TEST_CASE(SpokenNumberSeparatesDigits) {
  BOOST_TEST(ivr::spoken_number("+14155550123") == "1 4 1 5 5 5 5 0 1 2 3");
  BOOST_TEST(ivr::spoken_number("(415) 555-01") == "4 1 5 5 5 5 0 1");
  BOOST_TEST(ivr::spoken_number("anonymous") == "");
  BOOST_TEST(ivr::spoken_number("") == "");
}

BOOST_AUTO_TEST_SUITE_END()
