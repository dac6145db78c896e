// A 9 AM rush through one address (a proxy, a balancer, or Twilio's few egress addresses) while workers keep dying:
// every signed request is answered with usable TwiML of its step (or 204 for a callback), by a worker or by nginx's
// fallback — never 429 or 5xx — nobody is dialled twice, and once the dust settles every call is in the log with
// its final status, each event once. The figures (answered, kept, replayed, dead-lettered) are printed.
#include <boost/test/unit_test.hpp>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "callsim/curl_transport.h"
#include "support/stack.h"
#include "support/twiml.h"

using namespace integration;

namespace {

callsim::Scenario scenario_number(int n) {
  callsim::Scenario scenario;
  scenario.from = "+1415555" + std::to_string(1000 + n % 9000);
  switch (n % 3) {
    case 0: scenario.presses = {"1"}, scenario.dial = "answered", scenario.talk_seconds = 20; break;
    case 1: scenario.presses = {"1"}, scenario.dial = "no-answer"; break;
    default: scenario.presses = {"2"}, scenario.record_seconds = 8; break;
  }
  return scenario;
}

struct Figures {
  int calls = 0, requests = 0, by_worker = 0, by_fallback = 0, refused = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(rush)

BOOST_AUTO_TEST_CASE(ARushFromOneAddressWithWorkersDyingGetsEveryStepAnswered) {
  const double replayed_before = metric("switchboard_kept_requests_replayed_total");
  const double dead_before = metric("switchboard_kept_requests_dead_lettered_total");
  constexpr int kCallers = 12;
  const auto rush_length = std::chrono::seconds(8);
  std::atomic<bool> over{false};
  std::mutex lock;
  std::vector<callsim::CallReport> reports;
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      const callsim::Options options = simulator_options();
      callsim::CurlTransport transport(options);  // one keep-alive connection per caller, all from 127.0.0.1
      for (int n = t; !over; n += kCallers) {
        callsim::CallReport report = callsim::run_call(options, scenario_number(n), transport);
        const std::lock_guard<std::mutex> hold(lock);
        reports.push_back(std::move(report));
      }
    });
  }
  // Kill a worker every 700 ms (multiwatch forks a new one): requests in flight on it get nginx's fallback.
  int killed = 0;
  std::mt19937 random{42};
  const auto end = std::chrono::steady_clock::now() + rush_length;
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const std::vector<int> workers = pool_worker_pids();
    if (!workers.empty() && kill(workers[random() % workers.size()], SIGKILL) == 0) ++killed;
  }
  over = true;
  for (std::thread& caller : callers) caller.join();

  Figures figures;
  figures.calls = static_cast<int>(reports.size());
  BOOST_REQUIRE(figures.calls > kCallers);
  for (const callsim::CallReport& report : reports) {
    for (const std::string& error : report.errors) BOOST_TEST_MESSAGE(report.call_sid << " simulator: " << error);
    BOOST_TEST(report.ok(), report.call_sid);
    BOOST_TEST(report.dialled.size() <= 1u, report.call_sid << " dialled " << report.dialled.size() << " times");
    for (const callsim::Exchange& exchange : report.exchanges) {
      ++figures.requests;
      const auto answered_by = exchange.headers.find("x-switchboard-answered-by");
      const std::string who = answered_by == exchange.headers.end() ? "" : answered_by->second;
      if (who == "worker") ++figures.by_worker;
      else if (who == "fallback") ++figures.by_fallback;
      const bool callback = exchange.leg == "callback";
      const bool answered = exchange.http_status == (callback ? 204 : 200) && (who == "worker" || who == "fallback");
      if (!answered) ++figures.refused;
      BOOST_TEST(answered, exchange.url << " answered " << exchange.http_status << " by '" << who << "'");
      if (callback || !answered) continue;
      Twiml twiml(exchange.body);
      BOOST_TEST(twiml.parsed, exchange.url);
      // The step's own answer: after a forward or on the forwarded leg, never a dial; on that leg, never a voicemail.
      const std::string path = url_path(exchange.url);
      if (path == "/twilio/voice/dial-result" || path == "/twilio/voice/voicemail-done" || exchange.leg == "screen") {
        BOOST_TEST(twiml.count("Dial") == 0, exchange.url);
      }
      if (exchange.leg == "screen") BOOST_TEST(twiml.count("Record") == 0, exchange.url);
    }
  }

  // Once the pool has replayed what nginx kept: every call logged with its final status, each event once.
  BOOST_TEST(eventually(backlog_drained, std::chrono::seconds(90)));
  int logged = 0;
  for (const callsim::CallReport& report : reports) {
    const auto row = call_row(report.call_sid);
    if (row.empty()) continue;
    ++logged;
    BOOST_TEST(row.at("status") == "completed", report.call_sid);
    BOOST_TEST(row.at("duration_s") == std::to_string(report.total_duration_s), report.call_sid);
    BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind <> 'notification'",
                     {report.call_sid}) == static_cast<int>(report.exchanges.size()),
               report.call_sid);
  }
  BOOST_TEST(logged == figures.calls);
  const double replayed = metric("switchboard_kept_requests_replayed_total") - replayed_before;
  const double dead = metric("switchboard_kept_requests_dead_lettered_total") - dead_before;
  BOOST_TEST(dead == 0);
  BOOST_TEST(kept_dead_letters().empty());
  std::cout << "rush: " << kCallers << " callers from 127.0.0.1 for " << rush_length.count() << " s, " << killed
            << " workers killed: " << figures.calls << " calls, " << figures.requests << " requests; answered by a "
            << "worker " << figures.by_worker << ", by nginx's fallback " << figures.by_fallback << ", refused "
            << figures.refused << "; kept requests replayed " << replayed << ", dead-lettered " << dead
            << "; calls logged " << logged << "/" << figures.calls << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()
