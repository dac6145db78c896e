// The feed API over thousands of calls: keyset pages newest first with no call skipped or repeated while new calls
// keep arriving, and every filter agreeing with the database.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <atomic>
#include <set>
#include <thread>

#include "support/stack.h"

using namespace integration;

namespace {

constexpr int kSeeded = 3000;

// 3000 calls an hour apart, going back from a fixed instant, with a spread of statuses, choices and voicemails;
// bulk-inserted (the webhook path is tested elsewhere).
void seed_calls() {
  static bool seeded = false;
  if (seeded) return;
  seeded = true;
  BOOST_REQUIRE(stack_command(
                    "sb_mariadb_client switchboard -e \"INSERT INTO calls (sid, from_number, to_number, status, "
                    "menu_choice, recording_sid, started_at) SELECT CONCAT('CApaging', LPAD(seq, 26, '0')), "
                    "CONCAT('+1415555', LPAD(seq MOD 7, 4, '0')), '+15005550006', "
                    "ELT(1 + seq MOD 3, 'completed', 'no-answer', 'busy'), ELT(1 + seq MOD 3, 'forward', 'voicemail', NULL), "
                    "IF(seq MOD 4 = 0, CONCAT('RE', LPAD(seq, 32, '0')), NULL), "
                    "TIMESTAMPADD(HOUR, -seq, '2025-06-01 12:00:00') FROM seq_1_to_" +
                    std::to_string(kSeeded) + "\"") == 0);
}

rapidjson::Document get_json(const std::string& path) {
  const HttpResult answer = request("GET", path, true);
  BOOST_REQUIRE_MESSAGE(answer.status == 200, path << " → " << answer.status << " " << answer.body);
  rapidjson::Document json;
  json.Parse(answer.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  return json;
}

// Every sid a filter returns, following next_cursor to the end.
std::vector<std::string> all_pages(const std::string& filter) {
  std::vector<std::string> sids;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    rapidjson::Document json =
        get_json("/api/calls?limit=200&until=2025-06-02T00:00:00Z" + filter + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& call : json["calls"].GetArray()) sids.emplace_back(call["sid"].GetString());
    if (json["next_cursor"].IsNull()) break;
    cursor = json["next_cursor"].GetString();
  }
  return sids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_paging)

BOOST_AUTO_TEST_CASE(PagingThroughThousandsOfCallsWhileNewOnesArriveSkipsAndRepeatsNothing) {
  seed_calls();
  std::atomic<bool> done{false};
  std::thread arrivals([&] {
    while (!done) {
      post_webhook("/twilio/voice", {{"CallSid", new_call_sid()}, {"From", "+14155550601"}, {"To", "+15005550006"},
                                     {"CallStatus", "ringing"}});
    }
  });
  // Without `until`: the newest calls are the ones arriving now, ahead of the cursor.
  std::vector<std::string> sids;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    rapidjson::Document json = get_json("/api/calls?limit=150" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& call : json["calls"].GetArray()) sids.emplace_back(call["sid"].GetString());
    if (json["next_cursor"].IsNull()) break;
    cursor = json["next_cursor"].GetString();
  }
  done = true;
  arrivals.join();

  const std::set<std::string> unique(sids.begin(), sids.end());
  BOOST_TEST(unique.size() == sids.size());  // nothing repeated
  int seeded_seen = 0;
  std::string previous;
  for (const std::string& sid : sids) {
    if (sid.rfind("CApaging", 0) != 0) continue;
    ++seeded_seen;
    // Seeded calls go back in time as their number grows: newest first means increasing sids.
    BOOST_TEST(sid > previous);
    previous = sid;
  }
  BOOST_TEST(seeded_seen == kSeeded);  // nothing skipped
}

BOOST_AUTO_TEST_CASE(EveryFilterAgreesWithTheDatabase) {
  seed_calls();
  const std::string window = " AND sid LIKE 'CApaging%'";
  const std::pair<std::string, std::string> filters[] = {
      {"&status=completed", "status = 'completed'"},
      {"&menu_choice=forward", "menu_choice = 'forward'"},
      {"&menu_choice=none", "menu_choice IS NULL"},
      {"&has_voicemail=true", "recording_sid IS NOT NULL"},
      {"&has_voicemail=false", "recording_sid IS NULL"},
      {"&from=%2B14155550003", "from_number = '+14155550003'"},
      {"&since=2025-05-01T00:00:00Z", "started_at >= '2025-05-01 00:00:00'"},
      {"&status=no-answer&menu_choice=voicemail&has_voicemail=true", "status = 'no-answer' AND menu_choice = "
                                                                     "'voicemail' AND recording_sid IS NOT NULL"},
  };
  for (const auto& [filter, condition] : filters) {
    const std::vector<std::string> sids = all_pages(filter);
    const int seeded = static_cast<int>(
        std::count_if(sids.begin(), sids.end(), [](const std::string& sid) { return sid.rfind("CApaging", 0) == 0; }));
    BOOST_TEST(seeded == count("SELECT COUNT(*) FROM calls WHERE " + condition + window), filter);
    BOOST_TEST(seeded > 0, filter);
  }
}

BOOST_AUTO_TEST_SUITE_END()
