// The call log's writes against the real MariaDB: the stored procedure of schema/010 takes the columns in the order
// of the column table (fcgi/store/call_columns.cc) — a parameter added, dropped or moved on one side fails here —;
// every folded column survives both of its paths (a new call, a known call); a duplicate changes nothing; a call
// whose first webhook is a status callback, and one whose incoming call arrives after it, end with one row; and
// two workers seeing a new call at once (the incoming call and its status callback) end with one row and both
// events.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>

#include "store/call_columns.h"
#include "store/mysql_call_store.h"
#include "support/stack.h"

using namespace integration;
using namespace switchboard;

namespace {

constexpr std::int64_t kAt = 1764147600000;  // 2025-11-26 09:00:00 UTC

store::ConnectionOptions stack_database() {
  store::ConnectionOptions options;
  options.socket = stack().db_socket;
  options.user = "root";
  options.schema = "switchboard";
  return options;
}

std::vector<std::string> procedure_parameters(const std::string& procedure) {
  std::vector<std::string> names;
  for (const auto& row : query("SELECT PARAMETER_NAME FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = "
                               "'switchboard' AND SPECIFIC_NAME = ? ORDER BY ORDINAL_POSITION",
                               {procedure})) {
    names.push_back(row.at("PARAMETER_NAME"));
  }
  return names;
}

// Every field of a row, as text, one per line (so a failing comparison names the field).
std::string describe(const store::CallRow& row) {
  std::ostringstream out;
  const auto put = [&](const char* name, const auto& value) {
    out << name << "=";
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string> ||
                  std::is_arithmetic_v<std::decay_t<decltype(value)>>) {
      out << value;
    } else {
      if (value) out << *value;
      else out << "NULL";
    }
    out << "\n";
  };
  put("sid", row.sid);
  put("from", row.from);
  put("to", row.to);
  put("caller_name", row.caller_name);
  put("from_city", row.from_city);
  put("from_state", row.from_state);
  put("from_country", row.from_country);
  put("status", row.status);
  put("status_sequence", row.status_sequence);
  put("menu_choice", row.menu_choice);
  put("forwarded_to", row.forwarded_to);
  put("forward_accepted", row.forward_accepted);
  put("dial_status", row.dial_status);
  put("dial_bridged", row.dial_bridged);
  put("talk_s", row.talk_s);
  put("duration_s", row.duration_s);
  put("started_at_ms", row.started_at_ms);
  put("answered_at_ms", row.answered_at_ms);
  put("ended_at_ms", row.ended_at_ms);
  put("recording_sid", row.recording_sid);
  put("recording_url", row.recording_url);
  put("recording_status", row.recording_status);
  put("recording_duration_s", row.recording_duration_s);
  put("transcription_text", row.transcription_text);
  put("transcription_status", row.transcription_status);
  put("routing_rule", row.routing_rule);
  put("text_back", row.text_back);
  return out.str();
}

store::Event event_of(const std::string& sid, const std::string& kind, std::int64_t at_ms, store::Params params) {
  store::Event event;
  event.call_sid = sid;
  event.kind = kind;
  event.params = std::move(params);
  event.params.emplace_back("CallSid", sid);
  event.received_at_ms = at_ms;
  return event;
}

// The incoming call as the webhook records it: caller data, the routing rule (only a first decision has one).
store::CallUpdate incoming_update() {
  store::CallUpdate update;
  update.from = "+14155550100";
  update.to = "+15005550006";
  update.caller_name = "Zoë Ünïcode";
  update.from_city = "SAN FRANCISCO";
  update.from_state = "CA";
  update.from_country = "US";
  update.status = "ringing";
  update.menu_choice = "forward";
  update.forwarded_to = "+14155550199";
  update.routing_rule = "menu-forward";
  update.text_back = true;
  return update;
}

// Everything a later callback can say, all at once (no real callback does, which is the point: every column).
store::CallUpdate everything_else() {
  store::CallUpdate update;
  update.status = "completed";
  update.status_sequence = 7;
  update.status_at_ms = kAt + 95000;
  update.forward_accepted = true;
  update.dial_status = "completed";
  update.dial_bridged = true;
  update.talk_s = 61;
  update.duration_s = 95;
  update.recording_sid = "RE0123456789abcdef0123456789abcdef";
  update.recording_url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789abcdef";
  update.recording_status = "in-progress";
  update.recording_duration_s = 12;
  update.transcription_text = "please call me back";
  update.transcription_status = "completed";
  return update;
}

int events_of(const std::string& sid) { return count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}); }

}  // namespace

BOOST_AUTO_TEST_SUITE(call_store)

BOOST_AUTO_TEST_CASE(TheProcedureTakesTheColumnsInTheColumnTablesOrder) {
  std::vector<std::string> expected;
  for (const char* column :
       {"call_sid", "kind", "url_query", "dedup_key", "params", "received_at", "routing_rule", "routing_detail"}) {
    expected.push_back(std::string("p_event_") + column);
  }
  for (const store::CallColumn* column : store::folded_columns()) expected.push_back(std::string("p_") + column->name);
  expected.push_back("p_call_id");
  BOOST_TEST(procedure_parameters("record_webhook") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(EveryFoldedColumnSurvivesANewCallAndAKnownCall) {
  store::MysqlCallStore calls(stack_database());
  const std::string sid = new_call_sid();

  const store::Event incoming = event_of(sid, "voice", kAt, {{"From", "+14155550100"}});
  BOOST_TEST((calls.record(incoming, incoming_update()) == store::RecordOutcome::kStored));
  const store::CallRow first = store::fold(store::new_call(sid, kAt), incoming_update(), kAt);
  const std::optional<store::CallRow> stored_first = calls.find_call(sid);
  BOOST_TEST_REQUIRE(stored_first.has_value());
  BOOST_TEST(describe(*stored_first) == describe(first));

  const store::Event later = event_of(sid, "call-status", kAt + 95000, {{"CallStatus", "completed"}});
  BOOST_TEST((calls.record(later, everything_else()) == store::RecordOutcome::kStored));
  const store::CallRow second = store::fold(*stored_first, everything_else(), kAt + 95000);
  const std::optional<store::CallRow> stored_second = calls.find_call(sid);
  BOOST_TEST_REQUIRE(stored_second.has_value());
  BOOST_TEST(describe(*stored_second) == describe(second));
  BOOST_TEST(stored_second->id == stored_first->id);
  BOOST_TEST(events_of(sid) == 2);

  // The same callback again (Twilio retries): nothing changes, nothing is added.
  BOOST_TEST((calls.record(later, everything_else()) == store::RecordOutcome::kDuplicate));
  BOOST_TEST((calls.record(incoming, incoming_update()) == store::RecordOutcome::kDuplicate));
  BOOST_TEST(describe(*calls.find_call(sid)) == describe(second));
  BOOST_TEST(events_of(sid) == 2);
}

BOOST_AUTO_TEST_CASE(ACallFirstSeenThroughItsStatusCallbackThenItsIncomingCallHasOneRow) {
  store::MysqlCallStore calls(stack_database());
  const std::string sid = new_call_sid();
  store::CallUpdate status;
  status.status = "completed";
  status.duration_s = 30;
  BOOST_TEST((calls.record(event_of(sid, "call-status", kAt + 30000, {{"CallStatus", "completed"}}), status) ==
              store::RecordOutcome::kStored));
  // The incoming call, replayed from the spool after it: the procedure finds the row, the store folds into it.
  BOOST_TEST((calls.record(event_of(sid, "voice", kAt, {{"From", "+14155550100"}}), incoming_update()) ==
              store::RecordOutcome::kStored));
  BOOST_TEST(count("SELECT COUNT(*) FROM calls WHERE sid = ?", {sid}) == 1);
  BOOST_TEST(events_of(sid) == 2);
  const std::optional<store::CallRow> row = calls.find_call(sid);
  BOOST_TEST_REQUIRE(row.has_value());
  BOOST_TEST(row->status == "completed");  // never moved back to ringing
  BOOST_TEST(row->duration_s.value_or(-1) == 30);
  BOOST_TEST(row->from == "+14155550100");
  BOOST_TEST(row->routing_rule.value_or("") == "menu-forward");
}

BOOST_AUTO_TEST_CASE(TwoWorkersSeeingANewCallAtOnceLeaveOneRowAndBothEvents) {
  constexpr int kCalls = 60;
  std::vector<std::string> sids;
  for (int i = 0; i < kCalls; ++i) sids.push_back(new_call_sid());
  std::vector<std::string> failures[2];
  const auto worker = [&](int which) {
    store::MysqlCallStore calls(stack_database());
    for (const std::string& sid : sids) {
      try {
        if (which == 0) {
          calls.record(event_of(sid, "voice", kAt, {{"From", "+14155550100"}}), incoming_update());
        } else {
          store::CallUpdate status;
          status.status = "completed";
          calls.record(event_of(sid, "call-status", kAt + 1000, {{"CallStatus", "completed"}}), status);
        }
      } catch (const std::exception& error) {
        failures[which].push_back(sid + ": " + error.what());
      }
    }
  };
  std::thread incoming(worker, 0), callbacks(worker, 1);
  incoming.join();
  callbacks.join();
  BOOST_TEST(failures[0].empty(), (failures[0].empty() ? "" : failures[0].front()));
  BOOST_TEST(failures[1].empty(), (failures[1].empty() ? "" : failures[1].front()));
  for (const std::string& sid : sids) {
    BOOST_TEST_CONTEXT("call " << sid) {
      BOOST_TEST(count("SELECT COUNT(*) FROM calls WHERE sid = ?", {sid}) == 1);
      BOOST_TEST(events_of(sid) == 2);
      BOOST_TEST(call_row(sid).at("status") == "completed");
      BOOST_TEST(call_row(sid).at("routing_rule") == "menu-forward");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
