// The whole pool going down in the middle of a call, at each step of it: nginx answers that step with its own
// fallback (never dialling twice, never giving the forwarded phone's leg the caller's voicemail), keeps every
// request, and once the workers are back each kept request lands exactly once with the time nginx received it.
// Kept requests whose worker died holding them are taken again; those refused on replay are dead-lettered.
#include <boost/test/unit_test.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "callsim/curl_transport.h"
#include "support/stack.h"
#include "support/twiml.h"

using namespace integration;

namespace {

// Restarts the pool even when an assertion failed half-way.
struct PoolBackOnExit {
  ~PoolBackOnExit() { stack_command("sb_start_workers"); }
};

// The real transport, except that the pool is stopped just before the first request to `path`.
class PoolDiesBefore : public callsim::Transport {
 public:
  PoolDiesBefore(const callsim::Options& options, std::string path) : real_(options), path_(std::move(path)) {}
  callsim::HttpResponse send(const callsim::HttpRequest& request) override {
    if (!stopped_ && url_path(request.url) == path_) {
      BOOST_REQUIRE(stack_command("sb_stop_workers") == 0);
      stopped_ = true;
    }
    return real_.send(request);
  }
  bool stopped() const { return stopped_; }

 private:
  callsim::CurlTransport real_;
  std::string path_;
  bool stopped_ = false;
};

struct StepCase {
  const char* step;
  std::vector<std::string> presses;
  const char* dial;
  const char* expected_outcome;
  size_t expected_dials;
};

// The exchanges of the report that went to `path`.
std::vector<const callsim::Exchange*> exchanges_to(const callsim::CallReport& report, const std::string& path) {
  std::vector<const callsim::Exchange*> found;
  for (const auto& exchange : report.exchanges) {
    if (url_path(exchange.url) == path) found.push_back(&exchange);
  }
  return found;
}

std::int64_t unix_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

// Starts and reaps a child: its pid belongs to no process afterwards (a worker that died).
int dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pool_down)

BOOST_AUTO_TEST_CASE(ThePoolDyingAtEachStepLeavesTheCallerOnTheRightNextVerb) {
  const std::vector<StepCase> cases = {
      {"/twilio/voice", {}, "no-answer", "voicemail", 1},
      {"/twilio/voice/menu", {"1"}, "no-answer", "voicemail", 1},
      {"/twilio/voice/screen", {"1"}, "answered", "", 1},
      {"/twilio/voice/dial-result", {"1"}, "no-answer", "voicemail", 1},
      {"/twilio/voice/voicemail-done", {"2"}, "answered", "voicemail", 0},
  };
  for (const StepCase& step : cases) {
    BOOST_TEST_CONTEXT("pool down at " << step.step) {
      PoolBackOnExit restart;
      callsim::Scenario scenario;
      scenario.from = "+14155550701";
      scenario.presses = step.presses;
      scenario.dial = step.dial;
      scenario.record_seconds = 9;
      const auto placed = std::chrono::system_clock::now();
      PoolDiesBefore transport(simulator_options(), step.step);
      const callsim::CallReport report = callsim::run_call(simulator_options(), scenario, transport);
      BOOST_REQUIRE(transport.stopped());
      for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
      BOOST_TEST(report.ok());
      if (*step.expected_outcome) BOOST_TEST(report.outcome == step.expected_outcome);

      // Nobody is dialled twice, and only ever the forward number.
      BOOST_TEST(report.dialled.size() == step.expected_dials);
      for (const std::string& number : report.dialled) BOOST_TEST(number == stack().forward_to);

      // The step itself was answered by nginx's fallback, as usable TwiML (or 204), and so was everything after it.
      const auto at_step = exchanges_to(report, step.step);
      BOOST_REQUIRE(!at_step.empty());
      for (const auto* exchange : at_step) {
        BOOST_TEST(exchange->http_status == 200);
        BOOST_TEST(exchange->headers.count("x-switchboard-answered-by") == 1u);
        if (exchange->headers.count("x-switchboard-answered-by")) {
          BOOST_TEST(exchange->headers.at("x-switchboard-answered-by") == "fallback");
        }
        Twiml twiml(exchange->body);
        BOOST_REQUIRE(twiml.parsed);
      }
      for (const auto& exchange : report.exchanges) {
        // The forwarded phone's leg never gets a <Record> or a <Dial> (its own voicemail must not take the call).
        if (exchange.leg == "screen") {
          Twiml twiml(exchange.body);
          BOOST_TEST(twiml.count("Record") == 0);
          BOOST_TEST(twiml.count("Dial") == 0);
        }
      }
      if (std::string(step.step) == "/twilio/voice/screen") {
        BOOST_REQUIRE(!report.screen_heard.empty());
        BOOST_TEST(report.screen_heard.front() == "Call for Acme Plumbing. Press any key to accept.");
        BOOST_TEST(exchanges_to(report, "/twilio/fallback/screen-result").size() == 1u);
      }

      // Workers back a while later: every request of the call lands once, the call keeps the time it happened.
      std::this_thread::sleep_for(std::chrono::milliseconds(2500));
      const auto restarted = std::chrono::system_clock::now();
      BOOST_REQUIRE(stack_command("sb_start_workers") == 0);
      BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(30)));
      const auto row = call_row(report.call_sid);
      BOOST_REQUIRE(!row.empty());
      BOOST_TEST(row.at("status") == "completed");
      BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s));
      if (std::string(step.expected_outcome) == "voicemail") BOOST_TEST(row.at("recording_status") == "completed");
      const auto started = query("SELECT CAST(UNIX_TIMESTAMP(started_at) * 1000 AS SIGNED) AS ms FROM calls "
                                 "WHERE sid = ?", {report.call_sid});
      BOOST_REQUIRE(started.size() == 1u);
      const std::int64_t started_ms = std::stoll(started[0].at("ms"));
      BOOST_TEST(started_ms >= unix_ms(placed) - 1000);
      BOOST_TEST(started_ms <= unix_ms(restarted) - 2000);  // nginx's time, not the replay's
      // One event per request the simulator made for this call (the screening leg's are logged on the call too).
      BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind <> 'notification'",
                       {report.call_sid}) == static_cast<int>(report.exchanges.size()));
      BOOST_TEST(kept_dead_letters().empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(ARequestWhoseWorkerDiedHoldingItStillLandsOnce) {
  PoolBackOnExit restart;
  BOOST_REQUIRE(stack_command("sb_stop_workers") == 0);
  const std::string sid = new_call_sid();
  const HttpResult kept = post_webhook("/twilio/call-status", {{"CallSid", sid}, {"From", "+14155550702"},
                                                              {"To", stack().twilio_number},
                                                              {"CallStatus", "completed"}, {"CallDuration", "42"}});
  BOOST_TEST(kept.status == 204);
  // nginx writes the record when the request is finished, just after answering.
  BOOST_REQUIRE(eventually([] { return kept_waiting() == 1; }, std::chrono::seconds(5)));
  // Claim it in the name of a worker that then died (the rename a worker does before replaying it).
  const std::string dir = kept_dir();
  BOOST_REQUIRE(stack_command("cd '" + dir + "' && f=$(ls kept-*.json) && mv \"$f\" \"$f.claimed-" +
                              std::to_string(dead_pid()) + "\"") == 0);
  BOOST_REQUIRE(stack_command("sb_start_workers") == 0);
  BOOST_TEST(eventually([&] { return !call_row(sid).empty(); }, std::chrono::seconds(20)));
  BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(10)));
  BOOST_TEST(call_row(sid).at("duration_s") == "42");
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}) == 1);
}

BOOST_AUTO_TEST_CASE(AKeptRequestRefusedOnReplayIsDeadLetteredWithItsReasonNotDeleted) {
  PoolBackOnExit restart;
  const double dead_before = metric("switchboard_kept_requests_dead_lettered_total");
  BOOST_REQUIRE(stack_command("sb_stop_workers") == 0);
  // Signed with another token (an auth-token rotation): nginx cannot tell, keeps it, the workers refuse it.
  const std::string sid = new_call_sid();
  const Params params{{"CallSid", sid}, {"From", "+14155550703"}, {"To", stack().twilio_number},
                      {"CallStatus", "completed"}};
  const std::string url = stack().base_url + "/twilio/call-status";
  const std::string wrong = callsim::sign("00000000000000000000000000000000", url, params);
  BOOST_TEST(post_webhook("/twilio/call-status", params, &wrong).status == 204);
  BOOST_REQUIRE(eventually([] { return kept_waiting() == 1; }, std::chrono::seconds(5)));
  BOOST_REQUIRE(stack_command("sb_start_workers") == 0);
  BOOST_TEST(eventually([] { return kept_dead_letters().size() == 1u; }, std::chrono::seconds(20)));
  BOOST_TEST(kept_waiting() == 0);
  BOOST_TEST(call_row(sid).empty());  // refused: nothing stored
  const auto dead = kept_dead_letters();
  BOOST_REQUIRE(dead.size() == 1u);
  std::ifstream reason(kept_dir() + "/dead/" + dead[0] + ".reason");
  std::string why;
  std::getline(reason, why);
  BOOST_TEST(why.find("answered 403") != std::string::npos, why);
  std::ifstream record(kept_dir() + "/dead/" + dead[0]);
  std::string content((std::istreambuf_iterator<char>(record)), std::istreambuf_iterator<char>());
  BOOST_TEST(content.find(sid) != std::string::npos);  // the request itself, kept for a person

  // Visible: /metrics and /healthz.
  BOOST_TEST(metric("switchboard_kept_requests_dead_letter") == 1);
  BOOST_TEST(metric("switchboard_kept_requests_dead_lettered_total") == dead_before + 1);
  const HttpResult health = request("GET", "/healthz", false);
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.body.find("\"status\":\"degraded\"") != std::string::npos);
  BOOST_TEST(health.body.find("kept requests in the dead-letter folder") != std::string::npos);
  BOOST_TEST(health.body.find("\"kept_dead_letters\":1") != std::string::npos);

  // A person who fixed the cause moves it back; here it is only cleared so later tests start healthy.
  BOOST_REQUIRE(stack_command("rm -f '" + kept_dir() + "'/dead/*") == 0);
  BOOST_TEST(request("GET", "/healthz", false).body.find("\"status\":\"ok\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(OnlyPostsToWebhookRoutesAreReplayed) {
  // Records no nginx location would have kept (a GET; a path that is no step): refused, dead-lettered, not run.
  const std::string dir = kept_dir();
  const auto write = [&](const std::string& name, const std::string& method, const std::string& uri) {
    std::ofstream out(dir + "/" + name);
    out << R"({"msec":"1764147600.123","method":")" << method << R"(","uri":")" << uri
        << R"(","content_type":"application/x-www-form-urlencoded","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAA=","body":"CallSid=CA1"})"
        << "\n";
  };
  write("kept-1764147600.123-get.json", "GET", "/twilio/voice");
  write("kept-1764147600.124-api.json", "POST", "/api/calls/CA1/voicemail/heard");
  const auto both_refused = [] {
    const auto dead = kept_dead_letters();
    return std::count(dead.begin(), dead.end(), "kept-1764147600.123-get.json") == 1 &&
           std::count(dead.begin(), dead.end(), "kept-1764147600.124-api.json") == 1;
  };
  // Requests make a worker look at the backlog (an idle one looks every few seconds anyway).
  BOOST_TEST(eventually([&] { return request("GET", "/healthz", false).status == 200 && both_refused(); },
                        std::chrono::seconds(20)));
  BOOST_TEST(kept_waiting() == 0);
  std::ifstream reason(dir + "/dead/kept-1764147600.124-api.json.reason");
  std::string why;
  std::getline(reason, why);
  BOOST_TEST(why == "not a POST to a webhook route: POST /api/calls/CA1/voicemail/heard");
  BOOST_REQUIRE(stack_command("rm -f '" + dir + "'/dead/*") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
