// The spool: events that could not reach the database survive on disk, one JSON line each, and come back in order
// and byte for byte. A torn write is set aside instead of blocking the rest; the database going away half-way
// through a replay keeps everything not yet stored for the next one; an event the database refuses goes to the
// dead-letter with its error (and its marker to the store) while the events after it flow on; a batch file that
// cannot be read is kept.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/json.h"
#include "../support/print.h"
#include "../support/temp_dir.h"
#include "store/call_store.h"
#include "store/spool.h"

namespace {

namespace marker_param = switchboard::store::marker_param;
using switchboard::store::decode_spool_line;
using switchboard::store::encode_spool_line;
using switchboard::store::Event;
using switchboard::store::Rejected;
using switchboard::store::Rejection;
using switchboard::store::ReplayResult;
using switchboard::store::Spool;
using switchboard::store::Unavailable;
using switchboard::test::parse_json;
using switchboard::test::string_of;
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
  Event voice_routed = voice;
  // What the routing decided travels with the event: a call routed during an outage says why once replayed.
  voice_routed.routing_rule = "holiday";
  voice_routed.routing_detail = "2026-12-25";
  voice_routed.text_back = true;
  Event dial = event("CA1", "dial-result", 1764147602000, {{"CallSid", "CA1"}, {"DialCallStatus", "no-answer"}});
  dial.forwarded_to = "+14155550100";
  return {menu, voice_routed, dial};
}

void check_same(const Event& got, const Event& want) {
  BOOST_TEST(got.call_sid == want.call_sid);
  BOOST_TEST(got.kind == want.kind);
  BOOST_TEST(got.url_query == want.url_query);
  BOOST_TEST(got.received_at_ms == want.received_at_ms);
  BOOST_TEST(got.menu_choice == want.menu_choice);
  BOOST_TEST(got.forwarded_to == want.forwarded_to);
  BOOST_TEST(got.routing_rule == want.routing_rule);
  BOOST_TEST(got.routing_detail == want.routing_detail);
  BOOST_TEST(got.text_back == want.text_back);
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

// What MariaDB says about a call-status Timestamp of year 0000 under strict mode.
const Rejection kBadDatetime{1292, "22007", "Incorrect datetime value: '-001-11-30 00:00:00.000' for column "
                                            "`switchboard`.`calls`.`ended_at` at row 1"};

// The value of parameter `name` in `event`, or "(absent)".
std::string param_of(const Event& event, const std::string& name) {
  for (const auto& [key, value] : event.params) {
    if (key == name) return value;
  }
  return "(absent)";
}

// The dead-letter files' contents, sorted by name.
std::vector<std::string> dead_letters(const Spool& spool) {
  std::vector<std::string> paths;
  if (!std::filesystem::exists(spool.dead_letter_directory())) return paths;
  for (const auto& entry : std::filesystem::directory_iterator(spool.dead_letter_directory())) {
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> contents;
  for (const std::string& path : paths) contents.push_back(read_file(path));
  return contents;
}

// Replays with an `apply` that refuses the events `refuse` picks (with kBadDatetime) and stores the rest in `seen`.
template <typename Refuse>
ReplayResult replay_refusing(Spool& spool, std::vector<Event>& seen, Refuse refuse) {
  return spool.replay([&](const Event& e) {
    if (refuse(e)) throw Rejected(kBadDatetime);
    seen.push_back(e);
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_spool)

BOOST_AUTO_TEST_CASE(TheReserveIsRealDiskHeldUntilAnAppendNeedsIt) {
  const TempDir dir;
  Spool spool(dir.path() + "/spool");
  BOOST_TEST(!spool.has_reserve());
  BOOST_TEST(spool.keep_reserve(1 << 20));
  BOOST_TEST(spool.has_reserve());
  const std::string reserve = dir.path() + "/spool/reserve";
  BOOST_TEST(std::filesystem::file_size(reserve) == (1u << 20));
  BOOST_TEST(!std::filesystem::exists(reserve + ".tmp"));
  BOOST_TEST(spool.pending_bytes() == 0u);  // the reserve is not an event
  BOOST_TEST(!spool.pending());
  BOOST_TEST(spool.keep_reserve(1 << 20));  // already there: nothing to do
  BOOST_TEST(spool.release_reserve());
  BOOST_TEST(!spool.has_reserve());
  BOOST_TEST(!spool.release_reserve());  // once only
  BOOST_TEST(spool.keep_reserve(1 << 20));  // room again: back
  BOOST_TEST(spool.has_reserve());
}


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
    if (e.kind == "voice") throw Unavailable("database went away");
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
  spool.replay([](const Event&) { throw Unavailable("database still down"); });
  spool.append(events[2]);
  // Batch files are named by the millisecond they were moved aside in; keep the two moves apart.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  check_same(replay_all(spool), events);
}

BOOST_AUTO_TEST_CASE(APoisonEventInTheMiddleIsDeadLetteredAndTheEventsAfterItAreApplied) {
  const TempDir dir;
  Spool spool(dir.path());
  const std::vector<Event> events = odd_events();  // menu CA1, voice CA2, dial-result CA1
  for (const Event& e : events) spool.append(e);

  std::vector<Event> seen;
  const ReplayResult result = replay_refusing(spool, seen, [](const Event& e) { return e.kind == "voice"; });
  BOOST_TEST(result.finished);
  BOOST_TEST(result.replayed == 2);
  BOOST_TEST(result.dead_lettered == 1);
  BOOST_TEST(result.kept_batches.empty());
  BOOST_TEST(!spool.pending());

  // The menu event, then the poison's marker (so the refusal shows in CA2's timeline), then the event after it.
  BOOST_REQUIRE_EQUAL(seen.size(), 3u);
  check_same(seen[0], events[0]);
  check_same(seen[2], events[2]);
  const Event& marker = seen[1];
  BOOST_TEST(marker.kind == "rejected");
  BOOST_TEST(marker.call_sid == "CA2");
  BOOST_TEST(marker.url_query == "");
  BOOST_TEST(param_of(marker, "CallerName") == "line\nbreak \"quoted\" back\\slash\ttab");
  BOOST_TEST(param_of(marker, marker_param::kKind) == "voice");
  BOOST_TEST(param_of(marker, marker_param::kReceivedAtMs) == "1764147601000");
  BOOST_TEST(param_of(marker, marker_param::kErrorCode) == "1292");
  BOOST_TEST(param_of(marker, marker_param::kSqlState) == "22007");
  BOOST_TEST(param_of(marker, marker_param::kError) == kBadDatetime.message);

  // The poison itself, whole, with its error.
  BOOST_TEST(spool.dead_letter_count() == 1u);
  const std::vector<std::string> files = dead_letters(spool);
  BOOST_REQUIRE_EQUAL(files.size(), 1u);
  BOOST_TEST(spool.dead_letter_bytes() == files[0].size());
  BOOST_REQUIRE(!files[0].empty());
  BOOST_TEST(files[0].back() == '\n');
  const std::string line = files[0].substr(0, files[0].size() - 1);
  const std::optional<Event> kept = decode_spool_line(line);
  BOOST_REQUIRE(kept);
  check_same(*kept, events[1]);
  const rapidjson::Document document = parse_json(line);
  const rapidjson::Value& rejection = document["rejection"];
  BOOST_TEST(rejection["code"].GetInt() == 1292);
  BOOST_TEST(string_of(rejection["sql_state"]) == "22007");
  BOOST_TEST(string_of(rejection["message"]) == kBadDatetime.message);
  BOOST_TEST(rejection["at_ms"].GetInt64() > 1764147601000);
  BOOST_TEST(std::filesystem::path(spool.dead_letter_directory()).filename() == "dead-letter");
  BOOST_TEST(std::filesystem::exists(spool.dead_letter_directory() + "/" + events[1].dedup_key() + ".json"));
}

BOOST_AUTO_TEST_CASE(APoisonEventRefusedAgainIsCountedOnce) {
  const TempDir dir;
  Spool spool(dir.path());
  const Event poison = odd_events()[1];
  std::vector<Event> seen;
  spool.append(poison);
  replay_refusing(spool, seen, [](const Event& e) { return e.kind == "voice"; });
  Event redelivered = poison;  // Twilio tried again later: the same request, the same key
  redelivered.received_at_ms += 60000;
  spool.append(redelivered);
  const ReplayResult again = replay_refusing(spool, seen, [](const Event& e) { return e.kind == "voice"; });
  BOOST_TEST(again.dead_lettered == 1);
  BOOST_TEST(spool.dead_letter_count() == 1u);
  // The file holds the latest refusal.
  BOOST_TEST(decode_spool_line(dead_letters(spool).at(0))->received_at_ms == redelivered.received_at_ms);
}

BOOST_AUTO_TEST_CASE(AnErrorOfOursIsDeadLetteredTooAndDoesNotStopTheReplay) {
  const TempDir dir;
  Spool spool(dir.path());
  const std::vector<Event> events = odd_events();
  for (const Event& e : events) spool.append(e);
  std::vector<Event> seen;
  const ReplayResult result = spool.replay([&](const Event& e) {
    if (e.kind == "menu") throw std::logic_error("call row vanished inside its own transaction");
    seen.push_back(e);
  });
  BOOST_TEST(result.finished);
  BOOST_TEST(result.dead_lettered == 1);
  BOOST_REQUIRE_EQUAL(seen.size(), 3u);  // marker, voice, dial-result
  BOOST_TEST(seen[0].kind == "rejected");
  BOOST_TEST(param_of(seen[0], marker_param::kErrorCode) == "0");
  BOOST_TEST(param_of(seen[0], marker_param::kError) == "call row vanished inside its own transaction");
  BOOST_TEST(parse_json(dead_letters(spool).at(0))["rejection"]["code"].GetInt() == 0);
}

BOOST_AUTO_TEST_CASE(ARefusedMarkerIsDeadLetteredWithoutAMarkerOfItsOwn) {
  const TempDir dir;
  Spool spool(dir.path());
  spool.append(odd_events()[1]);
  std::vector<Event> seen;
  int attempts = 0;
  const ReplayResult result = spool.replay([&](const Event&) {
    ++attempts;
    throw Rejected(kBadDatetime);  // a trigger that refuses everything of this call
  });
  BOOST_TEST(result.finished);
  BOOST_TEST(attempts == 2);  // the event and its marker, nothing more
  BOOST_TEST(result.dead_lettered == 2);
  BOOST_TEST(spool.dead_letter_count() == 2u);
  BOOST_TEST(!spool.pending());
}

BOOST_AUTO_TEST_CASE(TheDatabaseGoingAwayBeforeTheMarkerKeepsTheBatch) {
  const TempDir dir;
  Spool spool(dir.path());
  const std::vector<Event> events = odd_events();
  for (const Event& e : events) spool.append(e);
  std::vector<Event> seen;
  const ReplayResult cut = spool.replay([&](const Event& e) {
    if (e.kind == "voice") throw Rejected(kBadDatetime);
    if (e.kind == "rejected") throw Unavailable("database went away");
    seen.push_back(e);
  });
  BOOST_TEST(!cut.finished);
  BOOST_TEST(spool.pending());
  BOOST_TEST(spool.dead_letter_count() == 1u);

  // Next time the poison is refused again (its dead-letter file replaced, still one) and the marker gets through.
  seen.clear();
  const ReplayResult result = replay_refusing(spool, seen, [](const Event& e) { return e.kind == "voice"; });
  BOOST_TEST(result.finished);
  BOOST_REQUIRE_EQUAL(seen.size(), 3u);
  BOOST_TEST(seen[1].kind == "rejected");
  BOOST_TEST(spool.dead_letter_count() == 1u);
  BOOST_TEST(!spool.pending());
}

BOOST_AUTO_TEST_CASE(ADeadLetterMovedBackIntoTheSpoolReplaysAsItWas) {
  const TempDir dir;
  Spool spool(dir.path());
  const Event poison = odd_events()[1];
  spool.append(poison);
  std::vector<Event> seen;
  replay_refusing(spool, seen, [](const Event&) { return true; });
  BOOST_REQUIRE_EQUAL(spool.dead_letter_count(), 2u);  // the event and its (also refused) marker

  // What docs/operations.md tells the operator to do once the cause is fixed.
  const std::string file = spool.dead_letter_directory() + "/" + poison.dedup_key() + ".json";
  std::filesystem::rename(file, dir.path() + "/batch-requeue-" + poison.dedup_key() + ".spool");
  BOOST_TEST(spool.pending());
  seen.clear();
  const ReplayResult result = replay_refusing(spool, seen, [](const Event&) { return false; });
  BOOST_TEST(result.replayed == 1);
  check_same(seen, {poison});
  BOOST_TEST(spool.dead_letter_count() == 1u);
  BOOST_TEST(!spool.pending());
}

BOOST_AUTO_TEST_CASE(DeadLetterCountsOnlyWholeFiles) {
  const TempDir dir;
  Spool spool(dir.path());
  BOOST_TEST(spool.dead_letter_count() == 0u);  // no directory yet
  BOOST_TEST(spool.dead_letter_bytes() == 0u);
  spool.dead_letter(odd_events()[0], kBadDatetime);
  const std::uint64_t bytes = spool.dead_letter_bytes();
  BOOST_TEST(bytes == dead_letters(spool).at(0).size());
  // A temporary left by a writer that died before its rename is not a dead letter.
  std::ofstream(spool.dead_letter_directory() + "/.tmp-123-0") << "half a line";
  BOOST_TEST(spool.dead_letter_count() == 1u);
  BOOST_TEST(spool.dead_letter_bytes() == bytes);
}

// A batch file that cannot be opened (here a symlink to nothing: even root cannot open it) is not an empty one.
BOOST_AUTO_TEST_CASE(ABatchFileThatCannotBeOpenedIsKeptAndReported) {
  const TempDir dir;
  Spool spool(dir.path());
  const std::string broken = dir.path() + "/batch-000000000000000-1-000000.spool";
  std::filesystem::create_symlink(dir.path() + "/nowhere", broken);
  spool.append(odd_events()[0]);
  ReplayResult result;
  check_same(replay_all(spool, &result), {odd_events()[0]});  // the other batches go on
  BOOST_REQUIRE_EQUAL(result.kept_batches.size(), 1u);
  BOOST_TEST(result.kept_batches[0].find("batch-000000000000000-1-000000.spool: cannot open") == 0u,
             result.kept_batches[0]);
  BOOST_TEST(std::filesystem::is_symlink(broken));
  BOOST_TEST(spool.pending());  // tried again next time
}

// One that opens but fails when read (a symlink to a directory: read() says EISDIR).
BOOST_AUTO_TEST_CASE(ABatchFileThatCannotBeReadIsKeptAndReported) {
  const TempDir dir;
  Spool spool(dir.path());
  std::filesystem::create_directory(dir.path() + "/elsewhere");
  const std::string unreadable = dir.path() + "/batch-000000000000000-1-000000.spool";
  std::filesystem::create_symlink(dir.path() + "/elsewhere", unreadable);
  ReplayResult result;
  BOOST_TEST(replay_all(spool, &result).empty());
  BOOST_REQUIRE_EQUAL(result.kept_batches.size(), 1u);
  BOOST_TEST(result.kept_batches[0].find("batch-000000000000000-1-000000.spool: read failed") == 0u,
             result.kept_batches[0]);
  BOOST_TEST(std::filesystem::is_symlink(unreadable));
  BOOST_TEST(spool.pending());
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
