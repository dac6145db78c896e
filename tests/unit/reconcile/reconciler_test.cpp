// The reconciler against fakes of its store and of Twilio's REST API: what it looks up, what it records (folded by
// the same rules as callbacks), how often, and what stops it (another host's lease, Twilio failing).
#include <boost/test/unit_test.hpp>

#include <deque>
#include <functional>
#include <map>

#include "reconcile/reconciler.h"
#include "store/call_record.h"
#include "../support/fake_call_store.h"
#include "../support/events.h"
#include "../support/settings.h"
#include "twilio/rest_api.h"
#include "webhooks/call_update.h"

namespace {

using namespace switchboard;
using switchboard::test::FakeCallStore;
using switchboard::test::make_event;

constexpr std::int64_t kNow = 1764147600000;
const std::string kCall = "CA" + std::string(31, '0') + "1";
const std::string kRecording = "RE" + std::string(31, '0') + "1";

class FakeReconcileStore : public store::ReconcileStore {
 public:
  std::string lease_holder;  // who holds the lease; empty: nobody
  std::vector<store::ReconcileCandidate> candidates;
  struct Note {
    std::string call_sid;
    std::int64_t at_ms;
    std::optional<std::int64_t> next_ms;
    std::string result;
  };
  std::vector<Note> notes;
  int due_limit = -1;
  bool unavailable = false;

  bool hold_lease(const std::string&, const std::string& holder, std::int64_t, int) override {
    if (unavailable) throw store::Unavailable("database down");
    if (lease_holder.empty()) lease_holder = holder;
    return lease_holder == holder;
  }
  std::vector<store::ReconcileCandidate> due(std::int64_t, std::int64_t, std::int64_t, int limit) override {
    due_limit = limit;
    std::vector<store::ReconcileCandidate> batch(candidates.begin(),
                                                 candidates.begin() + std::min<size_t>(limit, candidates.size()));
    return batch;
  }
  void note_check(const std::string& call_sid, std::int64_t now_ms, std::optional<std::int64_t> next_ms,
                  const std::string& result) override {
    notes.push_back({call_sid, now_ms, next_ms, result});
  }
};

class FakeTwilio : public reconcile::TwilioLookups {
 public:
  std::map<std::string, twilio::CallResource> calls;
  std::map<std::string, twilio::RecordingResource> recordings;
  std::optional<std::string> failure;  // every lookup fails with it
  std::vector<std::string> asked;

  reconcile::Lookup<twilio::CallResource> call(const std::string& sid) override {
    asked.push_back(sid);
    if (failure) return {std::nullopt, false, failure};
    const auto found = calls.find(sid);
    if (found == calls.end()) return {std::nullopt, true, std::nullopt};
    return {found->second, false, std::nullopt};
  }
  reconcile::Lookup<twilio::RecordingResource> recording(const std::string& sid) override {
    asked.push_back(sid);
    if (failure) return {std::nullopt, false, failure};
    const auto found = recordings.find(sid);
    if (found == recordings.end()) return {std::nullopt, true, std::nullopt};
    return {found->second, false, std::nullopt};
  }
};


struct Rig {
  config::Settings settings = test::test_settings();
  FakeReconcileStore store;
  FakeCallStore calls;
  FakeTwilio twilio;
  std::int64_t now_ms = kNow;
  std::unique_ptr<reconcile::Reconciler> reconciler;

  // `shape` changes the stored call before the test starts.
  explicit Rig(int per_minute = 30, const std::function<void(store::CallRow&)>& shape = {}) {
    settings.reconcile.after_s = 1800;
    settings.reconcile.per_minute = per_minute;
    reconciler = std::make_unique<reconcile::Reconciler>(settings, store, calls, twilio, [this] { return now_ms; },
                                                         "host-a:1");
    // A call whose completed callback never came: it rang and was answered, hours ago.
    store::CallRow call = store::new_call(kCall, kNow - 3 * 3600'000LL);
    call.from = "+14155550100";
    call.status = "in-progress";
    call.answered_at_ms = kNow - 3 * 3600'000LL + 5000;
    if (shape) shape(call);
    calls.put(call);
  }

  void open_call(const std::string& sid = kCall) { store.candidates.push_back({sid, true, std::nullopt, 0}); }
  int run() { return reconciler->run_once(); }
  store::CallRow call() { return *calls.find_call(kCall); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(reconcile_reconciler)

BOOST_AUTO_TEST_CASE(ACallLeftInProgressIsCompletedWithTwiliosDurationAndEnd) {
  Rig rig;
  rig.open_call();
  rig.twilio.calls[kCall] = {kCall, "completed", "42", "Tue, 25 Nov 2026 07:00:05 +0000",
                             "Tue, 25 Nov 2026 07:00:47 +0000"};
  BOOST_TEST(rig.run() == 1);
  const store::CallRow call = rig.call();
  BOOST_TEST(call.status == "completed");
  BOOST_TEST((call.duration_s == 42));
  BOOST_TEST((call.ended_at_ms == webhooks::parse_rfc2822("Tue, 25 Nov 2026 07:00:47 +0000")));
  const auto events = rig.calls.events_of(kCall);
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].kind == "reconciled");
  BOOST_TEST(events[0].params_json.find("\"Source\":\"calls-api\"") != std::string::npos);
  BOOST_REQUIRE(rig.store.notes.size() == 1u);
  BOOST_TEST(!rig.store.notes[0].next_ms.has_value());  // settled: never asked again
  BOOST_TEST(rig.store.notes[0].result == "call completed, 42 s");
}

BOOST_AUTO_TEST_CASE(AnAnswerOlderThanWhatTheCallHasChangesNothing) {
  Rig rig(30, [](store::CallRow& done) {
    done.status = "completed";
    done.duration_s = 40;
    done.ended_at_ms = kNow - 3600'000;
  });
  rig.store.candidates.push_back({kCall, true, std::nullopt, 0});
  rig.twilio.calls[kCall] = {kCall, "ringing", std::nullopt, "Tue, 25 Nov 2026 07:00:05 +0000", std::nullopt};
  rig.run();
  const store::CallRow call = rig.call();
  BOOST_TEST(call.status == "completed");
  BOOST_TEST((call.duration_s == 40));
  BOOST_TEST(*call.ended_at_ms == kNow - 3600'000);
}

BOOST_AUTO_TEST_CASE(ALookupNeverReplacesTheDurationACallbackGave) {
  store::CallRow row = store::new_call(kCall, kNow);
  const store::Event callback = make_event(kCall, "call-status", "", {{"CallSid", kCall}, {"CallStatus", "completed"},
                                                   {"CallDuration", "40"}}, kNow);
  row = store::fold(row, webhooks::update_for(callback), kNow);
  const store::Event lookup = make_event(kCall, "reconciled", "", {{"CallSid", kCall}, {"CallStatus", "completed"},
                                                {"CallDuration", "41"}, {"Source", "calls-api"}}, kNow + 1);
  row = store::fold(row, webhooks::update_for(lookup), kNow + 1);
  BOOST_TEST((row.duration_s == 40));
  // Where no callback said it, the lookup's figure is the one there is.
  store::CallRow open = store::new_call(kCall, kNow);
  open = store::fold(open, webhooks::update_for(lookup), kNow + 1);
  BOOST_TEST(open.status == "completed");
  BOOST_TEST((open.duration_s == 41));
}

BOOST_AUTO_TEST_CASE(AVoicemailWithoutItsRecordingStatusIsCompletedFromTheRecordingsApi) {
  Rig rig(30, [](store::CallRow& call) {
    call.status = "completed";
    call.recording_sid = kRecording;
    call.recording_duration_s = 9;  // the Record action's provisional figure
  });
  rig.store.candidates.push_back({kCall, false, kRecording, 0});
  rig.twilio.recordings[kRecording] = {kRecording, kCall, "completed", "8"};
  BOOST_TEST(rig.run() == 1);
  BOOST_TEST(rig.twilio.asked == std::vector<std::string>{kRecording}, boost::test_tools::per_element());
  BOOST_TEST((rig.call().recording_status == std::optional<std::string>("completed")));
  BOOST_TEST((rig.call().recording_duration_s == 8));
  BOOST_TEST(rig.store.notes.back().result == "recording completed");
}

BOOST_AUTO_TEST_CASE(TheSameAnswerTwiceIsOneEvent) {
  Rig rig;
  rig.open_call();
  rig.twilio.calls[kCall] = {kCall, "in-progress", std::nullopt, "Tue, 25 Nov 2026 07:00:05 +0000", std::nullopt};
  rig.run();
  rig.now_ms += 60'000;
  rig.run();
  BOOST_TEST(rig.twilio.asked.size() == 2u);
  BOOST_TEST(rig.calls.events_of(kCall).size() == 1u);
}

BOOST_AUTO_TEST_CASE(ACallStillInProgressAtTwilioIsAskedAboutLessAndLessOften) {
  Rig rig;
  rig.twilio.calls[kCall] = {kCall, "in-progress", std::nullopt, std::nullopt, std::nullopt};
  std::vector<std::int64_t> waits;
  for (int checks = 0; checks < reconcile::kMaxChecksOpen; ++checks) {
    rig.store.candidates = {{kCall, true, std::nullopt, checks}};
    rig.now_ms += 3600'000;
    rig.run();
    const auto& note = rig.store.notes.back();
    if (note.next_ms) waits.push_back(*note.next_ms - note.at_ms);
  }
  BOOST_REQUIRE(waits.size() == static_cast<size_t>(reconcile::kMaxChecksOpen - 1));
  BOOST_TEST(waits[0] == 1800'000);
  BOOST_TEST(waits[1] == 3600'000);
  BOOST_TEST(waits.back() == 6 * 3600'000LL);  // capped
  BOOST_TEST(rig.store.notes.back().result.find("given up after 12 lookups") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ACallTwilioDoesNotKnowIsGivenUpAfterThreeLookupsAndNothingIsRecorded) {
  Rig rig;
  for (int checks = 0; checks < 3; ++checks) {
    rig.store.candidates = {{kCall, true, std::nullopt, checks}};
    rig.now_ms += 3600'000;
    rig.run();
  }
  BOOST_TEST(rig.calls.events_of(kCall).empty());
  BOOST_TEST(rig.call().status == "in-progress");
  BOOST_REQUIRE(rig.store.notes.size() == 3u);
  BOOST_TEST(rig.store.notes[0].next_ms.has_value());
  BOOST_TEST(rig.store.notes[1].next_ms.has_value());
  BOOST_TEST(!rig.store.notes[2].next_ms.has_value());
  BOOST_TEST(rig.store.notes[2].result == "Twilio does not know this call (given up after 3 lookups)");
}

BOOST_AUTO_TEST_CASE(AnotherHostsLeaseMeansNoLookups) {
  Rig rig;
  rig.store.lease_holder = "host-b:7";
  rig.open_call();
  rig.twilio.calls[kCall] = {kCall, "completed", "42", std::nullopt, std::nullopt};
  BOOST_TEST(rig.run() == 0);
  BOOST_TEST(rig.twilio.asked.empty());
  BOOST_TEST(rig.call().status == "in-progress");
}

BOOST_AUTO_TEST_CASE(TwilioFailingStopsTheScanAndBacksOffDoubling) {
  Rig rig;
  rig.open_call("CA" + std::string(31, '0') + "2");
  rig.open_call("CA" + std::string(31, '0') + "3");
  rig.twilio.failure = "HTTP 503";
  BOOST_TEST(rig.run() == 1);  // the first failure ends the scan
  BOOST_TEST(rig.twilio.asked.size() == 1u);
  BOOST_TEST(rig.store.notes.back().result == "lookup of the call failed: HTTP 503");
  rig.now_ms += 9'999;
  BOOST_TEST(rig.run() == 0);  // paused 10 s
  rig.now_ms += 1;
  BOOST_TEST(rig.run() == 1);  // then 20 s
  rig.now_ms += 19'999;
  BOOST_TEST(rig.run() == 0);
  rig.now_ms += 1;
  rig.twilio.failure.reset();
  BOOST_TEST(rig.run() == 2);
}

BOOST_AUTO_TEST_CASE(TheDatabaseDownBacksOffWithoutThrowing) {
  Rig rig;
  rig.store.unavailable = true;
  rig.open_call();
  BOOST_TEST(rig.run() == 0);
  rig.store.unavailable = false;
  rig.now_ms += 5'000;
  BOOST_TEST(rig.run() == 0);  // still paused
  rig.now_ms += 5'000;
  rig.twilio.calls[kCall] = {kCall, "completed", "42", std::nullopt, std::nullopt};
  BOOST_TEST(rig.run() == 1);
}

BOOST_AUTO_TEST_CASE(LookupsAreBoundedPerMinuteWhateverTheBacklog) {
  Rig rig(6);  // six a minute: one every ten seconds
  for (int i = 0; i < 50; ++i) rig.open_call("CA" + std::string(30, '0') + (i < 10 ? "0" : "") + std::to_string(i));
  int total = 0;
  for (int second = 0; second < 120; second += 5) {
    total += rig.run();
    rig.now_ms += 5'000;
  }
  // Six at once (a full bucket), then one every ten seconds for the two minutes: 6 + 12, never the backlog.
  BOOST_TEST(total >= 17);
  BOOST_TEST(total <= 18);
  BOOST_TEST(rig.store.due_limit <= 6);
}

BOOST_AUTO_TEST_CASE(SwitchedOffItDoesNothing) {
  Rig rig;
  rig.settings.reconcile.after_s = 0;
  rig.open_call();
  BOOST_TEST(rig.run() == 0);
  BOOST_TEST(rig.twilio.asked.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reconcile_twilio_resources)

BOOST_AUTO_TEST_CASE(ACallResourceIsRead) {
  const auto call = twilio::parse_call(
      R"({"sid":"CA1","status":"completed","duration":"42","start_time":"Tue, 25 Nov 2026 07:00:05 +0000",)"
      R"("end_time":"Tue, 25 Nov 2026 07:00:47 +0000","price":null})");
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->status == "completed");
  BOOST_TEST(*call->duration == "42");
  BOOST_TEST(*call->end_time == "Tue, 25 Nov 2026 07:00:47 +0000");
  const auto open = twilio::parse_call(R"({"sid":"CA1","status":"in-progress","duration":null,"end_time":null})");
  BOOST_REQUIRE(open.has_value());
  BOOST_TEST(!open->duration.has_value());
  BOOST_TEST(!open->end_time.has_value());
}

BOOST_AUTO_TEST_CASE(AnythingElseIsNoResource) {
  BOOST_TEST(!twilio::parse_call("<html>").has_value());
  BOOST_TEST(!twilio::parse_call(R"({"code":20404,"message":"not found"})").has_value());
  BOOST_TEST(!twilio::parse_recording("[]").has_value());
  BOOST_TEST(!twilio::parse_message(R"({"status":"queued"})").has_value());
  const auto recording = twilio::parse_recording(R"({"sid":"RE1","call_sid":"CA1","status":"completed","duration":8})");
  BOOST_REQUIRE(recording.has_value());
  BOOST_TEST(*recording->duration == "8");  // a number where Twilio usually writes a string
}

BOOST_AUTO_TEST_CASE(OnlyWellFormedSidsBecomePaths) {
  BOOST_TEST(twilio::valid_sid("CA" + std::string(32, 'f'), "CA"));
  BOOST_TEST(!twilio::valid_sid("CA" + std::string(32, 'f'), "RE"));
  BOOST_TEST(!twilio::valid_sid("CA" + std::string(31, 'f') + "/", "CA"));
  BOOST_TEST(!twilio::valid_sid("CA123", "CA"));
}

BOOST_AUTO_TEST_SUITE_END()
