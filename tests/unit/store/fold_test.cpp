// fold(): the one place that decides how an event changes a call. Idempotent (an update applied twice is applied
// once), monotonic (status only moves forward, whatever order Twilio's callbacks arrive in), first-wins for who
// called and latest-wins for what they chose. Plus the event deduplication key.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../support/print.h"
#include "store/call_record.h"
#include "twilio/params.h"

namespace {

namespace status = switchboard::twilio::status;
using switchboard::store::CallRow;
using switchboard::store::CallUpdate;
using switchboard::store::Event;
using switchboard::store::fold;
using switchboard::store::new_call;

constexpr std::int64_t kStart = 1764147600000;  // 2025-11-26T09:00:00Z

template <typename T>
void put(std::ostringstream& out, const char* name, const std::optional<T>& value) {
  out << name << '=';
  if (value) out << *value;
  else out << "null";
  out << ' ';
}

// Every field of the row, so two rows compare equal exactly when they are.
std::string dump(const CallRow& row) {
  std::ostringstream out;
  out << "id=" << row.id << " sid=" << row.sid << " from=" << row.from << " to=" << row.to << " status=" << row.status
      << " started=" << row.started_at_ms << ' ';
  put(out, "caller_name", row.caller_name);
  put(out, "from_city", row.from_city);
  put(out, "from_state", row.from_state);
  put(out, "from_country", row.from_country);
  put(out, "status_sequence", row.status_sequence);
  put(out, "menu_choice", row.menu_choice);
  put(out, "forwarded_to", row.forwarded_to);
  put(out, "forward_accepted", row.forward_accepted);
  put(out, "dial_status", row.dial_status);
  put(out, "dial_bridged", row.dial_bridged);
  put(out, "talk_s", row.talk_s);
  put(out, "duration_s", row.duration_s);
  put(out, "answered", row.answered_at_ms);
  put(out, "ended", row.ended_at_ms);
  put(out, "recording_sid", row.recording_sid);
  put(out, "recording_url", row.recording_url);
  put(out, "recording_status", row.recording_status);
  put(out, "recording_duration_s", row.recording_duration_s);
  put(out, "transcription_text", row.transcription_text);
  put(out, "transcription_status", row.transcription_status);
  put(out, "heard", row.voicemail_heard_at_ms);
  return out.str();
}

CallRow fresh() { return new_call("CA0000000000000000000000000000000a", kStart); }

CallUpdate status_update(const std::string& value, std::optional<std::int64_t> sequence = std::nullopt,
                         std::optional<std::int64_t> at_ms = std::nullopt) {
  CallUpdate update;
  update.status = value;
  update.status_sequence = sequence;
  update.status_at_ms = at_ms;
  return update;
}

CallRow apply(std::vector<CallUpdate> updates) {
  CallRow row = fresh();
  std::int64_t received = kStart;
  for (const CallUpdate& update : updates) row = fold(row, update, received += 1000);
  return row;
}

// Everything a webhook can say at once.
CallUpdate everything() {
  CallUpdate update;
  update.from = "+14155550123";
  update.to = "+14155550199";
  update.caller_name = "ALICE";
  update.from_city = "SAN FRANCISCO";
  update.from_state = "CA";
  update.from_country = "US";
  update.status = status::kCompleted;
  update.status_sequence = 4;
  update.status_at_ms = kStart + 60000;
  update.menu_choice = "forward";
  update.forwarded_to = "+14155550100";
  update.forward_accepted = true;
  update.dial_status = "completed";
  update.dial_bridged = true;
  update.talk_s = 42;
  update.duration_s = 55;
  update.recording_sid = "RE0123456789abcdef0123456789abcdef";
  update.recording_url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789abcdef0123456789abcdef";
  update.recording_status = "completed";
  update.recording_duration_s = 12;
  update.transcription_text = "hello";
  update.transcription_status = "completed";
  return update;
}

// Lifecycle order; the last five are final and share a rank. An update for kStatuses[i] carries SequenceNumber i,
// as Twilio numbers the callbacks in the order it fires them.
const std::vector<std::string> kStatuses = {status::kQueued,    status::kInitiated, status::kRinging,
                                            status::kInProgress, status::kCompleted, status::kBusy,
                                            status::kFailed,    status::kNoAnswer,  status::kCanceled};

Event event_with(std::vector<std::pair<std::string, std::string>> params) {
  Event event;
  event.call_sid = "CA1";
  event.kind = "call-status";
  event.url_query = "";
  event.params = std::move(params);
  event.received_at_ms = kStart;
  return event;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_fold)

BOOST_AUTO_TEST_CASE(NewCallStartsEmpty) {
  const CallRow row = fresh();
  BOOST_TEST(row.sid == "CA0000000000000000000000000000000a");
  BOOST_TEST(row.started_at_ms == kStart);
  BOOST_TEST(row.status == "");
  BOOST_TEST(!row.answered_at_ms);
  BOOST_TEST(!row.ended_at_ms);
}

BOOST_AUTO_TEST_CASE(SameUpdateTwiceGivesSameRow) {
  const CallRow once = fold(fresh(), everything(), kStart + 1000);
  const CallRow twice = fold(once, everything(), kStart + 1000);
  BOOST_TEST(dump(twice) == dump(once));
  // Also for each partial update on a row that already has other facts.
  for (const CallUpdate& update : {status_update(status::kRinging, 1), status_update(status::kInProgress, 2, kStart),
                                   CallUpdate{}}) {
    const CallRow base = fold(fresh(), everything(), kStart);
    const CallRow first = fold(base, update, kStart + 5000);
    BOOST_TEST(dump(fold(first, update, kStart + 5000)) == dump(first));
  }
}

BOOST_AUTO_TEST_CASE(RedeliveryLaterChangesNothing) {
  // A redelivered request folds with a later arrival time; nothing observable may move.
  const CallRow once = fold(fold(fresh(), status_update(status::kInProgress, 2, kStart + 3000), kStart + 3000),
                            status_update(status::kCompleted, 3, kStart + 9000), kStart + 9000);
  const CallRow again = fold(once, status_update(status::kCompleted, 3, kStart + 9000), kStart + 70000);
  BOOST_TEST(dump(again) == dump(once));
}

BOOST_AUTO_TEST_CASE(StatusIsMonotonicForEveryOrderedPair) {
  for (std::size_t a = 0; a < kStatuses.size(); ++a) {
    for (std::size_t b = 0; b < kStatuses.size(); ++b) {
      if (a == b) continue;
      BOOST_TEST_CONTEXT(kStatuses[a] << " then " << kStatuses[b]) {
        const CallUpdate first = status_update(kStatuses[a], static_cast<std::int64_t>(a));
        const CallUpdate second = status_update(kStatuses[b], static_cast<std::int64_t>(b));
        const int rank_a = switchboard::store::status_rank(kStatuses[a]);
        const int rank_b = switchboard::store::status_rank(kStatuses[b]);
        // The higher rank wins; between two final statuses, the one Twilio fired later (higher SequenceNumber).
        const std::string& winner = rank_a != rank_b ? (rank_a > rank_b ? kStatuses[a] : kStatuses[b])
                                                     : kStatuses[std::max(a, b)];
        BOOST_TEST(apply({first, second}).status == winner);
        BOOST_TEST(apply({second, first}).status == winner);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(StatusRanksFollowTheLifecycle) {
  using switchboard::store::status_rank;
  BOOST_TEST(status_rank("queued") < status_rank("ringing"));
  BOOST_TEST(status_rank("initiated") < status_rank("ringing"));
  BOOST_TEST(status_rank("ringing") < status_rank("in-progress"));
  for (const char* final_status : {"completed", "busy", "failed", "no-answer", "canceled"}) {
    BOOST_TEST(status_rank("in-progress") < status_rank(final_status));
    BOOST_TEST(switchboard::store::is_final_status(final_status));
  }
  BOOST_TEST(!switchboard::store::is_final_status("in-progress"));
  BOOST_TEST(status_rank("answered") == 0);
  BOOST_TEST(status_rank("") == 0);
}

BOOST_AUTO_TEST_CASE(LateRingingNeverOverwritesCompleted) {
  const CallRow row = apply({status_update(status::kCompleted, 3, kStart + 60000),
                             status_update(status::kRinging, 1, kStart + 1000)});
  BOOST_TEST(row.status == "completed");
  BOOST_TEST(row.status_sequence == 3);
  BOOST_TEST(row.ended_at_ms == kStart + 60000);
  BOOST_TEST(!row.answered_at_ms);
}

BOOST_AUTO_TEST_CASE(UnknownStatusNeverDisplacesAKnownOne) {
  const CallRow row = apply({status_update(status::kRinging, 1), status_update("something-new", 2)});
  BOOST_TEST(row.status == "ringing");
}

BOOST_AUTO_TEST_CASE(HigherSequenceNumberSettlesTwoFinalStatuses) {
  const CallUpdate no_answer = status_update(status::kNoAnswer, 5);
  const CallUpdate completed = status_update(status::kCompleted, 7);
  BOOST_TEST(apply({no_answer, completed}).status == "completed");
  BOOST_TEST(apply({completed, no_answer}).status == "completed");
  BOOST_TEST(apply({completed, no_answer}).status_sequence == 7);
}

BOOST_AUTO_TEST_CASE(FinalStatusWithoutSequenceNumberKeepsTheFirst) {
  // Without SequenceNumbers there is nothing to settle two final reports by; the first one stays.
  BOOST_TEST(apply({status_update(status::kBusy), status_update(status::kCompleted)}).status == "busy");
  BOOST_TEST(apply({status_update(status::kCompleted), status_update(status::kBusy)}).status == "completed");
}

BOOST_AUTO_TEST_CASE(AnsweredAndEndedAreSetOnce) {
  const CallRow row = apply({status_update(status::kInProgress, 2, kStart + 5000),
                             status_update(status::kInProgress, 2, kStart + 6000),
                             status_update(status::kCompleted, 3, kStart + 65000),
                             status_update(status::kCompleted, 3, kStart + 99000)});
  BOOST_TEST(row.answered_at_ms == kStart + 5000);
  BOOST_TEST(row.ended_at_ms == kStart + 65000);
}

BOOST_AUTO_TEST_CASE(TimesUseTwilioTimestampElseArrival) {
  CallRow row = fold(fresh(), status_update(status::kInProgress), kStart + 4000);
  BOOST_TEST(row.answered_at_ms == kStart + 4000);
  row = fold(row, status_update(status::kCompleted, 3, kStart + 30000), kStart + 45000);
  BOOST_TEST(row.ended_at_ms == kStart + 30000);
}

BOOST_AUTO_TEST_CASE(LateInProgressStillRecordsAnswerTime) {
  const CallRow row = apply({status_update(status::kCompleted, 3, kStart + 65000),
                             status_update(status::kInProgress, 2, kStart + 5000)});
  BOOST_TEST(row.status == "completed");
  BOOST_TEST(row.answered_at_ms == kStart + 5000);
}

BOOST_AUTO_TEST_CASE(CallDurationComesFromTwilio) {
  CallUpdate completed = status_update(status::kCompleted, 3);
  completed.duration_s = 61;
  BOOST_TEST(apply({status_update(status::kInProgress, 2), completed}).duration_s == 61);
  BOOST_TEST(!apply({status_update(status::kInProgress, 2)}).duration_s);
}

// A declined screen or a personal voicemail answers the forwarded leg for a few seconds; nobody talked to the caller.
BOOST_AUTO_TEST_CASE(TalkTimeOnlyForABridgedDial) {
  CallUpdate declined;
  declined.dial_status = "completed";
  declined.dial_bridged = false;
  declined.talk_s = 7;
  BOOST_TEST(!apply({declined}).talk_s);
  CallUpdate unsaid = declined;  // no DialBridged decision at all
  unsaid.dial_bridged.reset();
  BOOST_TEST(!apply({unsaid}).talk_s);
  CallUpdate bridged = declined;
  bridged.dial_bridged = true;
  BOOST_TEST(apply({bridged}).talk_s == 7);
}

BOOST_AUTO_TEST_CASE(TalkTimeStoredWithoutABridgeIsDroppedByTheNextEvent) {
  CallRow row = fresh();  // folded before the rule: 7 s of a declined screen
  row.dial_bridged = false;
  row.talk_s = 7;
  row = fold(row, status_update(status::kCompleted, 3), kStart + 9000);
  BOOST_TEST(!row.talk_s);
}

BOOST_AUTO_TEST_CASE(RecordingStatusDurationWinsOverRecordAction) {
  CallUpdate record_action;  // <Record action>: provisional duration, no RecordingStatus
  record_action.recording_sid = "RE1";
  record_action.recording_duration_s = 14;
  CallUpdate status_callback;  // recordingStatusCallback: the final duration after trimming
  status_callback.recording_sid = "RE1";
  status_callback.recording_status = "completed";
  status_callback.recording_duration_s = 11;
  BOOST_TEST(apply({record_action, status_callback}).recording_duration_s == 11);
  BOOST_TEST(apply({status_callback, record_action}).recording_duration_s == 11);
  BOOST_TEST(apply({status_callback, record_action}).recording_status == "completed");
  BOOST_TEST(apply({record_action}).recording_duration_s == 14);
}

BOOST_AUTO_TEST_CASE(RecordingStatusDoesNotGoBack) {
  CallUpdate in_progress;
  in_progress.recording_status = "in-progress";
  in_progress.recording_duration_s = 3;
  CallUpdate completed;
  completed.recording_status = "completed";
  completed.recording_duration_s = 11;
  const CallRow row = apply({completed, in_progress});
  BOOST_TEST(row.recording_status == "completed");
  BOOST_TEST(row.recording_duration_s == 11);
}

BOOST_AUTO_TEST_CASE(LatestMenuChoiceWins) {
  CallUpdate forward;
  forward.menu_choice = "forward";
  CallUpdate voicemail;
  voicemail.menu_choice = "voicemail";
  BOOST_TEST(apply({forward, voicemail}).menu_choice == "voicemail");
  BOOST_TEST(apply({voicemail, forward}).menu_choice == "forward");
  // An update that says nothing about the choice keeps it.
  BOOST_TEST(apply({forward, status_update(status::kCompleted, 3)}).menu_choice == "forward");
}

BOOST_AUTO_TEST_CASE(IdentityFieldsFirstReportWins) {
  CallUpdate first;
  first.from = "+14155550123";
  first.to = "+14155550199";
  first.caller_name = "ALICE";
  first.from_city = "OAKLAND";
  CallUpdate later;
  later.from = "+19995550000";
  later.to = "+19995550001";
  later.caller_name = "MALLORY";
  later.from_city = "ELSEWHERE";
  later.from_country = "US";
  const CallRow row = apply({first, later});
  BOOST_TEST(row.from == "+14155550123");
  BOOST_TEST(row.to == "+14155550199");
  BOOST_TEST(row.caller_name == "ALICE");
  BOOST_TEST(row.from_city == "OAKLAND");
  BOOST_TEST(row.from_country == "US");  // first report of that field
}

BOOST_AUTO_TEST_CASE(StartIsTheEarliestArrival) {
  CallRow row = new_call("CA1", kStart + 5000);
  row = fold(row, CallUpdate{}, kStart + 2000);
  row = fold(row, CallUpdate{}, kStart + 9000);
  BOOST_TEST(row.started_at_ms == kStart + 2000);
}

BOOST_AUTO_TEST_CASE(DedupKeyIgnoresParameterOrderAndArrival) {
  Event a = event_with({{"CallSid", "CA1"}, {"CallStatus", "completed"}, {"SequenceNumber", "3"}});
  Event b = event_with({{"SequenceNumber", "3"}, {"CallSid", "CA1"}, {"CallStatus", "completed"}});
  b.received_at_ms = kStart + 30000;
  BOOST_TEST(a.dedup_key() == b.dedup_key());
  BOOST_TEST(a.dedup_key().size() == 64u);
  BOOST_TEST(a.dedup_key().find_first_not_of("0123456789abcdef") == std::string::npos);
}

// Keys stored in call_events must still match the redelivery of the same request after an upgrade: the bytes
// hashed are fixed (SHA-256 of "CA1\ncall-status?attempt=2" then "\n<name bytes>:<value bytes>\n<name><value>" per
// sorted distinct pair; this value computed independently, with Python's hashlib).
BOOST_AUTO_TEST_CASE(DedupKeyIsTheSameBytesAsEver) {
  Event event;
  event.call_sid = "CA1";
  event.kind = "call-status";
  event.url_query = "attempt=2";
  event.params = {{"SequenceNumber", "3"}, {"CallSid", "CA1"}, {"Caller", "Zo\xC3\xAB"}, {"CallStatus", "completed"},
                  {"CallSid", "CA1"}};
  BOOST_TEST(event.dedup_key() == "a242e40d10f67f0c5ee37f632ce471d6a98bb99809ea8bd092a2b75c6572a322");
}

BOOST_AUTO_TEST_CASE(DedupKeyDiffersForDifferentRequests) {
  const Event base = event_with({{"CallSid", "CA1"}, {"CallStatus", "completed"}});
  Event other_query = base;
  other_query.url_query = "attempt=2";
  Event other_kind = base;
  other_kind.kind = "voice";
  Event other_value = event_with({{"CallSid", "CA1"}, {"CallStatus", "busy"}});
  Event extra_param = event_with({{"CallSid", "CA1"}, {"CallStatus", "completed"}, {"Digits", ""}});
  const std::string key = base.dedup_key();
  BOOST_TEST(other_query.dedup_key() != key);
  BOOST_TEST(other_kind.dedup_key() != key);
  BOOST_TEST(other_value.dedup_key() != key);
  BOOST_TEST(extra_param.dedup_key() != key);
}

// The signature counts a pair repeated exactly once (sort + unique, twilio/signature.cc): a signed request replayed
// with one pair doubled still passes it, so it must still be the same event.
BOOST_AUTO_TEST_CASE(DedupKeyCountsAnExactlyRepeatedPairOnce) {
  const Event signed_once = event_with({{"CallSid", "CA1"}, {"CallStatus", "completed"}, {"SequenceNumber", "3"}});
  const Event doubled = event_with(
      {{"CallSid", "CA1"}, {"CallStatus", "completed"}, {"SequenceNumber", "3"}, {"CallStatus", "completed"}});
  BOOST_TEST(doubled.dedup_key() == signed_once.dedup_key());
  // A name repeated with another value is another request (and another signature).
  const Event two_values = event_with(
      {{"CallSid", "CA1"}, {"CallStatus", "completed"}, {"SequenceNumber", "3"}, {"CallStatus", "busy"}});
  BOOST_TEST(two_values.dedup_key() != signed_once.dedup_key());
}

BOOST_AUTO_TEST_CASE(DedupKeyDoesNotConfuseShiftedBoundaries) {
  BOOST_TEST(event_with({{"ab", "c"}}).dedup_key() != event_with({{"a", "bc"}}).dedup_key());
  BOOST_TEST(event_with({{"a", "b"}, {"c", "d"}}).dedup_key() != event_with({{"a", "bcd"}}).dedup_key());
}

BOOST_AUTO_TEST_SUITE_END()
