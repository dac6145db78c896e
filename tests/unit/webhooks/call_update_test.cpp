// What each webhook says about its call: update_for() per endpoint kind, which call an event belongs to (the
// screening leg reports on the caller's call), and Twilio's RFC 2822 timestamps.
#include <boost/test/unit_test.hpp>

#include <string>

#include "../support/print.h"
#include "store/rejection.h"
#include "twilio/params.h"
#include "webhooks/call_update.h"

namespace {

namespace kind = switchboard::webhooks::kind;
namespace param = switchboard::twilio::param;
using switchboard::store::CallUpdate;
using switchboard::store::Event;
using switchboard::store::Params;
using switchboard::webhooks::owning_call_sid;
using switchboard::webhooks::parse_rfc2822;
using switchboard::webhooks::update_for;

const std::string kParentSid = "CA00000000000000000000000000000001";
const std::string kChildSid = "CA00000000000000000000000000000002";
const std::string kRecordingSid = "RE0123456789abcdef0123456789abcdef";
const std::string kRecordingUrl =
    "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/" + kRecordingSid;
constexpr std::int64_t kTwilioExampleMs = 1282266822000;  // Fri, 20 Aug 2010 01:13:42 +0000

// What every voice webhook of the caller's leg carries.
Params caller_leg(Params extra = {}) {
  Params params = {{param::kCallSid, kParentSid},     {param::kAccountSid, "AC0123456789abcdef0123456789abcdef"},
                   {param::kFrom, "+14155550123"},    {param::kTo, "+14155550199"},
                   {param::kCallerName, "ALICE"},     {param::kFromCity, "OAKLAND"},
                   {param::kFromState, "CA"},         {param::kFromCountry, "US"},
                   {param::kCallStatus, "in-progress"}, {param::kDirection, "inbound"}};
  params.insert(params.end(), extra.begin(), extra.end());
  return params;
}

CallUpdate update(const char* event_kind, Params params) {
  Event event;
  event.kind = event_kind;
  event.params = std::move(params);
  event.call_sid = owning_call_sid(event.kind, event.params);
  return update_for(event);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(webhooks_call_update)

BOOST_AUTO_TEST_CASE(VoiceWebhookReportsWhoIsCalling) {
  const CallUpdate u = update(kind::kVoice, caller_leg());
  BOOST_TEST(u.from == "+14155550123");
  BOOST_TEST(u.to == "+14155550199");
  BOOST_TEST(u.caller_name == "ALICE");
  BOOST_TEST(u.from_city == "OAKLAND");
  BOOST_TEST(u.from_state == "CA");
  BOOST_TEST(u.from_country == "US");
  BOOST_TEST(u.status == "in-progress");
  BOOST_TEST(!u.status_sequence);
  BOOST_TEST(!u.status_at_ms);
  BOOST_TEST(!u.duration_s);
  BOOST_TEST(!u.menu_choice);
  BOOST_TEST(!u.dial_status);
  BOOST_TEST(!u.recording_sid);
  BOOST_TEST(!u.forward_accepted);
}

BOOST_AUTO_TEST_CASE(EmptyValuesSayNothing) {
  const CallUpdate u = update(kind::kVoice, {{param::kCallSid, kParentSid},
                                             {param::kFrom, ""},
                                             {param::kCallerName, ""},
                                             {param::kCallStatus, ""}});
  BOOST_TEST(!u.from);
  BOOST_TEST(!u.caller_name);
  BOOST_TEST(!u.status);
}

BOOST_AUTO_TEST_CASE(MenuEventCarriesTheRecordedDecision) {
  Event event;
  event.kind = kind::kMenu;
  event.url_query = "attempt=1";
  event.params = caller_leg({{param::kDigits, "1"}});
  event.menu_choice = "forward";
  event.forwarded_to = "+14155550100";
  const CallUpdate u = update_for(event);
  BOOST_TEST(u.menu_choice == "forward");
  BOOST_TEST(u.forwarded_to == "+14155550100");
  BOOST_TEST(u.status == "in-progress");
  BOOST_TEST(u.from == "+14155550123");
}

BOOST_AUTO_TEST_CASE(ScreenResultOnChildLegBelongsToTheParentCall) {
  const Params child = {{param::kCallSid, kChildSid},
                        {param::kParentCallSid, kParentSid},
                        {param::kFrom, "+14155550123"},
                        {param::kTo, "+14155550100"},
                        {param::kCallStatus, "in-progress"},
                        {param::kDirection, "outbound-dial"},
                        {param::kDigits, "1"}};
  BOOST_TEST(owning_call_sid(kind::kScreenResult, child) == kParentSid);
  BOOST_TEST(owning_call_sid(kind::kScreen, child) == kParentSid);
  const CallUpdate accepted = update(kind::kScreenResult, child);
  BOOST_TEST(accepted.forward_accepted == true);
  // The child leg's From/To/CallStatus describe that leg, not the caller's call.
  BOOST_TEST(!accepted.from);
  BOOST_TEST(!accepted.to);
  BOOST_TEST(!accepted.status);
}

BOOST_AUTO_TEST_CASE(ScreenResultOtherKeyIsADecline) {
  const CallUpdate declined =
      update(kind::kScreenResult, {{param::kCallSid, kChildSid}, {param::kParentCallSid, kParentSid},
                                   {param::kDigits, "2"}});
  BOOST_TEST(declined.forward_accepted == false);
  const CallUpdate silent =
      update(kind::kScreenResult, {{param::kCallSid, kChildSid}, {param::kParentCallSid, kParentSid}});
  BOOST_TEST(silent.forward_accepted == false);
}

BOOST_AUTO_TEST_CASE(ScreenSaysNothingAboutAcceptance) {
  const CallUpdate u = update(kind::kScreen, {{param::kCallSid, kChildSid}, {param::kParentCallSid, kParentSid},
                                              {param::kCallStatus, "in-progress"}});
  BOOST_TEST(!u.forward_accepted);
  BOOST_TEST(!u.status);
}

BOOST_AUTO_TEST_CASE(OwningCallSidFallsBackToCallSid) {
  // A child-leg kind without ParentCallSid (or with an empty one) keeps its own sid.
  BOOST_TEST(owning_call_sid(kind::kScreen, {{param::kCallSid, kChildSid}}) == kChildSid);
  BOOST_TEST(owning_call_sid(kind::kScreen, {{param::kCallSid, kChildSid}, {param::kParentCallSid, ""}}) ==
             kChildSid);
  // ParentCallSid means nothing on the caller's own webhooks.
  BOOST_TEST(owning_call_sid(kind::kVoice, {{param::kCallSid, kChildSid}, {param::kParentCallSid, kParentSid}}) ==
             kChildSid);
  BOOST_TEST(owning_call_sid(kind::kCallStatus, {}) == "");
}

BOOST_AUTO_TEST_CASE(DialResultReportsOutcomeAndTalkTime) {
  const CallUpdate u = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "completed"},
                                                             {param::kDialCallSid, kChildSid},
                                                             {param::kDialCallDuration, "42"},
                                                             {param::kDialBridged, "true"}}));
  BOOST_TEST(u.dial_status == "completed");
  BOOST_TEST(u.dial_bridged == true);
  BOOST_TEST(u.talk_s == 42);
  BOOST_TEST(u.from == "+14155550123");
}

BOOST_AUTO_TEST_CASE(DialResultDeclinedScreenIsNotBridged) {
  const CallUpdate declined = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "completed"},
                                                                    {param::kDialBridged, "false"}}));
  BOOST_TEST(declined.dial_bridged == false);
  const CallUpdate unsaid = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "no-answer"}}));
  BOOST_TEST(unsaid.dial_status == "no-answer");
  BOOST_TEST(unsaid.dial_bridged == false);  // decided from DialCallStatus, as the IVR does
  BOOST_TEST(!unsaid.talk_s);
}

// Without DialBridged the IVR decides from DialCallStatus; the log must record the same decision.
// DialCallDuration of a declined screen counts the seconds the forwarded phone listened to it: not talk time.
BOOST_AUTO_TEST_CASE(DialResultTalkTimeOnlyWhenBridged) {
  const CallUpdate declined = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "completed"},
                                                                    {param::kDialCallDuration, "7"},
                                                                    {param::kDialBridged, "false"}}));
  BOOST_TEST(declined.dial_bridged == false);
  BOOST_TEST(!declined.talk_s);
  const CallUpdate voicemail = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "no-answer"},
                                                                     {param::kDialCallDuration, "0"}}));
  BOOST_TEST(!voicemail.talk_s);
}

BOOST_AUTO_TEST_CASE(DialResultWithoutDialBridgedRecordsWhatTheIvrDecided) {
  const CallUpdate connected = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "completed"},
                                                                     {param::kDialCallDuration, "42"}}));
  BOOST_TEST(connected.dial_bridged == true);
  const CallUpdate busy = update(kind::kDialResult, caller_leg({{param::kDialCallStatus, "busy"}}));
  BOOST_TEST(busy.dial_bridged == false);
}

BOOST_AUTO_TEST_CASE(VoicemailDoneDerivesRecordingSidFromUrl) {
  const CallUpdate u = update(kind::kVoicemailDone, caller_leg({{param::kRecordingUrl, kRecordingUrl},
                                                                {param::kRecordingDuration, "17"},
                                                                {param::kDigits, "hangup"}}));
  BOOST_TEST(u.recording_sid == kRecordingSid);
  BOOST_TEST(u.recording_url == kRecordingUrl);
  BOOST_TEST(u.recording_duration_s == 17);
  BOOST_TEST(!u.recording_status);  // only the status callback says the recording is final
}

BOOST_AUTO_TEST_CASE(VoicemailDonePrefersGivenRecordingSid) {
  const CallUpdate given = update(kind::kVoicemailDone, caller_leg({{param::kRecordingSid, "RE1"},
                                                                    {param::kRecordingUrl, kRecordingUrl}}));
  BOOST_TEST(given.recording_sid == "RE1");
  const CallUpdate not_a_recording =
      update(kind::kVoicemailDone, caller_leg({{param::kRecordingUrl, "https://example.com/media/x.mp3"}}));
  BOOST_TEST(!not_a_recording.recording_sid);
  BOOST_TEST(not_a_recording.recording_url == "https://example.com/media/x.mp3");
}

BOOST_AUTO_TEST_CASE(RecordingStatusCallbackIsFinal) {
  const CallUpdate u = update(kind::kRecordingStatus, {{param::kCallSid, kParentSid},
                                                       {param::kRecordingSid, kRecordingSid},
                                                       {param::kRecordingUrl, kRecordingUrl},
                                                       {param::kRecordingStatus, "completed"},
                                                       {param::kRecordingDuration, "15"}});
  BOOST_TEST(u.recording_sid == kRecordingSid);
  BOOST_TEST(u.recording_url == kRecordingUrl);
  BOOST_TEST(u.recording_status == "completed");
  BOOST_TEST(u.recording_duration_s == 15);
  BOOST_TEST(!u.status);
}

BOOST_AUTO_TEST_CASE(TranscriptionKeepsAnEmptyText) {
  const CallUpdate u = update(kind::kTranscription, {{param::kCallSid, kParentSid},
                                                     {param::kRecordingSid, kRecordingSid},
                                                     {param::kTranscriptionText, ""},
                                                     {param::kTranscriptionStatus, "completed"}});
  BOOST_TEST(u.transcription_text == "");
  BOOST_TEST(u.transcription_status == "completed");
  BOOST_TEST(!u.recording_status);
}

BOOST_AUTO_TEST_CASE(CallStatusCarriesSequenceTimestampAndDuration) {
  const CallUpdate completed = update(kind::kCallStatus, {{param::kCallSid, kParentSid},
                                                          {param::kCallStatus, "completed"},
                                                          {param::kSequenceNumber, "3"},
                                                          {param::kTimestamp, "Fri, 20 Aug 2010 01:13:42 +0000"},
                                                          {param::kCallDuration, "65"}});
  BOOST_TEST(completed.status == "completed");
  BOOST_TEST(completed.status_sequence == 3);
  BOOST_TEST(completed.status_at_ms == kTwilioExampleMs);
  BOOST_TEST(completed.duration_s == 65);
}

BOOST_AUTO_TEST_CASE(FieldsOfOtherEndpointsAreIgnored) {
  // Each field is read only from the endpoint that defines it.
  const CallUpdate u = update(kind::kVoice, caller_leg({{param::kSequenceNumber, "3"},
                                                        {param::kCallDuration, "65"},
                                                        {param::kDialCallStatus, "busy"},
                                                        {param::kRecordingSid, kRecordingSid}}));
  BOOST_TEST(!u.status_sequence);
  BOOST_TEST(!u.duration_s);
  BOOST_TEST(!u.dial_status);
  BOOST_TEST(!u.recording_sid);
}

BOOST_AUTO_TEST_CASE(GarbageNumbersAreIgnored) {
  for (const char* garbage : {"", "abc", "-1", "1e3", "12.5", " 7", "0x10", "9999999999999"}) {
    BOOST_TEST_CONTEXT("value '" << garbage << "'") {
      const CallUpdate status = update(kind::kCallStatus, {{param::kCallSid, kParentSid},
                                                           {param::kSequenceNumber, garbage},
                                                           {param::kCallDuration, garbage},
                                                           {param::kTimestamp, garbage}});
      BOOST_TEST(!status.status_sequence);
      BOOST_TEST(!status.duration_s);
      BOOST_TEST(!status.status_at_ms);
      const CallUpdate dial = update(kind::kDialResult, {{param::kCallSid, kParentSid},
                                                         {param::kDialCallDuration, garbage}});
      BOOST_TEST(!dial.talk_s);
      const CallUpdate recording = update(kind::kRecordingStatus, {{param::kCallSid, kParentSid},
                                                                   {param::kRecordingDuration, garbage}});
      BOOST_TEST(!recording.recording_duration_s);
    }
  }
}

BOOST_AUTO_TEST_CASE(AbsurdDurationsAreIgnored) {
  // More than ten days is not a phone call.
  const CallUpdate u = update(kind::kCallStatus, {{param::kCallSid, kParentSid}, {param::kCallDuration, "864001"}});
  BOOST_TEST(!u.duration_s);
  const CallUpdate ten_days =
      update(kind::kCallStatus, {{param::kCallSid, kParentSid}, {param::kCallDuration, "864000"}});
  BOOST_TEST(ten_days.duration_s == 864000);
  const CallUpdate zero = update(kind::kCallStatus, {{param::kCallSid, kParentSid}, {param::kCallDuration, "0"}});
  BOOST_TEST(zero.duration_s == 0);
}

BOOST_AUTO_TEST_CASE(Rfc2822AsTwilioSendsIt) {
  BOOST_TEST(parse_rfc2822("Fri, 20 Aug 2010 01:13:42 +0000") == kTwilioExampleMs);
  BOOST_TEST(parse_rfc2822("Fri, 20 Aug 2010 03:13:42 +0200") == kTwilioExampleMs);
  BOOST_TEST(parse_rfc2822("Thu, 19 Aug 2010 20:13:42 -0500") == kTwilioExampleMs);
  BOOST_TEST(parse_rfc2822("Thu, 26 Nov 2026 09:00:00 +0000") == std::int64_t{1795683600000});
}

BOOST_AUTO_TEST_CASE(Rfc2822RejectsOtherText) {
  for (const char* text : {"", "yesterday", "2010-08-20T01:13:42Z", "Fri, 20 Aug 2010 01:13:42",
                           "Fri, 20 Aug 2010 01:13:42 +0000 trailing", "Fri, 20 Foo 2010 01:13:42 +0000"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_TEST(!parse_rfc2822(text)); }
  }
}

// A DATETIME cannot hold year 0000 (MariaDB refused "-001-12-31…" under strict mode, and the whole event with it);
// the read path cannot turn anything before 1970 or after 2038-01-19 03:14:07 UTC back into a time.
BOOST_AUTO_TEST_CASE(Rfc2822OutsideWhatTheStoreHoldsSaysNothing) {
  for (const char* text : {"Mon, 01 Jan 0000 00:00:00 +0000", "Sat, 01 Jan 0000 00:00:00 +0000",
                           "Wed, 31 Dec 1969 23:59:59 +0000", "Thu, 01 Jan 1970 00:30:00 +0100",
                           "Tue, 19 Jan 2038 03:14:08 +0000", "Fri, 31 Dec 9999 23:59:59 +0000"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_TEST(!parse_rfc2822(text)); }
  }
  BOOST_TEST(parse_rfc2822("Thu, 01 Jan 1970 00:00:00 +0000") == std::int64_t{0});
  BOOST_TEST(parse_rfc2822("Tue, 19 Jan 2038 03:14:07 +0000") == std::int64_t{2147483647000});
}

BOOST_AUTO_TEST_CASE(CallStatusWithAYearZeroTimestampSaysNothingAboutTheTime) {
  const CallUpdate u = update(kind::kCallStatus, {{param::kCallSid, kParentSid},
                                                  {param::kCallStatus, "completed"},
                                                  {param::kSequenceNumber, "2"},
                                                  {param::kTimestamp, "Mon, 01 Jan 0000 00:00:00 +0000"},
                                                  {param::kCallDuration, "65"}});
  BOOST_TEST(!u.status_at_ms);
  BOOST_TEST(u.status == "completed");  // the rest of the event still counts
  BOOST_TEST(u.duration_s == 65);
}

// The timeline's note of a refused event carries that event's parameters; none of them may reach the call row.
BOOST_AUTO_TEST_CASE(RejectionMarkerSaysNothingAboutTheCall) {
  Event original;
  original.kind = kind::kCallStatus;
  original.params = caller_leg({{param::kCallStatus, "completed"}, {param::kCallDuration, "65"}});
  original.call_sid = kParentSid;
  original.menu_choice = "forward";
  const Event marker = switchboard::store::rejection_marker(original, {1644, "45000", "refused"}, kTwilioExampleMs);
  BOOST_TEST(marker.kind == "rejected");
  const CallUpdate u = update_for(marker);
  BOOST_TEST(!u.from);
  BOOST_TEST(!u.status);
  BOOST_TEST(!u.duration_s);
  BOOST_TEST(!u.menu_choice);
}

BOOST_AUTO_TEST_SUITE_END()
