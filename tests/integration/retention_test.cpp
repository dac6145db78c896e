// Retention against the real stack: voicemails left through the simulator (their audio fetched into the cache by
// switchboard-notify) and answered calls, moved back in time in the database, then `switchboard-admin purge
// --dry-run` and `purge` with a 30-day limit on calls and a 10-day limit on audio. Exactly what is older than a
// limit goes — rows read back, files looked for — an unheard voicemail stays whole whatever its age, a deleted
// voicemail says so in its JSON and its audio answers 410. Deletion at Twilio: the fake Twilio receives a DELETE
// only for recordings whose cached copy is verified, only when it is switched on, and never twice. Also: MariaDB runs
// the purge's walks as index ranges (EXPLAIN).
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "store/retention_store.h"
#include "support/stack.h"

using namespace integration;

namespace {

constexpr char kLimits[] = "SWITCHBOARD_RETAIN_CALLS_DAYS=30 SWITCHBOARD_RETAIN_AUDIO_DAYS=10";
constexpr char kTwilioOn[] = "SWITCHBOARD_DELETE_TWILIO_RECORDINGS=true";

// Pressed 1 and the forward answered (an answered call), or pressed 2 (a voicemail).
std::string place_call(const std::vector<std::string>& presses) {
  callsim::Scenario scenario;
  scenario.presses = presses;
  const auto report = callsim::run_call(simulator_options(), scenario);
  for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
  BOOST_REQUIRE(report.ok());
  return report.call_sid;
}

std::string cached_file(const std::string& recording) {
  return stack().dir + "/state/recordings/" + recording + ".mp3";
}

bool exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

// A voicemail whose audio the notifier has cached; heard (through the API) unless said otherwise.
std::string voicemail(bool heard = true) {
  const std::string sid = place_call({"2"});
  BOOST_REQUIRE(eventually(
      [&] {
        return count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'audio' AND status = 'sent'",
                     {sid}) == 1;
      },
      std::chrono::seconds(30)));
  BOOST_REQUIRE(exists(cached_file(call_row(sid).at("recording_sid"))));
  if (heard) {
    const HttpResult marked = request("POST", "/api/calls/" + sid + "/voicemail/heard", true, R"({"heard":true})",
                                      {"Content-Type: application/json", "X-Requested-With: XMLHttpRequest"});
    BOOST_REQUIRE(marked.status == 200);
  }
  return sid;
}

// The call started `days` (and an hour) ago, as if it had been in the log that long.
void age(const std::string& sid, int days) {
  BOOST_REQUIRE(execute("UPDATE calls SET started_at = started_at - INTERVAL ? DAY - INTERVAL 1 HOUR, "
                        "ended_at = ended_at - INTERVAL ? DAY - INTERVAL 1 HOUR WHERE sid = ?",
                        {std::to_string(days), std::to_string(days), sid}) == 1);
}

int rows_of(const std::string& sid) {
  return count("SELECT COUNT(*) FROM calls WHERE sid = ?", {sid}) +
         count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}) +
         count("SELECT COUNT(*) FROM notifications WHERE call_sid = ?", {sid});
}

// The number after "<kind>: <verb> " in the command's output, -1 when the line is not there.
long long figure(const std::string& output, const std::string& prefix) {
  const size_t at = output.find(prefix);
  if (at == std::string::npos) return -1;
  return std::stoll(output.substr(at + prefix.size()));
}

// Recordings the fake Twilio was sent a DELETE for (tools/fake-twilio logs every request).
std::multiset<std::string> twilio_deletes() {
  std::ifstream log(stack().dir + "/fake-twilio/requests.jsonl");
  std::multiset<std::string> recordings;
  std::string line;
  while (std::getline(log, line)) {
    rapidjson::Document entry;
    entry.Parse(line.c_str());
    if (!entry.IsObject() || std::string(entry["method"].GetString()) != "DELETE") continue;
    const std::string path = entry["path"].GetString();
    const size_t at = path.find("/Recordings/");
    if (at != std::string::npos) recordings.insert(path.substr(at + 12, 34));
  }
  return recordings;
}

rapidjson::Document call_json(const std::string& sid) {
  const HttpResult call = request("GET", "/api/calls/" + sid, true);
  BOOST_REQUIRE(call.status == 200);
  rapidjson::Document json;
  json.Parse(call.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  return json;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(retention)

BOOST_AUTO_TEST_CASE(ThePurgeRemovesExactlyWhatIsOlderThanTheLimitsAndNeverAnUnheardVoicemail) {
  const std::string old_call = place_call({"1"});
  const std::string young_call = place_call({"1"});
  const std::string old_voicemail = voicemail();
  const std::string unheard = voicemail(false);
  const std::string audio_old = voicemail();
  const std::string recent = voicemail();
  age(old_call, 31);
  age(young_call, 29);
  age(old_voicemail, 31);
  age(unheard, 400);
  age(audio_old, 12);
  age(recent, 5);
  const auto recording = [](const std::string& sid) { return call_row(sid).at("recording_sid"); };
  const std::string old_file = cached_file(recording(old_voicemail)), unheard_file = cached_file(recording(unheard)),
                    audio_old_file = cached_file(recording(audio_old)), recent_file = cached_file(recording(recent));
  const int old_rows = rows_of(old_call), old_voicemail_rows = rows_of(old_voicemail);
  BOOST_REQUIRE(old_rows > 3);
  BOOST_REQUIRE(count("SELECT COUNT(*) FROM notifications WHERE call_sid = ?", {old_voicemail}) >= 1);
  const std::size_t deletes_before = twilio_deletes().size();

  // The dry run says what would go and changes nothing.
  const CommandResult dry = admin_command("purge --dry-run", kLimits);
  BOOST_TEST_MESSAGE("dry run:\n" << dry.output);
  BOOST_REQUIRE(dry.status == 0);
  BOOST_TEST(dry.output.find("dry run: nothing is deleted") != std::string::npos, dry.output);
  BOOST_TEST(dry.output.find("an unheard voicemail is never purged") != std::string::npos, dry.output);
  const long long would_calls = figure(dry.output, "calls: would delete ");
  const long long would_audio = figure(dry.output, "audio: would delete ");
  BOOST_TEST(would_calls >= 2);
  BOOST_TEST(would_audio >= 1);
  BOOST_TEST(rows_of(old_call) == old_rows);
  BOOST_TEST(rows_of(old_voicemail) == old_voicemail_rows);
  BOOST_TEST(exists(old_file));
  BOOST_TEST(exists(audio_old_file));
  BOOST_TEST(call_row(audio_old).at("recording_deleted_at") == "NULL");

  const CommandResult purge = admin_command("purge", kLimits);
  BOOST_TEST_MESSAGE("purge:\n" << purge.output);
  BOOST_REQUIRE(purge.status == 0);
  BOOST_TEST(figure(purge.output, "calls: deleted ") == would_calls);
  BOOST_TEST(figure(purge.output, "audio: deleted ") == would_audio);

  // Older than 30 days: gone whole, call, events, notifications and audio.
  BOOST_TEST(rows_of(old_call) == 0);
  BOOST_TEST(rows_of(old_voicemail) == 0);
  BOOST_TEST(!exists(old_file));
  // Nothing older than the limit is left but unheard voicemails (other suites' old rows included; statuses compared
  // as bytes, as retention::is_protected() compares them: 'Absent' is not Twilio's 'absent').
  BOOST_TEST(count("SELECT COUNT(*) FROM calls WHERE started_at < UTC_TIMESTAMP(3) - INTERVAL 30 DAY "
                   "AND NOT (recording_sid IS NOT NULL AND NOT (recording_status COLLATE utf8mb4_nopad_bin <=> "
                   "'absent') AND voicemail_heard_at IS NULL)") == 0);
  // 29 days: kept as it was.
  BOOST_TEST(call_row(young_call).at("sid") == young_call);
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {young_call}) > 0);
  // The unheard voicemail of 400 days: whole, audio included, not marked.
  BOOST_TEST(call_row(unheard).at("recording_deleted_at") == "NULL");
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {unheard}) > 0);
  BOOST_TEST(exists(unheard_file));
  BOOST_TEST(request("GET", "/api/calls/" + unheard + "/voicemail", true).status == 200);

  // 12 days: the call stays, its audio is gone and it says so; 5 days: untouched.
  BOOST_TEST(!exists(audio_old_file));
  BOOST_TEST(call_row(audio_old).at("recording_deleted_at") != "NULL");
  const rapidjson::Document json = call_json(audio_old);
  const rapidjson::Value& deleted = json["voicemail"];
  BOOST_REQUIRE(deleted.IsObject());
  BOOST_TEST(deleted["deleted"].GetBool() == true);
  BOOST_TEST(deleted["url"].IsNull());
  BOOST_TEST(deleted["kept_days"].GetInt64() == 12);
  BOOST_TEST(json["events"].GetArray().Size() > 0u);
  const HttpResult gone = request("GET", "/api/calls/" + audio_old + "/voicemail", true);
  BOOST_TEST(gone.status == 410);
  BOOST_TEST(gone.body.find("deleted (retention)") != std::string::npos, gone.body);
  BOOST_TEST(!exists(audio_old_file));  // the 410 fetched nothing back
  BOOST_TEST(exists(recent_file));
  BOOST_TEST(call_json(recent)["voicemail"]["deleted"].GetBool() == false);

  // Off by default: nothing was asked of Twilio.
  BOOST_TEST(twilio_deletes().size() == deletes_before);

  // Again: nothing more to do.
  const CommandResult again = admin_command("purge", kLimits);
  BOOST_REQUIRE(again.status == 0);
  BOOST_TEST(figure(again.output, "calls: deleted ") == 0);
  BOOST_TEST(figure(again.output, "audio: deleted ") == 0);
}

BOOST_AUTO_TEST_CASE(TwilioGetsADeleteOnlyForVerifiedCachedRecordingsAndOnlyWhenSwitchedOn) {
  const std::string verified = voicemail();
  const std::string truncated = voicemail();
  const std::string not_cached = voicemail();
  const std::string unheard = voicemail(false);
  const auto recording = [](const std::string& sid) { return call_row(sid).at("recording_sid"); };
  {
    // A cached copy shorter than Twilio's (a copy cut short), and one that is missing.
    const std::string path = cached_file(recording(truncated));
    BOOST_REQUIRE(::truncate(path.c_str(), 100) == 0);
    BOOST_REQUIRE(std::remove(cached_file(recording(not_cached)).c_str()) == 0);
  }

  const std::size_t before = twilio_deletes().size();
  const CommandResult off = admin_command("purge");
  BOOST_REQUIRE(off.status == 0);
  BOOST_TEST(off.output.find("nothing deleted at Twilio") != std::string::npos, off.output);
  BOOST_TEST(twilio_deletes().size() == before);

  const CommandResult dry = admin_command("purge --dry-run", kTwilioOn);
  BOOST_REQUIRE(dry.status == 0);
  BOOST_TEST(twilio_deletes().size() == before);
  BOOST_TEST(call_row(verified).at("recording_deleted_at_twilio") == "NULL");

  const CommandResult on = admin_command("purge", kTwilioOn);
  BOOST_TEST_MESSAGE("purge with deletion at Twilio:\n" << on.output);
  BOOST_REQUIRE(on.status == 0);
  const std::multiset<std::string> deletes = twilio_deletes();
  BOOST_TEST(deletes.count(recording(verified)) == 1u);
  BOOST_TEST(deletes.count(recording(truncated)) == 0u);
  BOOST_TEST(deletes.count(recording(not_cached)) == 0u);
  BOOST_TEST(deletes.count(recording(unheard)) == 0u);
  const std::string kept = recording(truncated) + " (call " + truncated + ") kept at Twilio: the local copy has 100";
  BOOST_TEST(on.output.find(kept) != std::string::npos, on.output);
  // Every recording Twilio was asked to delete had a heard voicemail behind it, now marked.
  for (const std::string& deleted : deletes) {
    const auto rows = query("SELECT voicemail_heard_at, recording_deleted_at_twilio FROM calls WHERE recording_sid = ?",
                            {deleted});
    for (const auto& row : rows) {
      BOOST_TEST(row.at("voicemail_heard_at") != "NULL", deleted);
      BOOST_TEST(row.at("recording_deleted_at_twilio") != "NULL", deleted);
    }
  }
  BOOST_TEST(call_row(truncated).at("recording_deleted_at_twilio") == "NULL");
  BOOST_TEST(call_row(not_cached).at("recording_deleted_at_twilio") == "NULL");
  // The local copy still plays; the deleted-at time is in the JSON.
  BOOST_TEST(request("GET", "/api/calls/" + verified + "/voicemail", true).status == 200);
  BOOST_TEST(call_json(verified)["voicemail"]["deleted_at_twilio"].IsString());

  // Never twice.
  const CommandResult again = admin_command("purge", kTwilioOn);
  BOOST_REQUIRE(again.status == 0);
  BOOST_TEST(twilio_deletes().count(recording(verified)) == 1u);
}

BOOST_AUTO_TEST_CASE(ThePurgesWalksAreIndexRanges) {
  using switchboard::store::MysqlRetentionStore;
  const std::vector<std::pair<std::string, std::vector<std::string>>> walks = {
      {MysqlRetentionStore::old_calls_sql(false), {"2026-01-01 00:00:00", "500"}},
      {MysqlRetentionStore::old_calls_sql(true),
       {"2026-01-01 00:00:00", "2025-01-01 00:00:00", "2025-01-01 00:00:00", "7", "500"}},
      {MysqlRetentionStore::old_voicemails_sql(false, true),
       {"2026-01-01 00:00:00", "2025-01-01 00:00:00", "2025-01-01 00:00:00", "7", "500"}},
      {MysqlRetentionStore::old_voicemails_sql(true, false), {"2026-01-01 00:00:00", "500"}},
  };
  for (const auto& [sql, args] : walks) {
    const auto plan = query("EXPLAIN " + sql, args);
    BOOST_REQUIRE(plan.size() == 1u);
    BOOST_TEST(plan[0].at("type") == "range", sql);
    const std::string key = plan[0].at("key");
    BOOST_TEST((key == "calls_newest" || key == "calls_voicemail_newest"), sql << ": " << key);
    BOOST_TEST(plan[0].at("Extra").find("filesort") == std::string::npos, sql);
  }
}

BOOST_AUTO_TEST_CASE(ABadSettingIsAConfigurationError) {
  const CommandResult bad = admin_command("purge", "SWITCHBOARD_RETAIN_CALLS_DAYS=thirty");
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(bad.output.find("SWITCHBOARD_RETAIN_CALLS_DAYS: 'thirty' is not a whole number") != std::string::npos,
             bad.output);
  BOOST_TEST(admin_command("prune").status == 2);
}

BOOST_AUTO_TEST_SUITE_END()
