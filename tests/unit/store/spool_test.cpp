// The spool: events that could not reach the database survive on disk, one JSON line each, and come back in order
// and byte for byte. A torn write is set aside instead of blocking the rest; a failure half-way through a replay
// keeps everything not yet stored for the next one.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/print.h"
#include "../support/temp_dir.h"
#include "store/spool.h"

namespace {

using switchboard::store::decode_spool_line;
using switchboard::store::encode_spool_line;
using switchboard::store::Event;
using switchboard::store::ReplayResult;
using switchboard::store::Spool;
using switchboard::test::TempDir;

Event event(const std::string& sid, const std::string& kind, std::int64_t received_at_ms,
            switchboard::store::Params params) {
  Event result;
  result.call_sid = sid;
  result.kind = kind;
  result.received_at_ms = received_at_ms;
  result.params = std::move(params);
  return result;
}

// Three events whose values hold what a line-based JSON format could trip over.
std::vector<Event> odd_events() {
  Event menu = event("CA1", "menu", 1764147600000, {{"CallSid", "CA1"}, {"Digits", "2"}});
  menu.url_query = "attempt=2";
  menu.menu_choice = "voicemail";
  const Event voice = event("CA2", "voice", 1764147601000,
                            {{"CallSid", "CA2"},
                             {"CallerName", "line\nbreak \"quoted\" back\\slash\ttab"},
                             {"FromCity", std::string("nul\0byte\x01\x1F", 10)},
                             {"FromState", "Z\xC3\xBCrich \xE2\x80\xA8 \xF0\x9F\x98\x80"},  // ü, U+2028, 😀
                             {"Empty", ""},
                             {"Repeated", "a"},
                             {"Repeated", "b"}});
  Event dial = event("CA1", "dial-result", 1764147602000, {{"CallSid", "CA1"}, {"DialCallStatus", "no-answer"}});
  dial.forwarded_to = "+14155550100";
  return {menu, voice, dial};
}

void check_same(const Event& got, const Event& want) {
  BOOST_TEST(got.call_sid == want.call_sid);
  BOOST_TEST(got.kind == want.kind);
  BOOST_TEST(got.url_query == want.url_query);
  BOOST_TEST(got.received_at_ms == want.received_at_ms);
  BOOST_TEST(got.menu_choice == want.menu_choice);
  BOOST_TEST(got.forwarded_to == want.forwarded_to);
  BOOST_TEST(got.params == want.params, boost::test_tools::per_element());
}

void check_same(const std::vector<Event>& got, const std::vector<Event>& want) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT("event " << i) { check_same(got[i], want[i]); }
  }
}

// Replays everything into a vector.
std::vector<Event> replay_all(Spool& spool, ReplayResult* result = nullptr) {
  std::vector<Event> seen;
  const ReplayResult outcome = spool.replay([&](const Event& e) { seen.push_back(e); });
  if (result) *result = outcome;
  return seen;
}

// Names in `dir` that end with `suffix`.
std::vector<std::string> files_ending_with(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names.push_back(entry.path().string());
    }
  }
  return names;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void append_raw(const std::string& spool_dir, const std::string& bytes) {
  std::ofstream out(spool_dir + "/events.spool", std::ios::binary | std::ios::app);
  out << bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_spool)

BOOST_AUTO_TEST_CASE(AppendedEventsReplayIdenticallyInOrder) {
  const TempDir dir;
  Spool spool(dir.path() + "/spool");
  for (const Event& e : odd_events()) spool.append(e);
  ReplayResult result;
  const std::vector<Event> replayed = replay_all(spool, &result);
  check_same(replayed, odd_events());
  BOOST_TEST(result.replayed == 3);
  BOOST_TEST(result.unreadable == 0);
  BOOST_TEST(result.finished);
  // A replayed event is gone: a second replay hands back nothing.
  BOOST_TEST(replay_all(spool).empty());
}

BOOST_AUTO_TEST_CASE(PendingBeforeAndAfterReplay) {
  const TempDir dir;
  Spool spool(dir.path() + "/spool");  // the directory does not exist yet
  BOOST_TEST(!spool.pending());
  spool.append(odd_events()[0]);
  BOOST_TEST(spool.pending());
  replay_all(spool);
  BOOST_TEST(!spool.pending());
}

BOOST_AUTO_TEST_CASE(ReplayOfEmptySpoolDoesNothing) {
  const TempDir dir;
  Spool spool(dir.path());
  ReplayResult result;
  BOOST_TEST(replay_all(spool, &result).empty());
  BOOST_TEST(result.replayed == 0);
  BOOST_TEST(result.unreadable == 0);
  BOOST_TEST(result.finished);
}

BOOST_AUTO_TEST_CASE(TornLastLineIsCountedAndKeptInBadFile) {
  const TempDir dir;
  Spool spool(dir.path());
  spool.append(odd_events()[0]);
  spool.append(odd_events()[1]);
  const std::string torn = R"({"call_sid":"CA3","kind":"call-st)";
  append_raw(dir.path(), torn);  // the writer died mid-line
  ReplayResult result;
  check_same(replay_all(spool, &result), {odd_events()[0], odd_events()[1]});
  BOOST_TEST(result.replayed == 2);
  BOOST_TEST(result.unreadable == 1);
  BOOST_TEST(result.finished);
  const std::vector<std::string> bad = files_ending_with(dir.path(), ".bad");
  BOOST_REQUIRE_EQUAL(bad.size(), 1u);
  BOOST_TEST(read_file(bad[0]) == torn + "\n");
  BOOST_TEST(!spool.pending());  // the .bad file is not replayed again
}

// A worker killed mid-write leaves a line without its newline; the next append must start on a fresh line so the
// good event is not glued to the torn one and set aside with it.
BOOST_AUTO_TEST_CASE(AppendAfterTornLineIsNotLost) {
  const TempDir dir;
  Spool spool(dir.path());
  spool.append(odd_events()[0]);
  append_raw(dir.path(), R"({"call_sid":"CA3","kind":"call-st)");
  spool.append(odd_events()[2]);
  ReplayResult result;
  check_same(replay_all(spool, &result), {odd_events()[0], odd_events()[2]});
  BOOST_TEST(result.replayed == 2);
  BOOST_TEST(result.unreadable == 1);
}

BOOST_AUTO_TEST_CASE(FailedApplyKeepsTheRestForTheNextReplay) {
  const TempDir dir;
  Spool spool(dir.path());
  const std::vector<Event> events = odd_events();
  for (const Event& e : events) spool.append(e);

  std::vector<Event> stored;
  const ReplayResult failed = spool.replay([&](const Event& e) {
    if (e.kind == "voice") throw std::runtime_error("database went away");
    stored.push_back(e);
  });
  check_same(stored, {events[0]});
  BOOST_TEST(failed.replayed == 1);
  BOOST_TEST(!failed.finished);
  BOOST_TEST(spool.pending());

  // The batch is replayed again from its start: the event stored before the failure comes again (the store's dedup
  // key makes that a no-op), then the failed one and the rest.
  ReplayResult result;
  check_same(replay_all(spool, &result), events);
  BOOST_TEST(result.replayed == 3);
  BOOST_TEST(result.finished);
  BOOST_TEST(!spool.pending());
}

BOOST_AUTO_TEST_CASE(EventsAppendedAfterAFailedReplayComeAfterTheKeptOnes) {
  const TempDir dir;
  Spool spool(dir.path());
  const std::vector<Event> events = odd_events();
  spool.append(events[0]);
  spool.append(events[1]);
  spool.replay([](const Event&) { throw std::runtime_error("database still down"); });
  spool.append(events[2]);
  // Batch files are named by the millisecond they were moved aside in; keep the two moves apart.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  check_same(replay_all(spool), events);
}

BOOST_AUTO_TEST_CASE(LineFormatIsStable) {
  Event e = event("CA1", "menu", 1764147600000, {{"CallSid", "CA1"}, {"Digits", "2"}});
  e.url_query = "attempt=2";
  e.menu_choice = "voicemail";
  BOOST_TEST(encode_spool_line(e) ==
             R"({"call_sid":"CA1","kind":"menu","url_query":"attempt=2","received_at_ms":1764147600000,)"
             R"("menu_choice":"voicemail","params":[["CallSid","CA1"],["Digits","2"]]})");
}

BOOST_AUTO_TEST_CASE(EncodeDecodeRoundTrip) {
  for (const Event& e : odd_events()) {
    const std::string line = encode_spool_line(e);
    BOOST_TEST(line.find('\n') == std::string::npos);
    const std::optional<Event> decoded = decode_spool_line(line);
    BOOST_REQUIRE(decoded);
    check_same(*decoded, e);
  }
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsRepairedOnTheWayIn) {
  const Event e = event("CA1", "voice", 1, {{"CallerName", "Jos\xE9"}});
  const std::optional<Event> decoded = decode_spool_line(encode_spool_line(e));
  BOOST_REQUIRE(decoded);
  BOOST_TEST(decoded->params[0].second == "Jos\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(DecodeRejectsWhatIsNotASpoolRecord) {
  for (const char* line :
       {"", "garbage", "[]", "{}", R"({"call_sid":"CA1","kind":"voice","received_at_ms":1})",
        R"({"call_sid":"CA1","kind":"voice","received_at_ms":"1","params":[]})",
        R"({"call_sid":1,"kind":"voice","received_at_ms":1,"params":[]})",
        R"({"call_sid":"CA1","kind":"voice","received_at_ms":1,"params":{"a":"b"}})",
        R"({"call_sid":"CA1","kind":"voice","received_at_ms":1,"params":[["a","b","c"]]})",
        R"({"call_sid":"CA1","kind":"voice","received_at_ms":1,"params":[["a",2]]})",
        "{\"call_sid\":\"CA\xFF\",\"kind\":\"voice\",\"received_at_ms\":1,\"params\":[]}"}) {
    BOOST_TEST_CONTEXT(line) { BOOST_TEST(!decode_spool_line(line)); }
  }
}

BOOST_AUTO_TEST_CASE(DecodeToleratesMissingOptionalFields) {
  const std::optional<Event> decoded =
      decode_spool_line(R"({"call_sid":"CA1","kind":"voice","received_at_ms":7,"params":[]})");
  BOOST_REQUIRE(decoded);
  BOOST_TEST(decoded->url_query == "");
  BOOST_TEST(!decoded->menu_choice);
  BOOST_TEST(!decoded->forwarded_to);
  BOOST_TEST(decoded->received_at_ms == 7);
}

BOOST_AUTO_TEST_SUITE_END()
