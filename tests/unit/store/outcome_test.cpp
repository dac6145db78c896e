// outcome_of(): each kind of call, built the way the webhooks build it (the IVR's decision recorded with the event,
// update_for(), fold()), gets the word the feed shows and filters on. The SQL twin (schema/005) is held to the same
// answers by tests/integration/outcome_test.cpp.
#include <boost/test/unit_test.hpp>

#include <string>

#include "../support/settings.h"
#include "ivr/call_flow.h"
#include "store/call_record.h"
#include "twilio/params.h"
#include "webhooks/call_update.h"

namespace {

namespace kind = switchboard::webhooks::kind;
namespace param = switchboard::twilio::param;
namespace ivr = switchboard::ivr;
using switchboard::config::MenuDefault;
using switchboard::store::CallRow;
using switchboard::store::Event;
using switchboard::store::outcome_of;
using switchboard::store::Params;

constexpr std::int64_t kStart = 1764147600000;  // 2025-11-26T09:00:00Z
const std::string kSid = "CA0123456789abcdef0123456789abcdef";
const std::string kRecordingSid = "RE0123456789abcdef0123456789abcdef";

// One call as its webhooks fold it, a second apart.
class Call {
 public:
  Call() : row_(switchboard::store::new_call(kSid, kStart)) {}

  Call& hears(const ivr::Decision& decision, const char* event_kind, Params params = {}) {
    return event(event_kind, std::move(params), decision.menu_choice, decision.forwarded_to);
  }
  Call& event(const char* event_kind, Params params, std::optional<std::string> menu_choice = std::nullopt,
              std::optional<std::string> forwarded_to = std::nullopt) {
    Event event;
    event.call_sid = kSid;
    event.kind = event_kind;
    params.emplace_back(param::kCallSid, kSid);
    params.emplace_back(param::kFrom, switchboard::test::kCaller);
    event.params = std::move(params);
    event.received_at_ms = kStart + 1000 * ++events_;
    event.menu_choice = std::move(menu_choice);
    event.forwarded_to = std::move(forwarded_to);
    row_ = switchboard::store::fold(row_, switchboard::webhooks::update_for(event), event.received_at_ms);
    return *this;
  }
  Call& dial(const char* dial_status, const char* bridged) {
    return event(kind::kDialResult, {{param::kDialCallStatus, dial_status}, {param::kDialBridged, bridged},
                                     {param::kCallStatus, "in-progress"}});
  }
  Call& recording(const char* status) {
    return event(kind::kRecordingStatus, {{param::kRecordingSid, kRecordingSid}, {param::kRecordingStatus, status},
                                          {param::kRecordingDuration, "0"}});
  }
  Call& hangs_up() { return event(kind::kCallStatus, {{param::kCallStatus, "completed"}}); }
  std::string outcome() const { return outcome_of(row_); }

 private:
  CallRow row_;
  int events_ = 0;
};

switchboard::config::Settings settings(MenuDefault menu_default) {
  auto settings = switchboard::test::test_settings();
  settings.ivr.menu_default = menu_default;
  return settings;
}

ivr::Decision pressed(const char* digits, MenuDefault menu_default = MenuDefault::kVoicemail, int attempt = 1) {
  return ivr::menu_choice(settings(menu_default), switchboard::test::routing_of(settings(menu_default)), switchboard::test::kCaller, digits, attempt);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_outcome)

BOOST_AUTO_TEST_CASE(PressOneAndTheForwardIsBridgedIsAnswered) {
  BOOST_TEST(Call().hears(pressed("1"), kind::kMenu).dial("completed", "true").hangs_up().outcome() == "answered");
}

BOOST_AUTO_TEST_CASE(PressOneNobodyAnswersAndTheCallerHangsUpAtTheVoicemailPromptIsMissed) {
  BOOST_TEST(Call().hears(pressed("1"), kind::kMenu).dial("no-answer", "false").hangs_up().outcome() == "missed");
}

BOOST_AUTO_TEST_CASE(ForwardedByTheMenuDefaultAndNotAnsweredIsMissed) {
  const ivr::Decision fallback = pressed("", MenuDefault::kForward, settings(MenuDefault::kForward).ivr.menu_attempts);
  BOOST_REQUIRE(!fallback.menu_choice);  // the caller chose nothing…
  BOOST_REQUIRE(fallback.forwarded_to);  // …and was forwarded all the same
  BOOST_TEST(Call().hears(fallback, kind::kMenu).dial("busy", "false").hangs_up().outcome() == "missed");
  // Hung up while it rang: no dial result ever came, the decision to forward still says it happened.
  BOOST_TEST(Call().hears(fallback, kind::kMenu).hangs_up().outcome() == "missed");
}

BOOST_AUTO_TEST_CASE(ForwardedByTheMenuDefaultAndAnsweredIsAnswered) {
  const ivr::Decision fallback = pressed("", MenuDefault::kForward, settings(MenuDefault::kForward).ivr.menu_attempts);
  BOOST_TEST(Call().hears(fallback, kind::kMenu).dial("completed", "true").hangs_up().outcome() == "answered");
}

BOOST_AUTO_TEST_CASE(PressTwoAndHangUpBeforeTheBeepIsAbandoned) {
  BOOST_TEST(Call().hears(pressed("2"), kind::kMenu).hangs_up().outcome() == "abandoned");
}

BOOST_AUTO_TEST_CASE(HangingUpAtTheBeepLeavesAnAbsentRecordingWhichIsNoVoicemail) {
  BOOST_TEST(Call().hears(pressed("2"), kind::kMenu).recording("absent").hangs_up().outcome() == "abandoned");
  BOOST_TEST(Call().hears(pressed("1"), kind::kMenu).dial("no-answer", "false").recording("absent").hangs_up()
                 .outcome() == "missed");
}

BOOST_AUTO_TEST_CASE(AMessageLeftIsVoicemailWhateverCameBefore) {
  BOOST_TEST(Call().hears(pressed("2"), kind::kMenu).recording("completed").hangs_up().outcome() == "voicemail");
  BOOST_TEST(Call().hears(pressed("1"), kind::kMenu).dial("no-answer", "false").recording("completed").hangs_up()
                 .outcome() == "voicemail");
  // A recording Twilio failed to store was still a message left.
  BOOST_TEST(Call().hears(pressed("2"), kind::kMenu).recording("failed").hangs_up().outcome() == "voicemail");
}

BOOST_AUTO_TEST_CASE(HangingUpInTheMenuIsAbandoned) {
  BOOST_TEST(Call().event(kind::kVoice, {{param::kCallStatus, "ringing"}}).hangs_up().outcome() == "abandoned");
}

BOOST_AUTO_TEST_CASE(AClosedOfficeCallerWhoHangsUpBeforeTheBeepIsAbandoned) {
  const ivr::Decision closed = ivr::incoming_call(settings(MenuDefault::kVoicemail), switchboard::test::routing_of(settings(MenuDefault::kVoicemail)), switchboard::test::kCaller, switchboard::test::office(false));
  BOOST_TEST(Call().hears(closed, kind::kVoice, {{param::kCallStatus, "ringing"}}).hangs_up().outcome() ==
             "abandoned");
}

BOOST_AUTO_TEST_CASE(AnUnfinishedCallIsInProgressUntilItEndsUnlessItAlreadyHasAnOutcome) {
  Call call;
  call.event(kind::kVoice, {{param::kCallStatus, "ringing"}});
  BOOST_TEST(call.outcome() == "in-progress");
  call.hears(pressed("1"), kind::kMenu);
  BOOST_TEST(call.outcome() == "in-progress");
  call.dial("completed", "true");  // still talking
  BOOST_TEST(call.outcome() == "answered");
}

BOOST_AUTO_TEST_CASE(EveryOutcomeIsOneOfTheListedWords) {
  CallRow row;
  for (const char* status : {"", "ringing", "completed"}) {
    row.status = status;
    const std::string outcome = outcome_of(row);
    bool listed = false;
    for (const char* word : switchboard::store::kOutcomes) listed = listed || outcome == word;
    BOOST_TEST(listed, outcome);
  }
}

BOOST_AUTO_TEST_SUITE_END()
