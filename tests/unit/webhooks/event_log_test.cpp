// Where a live webhook's event goes: the store; the spool when the database cannot take it (Unavailable); the
// dead-letter, with a marker in the call's timeline, when the database refuses it (Rejected). record() never
// throws, whatever fails behind it.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/print.h"
#include "../support/temp_dir.h"
#include "store/spool.h"
#include "webhooks/event_log.h"

namespace {

namespace store = switchboard::store;
using switchboard::test::FakeCallStore;
using switchboard::test::TempDir;
using switchboard::webhooks::EventLog;

const std::string kSid = "CA00000000000000000000000000000001";
const store::Rejection kTriggerSaysNo{1644, "45000", "refused by trigger"};

store::Event call_status() {
  store::Event event;
  event.call_sid = kSid;
  event.kind = "call-status";
  event.params = {{"CallSid", kSid}, {"CallStatus", "completed"}, {"CallDuration", "65"}};
  event.received_at_ms = 1764147600000;
  return event;
}

store::CallUpdate completed() {
  store::CallUpdate update;
  update.status = "completed";
  update.duration_s = 65;
  return update;
}

// What the spool and the dead-letter were handed.
struct Kept {
  std::vector<store::Event> spooled;
  std::vector<std::pair<store::Event, store::Rejection>> dead;
  bool dead_letter_fails = false;
  bool spool_fails = false;

  EventLog log_for(store::CallStore& calls) {
    return EventLog(
        calls,
        [this](const store::Event& event) {
          if (spool_fails) throw std::runtime_error("disk full");
          spooled.push_back(event);
        },
        [this](const store::Event& event, const store::Rejection& why) {
          if (dead_letter_fails) throw std::runtime_error("disk full");
          dead.emplace_back(event, why);
        });
  }
};

// The store refuses the original call-status event (not its marker), as the integration test's trigger does.
void refuse_call_status(FakeCallStore& calls) {
  calls.before_record = [](const store::Event& event) {
    if (event.kind == "call-status") throw store::Rejected(kTriggerSaysNo);
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(webhooks_event_log)

BOOST_AUTO_TEST_CASE(AStoredEventGoesNowhereElse) {
  FakeCallStore calls;
  Kept kept;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_TEST(calls.events_of(kSid).size() == 1u);
  BOOST_TEST(calls.find_call(kSid)->status == "completed");
  BOOST_TEST(kept.spooled.empty());
  BOOST_TEST(kept.dead.empty());
}

BOOST_AUTO_TEST_CASE(AnUnreachableDatabaseSpoolsTheEvent) {
  FakeCallStore calls;
  calls.unavailable = true;
  Kept kept;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_REQUIRE_EQUAL(kept.spooled.size(), 1u);
  BOOST_TEST(kept.spooled[0].dedup_key() == call_status().dedup_key());
  BOOST_TEST(kept.dead.empty());
}

BOOST_AUTO_TEST_CASE(ARefusedEventGoesToTheDeadLetterNotTheSpoolAndShowsInTheTimeline) {
  FakeCallStore calls;
  refuse_call_status(calls);
  Kept kept;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_TEST(kept.spooled.empty());
  BOOST_REQUIRE_EQUAL(kept.dead.size(), 1u);
  BOOST_TEST(kept.dead[0].first.dedup_key() == call_status().dedup_key());
  BOOST_TEST(kept.dead[0].second.code == 1644);
  BOOST_TEST(kept.dead[0].second.sql_state == "45000");
  BOOST_TEST(kept.dead[0].second.message == "refused by trigger");

  const std::vector<store::StoredEvent> timeline = calls.events_of(kSid);
  BOOST_REQUIRE_EQUAL(timeline.size(), 1u);
  BOOST_TEST(timeline[0].kind == "rejected");
  BOOST_TEST(timeline[0].params_json.find("\"SwitchboardRejectedKind\":\"call-status\"") != std::string::npos);
  BOOST_TEST(timeline[0].params_json.find("\"SwitchboardErrorCode\":\"1644\"") != std::string::npos);
  BOOST_TEST(timeline[0].params_json.find("\"CallDuration\":\"65\"") != std::string::npos);
  BOOST_TEST(!calls.find_call(kSid));  // the marker is not folded: no call row appears from it
}

BOOST_AUTO_TEST_CASE(TheMarkerWaitsInTheSpoolWhenTheDatabaseGoesAwayInBetween) {
  FakeCallStore calls;
  calls.before_record = [](const store::Event& event) {
    if (event.kind == "call-status") throw store::Rejected(kTriggerSaysNo);
    throw store::Unavailable("database went away");
  };
  Kept kept;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_REQUIRE_EQUAL(kept.dead.size(), 1u);
  BOOST_REQUIRE_EQUAL(kept.spooled.size(), 1u);
  BOOST_TEST(kept.spooled[0].kind == "rejected");
  BOOST_TEST(kept.spooled[0].call_sid == kSid);
}

BOOST_AUTO_TEST_CASE(ARefusedMarkerIsDeadLetteredToo) {
  FakeCallStore calls;
  calls.before_record = [](const store::Event&) { throw store::Rejected(kTriggerSaysNo); };
  Kept kept;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_REQUIRE_EQUAL(kept.dead.size(), 2u);
  BOOST_TEST(kept.dead[0].first.kind == "call-status");
  BOOST_TEST(kept.dead[1].first.kind == "rejected");
  BOOST_TEST(kept.spooled.empty());
}

BOOST_AUTO_TEST_CASE(ADeadLetterThatCannotBeWrittenFallsBackToTheSpool) {
  FakeCallStore calls;
  refuse_call_status(calls);
  Kept kept;
  kept.dead_letter_fails = true;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_REQUIRE_EQUAL(kept.spooled.size(), 1u);
  BOOST_TEST(kept.spooled[0].kind == "call-status");
  BOOST_TEST(calls.events_of(kSid).empty());  // no marker for an event that is not in the dead-letter
}

BOOST_AUTO_TEST_CASE(WithoutADeadLetterARefusedEventIsSpooled) {
  FakeCallStore calls;
  refuse_call_status(calls);
  std::vector<store::Event> spooled;
  EventLog log(calls, [&](const store::Event& event) { spooled.push_back(event); });
  log.record(call_status(), completed());
  BOOST_REQUIRE_EQUAL(spooled.size(), 1u);
  BOOST_TEST(spooled[0].kind == "call-status");
}

BOOST_AUTO_TEST_CASE(AnErrorOfOursIsSpooledForASecondChance) {
  FakeCallStore calls;
  calls.before_record = [](const store::Event&) { throw std::logic_error("call row vanished"); };
  Kept kept;
  kept.log_for(calls).record(call_status(), completed());
  BOOST_TEST(kept.spooled.size() == 1u);
  BOOST_TEST(kept.dead.empty());
}

BOOST_AUTO_TEST_CASE(RecordNeverThrowsEvenWhenNothingCanKeepTheEvent) {
  FakeCallStore calls;
  calls.before_record = [](const store::Event&) { throw 42; };  // not even a std::exception
  Kept kept;
  kept.spool_fails = true;
  kept.dead_letter_fails = true;
  BOOST_CHECK_NO_THROW(kept.log_for(calls).record(call_status(), completed()));
  refuse_call_status(calls);
  BOOST_CHECK_NO_THROW(kept.log_for(calls).record(call_status(), completed()));
}

// Wired as the server wires it: the real spool's dead-letter, counted.
BOOST_AUTO_TEST_CASE(ARefusedEventLandsInTheSpoolsDeadLetter) {
  const TempDir dir;
  store::Spool spool(dir.path() + "/spool");
  FakeCallStore calls;
  refuse_call_status(calls);
  EventLog log(
      calls, [&](const store::Event& event) { spool.append(event); },
      [&](const store::Event& event, const store::Rejection& why) { spool.dead_letter(event, why); });
  log.record(call_status(), completed());
  BOOST_TEST(spool.dead_letter_count() == 1u);
  BOOST_TEST(spool.dead_letter_bytes() > 0u);
  BOOST_TEST(!spool.pending());
}

BOOST_AUTO_TEST_SUITE_END()
