// See burst.h. Threads take call numbers from one atomic counter and keep their results apart, merged after join,
// so the hot path takes no lock.
#include "cli/burst.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iomanip>
#include <thread>

#include "callsim/callsim.h"
#include "callsim/curl_transport.h"

namespace callsim::cli {
namespace {

constexpr size_t kErrorsShown = 5;

Scenario scenario_for(const Scenario& base, int index) {
  Scenario scenario = base;
  scenario.call_sid.clear();
  switch (index % 4) {
    case 0:
      scenario.presses = {"1"};
      scenario.dial = "answered";
      break;
    case 1:
      scenario.presses = {"1"};
      scenario.dial = "no-answer";
      break;
    case 2:
      scenario.presses = {"2"};
      break;
    default:
      scenario.presses = {"", "", ""};
      break;
  }
  return scenario;
}

void add_call(BurstResult& result, const CallReport& report) {
  ++result.calls;
  result.requests += static_cast<int>(report.exchanges.size());
  for (const Exchange& exchange : report.exchanges) result.latencies_s.push_back(exchange.seconds);
  if (report.ok()) return;
  ++result.failed_calls;
  for (const auto& error : report.errors) {
    if (result.first_errors.size() < kErrorsShown) result.first_errors.push_back(report.call_sid + " " + error);
  }
}

double percentile_ms(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(fraction * static_cast<double>(sorted.size())));
  return sorted[index] * 1000;
}

}  // namespace

BurstResult run_burst(const Options& options, const Scenario& base, int calls, int concurrency) {
  std::atomic<int> next{0};
  std::vector<BurstResult> per_thread(static_cast<size_t>(concurrency));
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (BurstResult& mine : per_thread) {
    threads.emplace_back([&options, &base, &next, &mine, calls] {
      CurlTransport transport(options);
      for (int index = next++; index < calls; index = next++) {
        add_call(mine, run_call(options, scenario_for(base, index), transport));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  BurstResult total;
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const BurstResult& part : per_thread) {
    total.calls += part.calls;
    total.failed_calls += part.failed_calls;
    total.requests += part.requests;
    total.latencies_s.insert(total.latencies_s.end(), part.latencies_s.begin(), part.latencies_s.end());
    for (const auto& error : part.first_errors) {
      if (total.first_errors.size() < kErrorsShown) total.first_errors.push_back(error);
    }
  }
  std::sort(total.latencies_s.begin(), total.latencies_s.end());
  return total;
}

void print_burst(std::ostream& out, const BurstResult& result, bool json) {
  const double seconds = std::max(result.seconds, 1e-9);
  const double calls_per_s = result.calls / seconds, requests_per_s = result.requests / seconds;
  const double p50 = percentile_ms(result.latencies_s, 0.50), p99 = percentile_ms(result.latencies_s, 0.99);
  const double max = result.latencies_s.empty() ? 0 : result.latencies_s.back() * 1000;
  if (json) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("calls");
    writer.Int(result.calls);
    writer.Key("failed_calls");
    writer.Int(result.failed_calls);
    for (const auto& [key, value] : {std::pair{"seconds", result.seconds}, std::pair{"calls_per_s", calls_per_s},
                                     std::pair{"webhooks_per_s", requests_per_s}, std::pair{"p50_ms", p50},
                                     std::pair{"p99_ms", p99}, std::pair{"max_ms", max}}) {
      writer.Key(key);
      writer.Double(value);
    }
    writer.Key("errors");
    writer.StartArray();
    for (const auto& error : result.first_errors) writer.String(error.c_str());
    writer.EndArray();
    writer.EndObject();
    out << buffer.GetString() << "\n";
    return;
  }
  out << std::fixed << std::setprecision(1) << result.calls << " calls completed in " << result.seconds << " s ("
      << result.failed_calls << " with errors)\n"
      << calls_per_s << " calls/s, " << requests_per_s << " webhooks/s (" << result.requests << " requests)\n"
      << "webhook latency: p50 " << p50 << " ms, p99 " << p99 << " ms, max " << max << " ms\n";
  for (const auto& error : result.first_errors) out << "  error: " << error << "\n";
}

}  // namespace callsim::cli
