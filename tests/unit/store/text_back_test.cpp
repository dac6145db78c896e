// Which calls get a text back (store/text_back.h): over, missed or a voicemail, asked for by the routing at the
// call's start, from a number that looks like a mobile; and the once key that makes it one per caller and UTC day.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

#include "store/text_back.h"
#include "store/call_record.h"

namespace {

namespace store = switchboard::store;

constexpr std::int64_t kStart = 1764147600000;  // 2025-11-26 09:00:00 UTC

// A call forwarded by the menu that nobody answered, over: "missed".
store::CallRow missed_call() {
  store::CallRow call = store::new_call("CA1", kStart);
  call.from = "+14155550100";
  call.to = "+15005550006";
  call.menu_choice = "forward";
  call.forwarded_to = "+14155550111";
  call.dial_status = "no-answer";
  call.dial_bridged = false;
  call.status = "completed";
  call.ended_at_ms = kStart + 40000;
  call.text_back = true;
  return call;
}

// The caller pressed 2 and left a message, over: "voicemail".
store::CallRow voicemail_call() {
  store::CallRow call = store::new_call("CA2", kStart);
  call.from = "+447400123456";
  call.to = "+15005550006";
  call.menu_choice = "voicemail";
  call.recording_sid = "RE2";
  call.recording_status = "completed";
  call.status = "completed";
  call.ended_at_ms = kStart + 40000;
  call.text_back = true;
  return call;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_text_back_rules)

BOOST_AUTO_TEST_CASE(AMissedCallFromAMobileGetsOne) {
  BOOST_TEST(std::string(store::outcome_of(missed_call())) == "missed");
  BOOST_TEST(store::wants_text_back(missed_call()));
}

BOOST_AUTO_TEST_CASE(AVoicemailFromAMobileGetsOne) {
  BOOST_TEST(std::string(store::outcome_of(voicemail_call())) == "voicemail");
  BOOST_TEST(store::wants_text_back(voicemail_call()));
}

BOOST_AUTO_TEST_CASE(AnEndTimeWithoutAFinalStatusIsOverToo) {
  store::CallRow call = missed_call();
  call.status = "in-progress";
  BOOST_TEST(store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(AVoicemailWhileTheCallerIsStillOnTheLineGetsNoneYet) {
  // The Record action arrived (a recording exists, "voicemail"), the completed status not yet.
  store::CallRow call = voicemail_call();
  call.status = "in-progress";
  call.ended_at_ms.reset();
  BOOST_TEST(std::string(store::outcome_of(call)) == "voicemail");
  BOOST_TEST(!store::text_back_outcome(call));
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(ACallStillRingingGetsNone) {
  store::CallRow call = missed_call();
  call.status = "ringing";
  call.ended_at_ms.reset();
  call.dial_status.reset();
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(AnAnsweredCallGetsNone) {
  store::CallRow call = missed_call();
  call.dial_status = "completed";
  call.dial_bridged = true;
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(AnAbandonedCallGetsNone) {
  // Hung up in the menu: not forwarded, no message.
  store::CallRow call = missed_call();
  call.menu_choice.reset();
  call.forwarded_to.reset();
  call.dial_status.reset();
  call.dial_bridged.reset();
  BOOST_TEST(std::string(store::outcome_of(call)) == "abandoned");
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(AnEmptyRecordingIsNoVoicemail) {
  // Twilio reports "absent" when the caller hung up at the beep.
  store::CallRow call = voicemail_call();
  call.recording_status = "absent";
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(ABlockedCallGetsNone) {
  store::CallRow call = missed_call();
  call.routing_rule = store::kRuleBlocklist;
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(OnlyWhenTheRoutingAskedForIt) {
  store::CallRow call = missed_call();
  call.text_back = false;
  BOOST_TEST(!store::wants_text_back(call));
  call.text_back.reset();
  BOOST_TEST(!store::wants_text_back(call));
}

BOOST_AUTO_TEST_CASE(NeverToANumberThatDoesNotLookLikeAMobile) {
  for (const char* from : {"+18005550100", "+442079460000", "anonymous", "", "+15005550006"}) {
    store::CallRow call = missed_call();
    call.from = from;
    BOOST_TEST_CONTEXT("from '" << from << "'") {
      BOOST_TEST(!store::wants_text_back(call));
    }
  }
}

BOOST_AUTO_TEST_CASE(TheOnceKeyIsTheCallerAndTheUtcDateTheCallStarted) {
  store::CallRow call = missed_call();
  BOOST_TEST(store::text_back_once_key(call) == "+14155550100:2025-11-26");
  call.started_at_ms = kStart + 15 * 3600 * 1000LL - 1;  // 23:59:59.999
  BOOST_TEST(store::text_back_once_key(call) == "+14155550100:2025-11-26");
  call.started_at_ms += 1;
  BOOST_TEST(store::text_back_once_key(call) == "+14155550100:2025-11-27");
}

BOOST_AUTO_TEST_SUITE_END()
