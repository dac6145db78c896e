// Nothing breaks the caller, nothing is lost: the database stopped while calls come in, a poison event among them,
// a worker killed, the whole pool down, a lying Content-Length, a grant forgotten at an upgrade. Each test restores
// the stack before it ends.
#include <boost/test/unit_test.hpp>
#include <dirent.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "support/stack.h"
#include "support/twiml.h"

using namespace integration;

namespace {

bool spool_empty() {
  const std::string dir = stack().dir + "/state/spool";
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return true;
  bool empty = true;
  while (dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    if (name == "events.spool") {
      std::ifstream file(dir + "/" + name, std::ios::ate);
      if (file.tellg() > 0) empty = false;
    } else if (name.rfind("batch-", 0) == 0 && name.find(".bad") == std::string::npos) {
      empty = false;
    }
  }
  closedir(handle);
  return empty;
}

// Restarts whatever a test stopped, even when an assertion failed half-way.
struct Restore {
  std::string command;
  ~Restore() { stack_command(command); }
};

// A trigger that refuses `sid`'s events of `kind` the way a database refuses a poison event (SIGNAL SQLSTATE
// '45000': error 1644, not a lost connection) and lets everything else through, the rejection marker included.
// Created as root: the application's user has no TRIGGER privilege. When the test ends, pass or fail, MariaDB is
// started again (the test may have stopped it), the trigger dropped and the dead letters it caused removed.
class PoisonTrigger {
 public:
  PoisonTrigger(const std::string& sid, const std::string& kind) : sid_(sid) {
    const int created = stack_command(
        "sb_mariadb_client switchboard <<'SQL'\n"
        "DELIMITER //\n"
        "CREATE TRIGGER sb_test_poison BEFORE INSERT ON call_events FOR EACH ROW\n"
        "IF NEW.call_sid = '" + sid + "' AND NEW.kind = '" + kind + "' THEN\n"
        "  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poison event refused by the test trigger';\n"
        "END IF//\n"
        "SQL");
    BOOST_REQUIRE_MESSAGE(created == 0, "could not create the trigger");
  }
  ~PoisonTrigger() {
    stack_command("sb_start_mariadb; sb_mariadb_client switchboard -e 'DROP TRIGGER IF EXISTS sb_test_poison'; "
                  "grep -l -s '" + sid_ + "' \"$SB_DIR\"/state/spool/dead-letter/*.json | xargs -r rm -f");
  }
  PoisonTrigger(const PoisonTrigger&) = delete;
  PoisonTrigger& operator=(const PoisonTrigger&) = delete;

 private:
  std::string sid_;
};

// The dead-letter files of the stack's spool, parsed; those that are not JSON objects are left out (and fail the
// tests that look for them).
std::vector<rapidjson::Document> dead_letters() {
  std::vector<rapidjson::Document> letters;
  const std::string dir = stack().dir + "/state/spool/dead-letter";
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return letters;
  while (dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    std::ifstream file(dir + "/" + name);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    rapidjson::Document document;
    document.Parse(text.c_str());
    if (!document.HasParseError() && document.IsObject()) letters.push_back(std::move(document));
  }
  closedir(handle);
  return letters;
}

std::string member(const rapidjson::Value& object, const char* name) {
  const auto found = object.FindMember(name);
  return found != object.MemberEnd() && found->value.IsString() ? found->value.GetString() : "";
}

// The dead letters of `sid`'s events, whatever refused them.
int dead_letters_of_call(const std::string& sid) {
  int found = 0;
  for (const rapidjson::Document& letter : dead_letters()) {
    if (member(letter, "call_sid") == sid) ++found;
  }
  return found;
}

// The dead letters of `sid`'s `kind` events that carry the test trigger's refusal.
int dead_letters_of(const std::string& sid, const std::string& kind) {
  int found = 0;
  for (const rapidjson::Document& letter : dead_letters()) {
    if (member(letter, "call_sid") != sid || member(letter, "kind") != kind) continue;
    const auto rejection = letter.FindMember("rejection");
    if (rejection == letter.MemberEnd() || !rejection->value.IsObject()) continue;
    const rapidjson::Value& why = rejection->value;
    if (why.HasMember("code") && why["code"].IsInt() && why["code"].GetInt() == 1644 &&
        member(why, "sql_state") == "45000" &&
        member(why, "message").find("poison event refused by the test trigger") != std::string::npos) {
      ++found;
    }
  }
  return found;
}

std::string rfc2822_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

callsim::Scenario voicemail_call(const std::string& from) {
  callsim::Scenario scenario;
  scenario.from = from;
  scenario.presses = {"2"};
  scenario.record_seconds = 11;
  return scenario;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(DatabaseDownCallersAreRoutedAndEveryEventArrivesAfterRecovery) {
  Restore restore{"sb_start_mariadb"};
  BOOST_REQUIRE(stack_command("sb_stop_mariadb") == 0);

  std::vector<callsim::CallReport> reports;
  for (const char* from : {"+14155550301", "+14155550302", "+14155550303"}) {
    callsim::Scenario scenario = voicemail_call(from);
    scenario.duplicate_callbacks = true;
    reports.push_back(callsim::run_call(simulator_options(), scenario));
    const auto& report = reports.back();
    for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
    BOOST_TEST(report.ok());
    BOOST_TEST(report.outcome == "voicemail");
    BOOST_TEST(report.slowest_webhook_s < 5.0);
  }
  BOOST_TEST(!spool_empty());
  // Liveness stays 200 (this host still routes every caller; a balancer must keep it), degraded with the reason;
  // the feed's readiness says it cannot serve.
  const HttpResult health = request("GET", "/healthz", false);
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.body.find("\"status\":\"degraded\"") != std::string::npos);
  BOOST_TEST(health.body.find("database unreachable") != std::string::npos);
  BOOST_TEST(health.body.find("\"database\":\"unreachable\"") != std::string::npos);
  BOOST_TEST(request("GET", "/readyz", false).status == 503);

  BOOST_REQUIRE(stack_command("sb_start_mariadb") == 0);
  BOOST_TEST(eventually(spool_empty, std::chrono::seconds(30)));
  for (const auto& report : reports) {
    const auto row = call_row(report.call_sid);
    BOOST_REQUIRE(!row.empty());
    BOOST_TEST(row.at("status") == "completed");
    BOOST_TEST(row.at("menu_choice") == "voicemail");
    BOOST_TEST(row.at("recording_status") == "completed");
    BOOST_TEST(row.at("recording_duration_s") == "11");
    BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s));
    // voice, menu, voicemail-done, recording-status, transcription, call-status: each exactly once despite
    // duplicate callbacks.
    BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind <> 'notification'",
                     {report.call_sid}) == 6);
  }
}

// The database refuses one event (not because it is down): the spool must not stop at it. During an outage
// everything is spooled; once the database is back the poison goes to the dead-letter with its error and into its
// call's timeline as a `rejected` marker, and every event spooled after it is stored, exactly once.
BOOST_AUTO_TEST_CASE(APoisonEventDuringAnOutageIsDeadLetteredAndEveryOtherEventArrivesOnce) {
  const std::string poison = new_call_sid();
  PoisonTrigger trigger(poison, "call-status");
  const double spooled_before = metric("switchboard_events_spooled_total");
  const double dead_before = metric("switchboard_events_dead_lettered_total");
  BOOST_REQUIRE(stack_command("sb_stop_mariadb") == 0);

  std::vector<callsim::CallReport> reports;
  const auto run_call = [&](const char* from) {
    reports.push_back(callsim::run_call(simulator_options(), voicemail_call(from)));
    for (const std::string& error : reports.back().errors) BOOST_TEST_MESSAGE("simulator: " << error);
    BOOST_TEST(reports.back().ok());
    BOOST_TEST(reports.back().outcome == "voicemail");
  };
  run_call("+14155550341");
  // The poison call: its incoming webhook (stored), then its status callback (refused by the trigger).
  const HttpResult voice = post_webhook("/twilio/voice", {{"CallSid", poison},
                                                          {"AccountSid", stack().account_sid},
                                                          {"From", "+14155550349"},
                                                          {"To", "+15005550006"},
                                                          {"CallStatus", "ringing"},
                                                          {"Direction", "inbound"}});
  BOOST_TEST(voice.status == 200);
  BOOST_TEST(Twiml(voice.body).parsed);
  const HttpResult status = post_webhook("/twilio/call-status", {{"CallSid", poison},
                                                                 {"AccountSid", stack().account_sid},
                                                                 {"CallStatus", "completed"},
                                                                 {"CallDuration", "9"},
                                                                 {"SequenceNumber", "2"},
                                                                 {"Timestamp", rfc2822_now()}});
  BOOST_TEST(status.status == 204);
  run_call("+14155550342");
  run_call("+14155550343");
  BOOST_TEST(!spool_empty());

  BOOST_REQUIRE(stack_command("sb_start_mariadb") == 0);
  BOOST_TEST(eventually(spool_empty, std::chrono::seconds(30)));
  const double spooled = metric("switchboard_events_spooled_total") - spooled_before;
  const double dead = metric("switchboard_events_dead_lettered_total") - dead_before;
  BOOST_TEST(dead == 1);
  int stored = 0;
  for (const auto& report : reports) {
    stored += count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind <> 'notification'", {report.call_sid});
  }
  stored += count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind <> 'rejected'", {poison});
  BOOST_TEST(stored == static_cast<int>(spooled) - 1);
  std::cout << "outage: " << reports.size() << " calls and a poison callback while the database was down: " << spooled
            << " events spooled, " << stored << " stored on recovery, " << dead << " dead-lettered (visible in the "
            << "call's timeline)" << std::endl;

  // Every event of the other calls, spooled before and after the poison, exactly once.
  for (const auto& report : reports) {
    BOOST_TEST_CONTEXT(report.call_sid) {
      const auto row = call_row(report.call_sid);
      BOOST_REQUIRE(!row.empty());
      BOOST_TEST(row.at("status") == "completed");
      BOOST_TEST(row.at("menu_choice") == "voicemail");
      BOOST_TEST(row.at("recording_status") == "completed");
      BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s));
      BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind <> 'notification'",
                       {report.call_sid}) == 6);
      BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'rejected'",
                       {report.call_sid}) == 0);
    }
  }

  // The poison: its voice event stored, the refused call-status kept with its error, and a note in the timeline.
  const auto row = call_row(poison);
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(row.at("status") == "ringing");  // the marker is not folded into the call
  BOOST_TEST(row.at("duration_s") == "NULL");
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'voice'", {poison}) == 1);
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'call-status'", {poison}) == 0);
  BOOST_TEST(dead_letters_of(poison, "call-status") == 1);
  const auto markers = query("SELECT params FROM call_events WHERE call_sid = ? AND kind = 'rejected'", {poison});
  BOOST_REQUIRE_EQUAL(markers.size(), 1u);
  rapidjson::Document params;
  params.Parse(markers[0].at("params").c_str());
  BOOST_REQUIRE(params.IsObject());
  BOOST_TEST(member(params, "SwitchboardRejectedKind") == "call-status");
  BOOST_TEST(member(params, "SwitchboardErrorCode") == "1644");
  BOOST_TEST(member(params, "SwitchboardSqlState") == "45000");
  BOOST_TEST(member(params, "CallDuration") == "9");

  // And the feed shows it in the call's timeline.
  const HttpResult call = request("GET", "/api/calls/" + poison, true);
  BOOST_REQUIRE(call.status == 200);
  rapidjson::Document body;
  body.Parse(call.body.c_str());
  BOOST_REQUIRE(body.IsObject());
  BOOST_REQUIRE(body.HasMember("events") && body["events"].IsArray());
  std::vector<std::string> kinds;
  for (const auto& event : body["events"].GetArray()) kinds.push_back(member(event, "kind"));
  BOOST_TEST(kinds == (std::vector<std::string>{"voice", "rejected"}), boost::test_tools::per_element());
  const rapidjson::Value& marker = body["events"][1];
  BOOST_REQUIRE(marker.HasMember("params") && marker["params"].IsObject());
  BOOST_TEST(member(marker["params"], "SwitchboardRejectedKind") == "call-status");
}

// With the database up, a refused live event still leaves the caller routed, and ends in the dead-letter and the
// timeline the same way.
BOOST_AUTO_TEST_CASE(ARefusedLiveEventStillAnswersTheCallerAndIsDeadLettered) {
  const std::string sid = new_call_sid();
  PoisonTrigger trigger(sid, "voice");
  const HttpResult answer = post_webhook("/twilio/voice", {{"CallSid", sid},
                                                           {"AccountSid", stack().account_sid},
                                                           {"From", "+14155550351"},
                                                           {"To", "+15005550006"},
                                                           {"CallStatus", "ringing"},
                                                           {"Direction", "inbound"}});
  BOOST_TEST(answer.status == 200);
  Twiml twiml(answer.body);
  BOOST_REQUIRE(twiml.parsed);
  BOOST_TEST(twiml.response().child("Gather"));
  BOOST_TEST(eventually([&] { return dead_letters_of(sid, "voice") == 1; }, std::chrono::seconds(20)));
  BOOST_TEST(eventually([&] {
    return count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'rejected'", {sid}) == 1;
  }, std::chrono::seconds(20)));
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'voice'", {sid}) == 0);
  BOOST_TEST(call_row(sid).empty());  // the marker creates no call
  BOOST_TEST(eventually(spool_empty, std::chrono::seconds(20)));
}

// An upgrade that forgot the workers' `GRANT EXECUTE` (docs/operations.md, "Upgrading to schema 010"): every
// webhook's procedure is refused (MySQL error 1370). That refuses every event alike, so it is an outage, not a
// poison: the caller is routed, the events are spooled and none is dead-lettered; once the grant is given the
// spool drains without a restart (a worker drops a connection the server refused everything on, so the next try
// sees the grant).
BOOST_AUTO_TEST_CASE(AForgottenProcedureGrantIsAnOutageNotAPoison) {
  const std::string grant = "GRANT EXECUTE ON switchboard.* TO 'switchboard'@'localhost'";
  Restore restore{"sb_mariadb_client -e \"" + grant + "\""};
  // A database grant changes what new connections may do: the workers' open ones are killed, as a restart would.
  BOOST_REQUIRE(stack_command(
                    "sb_mariadb_client -e \"REVOKE EXECUTE ON switchboard.* FROM 'switchboard'@'localhost'\" && "
                    "sb_mariadb_client -N -e \"SELECT id FROM information_schema.PROCESSLIST WHERE "
                    "user = 'switchboard'\" | while read -r id; do sb_mariadb_client -e \"KILL $id\" || true; "
                    "done") == 0);
  const std::string sid = new_call_sid();
  const HttpResult voice = post_webhook("/twilio/voice", {{"CallSid", sid},
                                                          {"AccountSid", stack().account_sid},
                                                          {"From", "+14155550352"},
                                                          {"To", "+15005550006"},
                                                          {"CallStatus", "ringing"},
                                                          {"Direction", "inbound"}});
  BOOST_TEST(voice.status == 200);
  Twiml twiml(voice.body);
  BOOST_REQUIRE(twiml.parsed);
  BOOST_TEST(twiml.response().child("Gather"));
  const HttpResult status = post_webhook("/twilio/call-status", {{"CallSid", sid},
                                                                 {"AccountSid", stack().account_sid},
                                                                 {"CallStatus", "completed"},
                                                                 {"CallDuration", "14"},
                                                                 {"SequenceNumber", "3"}});
  BOOST_TEST(status.status == 204);
  BOOST_TEST(!spool_empty());
  BOOST_TEST(call_row(sid).empty());
  BOOST_TEST(dead_letters_of_call(sid) == 0);

  BOOST_REQUIRE(stack_command("sb_mariadb_client -e \"" + grant + "\"") == 0);
  BOOST_TEST(eventually(spool_empty, std::chrono::seconds(30)));
  const auto row = call_row(sid);
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(row.at("status") == "completed");
  BOOST_TEST(row.at("duration_s") == "14");
  BOOST_TEST(row.at("from_number") == "+14155550352");
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}) == 2);
  BOOST_TEST(dead_letters_of_call(sid) == 0);
}

BOOST_AUTO_TEST_CASE(AKilledWorkerIsReplacedAndTheOthersKeepAnswering) {
  const std::vector<int> before = pool_worker_pids();
  BOOST_REQUIRE(before.size() >= 2);
  BOOST_REQUIRE(kill(before.front(), SIGKILL) == 0);
  for (int i = 0; i < 4; ++i) {
    const auto report = callsim::run_call(simulator_options(), voicemail_call("+14155550311"));
    BOOST_TEST(report.ok());
  }
  BOOST_TEST(eventually([&] { return pool_worker_pids().size() == before.size(); }, std::chrono::seconds(10)));
  const std::vector<int> after = pool_worker_pids();
  BOOST_TEST((std::find(after.begin(), after.end(), before.front()) == after.end()));
}

BOOST_AUTO_TEST_CASE(WholePoolDownCallersStillGetRoutedByNginxAndNothingIsLost) {
  Restore restore{"sb_start_workers"};
  BOOST_REQUIRE(stack_command("sb_stop_workers") == 0);

  const std::string direct = new_call_sid();
  HttpResult answer = post_webhook("/twilio/voice", {{"CallSid", direct}, {"From", "+14155550321"},
                                                    {"To", "+15005550006"}, {"CallStatus", "ringing"}});
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.content_type.rfind("text/xml", 0) == 0);
  Twiml twiml(answer.body);
  BOOST_REQUIRE(twiml.parsed);
  BOOST_TEST(std::string(twiml.response().child("Dial").child("Number").text().get()) == stack().forward_to);
  BOOST_TEST(twiml.response().child("Record"));

  // The simulator follows the fallback through: forwarded, unanswered, voicemail, nginx's own thank-you; the
  // recording and status callbacks are kept by nginx and acknowledged.
  callsim::Scenario scenario;
  scenario.dial = "no-answer";
  const auto report = callsim::run_call(simulator_options(), scenario);
  for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.outcome == "voicemail");

  // Workers back: what nginx kept reaches the call log, signature checked, exactly once.
  BOOST_REQUIRE(stack_command("sb_start_workers") == 0);
  // Every worker replays kept files in parallel: wait for all of them, not just the call's final status.
  BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(30)));
  const auto row = call_row(report.call_sid);
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(row.at("recording_status") == "completed");
  BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s));
  BOOST_TEST(!call_row(direct).empty());
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'voice'", {direct}) == 1);
}

BOOST_AUTO_TEST_CASE(AGracefulPoolRestartAnswersEveryCaller) {
  // Ten restarts in a row while calls come in: every answer is a worker's or nginx's fallback, never an error.
  std::atomic<bool> done{false};
  std::vector<callsim::CallReport> reports;
  std::thread caller([&] {
    while (!done) {
      reports.push_back(callsim::run_call(simulator_options(), voicemail_call("+14155550331")));
      // A steady stream of calls rather than a flood: the fallback answers in microseconds, and the point here is
      // every call across restarts, not the size of the backlog (the rush test is about load).
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  for (int restart = 0; restart < 10; ++restart) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(stack_command("sb_stop_workers && sb_start_workers") == 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  done = true;
  caller.join();
  BOOST_TEST(reports.size() >= 10u);
  int by_fallback = 0;
  for (const auto& report : reports) {
    BOOST_TEST(report.ok());
    for (const auto& exchange : report.exchanges) {
      const auto who = exchange.headers.find("x-switchboard-answered-by");
      BOOST_TEST((who != exchange.headers.end() && (who->second == "worker" || who->second == "fallback")),
                 exchange.url);
      if (who != exchange.headers.end() && who->second == "fallback") ++by_fallback;
      if (exchange.leg == "callback") {
        BOOST_TEST(exchange.http_status == 204, exchange.url);
        continue;
      }
      BOOST_TEST(exchange.http_status == 200, exchange.url);
      Twiml twiml(exchange.body);
      BOOST_TEST((twiml.parsed && twiml.response()), exchange.url);
    }
  }
  BOOST_TEST_MESSAGE(reports.size() << " calls over 10 restarts, " << by_fallback << " answers from the fallback");
  BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(30)));
  for (const auto& report : reports) BOOST_TEST(call_row(report.call_sid).count("status") == 1u, report.call_sid);
}

BOOST_AUTO_TEST_SUITE_END()
