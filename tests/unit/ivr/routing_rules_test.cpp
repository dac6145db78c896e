// The routing document's rules in the call flow, TwiML parsed back: which rule wins an incoming call (blocklist >
// holiday > away > closed > menu) and what it records, the blocklist's "anonymous", ringing several targets at once
// (one <Dial>, a screened <Number> each) or in order (a <Dial> per target, dial-result?target=N naming the next, the
// voicemail after the last), text-back, the screening result, and the pool-down fallback following the routing.
#include <boost/test/unit_test.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../support/print.h"
#include "../support/settings.h"
#include "../support/twiml.h"
#include "ivr/call_flow.h"
#include "ivr/routes.h"
#include "routing/routing.h"

namespace {

namespace ivr = switchboard::ivr;
namespace route = switchboard::ivr::route;
namespace routing = switchboard::routing;
using switchboard::config::MenuDefault;
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

constexpr char kSecondTarget[] = "+14155550101";
constexpr char kThirdTarget[] = "+14155550102";
constexpr char kChristmas[] = "2026-12-25";

std::string url(const route::Step& step, const std::string& query = "") {
  return route::url(switchboard::test::kBaseUrl, step, query);
}

// The test routing with two targets, rung `strategy`, for 15 s each.
routing::Routing two_targets(routing::Strategy strategy) {
  routing::Routing r = routing_of(test_settings());
  r.forward.targets = {kForwardTo, kSecondTarget};
  r.forward.strategy = strategy;
  r.forward.ring_seconds = 15;
  return r;
}

// Every rule switched on at once: a blocklisted caller, a holiday today, away, and the office closed.
routing::Routing everything_on() {
  routing::Routing r = routing_of(test_settings());
  r.blocklist = {"+14155550199"};
  r.holidays = {{"2026-12-24", "Closed for Christmas Eve."}, {kChristmas, "Merry Christmas, we are closed."}};
  r.away.enabled = true;
  r.away.message = "We are away this week.";
  r.office_hours.closed_message = "We are closed now.";
  r.text_back.enabled = true;
  return r;
}

void check_say(const pugi::xml_node& say, const std::string& text) {
  BOOST_TEST(std::string(say.name()) == "Say");
  BOOST_TEST(text_of(say) == text);
  BOOST_TEST(attr(say, "voice") == "Polly.Amy");
  BOOST_TEST(attr(say, "language") == "en-GB");
}

// The voicemail sequence (prompt, Record, "nothing recorded", Hangup) starting at verb `first`, recording to `done`.
void check_voicemail(const Twiml& twiml, std::size_t first, const routing::Routing& r,
                     const route::Step& done = route::kVoicemailDone) {
  check_say(twiml.verb(first), r.voicemail.prompt);
  const pugi::xml_node record = twiml.verb(first + 1);
  BOOST_TEST(std::string(record.name()) == "Record");
  BOOST_TEST(attr(record, "action") == url(done));
  BOOST_TEST(attr(record, "maxLength") == std::to_string(r.voicemail.max_seconds));
  BOOST_TEST(has_attr(record, "transcribe") == r.voicemail.transcribe);
  check_say(twiml.verb(first + 2), "We did not receive a message. Goodbye.");
  BOOST_TEST(std::string(twiml.verb(first + 3).name()) == "Hangup");
}

// A message, then the voicemail.
void check_message_then_voicemail(const ivr::Decision& decision, const std::string& message,
                                  const routing::Routing& r) {
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup");
  check_say(twiml.verb(0), message);
  check_voicemail(twiml, 1, r);
  BOOST_TEST(!decision.forwarded_to.has_value());
  BOOST_TEST(!decision.menu_choice.has_value());
}

// The numbers of a <Dial>, each checked for its screening url.
std::vector<std::string> numbers_of(const pugi::xml_node& dial, bool screened,
                                    const route::Step& screen = route::kScreen) {
  std::vector<std::string> numbers;
  for (const pugi::xml_node& number : dial.children("Number")) {
    numbers.push_back(text_of(number));
    BOOST_TEST(has_attr(number, "url") == screened);
    if (screened) {
      BOOST_TEST(attr(number, "url") == url(screen));
      BOOST_TEST(attr(number, "method") == "POST");
    }
  }
  return numbers;
}

// A forward <Dial> as the only verb, with its action, ringing `numbers`.
void check_forward(const ivr::Decision& decision, const std::string& action, const std::vector<std::string>& numbers,
                   bool screened = true) {
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Dial");
  const pugi::xml_node dial = twiml.verb(0);
  BOOST_TEST(attr(dial, "action") == action);
  BOOST_TEST(attr(dial, "method") == "POST");
  BOOST_TEST(attr(dial, "timeout") == "15");
  BOOST_TEST(attr(dial, "answerOnBridge") == "true");
  BOOST_TEST(attr(dial, "callerId") == kCaller);
  BOOST_TEST(element_names(dial) == std::string(numbers.size() == 1 ? "Number" : "Number Number"));
  BOOST_TEST(numbers_of(dial, screened) == numbers);
  std::string joined;
  for (const std::string& number : numbers) joined += (joined.empty() ? "" : ",") + number;
  BOOST_TEST(decision.forwarded_to == std::optional<std::string>(joined));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ivr_routing_rules)

BOOST_AUTO_TEST_CASE(ABlocklistedCallerIsRejectedWhateverElseApplies) {
  const ivr::Decision decision =
      ivr::incoming_call(test_settings(), everything_on(), "+14155550199", office(false, kChristmas));
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Reject");
  BOOST_TEST(attr(twiml.verb(0), "reason") == "rejected");
  BOOST_TEST(element_names(twiml.verb(0)) == "");
  BOOST_TEST(decision.rule == std::optional<std::string>("blocklist"));
  BOOST_TEST(!decision.rule_detail.has_value());
  BOOST_TEST(!decision.forwarded_to.has_value());
  BOOST_TEST(!decision.text_back);  // text-back is on, but never to a blocked caller
}

BOOST_AUTO_TEST_CASE(AHolidayWinsOverAwayAndClosed) {
  const routing::Routing r = everything_on();
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, kCaller, office(false, kChristmas));
  check_message_then_voicemail(decision, "Merry Christmas, we are closed.", r);
  BOOST_TEST(decision.rule == std::optional<std::string>("holiday"));
  BOOST_TEST(decision.rule_detail == std::optional<std::string>(kChristmas));
}

BOOST_AUTO_TEST_CASE(AHolidayAppliesEvenDuringOfficeHours) {
  routing::Routing r = everything_on();
  r.away.enabled = false;
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, kCaller, office(true, "2026-12-24"));
  check_message_then_voicemail(decision, "Closed for Christmas Eve.", r);
  BOOST_TEST(decision.rule == std::optional<std::string>("holiday"));
  BOOST_TEST(decision.rule_detail == std::optional<std::string>("2026-12-24"));
}

BOOST_AUTO_TEST_CASE(AwayWinsOverClosedOnAnOrdinaryDay) {
  const routing::Routing r = everything_on();
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, kCaller, office(false, "2026-12-26"));
  check_message_then_voicemail(decision, "We are away this week.", r);
  BOOST_TEST(decision.rule == std::optional<std::string>("away"));
  BOOST_TEST(!decision.rule_detail.has_value());
}

BOOST_AUTO_TEST_CASE(AwayAppliesDuringOfficeHoursToo) {
  const routing::Routing r = everything_on();
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, kCaller, office(true, "2026-12-26"));
  check_message_then_voicemail(decision, "We are away this week.", r);
  BOOST_TEST(decision.rule == std::optional<std::string>("away"));
}

BOOST_AUTO_TEST_CASE(ClosedPlaysTheClosedMessage) {
  routing::Routing r = everything_on();
  r.away.enabled = false;
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, kCaller, office(false, "2026-12-26"));
  check_message_then_voicemail(decision, "We are closed now.", r);
  BOOST_TEST(decision.rule == std::optional<std::string>("office-hours"));
  BOOST_TEST(!decision.rule_detail.has_value());
}

BOOST_AUTO_TEST_CASE(OpenOffersTheMenu) {
  routing::Routing r = everything_on();
  r.away.enabled = false;
  r.menu.prompt = "Press 1 for a plumber.";
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, kCaller, office(true, "2026-12-26"));
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Gather Redirect");
  BOOST_TEST(attr(twiml.verb(0), "action") == url(route::kMenu, "attempt=1"));
  check_say(twiml.verb(0).child("Say"), "Press 1 for a plumber.");
  BOOST_TEST(text_of(twiml.verb(1)) == url(route::kMenu, "attempt=1"));
  BOOST_TEST(decision.rule == std::optional<std::string>("menu"));
  BOOST_TEST(!decision.rule_detail.has_value());
  BOOST_TEST(!decision.forwarded_to.has_value());
}

BOOST_AUTO_TEST_CASE(AnonymousInTheBlocklistRejectsWithheldCallersOnly) {
  routing::Routing r = routing_of(test_settings());
  r.blocklist = {"anonymous"};
  for (const char* hidden : {"Anonymous", "anonymous", "unknown", "", "Restricted"}) {
    const ivr::Decision decision = ivr::incoming_call(test_settings(), r, hidden, office(true));
    BOOST_TEST(Twiml(decision.twiml).verbs() == "Reject", hidden);
    BOOST_TEST(decision.rule == std::optional<std::string>("blocklist"), hidden);
  }
  const ivr::Decision number = ivr::incoming_call(test_settings(), r, kCaller, office(true));
  BOOST_TEST(Twiml(number.twiml).verbs() == "Gather Redirect");
  BOOST_TEST(number.rule == std::optional<std::string>("menu"));
}

BOOST_AUTO_TEST_CASE(ABlockedNumberDoesNotBlockWithheldCallers) {
  routing::Routing r = routing_of(test_settings());
  r.blocklist = {"+14155550199"};
  const ivr::Decision decision = ivr::incoming_call(test_settings(), r, "Anonymous", office(true));
  BOOST_TEST(Twiml(decision.twiml).verbs() == "Gather Redirect");
  BOOST_TEST(decision.rule == std::optional<std::string>("menu"));
  BOOST_TEST(Twiml(ivr::incoming_call(test_settings(), r, "+14155550198", office(true)).twiml).verbs() ==
             "Gather Redirect");
}

BOOST_AUTO_TEST_CASE(SimultaneousRingsEveryTargetInOneDial) {
  const routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  const ivr::Decision decision = ivr::menu_choice(test_settings(), r, kCaller, "1", 1);
  check_forward(decision, url(route::kDialResult), {kForwardTo, kSecondTarget});
  BOOST_TEST(url(route::kDialResult) == "https://voice.example.com/twilio/voice/dial-result");
  BOOST_TEST(decision.rule == std::optional<std::string>("menu-forward"));
  BOOST_TEST(decision.menu_choice == std::optional<std::string>("forward"));
}

BOOST_AUTO_TEST_CASE(WithoutScreeningTheNumbersHaveNoUrl) {
  routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  r.forward.screening = false;
  check_forward(ivr::menu_choice(test_settings(), r, kCaller, "1", 1), url(route::kDialResult),
                {kForwardTo, kSecondTarget}, false);
}

BOOST_AUTO_TEST_CASE(AWithheldCallerIsForwardedWithoutCallerId) {
  const routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  const Twiml twiml(ivr::menu_choice(test_settings(), r, "Anonymous", "1", 1).twiml);
  BOOST_TEST(!has_attr(twiml.verb(0), "callerId"));
}

BOOST_AUTO_TEST_CASE(SequentialRingsTheFirstTargetAlone) {
  const routing::Routing r = two_targets(routing::Strategy::kSequential);
  const ivr::Decision decision = ivr::menu_choice(test_settings(), r, kCaller, "1", 1);
  check_forward(decision, url(route::kDialResult, "target=1"), {kForwardTo});
  BOOST_TEST(url(route::kDialResult, "target=1") == "https://voice.example.com/twilio/voice/dial-result?target=1");
  BOOST_TEST(decision.rule == std::optional<std::string>("menu-forward"));
}

BOOST_AUTO_TEST_CASE(SequentialUnansweredFirstTargetRingsTheSecond) {
  const routing::Routing r = two_targets(routing::Strategy::kSequential);
  const ivr::Decision decision = ivr::dial_result(test_settings(), r, kCaller, false, 1);
  check_forward(decision, url(route::kDialResult, "target=2"), {kSecondTarget});
  BOOST_TEST(decision.rule == std::optional<std::string>("next-target"));
  BOOST_TEST(decision.rule_detail == std::optional<std::string>(kSecondTarget));
}

BOOST_AUTO_TEST_CASE(SequentialUnansweredLastTargetGoesToVoicemail) {
  const routing::Routing r = two_targets(routing::Strategy::kSequential);
  const ivr::Decision decision = ivr::dial_result(test_settings(), r, kCaller, false, 2);
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup");
  check_say(twiml.verb(0), "Sorry, nobody is available to take your call.");
  check_voicemail(twiml, 1, r);
  BOOST_TEST(decision.rule == std::optional<std::string>("no-answer"));
  BOOST_TEST(!decision.rule_detail.has_value());
  BOOST_TEST(!decision.forwarded_to.has_value());
}

BOOST_AUTO_TEST_CASE(SequentialRingsThreeTargetsInTurn) {
  routing::Routing r = two_targets(routing::Strategy::kSequential);
  r.forward.targets.push_back(kThirdTarget);
  check_forward(ivr::dial_result(test_settings(), r, kCaller, false, 1), url(route::kDialResult, "target=2"),
                {kSecondTarget});
  const ivr::Decision third = ivr::dial_result(test_settings(), r, kCaller, false, 2);
  check_forward(third, url(route::kDialResult, "target=3"), {kThirdTarget});
  BOOST_TEST(third.rule_detail == std::optional<std::string>(kThirdTarget));
  const ivr::Decision after = ivr::dial_result(test_settings(), r, kCaller, false, 3);
  BOOST_TEST(Twiml(after.twiml).verbs() == "Say Say Record Say Hangup");
  BOOST_TEST(after.rule == std::optional<std::string>("no-answer"));
}

BOOST_AUTO_TEST_CASE(ABridgedForwardHangsUp) {
  const routing::Routing sequential = two_targets(routing::Strategy::kSequential);
  const ivr::Decision answered = ivr::dial_result(test_settings(), sequential, kCaller, true, 2);
  BOOST_TEST(Twiml(answered.twiml).verbs() == "Hangup");
  BOOST_TEST(answered.rule == std::optional<std::string>("target-answered"));
  BOOST_TEST(answered.rule_detail == std::optional<std::string>(kSecondTarget));
  BOOST_TEST(!answered.forwarded_to.has_value());

  const routing::Routing simultaneous = two_targets(routing::Strategy::kSimultaneous);
  const ivr::Decision at_once = ivr::dial_result(test_settings(), simultaneous, kCaller, true, std::nullopt);
  BOOST_TEST(Twiml(at_once.twiml).verbs() == "Hangup");
  BOOST_TEST(at_once.rule == std::optional<std::string>("target-answered"));
  BOOST_TEST(!at_once.rule_detail.has_value());  // which phone answered is not in the dial-result
}

BOOST_AUTO_TEST_CASE(SimultaneousUnansweredGoesToVoicemailNeverASecondDial) {
  const routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  const ivr::Decision decision = ivr::dial_result(test_settings(), r, kCaller, false, std::nullopt);
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup");
  check_voicemail(twiml, 1, r);
  BOOST_TEST(decision.rule == std::optional<std::string>("no-answer"));
}

BOOST_AUTO_TEST_CASE(SequentialWithoutATargetInTheUrlGoesToVoicemail) {
  // dial-result without ?target (or one parse_target refused: the routing changed meanwhile) rings nobody again.
  const routing::Routing r = two_targets(routing::Strategy::kSequential);
  const ivr::Decision decision = ivr::dial_result(test_settings(), r, kCaller, false, std::nullopt);
  BOOST_TEST(Twiml(decision.twiml).verbs() == "Say Say Record Say Hangup");
  BOOST_TEST(decision.rule == std::optional<std::string>("no-answer"));
}

BOOST_AUTO_TEST_CASE(ParseTargetAcceptsOnlyATargetOfTheRouting) {
  BOOST_TEST(ivr::parse_target(std::string("1"), 2) == std::optional<int>(1));
  BOOST_TEST(ivr::parse_target(std::string("2"), 2) == std::optional<int>(2));
  BOOST_TEST(ivr::parse_target(std::string("10"), 10) == std::optional<int>(10));
  for (const char* bad : {"0", "3", "", "-1", "x", "1x", "001", " 1"}) {
    BOOST_TEST(!ivr::parse_target(std::string(bad), 2).has_value(), bad);
  }
  BOOST_TEST(!ivr::parse_target(std::nullopt, 2).has_value());
}

BOOST_AUTO_TEST_CASE(MenuDefaultForwardRingsTheFirstTargetWhenSequential) {
  routing::Routing r = two_targets(routing::Strategy::kSequential);
  r.menu.default_step = MenuDefault::kForward;
  r.menu.attempts = 2;
  const ivr::Decision decision = ivr::menu_choice(test_settings(), r, kCaller, "", 2);
  check_forward(decision, url(route::kDialResult, "target=1"), {kForwardTo});
  BOOST_TEST(decision.rule == std::optional<std::string>("menu-default"));
  BOOST_TEST(decision.rule_detail == std::optional<std::string>("forward"));
  BOOST_TEST(!decision.menu_choice.has_value());  // the caller chose nothing
}

BOOST_AUTO_TEST_CASE(MenuDefaultForwardRingsEveryTargetWhenSimultaneous) {
  routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  r.menu.default_step = MenuDefault::kForward;
  r.menu.attempts = 1;
  const ivr::Decision decision = ivr::menu_choice(test_settings(), r, kCaller, "", 1);
  check_forward(decision, url(route::kDialResult), {kForwardTo, kSecondTarget});
  BOOST_TEST(decision.rule_detail == std::optional<std::string>("forward"));
}

BOOST_AUTO_TEST_CASE(MenuDefaultVoicemailAfterTheRoutingsAttempts) {
  routing::Routing r = routing_of(test_settings());
  r.menu.attempts = 2;
  r.voicemail.max_seconds = 45;
  r.voicemail.transcribe = true;
  const ivr::Decision repeat = ivr::menu_choice(test_settings(), r, kCaller, "9", 1);
  const Twiml again(repeat.twiml);
  BOOST_TEST(again.verbs() == "Say Gather Redirect");
  check_say(again.verb(0), "Sorry, that is not a valid choice.");
  BOOST_TEST(attr(again.verb(1), "action") == url(route::kMenu, "attempt=2"));
  BOOST_TEST(repeat.rule == std::optional<std::string>("menu-repeat"));
  BOOST_TEST(repeat.rule_detail == std::optional<std::string>("2"));

  const ivr::Decision last = ivr::menu_choice(test_settings(), r, kCaller, "", 2);
  const Twiml twiml(last.twiml);
  BOOST_TEST(twiml.verbs() == "Say Record Say Hangup");
  check_voicemail(twiml, 0, r);
  BOOST_TEST(attr(twiml.verb(1), "maxLength") == "45");
  BOOST_TEST(attr(twiml.verb(1), "transcribe") == "true");
  BOOST_TEST(attr(twiml.verb(1), "transcribeCallback") == url(route::kTranscription));
  BOOST_TEST(last.rule == std::optional<std::string>("menu-default"));
  BOOST_TEST(last.rule_detail == std::optional<std::string>("voicemail"));
}

BOOST_AUTO_TEST_CASE(PressTwoLeavesAVoicemailInTheRoutingsLength) {
  routing::Routing r = routing_of(test_settings());
  r.voicemail.prompt = "Speak after the tone.";
  r.voicemail.max_seconds = 300;
  const ivr::Decision decision = ivr::menu_choice(test_settings(), r, kCaller, "2", 1);
  const Twiml twiml(decision.twiml);
  BOOST_TEST(twiml.verbs() == "Say Record Say Hangup");
  check_voicemail(twiml, 0, r);
  BOOST_TEST(attr(twiml.verb(1), "maxLength") == "300");
  BOOST_TEST(decision.rule == std::optional<std::string>("menu-voicemail"));
  BOOST_TEST(decision.menu_choice == std::optional<std::string>("voicemail"));
}

BOOST_AUTO_TEST_CASE(TextBackOnlyWhenEnabledAndTheCallerHasANumber) {
  routing::Routing r = routing_of(test_settings());
  r.text_back.enabled = true;
  BOOST_TEST(ivr::incoming_call(test_settings(), r, kCaller, office(true)).text_back);
  BOOST_TEST(ivr::incoming_call(test_settings(), r, kCaller, office(false)).text_back);
  for (const char* no_number : {"Anonymous", "unknown", "", "client:alice", "4155550123"}) {
    BOOST_TEST(!ivr::incoming_call(test_settings(), r, no_number, office(true)).text_back, no_number);
  }
  r.text_back.enabled = false;
  BOOST_TEST(!ivr::incoming_call(test_settings(), r, kCaller, office(true)).text_back);
  BOOST_TEST(!ivr::incoming_call(test_settings(), r, kCaller, office(false)).text_back);
}

BOOST_AUTO_TEST_CASE(ScreenResultRecordsWhichTargetAcceptedOrDeclined) {
  const ivr::Decision accepted = ivr::screen_result("1", kSecondTarget);
  const Twiml bridged(accepted.twiml);
  BOOST_TEST(bridged.verbs() == "");  // an empty document bridges the legs
  BOOST_TEST(accepted.rule == std::optional<std::string>("target-accepted"));
  BOOST_TEST(accepted.rule_detail == std::optional<std::string>(kSecondTarget));

  for (const char* other : {"2", "", "*", "11"}) {
    const ivr::Decision declined = ivr::screen_result(other, kSecondTarget);
    BOOST_TEST(Twiml(declined.twiml).verbs() == "Hangup", other);
    BOOST_TEST(declined.rule == std::optional<std::string>("target-declined"), other);
    BOOST_TEST(declined.rule_detail == std::optional<std::string>(kSecondTarget), other);
  }
  // A To that is not a number (a SIP or client leg) is not recorded as one.
  BOOST_TEST(!ivr::screen_result("1", "sip:desk@example.com").rule_detail.has_value());
}

BOOST_AUTO_TEST_CASE(FallbackRingsEveryTargetAtOnceEvenWhenSequential) {
  const routing::Routing r = two_targets(routing::Strategy::kSequential);
  const auto fallback = ivr::fallback_twiml(test_settings(), r, route::kVoice.fallback);
  BOOST_REQUIRE(fallback.has_value());
  const Twiml twiml(*fallback);
  BOOST_TEST(twiml.verbs() == "Say Dial Say Record Say Hangup");
  check_say(twiml.verb(0), "Thank you for calling Acme Plumbing. Please hold while we connect you.");
  const pugi::xml_node dial = twiml.verb(1);
  BOOST_TEST(!has_attr(dial, "action"));  // nothing to ask a worker: the document goes on to the voicemail
  BOOST_TEST(attr(dial, "timeout") == "15");
  BOOST_TEST(attr(dial, "answerOnBridge") == "true");
  BOOST_TEST(element_names(dial) == "Number Number");
  BOOST_TEST(numbers_of(dial, true, route::kFallbackScreen) == (std::vector<std::string>{kForwardTo, kSecondTarget}));
  check_voicemail(twiml, 2, r, route::kFallbackVoicemailDone);
}

BOOST_AUTO_TEST_CASE(FallbackWithoutScreeningLeavesTheNumbersBare) {
  routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  r.forward.screening = false;
  const Twiml twiml(*ivr::fallback_twiml(test_settings(), r, route::kMenu.fallback));
  BOOST_TEST(numbers_of(twiml.verb(1), false) == (std::vector<std::string>{kForwardTo, kSecondTarget}));
}

BOOST_AUTO_TEST_CASE(AwayFallbackPlaysTheAwayMessageAndDialsNobody) {
  routing::Routing r = two_targets(routing::Strategy::kSimultaneous);
  r.away.enabled = true;
  r.away.message = "We are away this week.";
  for (const route::Step* step : {&route::kVoice, &route::kMenu}) {
    const Twiml twiml(*ivr::fallback_twiml(test_settings(), r, step->fallback));
    BOOST_TEST(twiml.verbs() == "Say Say Record Say Hangup", step->path);
    check_say(twiml.verb(0), "We are away this week.");
    check_voicemail(twiml, 1, r, route::kFallbackVoicemailDone);
  }
}

BOOST_AUTO_TEST_SUITE_END()
